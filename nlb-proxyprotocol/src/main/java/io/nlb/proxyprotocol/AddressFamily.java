package io.nlb.proxyprotocol;

/**
 * The address family of a version 2 header: the high four bits of its 14th byte.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum AddressFamily {
  /** Unknown or unspecified; the header carries no address. */
  UNSPEC(0),
  /** IPv4: addresses of 4 bytes, followed by two ports. */
  INET(4),
  /** IPv6: addresses of 16 bytes, followed by two ports. */
  INET6(16),
  /** UNIX sockets: paths of exactly 108 bytes, no ports. */
  UNIX(108);

  private final int addressLength;

  AddressFamily(int addressLength) {
    this.addressLength = addressLength;
  }

  /** {@return the four-bit value on the wire: the constants are declared in wire order, from 0} */
  public int wireValue() {
    return ordinal();
  }

  /** {@return the length in bytes of one address (source or destination) of this family} */
  public int addressLength() {
    return addressLength;
  }
}
