package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLException;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every policy on the JDK provider, one in-memory engine pair per case. */
class PolicyHandshakeTest {
  static List<SecurityPolicy> policies() {
    return SecurityPolicy.all();
  }

  private static SslContext server(SecurityPolicy p, TlsCertificate cert) {
    return TlsContexts.server(p, TlsProvider.JDK, cert, List.of());
  }

  private static TlsCertificate certFor(CipherSuite s) {
    return s.authentication() == CipherSuite.Authentication.ECDSA ? TestCertificates.EC : TestCertificates.RSA;
  }

  private static List<String> names(List<CipherSuite> suites) {
    List<String> out = new ArrayList<>();
    for (CipherSuite s : suites) {
      out.add(s.jsseName());
    }
    return out;
  }

  private static EnginePair pair(SslContext server, List<String> protocols, List<String> suites) {
    return new EnginePair(EnginePair.jdkClient(protocols, suites, List.of()), EnginePair.server(server));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void policy_jdkProvider_isExact(SecurityPolicy policy) {
    assertThat(PolicySupport.check(policy, TlsProvider.JDK).problems()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("policies")
  void handshake_eachAllowedProtocol_completesWithThatProtocol(SecurityPolicy policy) throws SSLException {
    SslContext rsa = server(policy, TestCertificates.RSA);
    for (TlsVersion v : policy.protocols()) {
      EnginePair p = pair(rsa, List.of(v.protocolName()), policy.jsseCipherSuites());
      p.handshake();
      assertThat(p.server.getSession().getProtocol()).as(policy + " " + v).isEqualTo(v.protocolName());
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void handshake_disallowedProtocol_isRefused(SecurityPolicy policy) {
    SslContext rsa = server(policy, TestCertificates.RSA);
    List<String> allSuites = names(List.of(CipherSuite.values()));
    for (TlsVersion v : TlsVersion.values()) {
      if (!policy.protocols().contains(v)) {
        EnginePair p = pair(rsa, List.of(v.protocolName()), allSuites);
        assertThatThrownBy(p::handshake).as(policy + " " + v).isInstanceOf(SSLException.class);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void handshake_eachAllowedCipher_completesWithThatCipher(SecurityPolicy policy) throws SSLException {
    SslContext rsa = server(policy, TestCertificates.RSA);
    SslContext ec = server(policy, TestCertificates.EC);
    SoftAssertions soft = new SoftAssertions();
    for (CipherSuite s : policy.ciphers()) {
      TlsVersion v = s.isTls13() ? TlsVersion.TLS_1_3 : TlsVersion.TLS_1_2;
      EnginePair p = pair(certFor(s) == TestCertificates.EC ? ec : rsa, List.of(v.protocolName()), List.of(s.jsseName()));
      p.handshake();
      soft.assertThat(CipherSuite.find(p.server.getSession().getCipherSuite())).as(policy + " " + s).isEqualTo(s);
    }
    soft.assertAll();
  }

  @ParameterizedTest
  @MethodSource("policies")
  void handshake_disallowedCipher_isRefused(SecurityPolicy policy) {
    SslContext rsa = server(policy, TestCertificates.RSA);
    for (CipherSuite s : CipherSuite.values()) {
      if (!policy.ciphers().contains(s) && s.authentication() != CipherSuite.Authentication.ECDSA) {
        TlsVersion v = s.isTls13() ? TlsVersion.TLS_1_3 : TlsVersion.TLS_1_2;
        EnginePair p = pair(rsa, List.of(v.protocolName()), List.of(s.jsseName()));
        assertThatThrownBy(p::handshake).as(policy + " " + s).isInstanceOf(SSLException.class);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void handshake_clientOffersReverseOrder_serverFirstMatchWins(SecurityPolicy policy) throws SSLException {
    List<String> reversed = new ArrayList<>(policy.jsseCipherSuites());
    Collections.reverse(reversed);
    TlsVersion highest = policy.protocols().get(policy.protocols().size() - 1);
    for (TlsCertificate cert : List.of(TestCertificates.RSA, TestCertificates.EC)) {
      EnginePair p = pair(server(policy, cert), policy.protocolNames(), reversed);
      p.handshake();
      CipherSuite expected = null;
      for (CipherSuite s : policy.ciphers()) {
        boolean keyFits = s.authentication() == CipherSuite.Authentication.ANY
            || (s.authentication() == CipherSuite.Authentication.ECDSA) == (cert.info().keyType() == CertificateInfo.KeyType.EC);
        if (s.usableWith(highest) && keyFits) {
          expected = s;
          break;
        }
      }
      assertThat(p.server.getSession().getProtocol()).isEqualTo(highest.protocolName());
      assertThat(CipherSuite.find(p.server.getSession().getCipherSuite())).as(policy + " " + cert.info().keyType()).isEqualTo(expected);
    }
  }
}
