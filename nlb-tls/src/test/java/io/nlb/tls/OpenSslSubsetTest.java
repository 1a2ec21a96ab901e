package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-handshake decision of {@link OpenSslSubset}, on hand-built ClientHellos: the subset is
 * built by hand too (the suites BoringSSL lacks are the policy's SHA-2 CBC suites), so this runs
 * whether or not netty-tcnative loads.
 */
class OpenSslSubsetTest {
  private static final int AES128 = 0x1301;
  private static final int AES256 = 0x1302;
  private static final int CHACHA = 0x1303;
  private static final int GREASE = 0x0a0a;
  private static final int TLS12 = 0x0303;
  private static final int TLS13 = 0x0304;

  /** The default policy as BoringSSL has it: every suite but the SHA-2 CBC ones. */
  private static OpenSslSubset boringSsl(SecurityPolicy policy) {
    List<CipherSuite> has = policy.ciphers().stream()
        .filter(c -> c.isTls13() || c.opensslName().contains("GCM") || c.opensslName().endsWith("-SHA")).toList();
    List<TlsVersion> versions = policy.protocols().stream().filter(v -> v == TlsVersion.TLS_1_2 || v == TlsVersion.TLS_1_3).toList();
    return new OpenSslSubset(policy, versions, has);
  }

  private static final OpenSslSubset DEFAULT = boringSsl(SecurityPolicy.TLS13_1_2_2021_06);

  private static ClientHello hello(int legacy, int[] versions, int[] groups, int... suites) {
    return new ClientHello(null, null, suites, new int[0], legacy, versions, groups);
  }

  private static ClientHello tls13(int... suites) {
    return hello(TLS12, new int[] {TLS13, TLS12}, new int[] {29, 23}, suites);
  }

  private static ClientHello tls12(int... suites) {
    return hello(TLS12, new int[0], new int[0], suites);
  }

  @Test
  void tls13_clientsFirstSuiteIsThePolicysChoice_openSsl() {
    assertThat(DEFAULT.servesExactly(tls13(AES128, AES256, CHACHA, 0xc02f), CertificateInfo.KeyType.RSA)).isTrue();
    assertThat(DEFAULT.servesExactly(tls13(GREASE, AES128, CHACHA, AES256), CertificateInfo.KeyType.RSA)).as("GREASE skipped").isTrue();
    assertThat(DEFAULT.servesExactly(tls13(AES256, CHACHA), CertificateInfo.KeyType.EC)).as("no AES-128: AES-256 both ways").isTrue();
    assertThat(DEFAULT.servesExactly(tls13(CHACHA), CertificateInfo.KeyType.RSA)).isTrue();
    assertThat(DEFAULT.servesExactly(tls13(0x1304, AES128), CertificateInfo.KeyType.RSA)).as("CCM is unknown to BoringSSL").isTrue();
  }

  @Test
  void tls13_clientsFirstSuiteIsNotThePolicysChoice_jdk() {
    // OpenSSL's default client order: the policy picks AES-128, BoringSSL the client's AES-256.
    assertThat(DEFAULT.servesExactly(tls13(AES256, CHACHA, AES128), CertificateInfo.KeyType.RSA)).isFalse();
    assertThat(DEFAULT.servesExactly(tls13(CHACHA, AES128), CertificateInfo.KeyType.RSA)).isFalse();
    assertThat(DEFAULT.servesExactly(tls13(CHACHA, AES256), CertificateInfo.KeyType.RSA)).isFalse();
    assertThat(DEFAULT.servesExactly(tls13(0x1305), CertificateInfo.KeyType.RSA)).as("no suite of the policy").isFalse();
  }

  @Test
  void tls13_groupsBoringSslDoesNotOffer_jdk() {
    ClientHello ffdheOnly = hello(TLS12, new int[] {TLS13}, new int[] {256, 257}, AES128);
    ClientHello p521Only = hello(TLS12, new int[] {TLS13}, new int[] {25}, AES128);
    ClientHello p384 = hello(TLS12, new int[] {TLS13}, new int[] {25, 24}, AES128);
    assertThat(DEFAULT.servesExactly(ffdheOnly, CertificateInfo.KeyType.RSA)).isFalse();
    assertThat(DEFAULT.servesExactly(p521Only, CertificateInfo.KeyType.RSA)).isFalse();
    assertThat(DEFAULT.servesExactly(p384, CertificateInfo.KeyType.RSA)).isTrue();
  }

  @Test
  void tls12_policyChoiceBoringSslHas_openSsl_otherwiseJdk() {
    // ECDHE-RSA-AES128-GCM-SHA256 (0xc02f) is the policy's first RSA suite at TLS 1.2.
    assertThat(DEFAULT.servesExactly(tls12(0xc028, 0xc030, 0xc02f), CertificateInfo.KeyType.RSA)).isTrue();
    assertThat(DEFAULT.policyChoice(tls12(0xc028, 0xc030, 0xc02f), TlsVersion.TLS_1_2, CertificateInfo.KeyType.RSA))
        .isEqualTo(CipherSuite.ECDHE_RSA_AES128_GCM_SHA256);
    // Only CBC with SHA-256/384 offered: the policy picks ECDHE-RSA-AES128-SHA256, which BoringSSL lacks.
    assertThat(DEFAULT.servesExactly(tls12(0xc028, 0xc027), CertificateInfo.KeyType.RSA)).isFalse();
    // With AES256-GCM offered too, the policy still prefers the AES128 CBC suite: JDK.
    assertThat(DEFAULT.servesExactly(tls12(0xc030, 0xc027), CertificateInfo.KeyType.RSA)).isFalse();
    // An EC certificate: the ECDSA suites count, the RSA ones do not.
    assertThat(DEFAULT.servesExactly(tls12(0xc02f, 0xc02b), CertificateInfo.KeyType.EC)).isTrue();
    assertThat(DEFAULT.servesExactly(tls12(0xc02f), CertificateInfo.KeyType.EC)).as("no suite fits the key").isFalse();
  }

  @Test
  void version_highestTheClientOffersThatThePolicyAllows() {
    assertThat(DEFAULT.negotiatedVersion(tls13(AES128))).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(DEFAULT.negotiatedVersion(hello(TLS12, new int[] {TLS12}, new int[0], 0xc02f))).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(DEFAULT.negotiatedVersion(tls12(0xc02f))).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(DEFAULT.negotiatedVersion(hello(0x0302, new int[0], new int[0], 0xc013))).as("TLS 1.1 client").isNull();
    assertThat(DEFAULT.negotiatedVersion(hello(0x0304, new int[0], new int[0], AES128)))
        .as("legacy_version never names TLS 1.3").isEqualTo(TlsVersion.TLS_1_2);
    OpenSslSubset legacy = boringSsl(SecurityPolicy.TLS13_1_0_2021_06);
    ClientHello tls11 = hello(0x0302, new int[0], new int[0], 0xc013);
    assertThat(legacy.negotiatedVersion(tls11)).isEqualTo(TlsVersion.TLS_1_1);
    assertThat(legacy.servesExactly(tls11, CertificateInfo.KeyType.RSA)).as("TLS 1.1 stays on the JDK").isFalse();
    OpenSslSubset tls12Only = boringSsl(SecurityPolicy.FS_1_2_2019_08);
    assertThat(tls12Only.negotiatedVersion(tls13(AES128, 0xc02f))).isEqualTo(TlsVersion.TLS_1_2);
    assertThat(tls12Only.servesExactly(tls13(AES128, 0xc02f), CertificateInfo.KeyType.RSA)).isTrue();
  }

  @Test
  void parse_readsLegacyVersionSupportedVersionsAndGroups() {
    ByteBuf body = Unpooled.buffer();
    body.writeShort(TLS12).writeZero(32).writeByte(0); // version, random, no session id
    body.writeShort(4).writeShort(AES256).writeShort(AES128).writeByte(1).writeByte(0); // suites, null compression
    ByteBuf ext = Unpooled.buffer();
    ext.writeShort(43).writeShort(5).writeByte(4).writeShort(TLS13).writeShort(TLS12); // supported_versions
    ext.writeShort(10).writeShort(6).writeShort(4).writeShort(29).writeShort(23); // supported_groups
    body.writeShort(ext.readableBytes()).writeBytes(ext);
    ext.release();
    try {
      ClientHello h = ClientHello.parse(body);
      assertThat(h.legacyVersion()).isEqualTo(TLS12);
      assertThat(h.supportedVersions()).containsExactly(TLS13, TLS12);
      assertThat(h.supportedGroups()).containsExactly(29, 23);
      assertThat(h.offersTls13()).isTrue();
      assertThat(DEFAULT.servesExactly(h, CertificateInfo.KeyType.RSA)).isFalse();
    } finally {
      body.release();
    }
  }
}
