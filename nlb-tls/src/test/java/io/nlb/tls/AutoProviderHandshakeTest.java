package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslHandler;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TlsProvider#AUTO} on policies OPENSSL cannot serve in full, through the real listener
 * handlers in EmbeddedChannels: whatever order a client lists its suites in, the suite agreed is
 * the policy's, and the handshake ran on BoringSSL exactly when {@link OpenSslSubset} says
 * BoringSSL agrees. The clients are JDK engines, whose TLS 1.3 suite order can be set.
 */
class AutoProviderHandshakeTest {
  private static final List<CipherSuite> TLS13 =
      List.of(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256);

  @BeforeAll
  static void openSslPresent() {
    Assumptions.assumeTrue(TlsProvider.OPENSSL.isAvailable(), "netty-tcnative/BoringSSL is not available here");
  }

  static List<SecurityPolicy> partialPolicies() {
    return SecurityPolicy.all().stream().filter(p -> !PolicySupport.check(p, TlsProvider.OPENSSL).exact()).toList();
  }

  private static TlsTermination auto(SecurityPolicy policy, TlsCertificate cert) {
    return TlsTermination.builder(TlsProvider.AUTO).policy(policy).defaultCertificate(cert).build();
  }

  private static boolean onOpenSsl(ChannelPair p) {
    SslHandler h = p.server.pipeline().get(SslHandler.class);
    assertThat(h).as("server SslHandler").isNotNull();
    return h.engine().getClass().getSimpleName().contains("OpenSsl");
  }

  private static List<List<CipherSuite>> permutations(List<CipherSuite> in) {
    if (in.size() <= 1) {
      return List.of(in);
    }
    List<List<CipherSuite>> out = new ArrayList<>();
    for (CipherSuite first : in) {
      List<CipherSuite> rest = new ArrayList<>(in);
      rest.remove(first);
      for (List<CipherSuite> tail : permutations(rest)) {
        List<CipherSuite> l = new ArrayList<>();
        l.add(first);
        l.addAll(tail);
        out.add(l);
      }
    }
    return out;
  }

  @Test
  void state_autoOnAPartialPolicy_runsBothProviders_otherwiseOne() {
    assertThat(auto(SecurityPolicy.TLS13_1_2_2021_06, TestCertificates.RSA).state().openSslWhereExact()).isTrue();
    assertThat(auto(SecurityPolicy.TLS13_1_2_2021_06, TestCertificates.RSA).state().provider()).isEqualTo(TlsProvider.JDK);
    assertThat(auto(SecurityPolicy.FS_1_2_RES_2020_10, TestCertificates.RSA).state().openSslWhereExact()).as("OPENSSL serves it all").isFalse();
    assertThat(TlsTermination.builder(TlsProvider.JDK).policy(SecurityPolicy.TLS13_1_2_2021_06).defaultCertificate(TestCertificates.RSA)
        .build().state().openSslWhereExact()).as("JDK asked for").isFalse();
  }

  @Test
  void openSslServerEngine_serverOrderWithoutPerConnectionParameters() {
    TlsCertificate cert = TestCertificates.RSA;
    io.netty.handler.ssl.SslContext ctx = TlsContexts.server(SecurityPolicy.FS_1_2_RES_2020_10, TlsProvider.OPENSSL, cert, List.of());
    javax.net.ssl.SSLEngine engine = ctx.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
    try {
      assertThat(engine.getSSLParameters().getUseCipherSuitesOrder()).as("set by the context").isTrue();
    } finally {
      io.netty.util.ReferenceCountUtil.release(engine);
    }
  }

  @ParameterizedTest
  @MethodSource("partialPolicies")
  void tls13_everyClientOrder_policysSuite_onBoringSslOnlyWhenClientListsItFirst(SecurityPolicy policy) {
    Assumptions.assumeTrue(policy.isTls13Capable());
    SoftAssertions soft = new SoftAssertions();
    for (TlsCertificate cert : List.of(TestCertificates.RSA, TestCertificates.EC)) {
      TlsTermination tls = auto(policy, cert);
      for (List<CipherSuite> order : permutations(TLS13)) {
        for (int offered = 1; offered <= order.size(); offered++) {
          List<CipherSuite> suites = order.subList(0, offered);
          CipherSuite expected = TLS13.stream().filter(suites::contains).findFirst().orElseThrow();
          ChannelPair p = new ChannelPair(new ChannelPair.Client().protocols("TLSv1.3").ciphers(suites.toArray(CipherSuite[]::new)).handler(),
              tls.newHandler()).pump();
          try {
            String what = policy + " " + cert.info().keyType() + " " + suites;
            soft.assertThat(CipherSuite.find(p.clientSsl().engine().getSession().getCipherSuite())).as(what).isEqualTo(expected);
            soft.assertThat(onOpenSsl(p)).as(what).isEqualTo(suites.get(0) == expected);
          } finally {
            p.close();
          }
        }
      }
    }
    soft.assertAll();
  }

  @ParameterizedTest
  @MethodSource("partialPolicies")
  void tls12_reverseAndSingleSuites_policysSuite_onBoringSslWhenItHasIt(SecurityPolicy policy) {
    Assumptions.assumeTrue(policy.protocols().contains(TlsVersion.TLS_1_2));
    PolicySupport openSsl = PolicySupport.check(policy, TlsProvider.OPENSSL);
    SoftAssertions soft = new SoftAssertions();
    for (TlsCertificate cert : List.of(TestCertificates.RSA, TestCertificates.EC)) {
      TlsTermination tls = auto(policy, cert);
      List<CipherSuite> fitting = policy.ciphers().stream().filter(c -> c.usableWith(TlsVersion.TLS_1_2)
          && (c.authentication() == CipherSuite.Authentication.ECDSA) == (cert.info().keyType() == CertificateInfo.KeyType.EC)).toList();
      List<List<CipherSuite>> offers = new ArrayList<>();
      List<CipherSuite> reversed = new ArrayList<>(fitting);
      java.util.Collections.reverse(reversed);
      offers.add(reversed);
      for (CipherSuite c : fitting) {
        offers.add(List.of(c));
      }
      for (List<CipherSuite> suites : offers) {
        CipherSuite expected = fitting.stream().filter(suites::contains).findFirst().orElseThrow();
        ChannelPair p = new ChannelPair(new ChannelPair.Client().protocols("TLSv1.2").ciphers(suites.toArray(CipherSuite[]::new)).handler(),
            tls.newHandler()).pump();
        try {
          String what = policy + " " + cert.info().keyType() + " " + suites;
          soft.assertThat(CipherSuite.find(p.clientSsl().engine().getSession().getCipherSuite())).as(what).isEqualTo(expected);
          soft.assertThat(onOpenSsl(p)).as(what).isEqualTo(!openSsl.missingCiphers().contains(expected));
        } finally {
          p.close();
        }
      }
    }
    soft.assertAll();
  }
}
