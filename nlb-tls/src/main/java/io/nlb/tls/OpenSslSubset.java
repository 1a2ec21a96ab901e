package io.nlb.tls;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The handshakes of a security policy that the OPENSSL provider (BoringSSL) negotiates exactly as
 * the policy says, for a policy it cannot serve in full: TLS 1.3 policies (BoringSSL takes its
 * TLS 1.3 suite in the client's order, the policy in its own) and policies with SHA-2 CBC suites
 * BoringSSL no longer implements.
 *
 * <p>Under {@link TlsProvider#AUTO} such a listener builds an OpenSSL context per certificate as
 * well, with the policy's protocols and the suites BoringSSL has, in the policy's order and
 * server preference, and {@link #servesExactly} decides per ClientHello: the handshake runs on
 * BoringSSL when the version and suite it would choose are the ones the policy chooses, and on
 * the JDK, which serves the policy exactly, otherwise. The decision reads only the ClientHello
 * and the certificate's key type, so a client that offers the same again (a resumption) lands on
 * the same provider and finds its session there.
 *
 * <ul>
 *   <li>Version: the highest the client offers (supported_versions, or up to {@code
 *       legacy_version} without it) that the policy allows; only TLS 1.2 and TLS 1.3 go to
 *       BoringSSL.
 *   <li>TLS 1.3: the policy's suite is the first of its own list the client offers. BoringSSL
 *       takes the client's first TLS 1.3 suite it knows (its rule may favour AES or ChaCha20 on
 *       some hardware, but never over a client's first AES-GCM choice), so the two agree when the
 *       client's first known TLS 1.3 suite is the policy's choice: browsers, which list
 *       AES-128-GCM first, do; OpenSSL's default list, AES-256-GCM first, does not.
 *   <li>TLS 1.2: the policy's suite is the first of its list the client offers whose
 *       authentication fits the certificate. BoringSSL, given the suites it has in the policy's
 *       order with server preference, agrees whenever that suite is one it has.
 *   <li>Key exchange: a client whose supported_groups names none of X25519, P-256 and P-384
 *       (BoringSSL's defaults) stays on the JDK.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
final class OpenSslSubset {
  private static final int TLS13_AES_128_GCM = 0x1301;
  private static final int TLS13_AES_256_GCM = 0x1302;
  private static final int TLS13_CHACHA20 = 0x1303;
  private static final int X25519 = 29;
  private static final int SECP256R1 = 23;
  private static final int SECP384R1 = 24;

  private final SecurityPolicy policy;
  private final List<TlsVersion> protocols;
  private final List<CipherSuite> ciphers;

  OpenSslSubset(SecurityPolicy policy, List<TlsVersion> protocols, List<CipherSuite> ciphers) {
    this.policy = policy;
    this.protocols = List.copyOf(protocols);
    this.ciphers = List.copyOf(ciphers);
  }

  /**
   * The subset for {@code policy} with this process's BoringSSL ({@link PolicySupport#check} names
   * what it lacks), or {@code null} when OpenSSL is not available or has no suite of the policy at
   * TLS 1.2 or 1.3.
   */
  static @Nullable OpenSslSubset of(SecurityPolicy policy) {
    if (!TlsProvider.OpenSslProbe.available()) {
      return null;
    }
    PolicySupport support = PolicySupport.check(policy, TlsProvider.OPENSSL);
    List<TlsVersion> versions = new ArrayList<>();
    for (TlsVersion v : policy.protocols()) {
      if ((v == TlsVersion.TLS_1_2 || v == TlsVersion.TLS_1_3) && !support.missingProtocols().contains(v)) {
        versions.add(v);
      }
    }
    List<CipherSuite> has = new ArrayList<>();
    for (CipherSuite c : policy.ciphers()) {
      if (!support.missingCiphers().contains(c) && versions.stream().anyMatch(c::usableWith)) {
        has.add(c);
      }
    }
    return has.isEmpty() ? null : new OpenSslSubset(policy, versions, has);
  }

  /** {@return the protocols the OpenSSL contexts enable: the policy's TLS 1.2 and 1.3} */
  List<TlsVersion> protocols() {
    return protocols;
  }

  /** {@return the suites the OpenSSL contexts enable: the policy's that BoringSSL has, in the policy's order} */
  List<CipherSuite> ciphers() {
    return ciphers;
  }

  /**
   * {@return whether BoringSSL negotiates {@code hello} exactly as the policy does with a
   * certificate of {@code key}}
   *
   * @param hello the client's hello
   * @param key the key type of the certificate selected for it
   */
  boolean servesExactly(ClientHello hello, CertificateInfo.KeyType key) {
    TlsVersion version = negotiatedVersion(hello);
    if (version == null || !protocols.contains(version) || !groupsFit(hello.supportedGroups())) {
      return false;
    }
    CipherSuite chosen = policyChoice(hello, version, key);
    if (chosen == null || !ciphers.contains(chosen)) {
      return false;
    }
    return version != TlsVersion.TLS_1_3 || firstTls13Suite(hello.cipherSuites()) == chosen.codePoint();
  }

  /** The version the policy negotiates with this client, or {@code null} when they share none. */
  @Nullable TlsVersion negotiatedVersion(ClientHello hello) {
    List<TlsVersion> allowed = policy.protocols();
    for (int i = allowed.size() - 1; i >= 0; i--) {
      TlsVersion v = allowed.get(i);
      if (offers(hello, wireVersion(v))) {
        return v;
      }
    }
    return null;
  }

  private static boolean offers(ClientHello hello, int wire) {
    int[] versions = hello.supportedVersions();
    if (versions.length == 0) {
      // RFC 8446 section 4.2.1: without supported_versions, legacy_version is the highest offered.
      return wire <= hello.legacyVersion() && wire < 0x0304;
    }
    for (int v : versions) {
      if (v == wire) {
        return true;
      }
    }
    return false;
  }

  private static int wireVersion(TlsVersion v) {
    return 0x0301 + v.ordinal(); // TLS 1.0 is 0x0301, each later version one more
  }

  /** The suite the policy picks: the first of its list the client offers that fits the version and key. */
  @Nullable CipherSuite policyChoice(ClientHello hello, TlsVersion version, CertificateInfo.KeyType key) {
    for (CipherSuite c : policy.ciphers()) {
      if (c.usableWith(version) && fits(c, key) && contains(hello.cipherSuites(), c.codePoint())) {
        return c;
      }
    }
    return null;
  }

  private static boolean fits(CipherSuite c, CertificateInfo.KeyType key) {
    return switch (c.authentication()) {
      case ANY -> true;
      case ECDSA -> key == CertificateInfo.KeyType.EC;
      case RSA -> key == CertificateInfo.KeyType.RSA;
    };
  }

  /** The client's first TLS 1.3 suite that BoringSSL implements, or -1. */
  private static int firstTls13Suite(int[] offered) {
    for (int s : offered) {
      if (s == TLS13_AES_128_GCM || s == TLS13_AES_256_GCM || s == TLS13_CHACHA20) {
        return s;
      }
    }
    return -1;
  }

  private static boolean groupsFit(int[] groups) {
    return groups.length == 0 || contains(groups, X25519) || contains(groups, SECP256R1) || contains(groups, SECP384R1);
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "OpenSslSubset{" + policy + ", " + protocols + ", " + ciphers.size() + " suites}";
  }
}
