package io.nlb.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/** Builds Netty {@link SslContext}s under a policy; every context builder of the module goes through here. */
final class TlsContexts {
  private TlsContexts() {}

  static SslContext server(SecurityPolicy policy, TlsProvider provider, TlsCertificate certificate, List<String> alpn) {
    PolicySupport.check(policy, provider).requireExact();
    return server(policy.protocolNames(), policy.jsseCipherSuites(), provider, certificate, alpn, policy.toString());
  }

  /**
   * An OPENSSL context for the part of a policy BoringSSL serves exactly ({@link OpenSslSubset}):
   * the policy's TLS 1.2/1.3 and the suites BoringSSL has, in the policy's order.
   */
  static SslContext server(OpenSslSubset subset, TlsCertificate certificate, List<String> alpn) {
    List<String> protocols = subset.protocols().stream().map(TlsVersion::protocolName).toList();
    List<String> ciphers = subset.ciphers().stream().map(CipherSuite::jsseName).toList();
    return server(protocols, ciphers, TlsProvider.OPENSSL, certificate, alpn, subset.toString());
  }

  private static SslContext server(List<String> protocols, List<String> ciphers, TlsProvider provider, TlsCertificate certificate,
      List<String> alpn, String policy) {
    try {
      SslContextBuilder b = (provider == TlsProvider.OPENSSL && OpenSslKeys.usable()
          ? SslContextBuilder.forServer(OpenSslKeys.cachingKeyManagerFactory(certificate))
          : SslContextBuilder.forServer(certificate.privateKey(), certificate.chain().toArray(new X509Certificate[0])))
          .sslProvider(provider.nettyProvider())
          .protocols(protocols)
          .ciphers(ciphers, IdentityCipherSuiteFilter.INSTANCE)
          .clientAuth(ClientAuth.NONE);
      if (!alpn.isEmpty()) {
        b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
      }
      SslContext ctx = b.build();
      if (ctx.sessionContext() instanceof OpenSslSessionContext sessions) {
        // Netty turns session tickets off in its OpenSSL contexts, and BoringSSL resumes TLS 1.3 only
        // from tickets: on, with BoringSSL's own keys (random, rotated by it, one set per context, so
        // per certificate: a ticket never resumes under another certificate). TLS 1.2 clients that
        // send no ticket extension still resume by session id from the context's cache.
        sessions.setTicketKeys();
      }
      return ctx;
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a " + provider + " server context for " + policy + " with " + certificate, e);
    }
  }

  /**
   * A client context offering {@code protocols} and {@code ciphers} (in that order) and nothing
   * else, trusting any server certificate and verifying no host name: for {@link TlsOrigination}
   * only.
   */
  static SslContext client(TlsProvider provider, List<String> protocols, List<String> ciphers, List<String> alpn) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient()
          .sslProvider(provider.nettyProvider())
          .protocols(protocols)
          .ciphers(ciphers, IdentityCipherSuiteFilter.INSTANCE)
          .trustManager(TrustAllTrustManager.INSTANCE)
          .endpointIdentificationAlgorithm(null);
      if (!alpn.isEmpty()) {
        b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
      }
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a " + provider + " client context for " + protocols, e);
    }
  }

  /**
   * Key material for the OPENSSL provider. Given a bare key and chain, Netty's OpenSSL server
   * context hands them to BoringSSL again on every handshake (PEM-encoded and parsed per
   * connection); behind an {@link OpenSslCachingX509KeyManagerFactory} they are converted once per
   * context. Measured by {@code benchmarks/compare/tls.sh}.
   */
  static final class OpenSslKeys {
    private static final char[] PASSWORD = "nlb".toCharArray(); // in-memory key store only

    private OpenSslKeys() {}

    /** Netty refuses a key manager factory when told not to use one ({@code io.netty.handler.ssl.openssl.useKeyManagerFactory}). */
    static boolean usable() {
      return OpenSsl.supportsKeyManagerFactory()
          && Boolean.parseBoolean(System.getProperty("io.netty.handler.ssl.openssl.useKeyManagerFactory", "true"));
    }

    static KeyManagerFactory cachingKeyManagerFactory(TlsCertificate certificate) throws SSLException {
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", certificate.privateKey(), PASSWORD, certificate.chain().toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        return new OpenSslCachingX509KeyManagerFactory(kmf);
      } catch (GeneralSecurityException | IOException e) {
        throw new SSLException("cannot load " + certificate + " into a key manager", e);
      }
    }
  }

  /**
   * Server preference for the suite order; the default is not the same on every JVM and provider.
   * Netty's OpenSSL server contexts already set it for every engine they make, and a round of
   * {@code getSSLParameters}/{@code setSSLParameters} on one of their engines reads the enabled
   * suites and protocols out of BoringSSL and parses them back in, per connection: skipped there.
   */
  static void preferServerOrder(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine && !engine.getUseClientMode()) {
      return;
    }
    SSLParameters p = engine.getSSLParameters();
    p.setUseCipherSuitesOrder(true);
    engine.setSSLParameters(p);
  }
}
