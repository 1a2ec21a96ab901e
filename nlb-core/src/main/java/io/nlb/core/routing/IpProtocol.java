package io.nlb.core.routing;

import io.nlb.common.Problems;

/**
 * The transport protocol of a flow, carrying its IANA protocol number: the value of the IPv4
 * {@code Protocol} / IPv6 {@code Next Header} field, which {@link FlowHash} mixes into every hash
 * so that a TCP flow and a UDP flow with the same addresses and ports are different flows.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum IpProtocol {
  /** Transmission Control Protocol, IANA number 6. */
  TCP(6),
  /** User Datagram Protocol, IANA number 17. */
  UDP(17);

  private final int number;

  IpProtocol(int number) {
    this.number = number;
  }

  /** {@return the IANA protocol number, as carried on the wire: 6 for TCP, 17 for UDP} */
  public int number() {
    return number;
  }

  /**
   * {@return the protocol with the given IANA number}
   *
   * @param number the number
   * @throws IllegalArgumentException if the number is neither 6 nor 17
   */
  public static IpProtocol ofNumber(int number) {
    switch (number) {
      case 6:
        return TCP;
      case 17:
        return UDP;
      default:
        throw Problems.invalid("protocol", number, "6 (TCP) or 17 (UDP)");
    }
  }
}
