package io.nlb.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * One node of a load balancer as the DNS server sees it: its zone, its addresses (IPv4 for A
 * records, IPv6 for AAAA) and its state.
 *
 * <pre>{@code
 * new DnsNode("zone-a", List.of(InetAddress.getByName("127.0.0.1")), NodeState.SERVING);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param zone the zone's name, also the first label of the zone's own DNS name
 * @param addresses the node's addresses, in the order they are answered
 * @param state whether the node may be in the answer
 * @since 0.1
 */
public record DnsNode(String zone, List<InetAddress> addresses, NodeState state) {
  /**
   * Copies {@code addresses}.
   *
   * @param zone the zone's name
   * @param addresses the node's addresses
   * @param state whether the node may be in the answer
   */
  public DnsNode {
    addresses = List.copyOf(addresses);
  }
}
