package io.nlb.proxyprotocol;

import io.nlb.common.Problems;
import org.jspecify.annotations.Nullable;

/**
 * The address family and transport of a relayed connection: the whole 14th byte of a version 2
 * header, one constant per combination the specification allows.
 *
 * <p>A version 1 header maps {@code TCP4}, {@code TCP6} and {@code UNKNOWN} to {@link #TCP4},
 * {@link #TCP6} and {@link #UNSPEC}. Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum ProxiedProtocol {
  /** Unknown, unspecified or unsupported: no address. Used by {@link ProxyCommand#LOCAL}. */
  UNSPEC(0x00, AddressFamily.UNSPEC, TransportProtocol.UNSPEC),
  /** TCP over IPv4. */
  TCP4(0x11, AddressFamily.INET, TransportProtocol.STREAM),
  /** UDP over IPv4. */
  UDP4(0x12, AddressFamily.INET, TransportProtocol.DGRAM),
  /** TCP over IPv6. */
  TCP6(0x21, AddressFamily.INET6, TransportProtocol.STREAM),
  /** UDP over IPv6. */
  UDP6(0x22, AddressFamily.INET6, TransportProtocol.DGRAM),
  /** A UNIX stream socket. */
  UNIX_STREAM(0x31, AddressFamily.UNIX, TransportProtocol.STREAM),
  /** A UNIX datagram socket. */
  UNIX_DGRAM(0x32, AddressFamily.UNIX, TransportProtocol.DGRAM);

  private static final @Nullable ProxiedProtocol[] BY_WIRE = new ProxiedProtocol[256];

  static {
    for (ProxiedProtocol p : values()) {
      BY_WIRE[p.wireByte] = p;
    }
  }

  private final int wireByte;
  private final AddressFamily family;
  private final TransportProtocol transport;
  private final int addressBlockLength;

  ProxiedProtocol(int wireByte, AddressFamily family, TransportProtocol transport) {
    this.wireByte = wireByte;
    this.family = family;
    this.transport = transport;
    boolean hasPorts = family == AddressFamily.INET || family == AddressFamily.INET6;
    this.addressBlockLength = 2 * family.addressLength() + (hasPorts ? 4 : 0);
  }

  /** {@return the byte on the wire: the family in the high four bits, the transport in the low four} */
  public int wireByte() {
    return wireByte;
  }

  /** {@return the address family} */
  public AddressFamily family() {
    return family;
  }

  /** {@return the transport protocol} */
  public TransportProtocol transport() {
    return transport;
  }

  /**
   * {@return the length of the address block that follows the 16-byte fixed part: 0, 12 (IPv4), 36 (IPv6)
   * or 216 (UNIX)}
   */
  public int addressBlockLength() {
    return addressBlockLength;
  }

  /** {@return whether addresses of this protocol are IP addresses with ports} */
  public boolean isInet() {
    return family == AddressFamily.INET || family == AddressFamily.INET6;
  }

  /**
   * {@return the constant whose {@link #wireByte()} is {@code wireByte}, or {@code null} if the
   * specification allows no such combination}
   *
   * @param wireByte the wire byte
   */
  public static @Nullable ProxiedProtocol fromWire(int wireByte) {
    return wireByte >= 0 && wireByte < 256 ? BY_WIRE[wireByte] : null;
  }

  /**
   * {@return the constant for a family and a transport}
   *
   * @param family the address family
   * @param transport the transport protocol
   * @throws IllegalArgumentException for a combination the specification does not allow, such as
   *     {@code INET} with {@code UNSPEC}
   */
  public static ProxiedProtocol of(AddressFamily family, TransportProtocol transport) {
    ProxiedProtocol p = fromWire(family.wireValue() << 4 | transport.wireValue());
    if (p == null) {
      throw new IllegalArgumentException(
          Problems.message("transport", transport + " with " + family,
              "UNSPEC with UNSPEC, or STREAM or DGRAM with INET, INET6 or UNIX"));
    }
    return p;
  }
}
