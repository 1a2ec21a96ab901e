package io.nlb.awsapi;

import io.nlb.core.Zone;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A subnet the endpoint accepts in {@code Subnets} and {@code SubnetMappings}: its id, the zone it
 * lies in (whose name is reported as the {@code ZoneName} and whose address is the node address a
 * load balancer created in it binds), and any further private addresses a {@code SubnetMapping}
 * may choose with {@code PrivateIPv4Address} or {@code IPv6Address} instead.
 *
 * <pre>{@code
 * Subnet a = Subnet.of("subnet-0e3f5cac72EXAMPLE",
 *     Zone.builder("us-east-2a").address("127.0.0.1").targetRange("127.0.0.0/8").build(),
 *     "127.0.0.2", "127.0.0.3");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class Subnet {
  private final String id;
  private final Zone zone;
  private final Set<InetAddress> privateAddresses;

  private Subnet(String id, Zone zone, Set<InetAddress> privateAddresses) {
    this.id = id;
    this.zone = zone;
    this.privateAddresses = privateAddresses;
  }

  /**
   * A subnet in {@code zone}; {@code otherAddresses} are address literals a subnet mapping may
   * pick besides the zone's own.
   *
   * @param id the subnet id, such as {@code subnet-0a1b2c}
   * @param zone the zone, with the node's default address
   * @param otherAddresses further address literals a subnet mapping may pick
   * @return the subnet
   * @throws IllegalArgumentException if the id is not {@code subnet-} followed by letters or
   *     digits, or an address is not a literal
   */
  public static Subnet of(String id, Zone zone, String... otherAddresses) {
    if (!id.matches("subnet-[0-9A-Za-z]{1,64}")) {
      throw new IllegalArgumentException("subnet.id: " + id + " (expected: subnet- followed by 1-64 letters or digits)");
    }
    Set<InetAddress> all = new LinkedHashSet<>(zone.addresses());
    for (String a : otherAddresses) {
      all.add(Addresses.literal("subnet[" + id + "].address", a));
    }
    return new Subnet(id, zone, Set.copyOf(all));
  }

  /** {@return the subnet id} */
  public String id() {
    return id;
  }

  /** {@return the zone, with the default node address} */
  public Zone zone() {
    return zone;
  }

  /** {@return every address a load balancer node in this subnet may bind (the zone's and the others)} */
  public Set<InetAddress> privateAddresses() {
    return privateAddresses;
  }

  /** The zone with {@code address} as its node address of that family, keeping the target ranges. */
  Zone zoneWith(InetAddress address) {
    Zone.Builder b = Zone.builder(zone.name()).address(address);
    List<InetAddress> keep = new ArrayList<>();
    for (InetAddress a : zone.addresses()) {
      if (a.getAddress().length != address.getAddress().length) {
        keep.add(a);
      }
    }
    keep.forEach(b::address);
    zone.targetRanges().forEach(c -> b.targetRange(c.toString()));
    return b.build();
  }

  @Override
  public String toString() {
    return id + "(" + zone.name() + ")";
  }
}
