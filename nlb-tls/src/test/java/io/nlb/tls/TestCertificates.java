package io.nlb.tls;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Test certificates made at run time (netty-pkitesting); cached because RSA key generation is slow. */
final class TestCertificates {
  static final PemCertificate RSA = rsa("default.example", "default.example");
  static final PemCertificate EC = ec("default.example", "default.example");

  private TestCertificates() {}

  static PemCertificate rsa(String cn, String... sans) {
    return make(new CertificateBuilder().rsa2048(), cn, Instant.now().minus(1, ChronoUnit.DAYS), Instant.now().plus(365, ChronoUnit.DAYS), sans);
  }

  static PemCertificate ec(String cn, String... sans) {
    return make(new CertificateBuilder().ecp256(), cn, Instant.now().minus(1, ChronoUnit.DAYS), Instant.now().plus(365, ChronoUnit.DAYS), sans);
  }

  static PemCertificate make(CertificateBuilder b, String cn, Instant notBefore, Instant notAfter, String... sans) {
    b.subject("CN=" + cn).notBefore(notBefore).notAfter(notAfter).setIsCertificateAuthority(true);
    for (String s : sans) {
      b.addSanDnsName(s);
    }
    try {
      X509Bundle bundle = b.buildSelfSigned();
      return PemCertificate.parse(bundle.getCertificatePEM(), bundle.getPrivateKeyPEM());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
