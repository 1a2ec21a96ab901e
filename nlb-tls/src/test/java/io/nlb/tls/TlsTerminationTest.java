package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.nlb.core.AlpnPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TlsTerminationTest {
  /** (ALPN policy, client's list, protocol agreed or {@code null}). */
  static Stream<Arguments> alpnCases() {
    return Stream.of(
        Arguments.of(AlpnPolicy.HTTP1_ONLY, "h2,http/1.1", "http/1.1"),
        Arguments.of(AlpnPolicy.HTTP1_ONLY, "h2", null),
        Arguments.of(AlpnPolicy.HTTP2_ONLY, "http/1.1,h2", "h2"),
        Arguments.of(AlpnPolicy.HTTP2_ONLY, "http/1.1", null),
        Arguments.of(AlpnPolicy.HTTP2_OPTIONAL, "h2,http/1.1", "http/1.1"),
        Arguments.of(AlpnPolicy.HTTP2_OPTIONAL, "h2", "h2"),
        Arguments.of(AlpnPolicy.HTTP2_PREFERRED, "http/1.1,h2", "h2"),
        Arguments.of(AlpnPolicy.HTTP2_PREFERRED, "http/1.0", "http/1.0"),
        Arguments.of(AlpnPolicy.NONE, "h2,http/1.1", null));
  }

  @ParameterizedTest
  @MethodSource("alpnCases")
  void alpn_policyAgainstClientList_serverPreferenceOrNone(AlpnPolicy policy, String client, @Nullable String expected)
      throws Exception {
    assertAlpn(TlsContexts.server(SecurityPolicy.RECOMMENDED, TlsProvider.JDK, TestCertificates.RSA, policy.protocols()),
        client, expected);
  }

  /** The same outcomes from the BoringSSL context AUTO uses for the handshakes it takes. */
  @ParameterizedTest
  @MethodSource("alpnCases")
  void alpn_openSslSubsetContext_sameOutcomes(AlpnPolicy policy, String client, @Nullable String expected) throws Exception {
    OpenSslSubset maybe = OpenSslSubset.of(SecurityPolicy.RECOMMENDED);
    org.junit.jupiter.api.Assumptions.assumeTrue(maybe != null, "netty-tcnative/BoringSSL is not available here");
    assertAlpn(TlsContexts.server(java.util.Objects.requireNonNull(maybe), TestCertificates.RSA, policy.protocols()), client, expected);
  }

  private static void assertAlpn(io.netty.handler.ssl.SslContext server, String client, @Nullable String expected) throws Exception {
    EnginePair p = new EnginePair(
        EnginePair.jdkClient(List.of("TLSv1.3"), List.of("TLS_AES_128_GCM_SHA256"), List.of(client.split(","))),
        EnginePair.server(server));
    p.handshake();
    String negotiated = p.client.getApplicationProtocol();
    assertThat(negotiated == null || negotiated.isEmpty() ? null : negotiated).isEqualTo(expected);
  }

  @Test
  void handshake_neverStarts_closedAtTimeout() {
    TlsTermination tls = TlsTermination.builder(TlsProvider.JDK).defaultCertificate(TestCertificates.RSA)
        .handshakeTimeout(Duration.ofSeconds(3)).build();
    EmbeddedChannel ch = new EmbeddedChannel(tls.newHandler());
    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  /**
   * A deliberate difference (README, "Deliberate differences from the AWS guide"): the guide
   * ("Server certificates") refuses RSA keys above 2048 bits and EC keys; the library accepts
   * both, as default certificate and in the certificate list.
   */
  @Test
  void certificates_rsaAbove2048AndEc_areAcceptedDeliberately() {
    PemCertificate rsa3072 = TestCertificates.make(new io.netty.pkitesting.CertificateBuilder()
        .algorithm(io.netty.pkitesting.CertificateBuilder.Algorithm.rsa3072), "big.example",
        java.time.Instant.now().minus(Duration.ofDays(1)), java.time.Instant.now().plus(Duration.ofDays(30)), "big.example");
    assertThat(rsa3072.info().keySize()).isEqualTo(3072);
    io.nlb.core.ListenerConfig listener = io.nlb.core.ListenerConfig.builder(io.nlb.core.Protocol.TLS, 443).forwardTo("web")
        .certificate(rsa3072).addCertificate(TestCertificates.EC).sslPolicy(SecurityPolicy.RECOMMENDED.name()).build();
    TlsTermination tls = TlsTermination.forListener(listener, TlsProvider.JDK);
    assertThat(tls.state().defaultCertificate()).isSameAs(rsa3072);
    assertThat(tls.state().certificates()).containsExactly(TestCertificates.EC);
    assertThat(TestCertificates.EC.info().keyType()).isEqualTo(CertificateInfo.KeyType.EC);
  }

  @Test
  void hotSwap_replaceDefaultCertificate_newConnectionsOnlySeeNewState() {
    TlsTermination tls = TlsTermination.builder(TlsProvider.JDK).defaultCertificate(TestCertificates.RSA).build();
    TlsListenerState before = tls.state();
    tls.replaceDefaultCertificate(TestCertificates.EC);
    assertThat(before.defaultCertificate()).isSameAs(TestCertificates.RSA);
    assertThat(tls.state().defaultCertificate()).isSameAs(TestCertificates.EC);
    tls.policy(SecurityPolicy.RECOMMENDED);
    assertThat(tls.state().policy()).isSameAs(SecurityPolicy.RECOMMENDED);
    assertThat(tls.state().defaultCertificate()).isSameAs(TestCertificates.EC);
  }

  /** A certificate of another implementation: only the JDK types of the core contract. */
  private static io.nlb.core.ServerCertificate plain(String id, List<java.security.cert.X509Certificate> chain,
      java.security.PrivateKey key) {
    return new io.nlb.core.ServerCertificate() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public List<java.security.cert.X509Certificate> chain() {
        return chain;
      }

      @Override
      public java.security.PrivateKey privateKey() {
        return key;
      }
    };
  }

  @Test
  void forListener_certificateOfAnotherImplementation_servedFromItsChainAndKey() throws Exception {
    io.nlb.core.ServerCertificate vault = plain("vault-1", TestCertificates.RSA.chain(), TestCertificates.RSA.privateKey());
    io.nlb.core.ListenerConfig listener = io.nlb.core.ListenerConfig.builder(io.nlb.core.Protocol.TLS, 443).forwardTo("web")
        .certificate(vault).sslPolicy(SecurityPolicy.RECOMMENDED.name()).build();
    TlsTermination tls = TlsTermination.forListener(listener, TlsProvider.JDK);
    assertThat(tls.state().defaultCertificate().id()).isEqualTo("vault-1");
    assertThat(tls.state().defaultCertificate().info().fingerprint()).isEqualTo(TestCertificates.RSA.info().fingerprint());
    EnginePair p = new EnginePair(
        EnginePair.jdkClient(List.of("TLSv1.3"), List.of("TLS_AES_128_GCM_SHA256"), List.of()),
        EnginePair.server(TlsContexts.server(SecurityPolicy.RECOMMENDED, TlsProvider.JDK, tls.state().defaultCertificate(), List.of())));
    p.handshake();
    assertThat(p.client.getSession().getPeerCertificates()[0]).isEqualTo(TestCertificates.RSA.chain().get(0));
  }

  @Test
  void forListener_certificateWithoutChainOrWithAnotherKey_refusedNamingTheCertificate() {
    io.nlb.core.ListenerConfig empty = io.nlb.core.ListenerConfig.builder(io.nlb.core.Protocol.TLS, 443).forwardTo("web")
        .certificate(plain("empty", List.of(), TestCertificates.RSA.privateKey())).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TlsTermination.forListener(empty, TlsProvider.JDK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("listener[TLS:443].certificate[empty].chain: ")
        .hasMessageContaining("(expected: the certificate chain, leaf first)");
    io.nlb.core.ListenerConfig otherKey = io.nlb.core.ListenerConfig.builder(io.nlb.core.Protocol.TLS, 443).forwardTo("web")
        .certificate(plain("mixed", TestCertificates.RSA.chain(), TestCertificates.rsa("other.example", "other.example").privateKey())).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TlsTermination.forListener(otherKey, TlsProvider.JDK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("listener[TLS:443].certificate[mixed].privateKey: ");
  }
}
