package io.nlb.tls;

import io.nlb.common.Problems;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.jspecify.annotations.Nullable;

/**
 * What SNI selection and access logs need to know about a leaf certificate: its DNS names (the
 * subject CN and the DNS subject alternative names, wildcards included), key type and size,
 * signature algorithm, validity and serial number.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class CertificateInfo {
  /** The key algorithm of a certificate. */
  public enum KeyType {
    /** An RSA key, usable with ECDHE_RSA, static-RSA and TLS 1.3 suites. */
    RSA,
    /** An elliptic-curve key, usable with ECDHE_ECDSA and TLS 1.3 suites. */
    EC
  }

  private final String fingerprint;
  private final @Nullable String commonName;
  private final List<String> dnsNames;
  private final KeyType keyType;
  private final int keySize;
  private final String signatureAlgorithm;
  private final Instant notBefore;
  private final Instant notAfter;
  private final String serial;

  CertificateInfo(String fingerprint, @Nullable String commonName, List<String> dnsNames, KeyType keyType, int keySize,
      String signatureAlgorithm, Instant notBefore, Instant notAfter, String serial) {
    this.fingerprint = fingerprint;
    this.commonName = commonName;
    this.dnsNames = List.copyOf(dnsNames);
    this.keyType = keyType;
    this.keySize = keySize;
    this.signatureAlgorithm = signatureAlgorithm;
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    this.serial = serial;
  }

  /**
   * Reads the facts of {@code leaf}.
   *
   * @param leaf the leaf
   * @return the {@code CertificateInfo}
   * @throws IllegalArgumentException if the key is neither RSA nor EC
   */
  public static CertificateInfo of(X509Certificate leaf) {
    PublicKey key = leaf.getPublicKey();
    KeyType type;
    int size;
    if (key instanceof RSAPublicKey rsa) {
      type = KeyType.RSA;
      size = rsa.getModulus().bitLength();
    } else if (key instanceof ECPublicKey ec) {
      type = KeyType.EC;
      size = ec.getParams().getOrder().bitLength();
    } else {
      throw Problems.invalid("certificate.key", key.getAlgorithm(), "an RSA or EC key");
    }
    String cn = commonName(leaf);
    List<String> names = new ArrayList<>();
    if (cn != null && !cn.isEmpty()) {
      names.add(normalize(cn));
    }
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          // 2 = dNSName (RFC 5280 GeneralName)
          if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String dns) {
            String n = normalize(dns);
            if (!names.contains(n)) {
              names.add(n);
            }
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("certificate.subjectAlternativeNames: unreadable (" + e.getMessage() + ")", e);
    }
    return new CertificateInfo(fingerprint(leaf), cn, names, type, size, leaf.getSigAlgName(),
        leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), leaf.getSerialNumber().toString(16));
  }

  static String fingerprint(X509Certificate leaf) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }

  private static @Nullable String commonName(X509Certificate leaf) {
    try {
      LdapName dn = new LdapName(leaf.getSubjectX500Principal().getName());
      for (Rdn rdn : dn.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  static String normalize(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** {@return the SHA-256 fingerprint of the certificate, lower-case hex; the certificate's id} */
  public String fingerprint() {
    return fingerprint;
  }

  /** {@return the subject common name, or {@code null} if the subject has none} */
  public @Nullable String commonName() {
    return commonName;
  }

  /**
   * {@return the DNS names the certificate is for, lower case: the CN first, then the DNS SANs; may hold wildcards ({@code *.example.com})}
   */
  public List<String> dnsNames() {
    return dnsNames;
  }

  /** {@return the key type} */
  public KeyType keyType() {
    return keyType;
  }

  /** {@return the key size in bits (RSA modulus, or the EC group order: 256 for P-256)} */
  public int keySize() {
    return keySize;
  }

  /**
   * {@return the key's strength in symmetric-equivalent bits (NIST SP 800-57): RSA 2048 gives 112,
   * RSA 3072 and P-256 give 128} SNI selection compares keys of different types by this.
   */
  public int securityBits() {
    if (keyType == KeyType.EC) {
      return keySize / 2;
    }
    if (keySize >= 15360) {
      return 256;
    }
    if (keySize >= 7680) {
      return 192;
    }
    if (keySize >= 3072) {
      return 128;
    }
    if (keySize >= 2048) {
      return 112;
    }
    return keySize >= 1024 ? 80 : 0;
  }

  /** {@return the signature algorithm the issuer signed with ({@code SHA256withRSA})} */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** {@return a rank of the signature's hash: 0 for MD2/MD5, 1 for SHA-1, 2 for SHA-2 and stronger} */
  public int signatureHashRank() {
    String a = signatureAlgorithm.toUpperCase(Locale.ROOT);
    if (a.startsWith("MD")) {
      return 0;
    }
    if (a.startsWith("SHA1") || a.startsWith("SHA-1") || a.equals("SHAWITHRSA") || a.startsWith("SHAWITH")) {
      return 1;
    }
    return 2;
  }

  /** {@return start of validity} */
  public Instant notBefore() {
    return notBefore;
  }

  /** {@return end of validity} */
  public Instant notAfter() {
    return notAfter;
  }

  /**
   * {@return whether the certificate is valid at {@code now}}
   *
   * @param now the current time
   */
  public boolean isValidAt(Instant now) {
    return !now.isBefore(notBefore) && !now.isAfter(notAfter);
  }

  /** {@return the serial number, lower-case hex} */
  public String serial() {
    return serial;
  }

  /**
   * {@return whether the certificate covers {@code hostName} exactly (not through a wildcard)}
   * Case-insensitive; a trailing dot is ignored.
   *
   * @param hostName the host name
   */
  public boolean matchesExactly(String hostName) {
    String h = normalize(hostName);
    for (String n : dnsNames) {
      if (!n.startsWith("*.") && n.equals(h)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@return whether a wildcard name ({@code *.example.com}) covers {@code hostName}: exactly one label in place of the star}
   *
   * @param hostName the host name
   */
  public boolean matchesWildcard(String hostName) {
    String h = normalize(hostName);
    int dot = h.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    String parent = h.substring(dot);
    for (String n : dnsNames) {
      if (n.startsWith("*.") && n.substring(1).equals(parent)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "CertificateInfo{names=" + dnsNames + ", key=" + keyType + "-" + keySize + ", sig=" + signatureAlgorithm
        + ", valid=" + notBefore + ".." + notAfter + ", serial=" + serial + ", sha256=" + fingerprint + "}";
  }
}
