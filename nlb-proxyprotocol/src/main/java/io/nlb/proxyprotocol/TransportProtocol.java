package io.nlb.proxyprotocol;

/**
 * The transport protocol of a version 2 header: the low four bits of its 14th byte.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum TransportProtocol {
  /** Unknown or unspecified. */
  UNSPEC(0x0),
  /** {@code SOCK_STREAM}: TCP over IP, or a UNIX stream socket. */
  STREAM(0x1),
  /** {@code SOCK_DGRAM}: UDP over IP, or a UNIX datagram socket. */
  DGRAM(0x2);

  private final int wireValue;

  TransportProtocol(int wireValue) {
    this.wireValue = wireValue;
  }

  /** {@return the four-bit value on the wire} */
  public int wireValue() {
    return wireValue;
  }
}
