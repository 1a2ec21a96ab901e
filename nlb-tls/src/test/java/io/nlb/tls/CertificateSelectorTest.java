package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.tls.CertificateSelector.ClientCapabilities;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateSelectorTest {
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
  private static final ClientCapabilities RSA_ONLY = new ClientCapabilities(true, false);

  /** Metadata only: the selector never touches keys. */
  record Fake(CertificateInfo info) implements TlsCertificate {
    @Override
    public String id() {
      return info.fingerprint();
    }

    @Override
    public List<X509Certificate> chain() {
      throw new UnsupportedOperationException();
    }

    @Override
    public PrivateKey privateKey() {
      throw new UnsupportedOperationException();
    }
  }

  private static Fake cert(String id, CertificateInfo.KeyType type, int bits, String sig, String notAfter, String... names) {
    return new Fake(new CertificateInfo(id, names[0], List.of(names), type, bits, sig, Instant.parse("2020-01-01T00:00:00Z"),
        Instant.parse(notAfter), "1"));
  }

  private static final Fake DEFAULT = cert("default", CertificateInfo.KeyType.RSA, 2048, "SHA256withRSA", "2030-01-01T00:00:00Z", "default.example");
  private static final Fake EXACT = cert("exact", CertificateInfo.KeyType.RSA, 2048, "SHA256withRSA", "2030-01-01T00:00:00Z", "www.example.com");
  private static final Fake WILDCARD = cert("wild", CertificateInfo.KeyType.RSA, 4096, "SHA256withRSA", "2030-01-01T00:00:00Z", "*.example.com");

  @Test
  void select_exactAndWildcardMatch_exactWins() {
    assertThat(CertificateSelector.select(DEFAULT, List.of(WILDCARD, EXACT), "WWW.example.com.", ClientCapabilities.ANY, NOW)).isSameAs(EXACT);
  }

  @Test
  void select_onlyWildcardMatches_wildcardForOneLabelOnly() {
    assertThat(CertificateSelector.select(DEFAULT, List.of(WILDCARD, EXACT), "api.example.com", ClientCapabilities.ANY, NOW)).isSameAs(WILDCARD);
    assertThat(CertificateSelector.select(DEFAULT, List.of(WILDCARD), "a.b.example.com", ClientCapabilities.ANY, NOW)).isSameAs(DEFAULT);
    assertThat(CertificateSelector.select(DEFAULT, List.of(WILDCARD), "example.com", ClientCapabilities.ANY, NOW)).isSameAs(DEFAULT);
  }

  @Test
  void select_noSniOrUnknownName_default() {
    assertThat(CertificateSelector.select(DEFAULT, List.of(EXACT), null, ClientCapabilities.ANY, NOW)).isSameAs(DEFAULT);
    assertThat(CertificateSelector.select(DEFAULT, List.of(EXACT), "unknown.test", ClientCapabilities.ANY, NOW)).isSameAs(DEFAULT);
  }

  /**
   * Guide, "Default certificate" and "Certificate list": smart selection chooses among the
   * certificate list when the client's name matches there; the default certificate serves only
   * clients without SNI or whose name matches nothing in the list, however strong its key.
   */
  @Test
  void smartSelection_nameMatchesCertificateList_listCertificateBeatsStrongerDefault() {
    Fake strongDefault = cert("default-3072", CertificateInfo.KeyType.RSA, 3072, "SHA256withRSA", "2030-01-01T00:00:00Z", "www.example.com");
    assertThat(CertificateSelector.select(strongDefault, List.of(EXACT), "www.example.com", ClientCapabilities.ANY, NOW)).isSameAs(EXACT);
    assertThat(CertificateSelector.select(strongDefault, List.of(WILDCARD), "www.example.com", ClientCapabilities.ANY, NOW)).isSameAs(WILDCARD);
    assertThat(CertificateSelector.select(strongDefault, List.of(EXACT), null, ClientCapabilities.ANY, NOW)).isSameAs(strongDefault);
    assertThat(CertificateSelector.select(strongDefault, List.of(EXACT), "other.example", ClientCapabilities.ANY, NOW)).isSameAs(strongDefault);
    // Added to the list as well, the default competes there like any list certificate.
    assertThat(CertificateSelector.select(strongDefault, List.of(EXACT, strongDefault), "www.example.com", ClientCapabilities.ANY, NOW))
        .isSameAs(strongDefault);
  }

  @Test
  void select_severalMatches_shaBeatsMd5ThenLargerKeyThenValidityThenLaterExpiry() {
    Fake md5 = cert("md5", CertificateInfo.KeyType.RSA, 4096, "MD5withRSA", "2030-01-01T00:00:00Z", "a.test");
    Fake sha1 = cert("sha1", CertificateInfo.KeyType.RSA, 2048, "SHA1withRSA", "2030-01-01T00:00:00Z", "a.test");
    Fake sha256 = cert("sha256", CertificateInfo.KeyType.RSA, 2048, "SHA256withRSA", "2030-01-01T00:00:00Z", "a.test");
    Fake big = cert("big", CertificateInfo.KeyType.RSA, 3072, "SHA256withRSA", "2030-01-01T00:00:00Z", "a.test");
    Fake expired = cert("expired", CertificateInfo.KeyType.RSA, 3072, "SHA256withRSA", "2024-01-01T00:00:00Z", "a.test");
    Fake later = cert("later", CertificateInfo.KeyType.RSA, 3072, "SHA256withRSA", "2031-01-01T00:00:00Z", "a.test");
    assertThat(CertificateSelector.select(DEFAULT, List.of(md5, sha1), "a.test", ClientCapabilities.ANY, NOW)).isSameAs(sha1);
    assertThat(CertificateSelector.select(DEFAULT, List.of(md5, sha1, sha256), "a.test", ClientCapabilities.ANY, NOW)).isSameAs(sha256);
    assertThat(CertificateSelector.select(DEFAULT, List.of(sha256, big), "a.test", ClientCapabilities.ANY, NOW)).isSameAs(big);
    assertThat(CertificateSelector.select(DEFAULT, List.of(expired, big), "a.test", ClientCapabilities.ANY, NOW)).isSameAs(big);
    assertThat(CertificateSelector.select(DEFAULT, List.of(big, later), "a.test", ClientCapabilities.ANY, NOW)).isSameAs(later);
  }

  @Test
  void select_ecdsaAndRsaForName_ecdsaOnlyToClientsOfferingEcdsa() {
    Fake ec = cert("ec", CertificateInfo.KeyType.EC, 256, "SHA256withECDSA", "2030-01-01T00:00:00Z", "a.test");
    Fake rsa = cert("rsa", CertificateInfo.KeyType.RSA, 2048, "SHA256withRSA", "2030-01-01T00:00:00Z", "a.test");
    assertThat(CertificateSelector.select(DEFAULT, List.of(ec, rsa), "a.test", ClientCapabilities.ANY, NOW)).isSameAs(ec);
    assertThat(CertificateSelector.select(DEFAULT, List.of(ec, rsa), "a.test", RSA_ONLY, NOW)).isSameAs(rsa);
    assertThat(CertificateSelector.select(DEFAULT, List.of(ec), "a.test", RSA_ONLY, NOW)).isSameAs(DEFAULT);
  }

  @Test
  void info_realCertificate_namesKeyAndToStringWithoutKey() {
    PemCertificate c = TestCertificates.rsa("cn.example", "cn.example", "san.example");
    assertThat(c.info().dnsNames()).containsExactly("cn.example", "san.example");
    assertThat(c.info().keyType()).isEqualTo(CertificateInfo.KeyType.RSA);
    assertThat(c.info().keySize()).isEqualTo(2048);
    assertThat(c.id()).hasSize(64);
    String keyB64 = java.util.Base64.getEncoder().encodeToString(c.privateKey().getEncoded());
    assertThat(c.toString()).doesNotContain("PRIVATE").doesNotContain(keyB64.substring(40, 80));
    assertThat(TestCertificates.EC.info().keyType()).isEqualTo(CertificateInfo.KeyType.EC);
    assertThat(TestCertificates.EC.info().securityBits()).isEqualTo(128);
  }
}
