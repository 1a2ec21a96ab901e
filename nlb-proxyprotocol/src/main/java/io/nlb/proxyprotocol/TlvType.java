package io.nlb.proxyprotocol;

import org.jspecify.annotations.Nullable;

/**
 * The TLV types this module knows by name, each carrying its wire byte.
 *
 * <p>A TLV of any other type is still decoded and kept raw in {@link ProxyTlv}; this enum only
 * names the registered ones. The {@code SSL_*} constants are sub-types that appear only inside an
 * {@link #SSL} TLV. Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum TlvType {
  /** {@code PP2_TYPE_ALPN}: the application protocol (ALPN id) negotiated with the client. */
  ALPN(0x01),
  /** {@code PP2_TYPE_AUTHORITY}: the host name the client asked for (TLS SNI), UTF-8. */
  AUTHORITY(0x02),
  /** {@code PP2_TYPE_CRC32C}: the CRC32c checksum of the whole header, 4 bytes big-endian. */
  CRC32C(0x03),
  /** {@code PP2_TYPE_NOOP}: padding, ignored by receivers. */
  NOOP(0x04),
  /** {@code PP2_TYPE_UNIQUE_ID}: an opaque connection id of up to 128 bytes. */
  UNIQUE_ID(0x05),
  /** {@code PP2_TYPE_SSL}: client flags, verify result and {@code SSL_*} sub-TLVs. */
  SSL(0x20),
  /** {@code PP2_SUBTYPE_SSL_VERSION}: the TLS version, US-ASCII (inside {@link #SSL}). */
  SSL_VERSION(0x21),
  /** {@code PP2_SUBTYPE_SSL_CN}: the client certificate's common name, UTF-8. */
  SSL_CN(0x22),
  /** {@code PP2_SUBTYPE_SSL_CIPHER}: the cipher name, US-ASCII. */
  SSL_CIPHER(0x23),
  /** {@code PP2_SUBTYPE_SSL_SIG_ALG}: the certificate signature algorithm, US-ASCII. */
  SSL_SIG_ALG(0x24),
  /** {@code PP2_SUBTYPE_SSL_KEY_ALG}: the certificate key algorithm, US-ASCII. */
  SSL_KEY_ALG(0x25),
  /** {@code PP2_TYPE_NETNS}: the network namespace name, US-ASCII. */
  NETNS(0x30),
  /**
   * {@code PP2_TYPE_AWS}, in the custom range: one sub-type byte, then its value. Sub-type
   * {@code 0x01} ({@code PP2_SUBTYPE_AWS_VPCE_ID}) carries the VPC endpoint id in US-ASCII.
   */
  AWS(0xEA);

  /** The first type of the range reserved for application-specific data. */
  public static final int MIN_CUSTOM = 0xE0;

  /** The last type of the range reserved for application-specific data. */
  public static final int MAX_CUSTOM = 0xEF;

  /** The {@link #AWS} sub-type that carries the VPC endpoint id. */
  public static final int AWS_SUBTYPE_VPCE_ID = 0x01;

  private static final @Nullable TlvType[] BY_WIRE = new TlvType[256];

  static {
    for (TlvType t : values()) {
      BY_WIRE[t.wireByte] = t;
    }
  }

  private final int wireByte;

  TlvType(int wireByte) {
    this.wireByte = wireByte;
  }

  /** {@return the type byte on the wire} */
  public int wireByte() {
    return wireByte;
  }

  /**
   * {@return the named type whose wire byte is {@code wireByte}, or {@code null}}
   *
   * @param wireByte the wire byte
   */
  public static @Nullable TlvType fromWire(int wireByte) {
    return wireByte >= 0 && wireByte < 256 ? BY_WIRE[wireByte] : null;
  }

  /**
   * {@return whether {@code wireByte} lies in the custom range {@code 0xE0}-{@code 0xEF}}
   *
   * @param wireByte the wire byte
   */
  public static boolean isCustom(int wireByte) {
    return wireByte >= MIN_CUSTOM && wireByte <= MAX_CUSTOM;
  }
}
