package io.nlb.proxyprotocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.nlb.common.Problems;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One type-length-value vector of a version 2 header: a type byte and up to 65,535 value bytes,
 * kept exactly as on the wire whether or not the type is known.
 *
 * <p>The static factories build the registered types with their encodings (UTF-8 for the
 * authority and the certificate common name, US-ASCII for the other strings) and check their
 * limits; {@link #of(int, byte[])} builds any type, including the custom range
 * {@code 0xE0}-{@code 0xEF}. The value is copied in and out, so an instance is immutable and
 * thread-safe. Typed views of decoded TLVs live on {@link ProxyHeader} ({@link
 * ProxyHeader#vpcEndpointId()}, {@link ProxyHeader#ssl()}, ...).
 *
 * <pre>{@code
 * ProxyTlv vpce = ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9");
 * ProxyTlv sni = ProxyTlv.authority("example.com");
 * ProxyTlv mine = ProxyTlv.of(0xE1, new byte[] {1, 2, 3});
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyTlv {
  /** The largest value a TLV can carry: its length field has 16 bits. */
  public static final int MAX_VALUE_LENGTH = 0xFFFF;

  /** The largest {@link TlvType#UNIQUE_ID} value the specification allows. */
  public static final int MAX_UNIQUE_ID_LENGTH = 128;

  private final int type;
  private final byte[] value;

  private ProxyTlv(int type, byte[] value) {
    this.type = type;
    this.value = value;
  }

  /** Wraps without copying or checking; for the decoder, which owns {@code value}. */
  static ProxyTlv wrap(int type, byte[] value) {
    return new ProxyTlv(type, value);
  }

  /**
   * {@return a TLV of any type with a raw value}
   *
   * <p>The value of a registered type must follow its rules: four bytes for {@code CRC32C}, at
   * most 128 for {@code UNIQUE_ID}, and for {@code SSL} a client byte, a verify word and
   * well-formed sub-TLVs.
   *
   * @param type the type
   * @param value the value
   * @throws IllegalArgumentException if {@code type} is not a byte, {@code value} is longer than
   *     65,535 bytes or breaks the rules of its registered type
   */
  public static ProxyTlv of(int type, byte[] value) {
    Problems.range("type", type, 0, 0xFF);
    if (value.length > MAX_VALUE_LENGTH) {
      throw Problems.invalid("value.length", value.length, "<= " + MAX_VALUE_LENGTH);
    }
    Tlvs.checkArgument(type, value);
    return new ProxyTlv(type, value.clone());
  }

  /**
   * {@return a TLV of a named type with a raw value; see {@link #of(int, byte[])}}
   *
   * @param type the type
   * @param value the value
   */
  public static ProxyTlv of(TlvType type, byte[] value) {
    return of(type.wireByte(), value);
  }

  /**
   * {@return a TLV in the custom range {@code 0xE0}-{@code 0xEF}}
   *
   * @param type the type
   * @param value the value
   * @throws IllegalArgumentException if {@code type} is outside the range
   */
  public static ProxyTlv custom(int type, byte[] value) {
    if (!TlvType.isCustom(type)) {
      throw Problems.invalid("type", Wire.hex(type), "0xE0-0xEF");
    }
    return of(type, value);
  }

  /**
   * {@return {@code PP2_TYPE_ALPN} with the protocol id as sent in TLS ALPN, e.g. {@code "h2"}}
   *
   * @param protocolId the protocol id
   */
  public static ProxyTlv alpn(byte[] protocolId) {
    return of(TlvType.ALPN, protocolId);
  }

  /**
   * {@return {@code PP2_TYPE_ALPN} with a US-ASCII protocol id, e.g. {@code "h2"}}
   *
   * @param protocolId the protocol id
   */
  public static ProxyTlv alpn(String protocolId) {
    return ofString(TlvType.ALPN, "alpn", protocolId, US_ASCII);
  }

  /**
   * {@return {@code PP2_TYPE_AUTHORITY}: the host name the client asked for, UTF-8}
   *
   * @param hostName the host name
   */
  public static ProxyTlv authority(String hostName) {
    return ofString(TlvType.AUTHORITY, "authority", hostName, UTF_8);
  }

  /**
   * {@return {@code PP2_TYPE_NOOP} with {@code length} zero bytes, for padding}
   *
   * @param length the number of bytes
   */
  public static ProxyTlv noop(int length) {
    return new ProxyTlv(TlvType.NOOP.wireByte(), new byte[Problems.range("length", length, 0, MAX_VALUE_LENGTH)]);
  }

  /**
   * {@return {@code PP2_TYPE_UNIQUE_ID}: an opaque connection id}
   *
   * @param id the identifier
   * @throws IllegalArgumentException if {@code id} is longer than 128 bytes
   */
  public static ProxyTlv uniqueId(byte[] id) {
    if (id.length > MAX_UNIQUE_ID_LENGTH) {
      throw Problems.invalid("uniqueId.length", id.length, "<= " + MAX_UNIQUE_ID_LENGTH);
    }
    return of(TlvType.UNIQUE_ID, id);
  }

  /**
   * {@return {@code PP2_TYPE_NETNS}: the network namespace name, US-ASCII}
   *
   * @param name the name
   */
  public static ProxyTlv netns(String name) {
    return ofString(TlvType.NETNS, "netns", name, US_ASCII);
  }

  /**
   * {@return {@code PP2_TYPE_AWS} (0xEA) with sub-type {@code PP2_SUBTYPE_AWS_VPCE_ID} (0x01): the id of
   * the VPC endpoint the client connected through, e.g. {@code "vpce-08d2bf15fac5001c9"}}
   *
   * @param vpcEndpointId the vpc endpoint id
   * @throws IllegalArgumentException if the id is empty or not printable US-ASCII
   */
  public static ProxyTlv awsVpcEndpointId(String vpcEndpointId) {
    if (vpcEndpointId.isEmpty() || !isPrintableAscii(vpcEndpointId)) {
      throw Problems.invalid("vpcEndpointId", vpcEndpointId, "non-empty printable US-ASCII");
    }
    byte[] value = new byte[1 + vpcEndpointId.length()];
    value[0] = (byte) TlvType.AWS_SUBTYPE_VPCE_ID;
    for (int i = 0; i < vpcEndpointId.length(); i++) {
      value[i + 1] = (byte) vpcEndpointId.charAt(i);
    }
    return of(TlvType.AWS, value);
  }

  /**
   * {@return {@code PP2_TYPE_SSL}: the client flags ({@link ProxySsl#CLIENT_SSL} and friends), the
   * certificate verification result (0 means verified) and the sub-TLVs, typically built with
   * {@link #sslVersion}, {@link #sslCommonName}, {@link #sslCipher}, {@link
   * #sslSignatureAlgorithm} and {@link #sslKeyAlgorithm}}
   *
   * @param client the client
   * @param verify the verify
   * @param subTlvs the sub tlvs
   * @throws IllegalArgumentException if {@code client} is not a byte or the value would exceed
   *     65,535 bytes
   */
  public static ProxyTlv ssl(int client, int verify, List<ProxyTlv> subTlvs) {
    Problems.range("client", client, 0, 0xFF);
    int length = 5;
    for (ProxyTlv sub : subTlvs) {
      length += sub.encodedLength();
    }
    if (length > MAX_VALUE_LENGTH) {
      throw Problems.invalid("ssl.length", length, "<= " + MAX_VALUE_LENGTH);
    }
    byte[] value = new byte[length];
    value[0] = (byte) client;
    value[1] = (byte) (verify >>> 24);
    value[2] = (byte) (verify >>> 16);
    value[3] = (byte) (verify >>> 8);
    value[4] = (byte) verify;
    int at = 5;
    for (ProxyTlv sub : subTlvs) {
      at = sub.writeTo(value, at);
    }
    return new ProxyTlv(TlvType.SSL.wireByte(), value);
  }

  /**
   * {@return {@code PP2_SUBTYPE_SSL_VERSION}, e.g. {@code "TLSv1.3"}; goes inside {@link #ssl}}
   *
   * @param version the version
   */
  public static ProxyTlv sslVersion(String version) {
    return ofString(TlvType.SSL_VERSION, "sslVersion", version, US_ASCII);
  }

  /**
   * {@return {@code PP2_SUBTYPE_SSL_CN}: the client certificate's common name, UTF-8}
   *
   * @param commonName the common name
   */
  public static ProxyTlv sslCommonName(String commonName) {
    return ofString(TlvType.SSL_CN, "sslCommonName", commonName, UTF_8);
  }

  /**
   * {@return {@code PP2_SUBTYPE_SSL_CIPHER}, e.g. {@code "ECDHE-RSA-AES128-GCM-SHA256"}}
   *
   * @param cipher the cipher
   */
  public static ProxyTlv sslCipher(String cipher) {
    return ofString(TlvType.SSL_CIPHER, "sslCipher", cipher, US_ASCII);
  }

  /**
   * {@return {@code PP2_SUBTYPE_SSL_SIG_ALG}, e.g. {@code "RSA-SHA256"}}
   *
   * @param algorithm the algorithm
   */
  public static ProxyTlv sslSignatureAlgorithm(String algorithm) {
    return ofString(TlvType.SSL_SIG_ALG, "sslSignatureAlgorithm", algorithm, US_ASCII);
  }

  /**
   * {@return {@code PP2_SUBTYPE_SSL_KEY_ALG}, e.g. {@code "RSA2048"}}
   *
   * @param algorithm the algorithm
   */
  public static ProxyTlv sslKeyAlgorithm(String algorithm) {
    return ofString(TlvType.SSL_KEY_ALG, "sslKeyAlgorithm", algorithm, US_ASCII);
  }

  /** {@return the type byte, 0-255} */
  public int type() {
    return type;
  }

  /** {@return the named type, or {@code null} if this module does not know the type byte} */
  public @Nullable TlvType knownType() {
    return TlvType.fromWire(type);
  }

  /** {@return the length of the value in bytes} */
  public int length() {
    return value.length;
  }

  /** {@return a copy of the value} */
  public byte[] value() {
    return value.clone();
  }

  /**
   * {@return the value decoded with {@code charset}; malformed input is replaced, never rejected}
   *
   * @param charset the charset
   */
  public String valueAsString(Charset charset) {
    return new String(value, charset);
  }

  /** The value without a copy; callers must not modify it. */
  byte[] rawValue() {
    return value;
  }

  /** Type, length and value: {@code 3 + length()}. */
  int encodedLength() {
    return 3 + value.length;
  }

  int writeTo(byte[] out, int at) {
    out[at] = (byte) type;
    out[at + 1] = (byte) (value.length >>> 8);
    out[at + 2] = (byte) value.length;
    System.arraycopy(value, 0, out, at + 3, value.length);
    return at + 3 + value.length;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ProxyTlv && ((ProxyTlv) o).type == type
        && Arrays.equals(((ProxyTlv) o).value, value);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(value);
  }

  /** For example {@code ProxyTlv[ALPN(0x01), 2 bytes: 6832]}. */
  @Override
  public String toString() {
    TlvType known = knownType();
    StringBuilder sb = new StringBuilder("ProxyTlv[");
    sb.append(known == null ? "" : known.name()).append('(').append(Wire.hex(type))
        .append("), ").append(value.length).append(" bytes");
    if (value.length > 0) {
      sb.append(": ");
      int shown = Math.min(value.length, 64);
      for (int i = 0; i < shown; i++) {
        sb.append(Character.forDigit((value[i] >> 4) & 0xF, 16))
            .append(Character.forDigit(value[i] & 0xF, 16));
      }
      if (shown < value.length) {
        sb.append("...");
      }
    }
    return sb.append(']').toString();
  }

  private static ProxyTlv ofString(TlvType type, String field, String s, Charset charset) {
    if (charset.equals(US_ASCII) && !isAscii(s)) {
      throw Problems.invalid(field, s, "US-ASCII");
    }
    byte[] value = s.getBytes(charset);
    if (value.length > MAX_VALUE_LENGTH) {
      throw Problems.invalid(field + ".length", value.length, "<= " + MAX_VALUE_LENGTH);
    }
    return new ProxyTlv(type.wireByte(), value);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPrintableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }
}
