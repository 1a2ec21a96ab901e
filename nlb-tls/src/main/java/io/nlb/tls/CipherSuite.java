package io.nlb.tls;

import org.jspecify.annotations.Nullable;

/**
 * The 22 cipher suites the security policies draw from, declared in the one global server
 * preference order every policy is an ordered subset of. Each constant carries the name the
 * policy tables print, the OpenSSL name (used in access logs), the IANA name, the name JSSE
 * accepts and reports, and the code point.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum CipherSuite {
  /** {@code TLS_AES_128_GCM_SHA256}, code point {@code 0x1301}. */
  TLS_AES_128_GCM_SHA256("TLS-AES-128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 0x1301),
  /** {@code TLS_AES_256_GCM_SHA384}, code point {@code 0x1302}. */
  TLS_AES_256_GCM_SHA384("TLS-AES-256-GCM-SHA384", "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 0x1302),
  /** {@code TLS_CHACHA20_POLY1305_SHA256}, code point {@code 0x1303}. */
  TLS_CHACHA20_POLY1305_SHA256("TLS-CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", 0x1303),
  /** {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, code point {@code 0xC02B}. */
  ECDHE_ECDSA_AES128_GCM_SHA256("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B),
  /** {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, code point {@code 0xC02F}. */
  ECDHE_RSA_AES128_GCM_SHA256("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F),
  /** {@code TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}, code point {@code 0xC023}. */
  ECDHE_ECDSA_AES128_SHA256("ECDHE-ECDSA-AES128-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC023),
  /** {@code TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256}, code point {@code 0xC027}. */
  ECDHE_RSA_AES128_SHA256("ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC027),
  /** {@code TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}, code point {@code 0xC009}. */
  ECDHE_ECDSA_AES128_SHA("ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC009),
  /** {@code TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}, code point {@code 0xC013}. */
  ECDHE_RSA_AES128_SHA("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013),
  /** {@code TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, code point {@code 0xC02C}. */
  ECDHE_ECDSA_AES256_GCM_SHA384("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C),
  /** {@code TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}, code point {@code 0xC030}. */
  ECDHE_RSA_AES256_GCM_SHA384("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030),
  /** {@code TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384}, code point {@code 0xC024}. */
  ECDHE_ECDSA_AES256_SHA384("ECDHE-ECDSA-AES256-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xC024),
  /** {@code TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384}, code point {@code 0xC028}. */
  ECDHE_RSA_AES256_SHA384("ECDHE-RSA-AES256-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xC028),
  // The tables list the RSA variant before the ECDSA one here (and only here); kept as printed.
  /** {@code TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}, code point {@code 0xC014}. */
  ECDHE_RSA_AES256_SHA("ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xC014),
  /** {@code TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}, code point {@code 0xC00A}. */
  ECDHE_ECDSA_AES256_SHA("ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xC00A),
  /** {@code TLS_RSA_WITH_AES_128_GCM_SHA256}, code point {@code 0x009C}. */
  AES128_GCM_SHA256("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C),
  /** {@code TLS_RSA_WITH_AES_128_CBC_SHA256}, code point {@code 0x003C}. */
  AES128_SHA256("AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003C),
  /** {@code TLS_RSA_WITH_AES_128_CBC_SHA}, code point {@code 0x002F}. */
  AES128_SHA("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F),
  /** {@code TLS_RSA_WITH_AES_256_GCM_SHA384}, code point {@code 0x009D}. */
  AES256_GCM_SHA384("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D),
  /** {@code TLS_RSA_WITH_AES_256_CBC_SHA256}, code point {@code 0x003D}. */
  AES256_SHA256("AES256-SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256", 0x003D),
  /** {@code TLS_RSA_WITH_AES_256_CBC_SHA}, code point {@code 0x0035}. */
  AES256_SHA("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035),
  // JSSE's canonical name for 0x000A keeps the historical SSL_ prefix.
  /** {@code DES-CBC3-SHA}, code point {@code 0x000A}. */
  DES_CBC3_SHA("DES-CBC3-SHA", "DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "SSL_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A);

  /** How the server authenticates under a suite, which decides the certificate key it needs. */
  public enum Authentication {
    /** TLS 1.3: any certificate key type (the signature scheme is negotiated separately). */
    ANY,
    /** An RSA certificate (ECDHE_RSA and static-RSA suites). */
    RSA,
    /** An EC certificate (ECDHE_ECDSA suites). */
    ECDSA
  }

  private final String policyName;
  private final String opensslName;
  private final String ianaName;
  private final String jsseName;
  private final int codePoint;

  CipherSuite(String policyName, String ianaName, int codePoint) {
    this(policyName, policyName, ianaName, ianaName, codePoint);
  }

  CipherSuite(String policyName, String opensslName, String ianaName, int codePoint) {
    this(policyName, opensslName, ianaName, ianaName, codePoint);
  }

  CipherSuite(String policyName, String opensslName, String ianaName, String jsseName, int codePoint) {
    this.policyName = policyName;
    this.opensslName = opensslName;
    this.ianaName = ianaName;
    this.jsseName = jsseName;
    this.codePoint = codePoint;
  }

  /**
   * {@return the name as the policy tables print it ({@code ECDHE-RSA-AES128-GCM-SHA256}, {@code TLS-AES-128-GCM-SHA256})}
   */
  public String policyName() {
    return policyName;
  }

  /** {@return the OpenSSL name, the spelling of the access log's {@code tls_cipher} field} */
  public String opensslName() {
    return opensslName;
  }

  /** {@return the IANA registry name ({@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256})} */
  public String ianaName() {
    return ianaName;
  }

  /** {@return the name JSSE and Netty's cipher configuration take and report} */
  public String jsseName() {
    return jsseName;
  }

  /** {@return the two-byte code point, {@code 0xC02F}} */
  public int codePoint() {
    return codePoint;
  }

  /** {@return whether the suite exists only in TLS 1.3} */
  public boolean isTls13() {
    return codePoint >> 8 == 0x13;
  }

  /** {@return whether the suite provides forward secrecy (TLS 1.3 and ECDHE suites)} */
  public boolean isForwardSecret() {
    return isTls13() || policyName.startsWith("ECDHE-");
  }

  /** {@return the certificate key the server needs for this suite} */
  public Authentication authentication() {
    if (isTls13()) {
      return Authentication.ANY;
    }
    return policyName.startsWith("ECDHE-ECDSA-") ? Authentication.ECDSA : Authentication.RSA;
  }

  /**
   * {@return whether the suite can be negotiated under {@code version}}
   *
   * @param version the version
   */
  public boolean usableWith(TlsVersion version) {
    if (isTls13()) {
      return version == TlsVersion.TLS_1_3;
    }
    if (version == TlsVersion.TLS_1_3) {
      return false;
    }
    // AEAD and SHA-2 MAC suites were introduced with TLS 1.2.
    boolean tls12Only = policyName.contains("GCM") || policyName.endsWith("SHA256") || policyName.endsWith("SHA384");
    return !tls12Only || version == TlsVersion.TLS_1_2;
  }

  /**
   * {@return the suite JSSE, OpenSSL or IANA call {@code name}, or {@code null}}
   *
   * @param name the name
   */
  public static @Nullable CipherSuite find(String name) {
    for (CipherSuite s : values()) {
      if (s.jsseName.equals(name) || s.ianaName.equals(name) || s.opensslName.equals(name) || s.policyName.equals(name)) {
        return s;
      }
    }
    return null;
  }

  /**
   * {@return the suite with code point {@code codePoint}, or {@code null}}
   *
   * @param codePoint the code point
   */
  public static @Nullable CipherSuite ofCodePoint(int codePoint) {
    for (CipherSuite s : values()) {
      if (s.codePoint == codePoint) {
        return s;
      }
    }
    return null;
  }
}
