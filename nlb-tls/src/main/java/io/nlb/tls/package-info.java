/**
 * TLS for the load balancer: named security policies, certificates, SNI, ALPN, TLS to targets and
 * access logs. The transport drives it; this package touches no socket and knows no transport.
 *
 * <h2>How a transport uses it</h2>
 *
 * <ol>
 *   <li><b>Per TLS listener:</b> one {@link io.nlb.tls.TlsTermination}, built from the listener's
 *       {@link io.nlb.core.ListenerConfig} with the provider, the metrics hook and the access log:
 *       <pre>{@code
 * TlsTermination tls = TlsTermination.builder(listenerConfig, TlsProvider.AUTO)
 *     .negotiationListener(metrics)                     // ClientTLSNegotiationErrorCount
 *     .accessLog(accessLog, lbResourceId, listenerResourceId)
 *     .build();
 * }</pre>
 *       Control-plane changes go to the same object ({@code update(listenerConfig)}, {@code
 *       replaceDefaultCertificate}, ...); they apply to new handshakes only.
 *   <li><b>Per accepted connection:</b> {@code ch.pipeline().addFirst(tls.newHandler())} in the
 *       child initializer. The handler reads the ClientHello, picks the certificate and becomes an
 *       {@link io.netty.handler.ssl.SslHandler}; the handlers after it see plaintext {@code
 *       ByteBuf}s once the handshake has finished (wait for {@link
 *       io.netty.handler.ssl.SslHandshakeCompletionEvent} before connecting to a target, or
 *       connect at once and buffer). Negotiation errors end inside the TLS handlers: the transport
 *       learns of them through the listener, never as {@code exceptionCaught}.
 *   <li><b>Per target connection of a TLS target group:</b> one {@link io.nlb.tls.TlsOrigination}
 *       per listener ({@code TlsOrigination.forListener(tls.state().policy(), provider, metrics)});
 *       once the TCP connection to the target is up, {@code
 *       target.pipeline().addFirst(origination.newHandler(frontend, target))}. It mirrors the
 *       client's SNI and ALPN, validates nothing, and reports failures for {@code
 *       TargetTLSNegotiationErrorCount}. Write to the target after its handshake future succeeds.
 *   <li><b>Metrics hooks:</b> one {@link io.nlb.tls.TlsNegotiationListener} serves both sides; it
 *       is called on the event loop, at most once per connection.
 *   <li><b>Access log lifecycle:</b> when the load balancer's access logs are enabled, one {@link
 *       io.nlb.tls.TlsAccessLog} per load balancer, {@code TlsAccessLog.start(sink, scheduler,
 *       capacity)} with a {@link io.nlb.tls.DirectoryAccessLogSink} and the load balancer's {@link
 *       io.nlb.core.Scheduler}; it publishes a gzip file at every 5-minute boundary. Close it when
 *       logging is disabled or the load balancer stops: close writes what is queued.
 * </ol>
 *
 * <p>{@link io.nlb.tls.PolicySupport} tells whether a provider serves a policy exactly; building a
 * listener on a provider that cannot fails with the setting that would fix it. {@link
 * io.nlb.tls.TlsProvider#AUTO} picks, per policy, OpenSSL where it is exact and the JDK elsewhere.
 */
@NullMarked
package io.nlb.tls;

import org.jspecify.annotations.NullMarked;
