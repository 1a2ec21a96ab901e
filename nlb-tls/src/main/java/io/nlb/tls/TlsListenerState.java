package io.nlb.tls;

import io.netty.handler.ssl.SslContext;
import io.nlb.common.Problems;
import io.nlb.core.AlpnPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One immutable snapshot of a TLS listener: security policy, ALPN policy, provider, default
 * certificate, certificate list, handshake timeout, and a ready server context per certificate.
 * {@link TlsTermination} publishes a new snapshot on every change; each new connection reads the
 * current one once, so a change applies to new handshakes and never to established connections.
 *
 * <p>Building a snapshot checks that the provider serves the policy exactly and builds every
 * context, so a bad change fails when it is made, not on the next connection. A change that keeps
 * the policy, the ALPN policy and the provider keeps the contexts of the certificates it keeps, and
 * with them their session caches and ticket keys: clients go on resuming their sessions.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class TlsListenerState {
  private final SecurityPolicy policy;
  private final AlpnPolicy alpnPolicy;
  private final TlsProvider provider;
  private final TlsCertificate defaultCertificate;
  private final List<TlsCertificate> certificates;
  private final Duration handshakeTimeout;
  private final Map<String, SslContext> contexts;
  private final @Nullable OpenSslSubset openSsl;
  private final Map<String, SslContext> openSslContexts;

  private TlsListenerState(SecurityPolicy policy, AlpnPolicy alpnPolicy, TlsProvider provider, TlsCertificate defaultCertificate,
      List<TlsCertificate> certificates, Duration handshakeTimeout, Map<String, SslContext> contexts,
      @Nullable OpenSslSubset openSsl, Map<String, SslContext> openSslContexts) {
    this.policy = policy;
    this.alpnPolicy = alpnPolicy;
    this.provider = provider;
    this.defaultCertificate = defaultCertificate;
    this.certificates = List.copyOf(certificates);
    this.handshakeTimeout = handshakeTimeout;
    this.contexts = Map.copyOf(contexts);
    this.openSsl = openSsl;
    this.openSslContexts = Map.copyOf(openSslContexts);
  }

  static TlsListenerState build(SecurityPolicy policy, AlpnPolicy alpnPolicy, TlsProvider provider, TlsCertificate defaultCertificate,
      List<TlsCertificate> certificates, Duration handshakeTimeout, TlsListenerState reuse) {
    boolean same = reuse.policy == policy && reuse.alpnPolicy.equals(alpnPolicy) && reuse.provider == provider.resolve(policy);
    return build(policy, alpnPolicy, provider, defaultCertificate, certificates, handshakeTimeout,
        same ? reuse.reusable(reuse.contexts) : Map.of(), same ? reuse.reusable(reuse.openSslContexts) : Map.of());
  }

  /** The contexts by certificate id, each with the chain it was built for (a renewed chain gets a new one). */
  private Map<String, Built> reusable(Map<String, SslContext> byId) {
    Map<String, Built> out = new HashMap<>();
    List<TlsCertificate> all = new ArrayList<>(certificates);
    all.add(defaultCertificate);
    for (TlsCertificate c : all) {
      SslContext ctx = byId.get(c.id());
      if (ctx != null) {
        out.put(c.id(), new Built(c.chain(), ctx));
      }
    }
    return out;
  }

  private record Built(List<java.security.cert.X509Certificate> chain, SslContext context) {}

  static TlsListenerState build(SecurityPolicy policy, AlpnPolicy alpnPolicy, TlsProvider provider, TlsCertificate defaultCertificate,
      List<TlsCertificate> certificates, Duration handshakeTimeout) {
    return build(policy, alpnPolicy, provider, defaultCertificate, certificates, handshakeTimeout, Map.of(), Map.of());
  }

  private static TlsListenerState build(SecurityPolicy policy, AlpnPolicy alpnPolicy, TlsProvider requested,
      TlsCertificate defaultCertificate, List<TlsCertificate> certificates, Duration handshakeTimeout,
      Map<String, Built> previous, Map<String, Built> previousOpenSsl) {
    TlsProvider provider = requested.resolve(policy);
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw Problems.invalid("handshakeTimeout", handshakeTimeout, "a positive duration");
    }
    PolicySupport.check(policy, provider).requireExact();
    List<String> alpn = alpnPolicy.protocols();
    List<TlsCertificate> all = new ArrayList<>(certificates);
    all.add(defaultCertificate);
    // AUTO with a policy OPENSSL cannot serve in full: OPENSSL still takes the handshakes it gets right.
    OpenSslSubset openSsl = requested == TlsProvider.AUTO && provider == TlsProvider.JDK ? OpenSslSubset.of(policy) : null;
    Map<String, SslContext> contexts = new HashMap<>();
    Map<String, SslContext> openSslContexts = new HashMap<>();
    for (TlsCertificate c : all) {
      if (contexts.containsKey(c.id())) {
        continue; // the default certificate may also be in the list: one context per certificate
      }
      contexts.put(c.id(), kept(previous, c).orElseGet(() -> TlsContexts.server(policy, provider, c, alpn)));
      if (openSsl != null) {
        openSslContexts.put(c.id(), kept(previousOpenSsl, c).orElseGet(() -> TlsContexts.server(openSsl, c, alpn)));
      }
    }
    return new TlsListenerState(policy, alpnPolicy, provider, defaultCertificate, certificates, handshakeTimeout, contexts,
        openSsl, openSslContexts);
  }

  /** The context built before for {@code c}, unless its chain was renewed under the same leaf since. */
  private static Optional<SslContext> kept(Map<String, Built> previous, TlsCertificate c) {
    Built old = previous.get(c.id());
    return old != null && old.chain().equals(c.chain()) ? Optional.of(old.context()) : Optional.empty();
  }

  /** {@return the security policy} */
  public SecurityPolicy policy() {
    return policy;
  }

  /** {@return the ALPN policy} */
  public AlpnPolicy alpnPolicy() {
    return alpnPolicy;
  }

  /**
   * {@return the provider serving this snapshot: JDK or OPENSSL, never AUTO (resolved against the
   * policy)} With {@link #openSslWhereExact()} it serves the handshakes OPENSSL would not get right.
   */
  public TlsProvider provider() {
    return provider;
  }

  /**
   * {@return whether handshakes that OPENSSL negotiates exactly as the policy says run on it while
   * the others run on {@link #provider()}} True under {@link TlsProvider#AUTO} for a policy OPENSSL
   * cannot serve in full (a TLS 1.3 policy, or one with SHA-2 CBC suites BoringSSL lacks) when
   * netty-tcnative is present; see {@link TlsProvider#AUTO}.
   */
  public boolean openSslWhereExact() {
    return openSsl != null;
  }

  /** {@return the default certificate} */
  public TlsCertificate defaultCertificate() {
    return defaultCertificate;
  }

  /** {@return the certificate list (without the default)} */
  public List<TlsCertificate> certificates() {
    return certificates;
  }

  /**
   * {@return how long a client has from the first byte-less moment of the connection to a finished handshake}
   */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** The context for one handshake: the OpenSSL one where it negotiates {@code hello} as the policy does. */
  SslContext context(TlsCertificate certificate, ClientHello hello) {
    OpenSslSubset o = openSsl;
    if (o != null && o.servesExactly(hello, certificate.info().keyType())) {
      SslContext ctx = openSslContexts.get(certificate.id());
      if (ctx != null) {
        return ctx;
      }
    }
    return context(certificate);
  }

  SslContext context(TlsCertificate certificate) {
    SslContext ctx = contexts.get(certificate.id());
    if (ctx == null) {
      throw new IllegalStateException("no context for " + certificate);
    }
    return ctx;
  }

  @Override
  public String toString() {
    return "TlsListenerState{" + policy + ", alpn=" + alpnPolicy + ", " + provider + ", default=" + defaultCertificate.id()
        + ", list=" + certificates.size() + ", handshakeTimeout=" + handshakeTimeout + (openSsl != null ? ", OPENSSL where exact" : "") + "}";
  }
}
