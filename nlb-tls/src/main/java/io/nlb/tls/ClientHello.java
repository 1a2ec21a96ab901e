package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a TLS ClientHello the listener decides with and logs: SNI, the ALPN list, the
 * offered cipher suites, signature schemes, versions ({@code legacy_version} and
 * supported_versions) and named groups. Parsed from the
 * handshake message body (from {@code client_version} on, RFC 8446 section 4.1.2) without
 * copying; malformed input yields {@link #EMPTY}-like partial results, never an exception. A
 * server name that is not printable ASCII counts as absent.
 */
// A final class, not a record: Jazzer 0.24's instrumentation (the fuzz test) corrupts records whose
// components carry type annotations such as @Nullable (NoSuchFieldError when the class loads).
final class ClientHello {
  private final @Nullable String serverName;
  private final @Nullable List<String> alpnProtocols;
  private final int[] cipherSuites;
  private final int[] signatureSchemes;
  private final boolean offersTls13;
  private final int legacyVersion;
  private final int[] supportedVersions;
  private final int[] supportedGroups;

  ClientHello(@Nullable String serverName, @Nullable List<String> alpnProtocols, int[] cipherSuites, int[] signatureSchemes,
      int legacyVersion, int[] supportedVersions, int[] supportedGroups) {
    this.serverName = serverName;
    this.alpnProtocols = alpnProtocols;
    this.cipherSuites = cipherSuites;
    this.signatureSchemes = signatureSchemes;
    this.legacyVersion = legacyVersion;
    this.supportedVersions = supportedVersions;
    this.supportedGroups = supportedGroups;
    boolean tls13 = false;
    for (int v : supportedVersions) {
      tls13 |= v == 0x0304;
    }
    this.offersTls13 = tls13;
  }

  /** The SNI host name (printable ASCII), or {@code null} if absent or not a host name. */
  @Nullable String serverName() {
    return serverName;
  }

  /** The ALPN protocol names in the client's order, or {@code null} without the extension. */
  @Nullable List<String> alpnProtocols() {
    return alpnProtocols;
  }

  /** The offered cipher suite code points (shared; do not modify). */
  int[] cipherSuites() {
    return cipherSuites;
  }

  /** The offered signature schemes (shared; do not modify). */
  int[] signatureSchemes() {
    return signatureSchemes;
  }

  /** Whether supported_versions offers TLS 1.3. */
  boolean offersTls13() {
    return offersTls13;
  }

  /**
   * {@return the {@code legacy_version} field: the highest version a client without {@code
   * supported_versions} offers ({@code 0x0303} for TLS 1.2), or 0 when the message is too short}
   */
  int legacyVersion() {
    return legacyVersion;
  }

  /** The versions of the supported_versions extension, in the client's order; empty without it (shared; do not modify). */
  int[] supportedVersions() {
    return supportedVersions;
  }

  /** The named groups of the supported_groups extension; empty without it (shared; do not modify). */
  int[] supportedGroups() {
    return supportedGroups;
  }

  private static final int[] NONE = new int[0];

  static final ClientHello EMPTY = new ClientHello(null, null, NONE, NONE, 0, NONE, NONE);

  private static final int EXT_SERVER_NAME = 0;
  private static final int EXT_SUPPORTED_GROUPS = 10;
  private static final int EXT_SIGNATURE_ALGORITHMS = 13;
  private static final int EXT_ALPN = 16;
  private static final int EXT_SUPPORTED_VERSIONS = 43;

  static ClientHello parse(ByteBuf in) {
    int p = in.readerIndex();
    int end = in.writerIndex();
    int legacyVersion = end - p >= 2 ? in.getUnsignedShort(p) : 0;
    p += 34; // client_version, random
    if (end - p < 1) {
      return EMPTY;
    }
    p += 1 + in.getUnsignedByte(p); // session_id
    if (end - p < 2) {
      return EMPTY;
    }
    int suitesLen = in.getUnsignedShort(p);
    p += 2;
    if (end - p < suitesLen) {
      return EMPTY;
    }
    int[] suites = new int[suitesLen / 2];
    for (int i = 0; i < suites.length; i++) {
      suites[i] = in.getUnsignedShort(p + 2 * i);
    }
    p += suitesLen;
    if (end - p < 1) {
      return new ClientHello(null, null, suites, NONE, legacyVersion, NONE, NONE);
    }
    p += 1 + in.getUnsignedByte(p); // compression_methods
    if (end - p < 2) {
      return new ClientHello(null, null, suites, NONE, legacyVersion, NONE, NONE);
    }
    int extEnd = Math.min(end, p + 2 + in.getUnsignedShort(p));
    p += 2;
    String sni = null;
    List<String> alpn = null;
    int[] sigs = NONE;
    int[] versions = NONE;
    int[] groups = NONE;
    while (extEnd - p >= 4) {
      int type = in.getUnsignedShort(p);
      int len = in.getUnsignedShort(p + 2);
      p += 4;
      if (extEnd - p < len) {
        break;
      }
      switch (type) {
        case EXT_SERVER_NAME -> sni = serverName(in, p, p + len);
        case EXT_ALPN -> alpn = alpn(in, p, p + len);
        case EXT_SIGNATURE_ALGORITHMS -> sigs = u16List(in, p + 2, Math.min(p + len, p + 2 + (len >= 2 ? in.getUnsignedShort(p) : 0)));
        case EXT_SUPPORTED_GROUPS -> groups = u16List(in, p + 2, Math.min(p + len, p + 2 + (len >= 2 ? in.getUnsignedShort(p) : 0)));
        case EXT_SUPPORTED_VERSIONS -> versions = u16List(in, p + 1, Math.min(p + len, p + 1 + (len >= 1 ? in.getUnsignedByte(p) : 0)));
        default -> { }
      }
      p += len;
    }
    return new ClientHello(sni, alpn, suites, sigs, legacyVersion, versions, groups);
  }

  private static @Nullable String serverName(ByteBuf in, int p, int end) {
    if (end - p < 2) {
      return null;
    }
    p += 2; // server_name_list length
    while (end - p >= 3) {
      int nameType = in.getUnsignedByte(p);
      int len = in.getUnsignedShort(p + 1);
      p += 3;
      if (end - p < len) {
        return null;
      }
      if (nameType == 0) {
        // RFC 6066 section 3: an ASCII DNS host name. Anything else (control characters, spaces,
        // bytes above 0x7e) cannot name a certificate and must not reach the access log raw.
        for (int i = p; i < p + len; i++) {
          short c = in.getUnsignedByte(i);
          if (c < 0x21 || c > 0x7e) {
            return null;
          }
        }
        return in.toString(p, len, StandardCharsets.US_ASCII);
      }
      p += len;
    }
    return null;
  }

  private static List<String> alpn(ByteBuf in, int p, int end) {
    List<String> out = new ArrayList<>();
    if (end - p < 2) {
      return out;
    }
    p += 2;
    while (end - p >= 1) {
      int len = in.getUnsignedByte(p);
      p += 1;
      if (end - p < len) {
        break;
      }
      out.add(in.toString(p, len, StandardCharsets.ISO_8859_1));
      p += len;
    }
    return List.copyOf(out);
  }

  private static int[] u16List(ByteBuf in, int p, int end) {
    int n = Math.max(0, (end - p) / 2);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = in.getUnsignedShort(p + 2 * i);
    }
    return out;
  }


  /**
   * What the client can verify under {@code policy}: an EC certificate needs an ECDSA suite both
   * sides allow, or TLS 1.3 on both sides with an ECDSA signature scheme offered; likewise RSA.
   */
  CertificateSelector.ClientCapabilities capabilities(SecurityPolicy policy) {
    boolean rsa = false;
    boolean ecdsa = false;
    for (int code : cipherSuites) {
      CipherSuite s = CipherSuite.ofCodePoint(code);
      if (s == null || !policy.ciphers().contains(s)) {
        continue;
      }
      switch (s.authentication()) {
        case RSA -> rsa = true;
        case ECDSA -> ecdsa = true;
        case ANY -> {
          if (offersTls13 && policy.isTls13Capable()) {
            for (int scheme : signatureSchemes) {
              int hash = scheme >> 8;
              int sig = scheme & 0xff;
              // 0x0403/0x0503/0x0603: ecdsa_secp*_sha*; 0x0401.., 0x0804-0x0806, 0x0809-0x080b: RSA (PKCS#1, PSS)
              if (sig == 0x03 && hash >= 0x04 && hash <= 0x06) {
                ecdsa = true;
              } else if ((sig == 0x01 && hash >= 0x04) || (hash == 0x08 && ((sig >= 0x04 && sig <= 0x06) || (sig >= 0x09 && sig <= 0x0b)))) {
                rsa = true;
              }
            }
          }
        }
      }
    }
    return new CertificateSelector.ClientCapabilities(rsa, ecdsa);
  }
}
