package io.nlb.tls;

import io.netty.channel.Channel;

/**
 * Told when a TLS handshake fails, so the transport can count {@code ClientTLSNegotiationErrorCount}
 * (listener side) and {@code TargetTLSNegotiationErrorCount} (target side).
 *
 * <pre>{@code
 * TlsNegotiationListener metrics = new TlsNegotiationListener() {
 *   public void clientNegotiationFailed(Channel client, Throwable cause) {
 *     store.increment("ClientTLSNegotiationErrorCount", lbDimensions);
 *   }
 *   public void targetNegotiationFailed(Channel target, Throwable cause) {
 *     store.increment("TargetTLSNegotiationErrorCount", lbDimensions);
 *   }
 * };
 * TlsTermination tls = TlsTermination.builder(listener, TlsProvider.JDK).negotiationListener(metrics).build();
 * TlsOrigination toTargets = TlsOrigination.forListener(tls.state().policy(), TlsProvider.JDK, metrics);
 * }</pre>
 *
 * <p>What counts as one failure, at most once per connection:
 *
 * <ul>
 *   <li>Client side: the client sent bytes, and the connection ended before a handshake finished —
 *       a handshake error either side detected (a fatal alert, no common protocol or suite, bytes
 *       that are not TLS, an SSLv2-format hello), the client closing mid-handshake, or the
 *       handshake timeout. A connection that closes without sending a byte (a TCP health check, a
 *       port scan) is not a negotiation and is not counted.
 *   <li>Target side: the handshake of a connection made by {@link TlsOrigination} failed (for any
 *       reason, the target closing mid-handshake included).
 * </ul>
 *
 * <p>Called on the channel's event loop, so implementations must be quick and must not block;
 * they must be thread-safe when shared by several event loops. Exceptions thrown are logged and
 * otherwise ignored. Both methods do nothing by default.
 *
 * @since 0.1
 */
public interface TlsNegotiationListener {
  /** A listener that ignores everything. */
  TlsNegotiationListener NONE = new TlsNegotiationListener() {};

  /**
   * A handshake between a client and the TLS listener failed.
   *
   * @param client the accepted (frontend) channel, usually closed or closing
   * @param cause why; an {@link javax.net.ssl.SSLException} or a Netty decoder exception
   */
  default void clientNegotiationFailed(Channel client, Throwable cause) {}

  /**
   * A handshake between the load balancer and a TLS target failed.
   *
   * @param target the backend channel the {@link TlsOrigination} handler was added to
   * @param cause why
   */
  default void targetNegotiationFailed(Channel target, Throwable cause) {}

  /**
   * A client of the TLS listener had not finished its handshake when the handshake timeout passed,
   * and its connection is being closed. Called once per such connection, whether or not the client
   * sent anything (a silent client is no negotiation error, but it did hold a connection for the
   * whole timeout); a client that had sent bytes is also reported to {@link
   * #clientNegotiationFailed}, just before.
   *
   * @param client the accepted (frontend) channel, about to be closed
   */
  default void clientHandshakeTimedOut(Channel client) {}
}
