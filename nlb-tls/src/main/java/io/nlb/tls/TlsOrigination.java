package io.nlb.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.nlb.common.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS from the load balancer to the targets of a TLS target group: the transport asks for one
 * {@link SslHandler} per target connection and puts it first in the target channel's pipeline.
 *
 * <pre>{@code
 * // once per TLS listener (and again when its policy changes):
 * TlsOrigination toTargets = TlsOrigination.forListener(tls.state().policy(), TlsProvider.JDK, metrics);
 * // per target connection, once the TCP connection to the target is established:
 * connectFuture.addListener(f -> {
 *   if (f.isSuccess()) {
 *     Channel target = ((ChannelFuture) f).channel();
 *     target.pipeline().addFirst(toTargets.newHandler(frontend, target));
 *   }
 * });
 * }</pre>
 *
 * <p>What the handler does, as the load balancer does it:
 *
 * <ul>
 *   <li><b>No certificate validation.</b> Targets may present self-signed or expired certificates
 *       for any name: every server certificate is accepted and no host name is verified. This
 *       trust-all is confined to this class; the listener side never uses it.
 *   <li><b>Backend policy.</b> The protocols and suites offered are those of {@link
 *       SecurityPolicy#backendFor} the listener's policy: {@code ELBSecurityPolicy-TLS13-1-0-2021-06}
 *       behind a TLS 1.3 policy, {@code ELBSecurityPolicy-2016-08} otherwise, in policy order.
 *       Unlike the listener side, a provider that lacks some of them (a stock JVM disables TLS 1.0
 *       and 1.1) does not stop the build: the client then offers what it can, which only narrows
 *       what a target may choose, and {@link #support()} and a warning at build name the gap.
 *   <li><b>ALPN passthrough.</b> The target is offered exactly the protocol negotiated with the
 *       client ({@link TlsTermination#negotiatedAlpn}), or no ALPN when none was. What the target
 *       chooses is copied to the client channel's {@link TlsTermination#BACKEND_ALPN} for the
 *       access log.
 *   <li><b>SNI passthrough.</b> The server name sent to the target is the one the client sent
 *       ({@link TlsTermination#requestedServerName}); none if the client sent none.
 *   <li><b>Errors.</b> A failed target handshake (alert, no common suite, the target closing,
 *       Netty's 10-second handshake timeout) is reported once to {@link
 *       TlsNegotiationListener#targetNegotiationFailed} for {@code TargetTLSNegotiationErrorCount};
 *       the handler closes the target channel as {@link SslHandler} does.
 * </ul>
 *
 * <p>Thread-safe: one instance serves every event loop. Client contexts (one per ALPN protocol
 * offered) are built on first use and kept.
 *
 * @since 0.1
 */
public final class TlsOrigination {
  private static final Logger log = LoggerFactory.getLogger(TlsOrigination.class);
  private static final String NO_ALPN = "";

  private final SecurityPolicy backendPolicy;
  private final TlsProvider provider;
  private final PolicySupport support;
  private final List<TlsVersion> protocols;
  private final List<CipherSuite> ciphers;
  private final List<String> protocolNames;
  private final List<String> cipherNames;
  private final TlsNegotiationListener listener;
  private final ConcurrentMap<String, SslContext> contexts = new ConcurrentHashMap<>();

  private TlsOrigination(SecurityPolicy backendPolicy, TlsProvider requested, TlsNegotiationListener listener) {
    this.backendPolicy = backendPolicy;
    this.provider = requested.resolve(backendPolicy); // AUTO: OPENSSL where it offers the backend policy exactly
    this.listener = listener;
    this.support = PolicySupport.check(backendPolicy, this.provider);
    List<TlsVersion> v = new ArrayList<>(backendPolicy.protocols());
    v.removeAll(support.missingProtocols());
    List<CipherSuite> c = new ArrayList<>(backendPolicy.ciphers());
    c.removeAll(support.missingCiphers());
    List<String> vn = new ArrayList<>();
    for (TlsVersion x : v) {
      vn.add(x.protocolName());
    }
    List<String> cn = new ArrayList<>();
    for (CipherSuite x : c) {
      cn.add(x.jsseName());
    }
    if (vn.isEmpty() || cn.isEmpty()) {
      throw new IllegalStateException(support.message());
    }
    this.protocols = List.copyOf(v);
    this.ciphers = List.copyOf(c);
    this.protocolNames = List.copyOf(vn);
    this.cipherNames = List.copyOf(cn);
    if (!support.missingProtocols().isEmpty() || !support.missingCiphers().isEmpty()) {
      log.warn("TLS to targets offers less than {}: {}", backendPolicy, support.message());
    }
    contexts.put(NO_ALPN, TlsContexts.client(provider, protocolNames, cipherNames, List.of()));
  }

  /**
   * {@return origination for the targets behind a listener using {@code listenerPolicy}}
   *
   * @param listener told of every failed target handshake
   * @param listenerPolicy the listener policy
   * @param provider the provider
   * @throws IllegalStateException if {@code provider} can offer no protocol or no suite of the
   *     backend policy (for {@link TlsProvider#OPENSSL}: not available)
   */
  public static TlsOrigination forListener(SecurityPolicy listenerPolicy, TlsProvider provider, TlsNegotiationListener listener) {
    return new TlsOrigination(SecurityPolicy.backendFor(listenerPolicy), provider, listener);
  }

  /**
   * {@return as {@link #forListener(SecurityPolicy, TlsProvider, TlsNegotiationListener)}, reporting nothing}
   *
   * @param listenerPolicy the listener policy
   * @param provider the provider
   */
  public static TlsOrigination forListener(SecurityPolicy listenerPolicy, TlsProvider provider) {
    return forListener(listenerPolicy, provider, TlsNegotiationListener.NONE);
  }

  /** {@return the backend policy in force, chosen by the listener's policy} */
  public SecurityPolicy backendPolicy() {
    return backendPolicy;
  }

  /** {@return whether {@link #provider()} offers the backend policy exactly, and what it lacks if not} */
  public PolicySupport support() {
    return support;
  }

  /** {@return the provider of the client side: JDK or OPENSSL (AUTO resolved against the backend policy)} */
  public TlsProvider provider() {
    return provider;
  }

  /**
   * {@return the protocols offered to targets, lowest first: the backend policy's, less what the provider lacks}
   */
  public List<TlsVersion> offeredProtocols() {
    return protocols;
  }

  /**
   * {@return the suites offered to targets in preference order: the backend policy's, less what the provider lacks}
   */
  public List<CipherSuite> offeredCiphers() {
    return ciphers;
  }

  /**
   * {@return a handler for one connection to a target, mirroring the client connection {@code frontend}:
   * its SNI name and its negotiated ALPN protocol} Add it first in {@code target}'s pipeline;
   * the handshake starts at once.
   *
   * @param frontend the accepted client channel, whose pipeline holds a {@link TlsTermination}
   *     handler that has finished its handshake
   * @param target the established connection to the target
   * @throws IllegalArgumentException if {@code target} is not connected: a failed connect is not a
   *     TLS negotiation error, so the handler is only made for a live connection
   */
  public SslHandler newHandler(Channel frontend, Channel target) {
    return newHandler(target, TlsTermination.requestedServerName(frontend), TlsTermination.negotiatedAlpn(frontend), frontend);
  }

  /**
   * {@return a handler for one connection to a target with explicit SNI and ALPN}
   *
   * @param target the established connection to the target
   * @param serverName the SNI host name to send, or {@code null} for none
   * @param alpn the one ALPN protocol to offer, or {@code null} for no ALPN
   * @throws IllegalArgumentException if {@code target} is not connected
   */
  public SslHandler newHandler(Channel target, @Nullable String serverName, @Nullable String alpn) {
    return newHandler(target, serverName, alpn, null);
  }

  private SslHandler newHandler(Channel target, @Nullable String serverName, @Nullable String alpn, @Nullable Channel frontend) {
    if (!target.isActive()) {
      throw Problems.invalid("target", target.toString(), "a connected channel");
    }
    String key = alpn == null || alpn.isEmpty() ? NO_ALPN : alpn;
    SslContext ctx = contexts.computeIfAbsent(key, a -> TlsContexts.client(provider, protocolNames, cipherNames, List.of(a)));
    SslHandler ssl = ctx.newHandler(target.alloc());
    SSLEngine engine = ssl.engine();
    if (serverName != null && !serverName.isEmpty()) {
      SSLParameters p = engine.getSSLParameters();
      try {
        p.setServerNames(List.of(new SNIHostName(serverName)));
        engine.setSSLParameters(p);
      } catch (IllegalArgumentException e) {
        // Not a valid host name for SNI (the client's was parsed leniently): send none.
        log.debug("{}: SNI {} not forwarded to the target: {}", target, serverName, e.getMessage());
      }
    }
    ssl.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        if (frontend != null) {
          String chosen = ssl.applicationProtocol();
          if (chosen != null) {
            frontend.attr(TlsTermination.BACKEND_ALPN).set(chosen);
          }
        }
      } else {
        Throwable cause = f.cause();
        try {
          listener.targetNegotiationFailed(target, cause == null ? new javax.net.ssl.SSLHandshakeException("failed") : cause);
        } catch (RuntimeException e) {
          log.warn("{}: negotiation listener failed", target, e);
        }
      }
    });
    return ssl;
  }

  @Override
  public String toString() {
    return "TlsOrigination{" + backendPolicy + ", " + provider + ", offered=" + protocolNames + "}";
  }
}
