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
  UNSPEC,
  /** {@code SOCK_STREAM}: TCP over IP, or a UNIX stream socket. */
  STREAM,
  /** {@code SOCK_DGRAM}: UDP over IP, or a UNIX datagram socket. */
  DGRAM;

  /** {@return the four-bit value on the wire: the constants are declared in wire order, from 0} */
  public int wireValue() {
    return ordinal();
  }
}
