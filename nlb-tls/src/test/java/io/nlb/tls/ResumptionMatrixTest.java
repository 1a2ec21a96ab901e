package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resumption under every named policy, with every protocol version it allows, on each provider
 * that serves it exactly (the JDK serves all 18 in the test JVM; BoringSSL those {@link
 * PolicySupport} finds exact; AUTO where it runs both, per handshake), with a Java client that keeps its client context between two
 * connections: the second must resume the first's session (TLS 1.3 PSK; TLS 1.2 and older, the
 * session ticket the JDK client asks for) and skip the certificate.
 */
class ResumptionMatrixTest {
  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (SecurityPolicy policy : SecurityPolicy.all()) {
      for (TlsProvider provider : List.of(TlsProvider.JDK, TlsProvider.OPENSSL, TlsProvider.AUTO)) {
        boolean split = provider == TlsProvider.AUTO && TlsProvider.OPENSSL.isAvailable()
            && !PolicySupport.check(policy, TlsProvider.OPENSSL).exact();
        if (provider == TlsProvider.AUTO ? !split : !provider.isAvailable() || !PolicySupport.check(policy, provider).exact()) {
          continue; // AUTO only where it runs both providers; elsewhere it is one of the other two
        }
        for (TlsVersion v : policy.protocols()) {
          out.add(Arguments.of(policy.name(), provider, v));
        }
      }
    }
    return out.stream();
  }

  /** A JDK client offering only {@code version} and the policy's suites for it, in the policy's order. */
  private static SslContext client(SecurityPolicy policy, TlsVersion version) throws Exception {
    List<String> suites = new ArrayList<>();
    for (CipherSuite c : policy.ciphers()) {
      if (c.isTls13() == (version == TlsVersion.TLS_1_3)) {
        suites.add(c.jsseName());
      }
    }
    return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(version.protocolName())
        .ciphers(suites, IdentityCipherSuiteFilter.INSTANCE).trustManager(TrustAllTrustManager.INSTANCE)
        .endpointIdentificationAlgorithm(null).build();
  }

  @ParameterizedTest(name = "{0}, {1}, {2}")
  @MethodSource("cases")
  void secondConnection_sameClientContext_resumesWithoutCertificate(String policyName, TlsProvider provider, TlsVersion version)
      throws Exception {
    SecurityPolicy policy = SecurityPolicy.named(policyName);
    TlsTermination tls = TlsTermination.builder(provider).policy(policy).defaultCertificate(TestCertificates.RSA).build();
    SslContext client = client(policy, version);

    FlightRecorder.Handshake full = FlightRecorder.handshake(client, tls);
    FlightRecorder.Handshake resumed = FlightRecorder.handshake(client, tls);

    assertThat(full.success()).as("full handshake: %s", full.cause()).isTrue();
    assertThat(resumed.success()).as("second handshake: %s", resumed.cause()).isTrue();
    assertThat(java.util.Objects.requireNonNull(resumed.serverSession()).getProtocol()).isEqualTo(version.protocolName());
    // An abbreviated handshake sends no Certificate: the server said at least the leaf's size less
    // (session ids and creation times cannot tell: BoringSSL's TLS 1.3 sessions have no id, and its
    // creation times are in whole seconds).
    int leaf = TestCertificates.RSA.chain().get(0).getEncoded().length;
    assertThat(resumed.server().bytes()).as("server bytes, full %d", full.server().bytes())
        .isLessThan(full.server().bytes() - leaf);
  }
}
