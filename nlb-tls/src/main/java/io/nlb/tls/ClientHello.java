package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a TLS ClientHello the listener decides with and logs: SNI, the ALPN list, the
 * offered cipher suites, signature schemes and whether TLS 1.3 is offered. Parsed from the
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

  ClientHello(@Nullable String serverName, @Nullable List<String> alpnProtocols, int[] cipherSuites, int[] signatureSchemes,
      boolean offersTls13) {
    this.serverName = serverName;
    this.alpnProtocols = alpnProtocols;
    this.cipherSuites = cipherSuites;
    this.signatureSchemes = signatureSchemes;
    this.offersTls13 = offersTls13;
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

  static final ClientHello EMPTY = new ClientHello(null, null, new int[0], new int[0], false);

  private static final int EXT_SERVER_NAME = 0;
  private static final int EXT_SIGNATURE_ALGORITHMS = 13;
  private static final int EXT_ALPN = 16;
  private static final int EXT_SUPPORTED_VERSIONS = 43;

  static ClientHello parse(ByteBuf in) {
    int p = in.readerIndex();
    int end = in.writerIndex();
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
      return new ClientHello(null, null, suites, new int[0], false);
    }
    p += 1 + in.getUnsignedByte(p); // compression_methods
    if (end - p < 2) {
      return new ClientHello(null, null, suites, new int[0], false);
    }
    int extEnd = Math.min(end, p + 2 + in.getUnsignedShort(p));
    p += 2;
    String sni = null;
    List<String> alpn = null;
    int[] sigs = new int[0];
    boolean tls13 = false;
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
        case EXT_SUPPORTED_VERSIONS -> tls13 = offersTls13(in, p, p + len);
        default -> { }
      }
      p += len;
    }
    return new ClientHello(sni, alpn, suites, sigs, tls13);
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

  private static boolean offersTls13(ByteBuf in, int p, int end) {
    if (end - p < 1) {
      return false;
    }
    int len = in.getUnsignedByte(p);
    for (int i = p + 1; i + 1 < Math.min(end, p + 1 + len); i += 2) {
      if (in.getUnsignedShort(i) == 0x0304) {
        return true;
      }
    }
    return false;
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
