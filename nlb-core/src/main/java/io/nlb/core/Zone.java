package io.nlb.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An availability zone as the library sees it: a name, the local address(es) the zone's load
 * balancer node binds (one IPv4 address, plus one IPv6 address for a dualstack load balancer), and
 * optionally the address ranges its targets live in, so that targets registered by address alone
 * land in the right zone.
 *
 * <p>Each enabled zone gets one node. On loopback, two zones can be {@code 127.0.0.1} and {@code
 * 127.0.0.2}:
 *
 * <pre>{@code
 * Zone a = Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build();
 * Zone b = Zone.of("zone-b", "127.0.0.2");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class Zone {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?");

  private final String name;
  private final List<InetAddress> addresses;
  private final List<Cidr> targetRanges;

  private Zone(String name, List<InetAddress> addresses, List<Cidr> targetRanges) {
    this.name = name;
    this.addresses = List.copyOf(addresses);
    this.targetRanges = List.copyOf(targetRanges);
  }

  /**
   * {@return a zone whose node binds the given address literals}
   *
   * @param name the name
   * @param addresses the addresses
   */
  public static Zone of(String name, String... addresses) {
    Builder b = builder(name);
    for (String a : addresses) {
      b.address(a);
    }
    return b.build();
  }

  /**
   * Starts a zone named {@code name} (1-64 letters, digits and hyphens, no hyphen at either end).
   *
   * @param name the name
   * @return a new builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  static String checkName(String field, String name) {
    if (!NAME.matcher(name).matches()) {
      throw Check.invalid(field, name, "1-64 letters, digits and hyphens, not starting or ending with a hyphen");
    }
    return name;
  }

  /** {@return the zone's name} */
  public String name() {
    return name;
  }

  /** {@return the addresses the zone's node binds, IPv4 first} */
  public List<InetAddress> addresses() {
    return addresses;
  }

  /** {@return the node's IPv4 address, if it has one} */
  public java.util.Optional<InetAddress> ipv4Address() {
    return addresses.stream().filter(a -> !Addresses.isIpv6(a)).findFirst();
  }

  /** {@return the node's IPv6 address, if it has one} */
  public java.util.Optional<InetAddress> ipv6Address() {
    return addresses.stream().filter(Addresses::isIpv6).findFirst();
  }

  /** {@return the address ranges whose targets belong to this zone} */
  public List<Cidr> targetRanges() {
    return targetRanges;
  }

  /**
   * {@return whether {@code address} lies in one of this zone's target ranges}
   *
   * @param address the address
   */
  public boolean containsTarget(InetAddress address) {
    for (Cidr c : targetRanges) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Zone)) {
      return false;
    }
    Zone z = (Zone) o;
    return name.equals(z.name) && addresses.equals(z.addresses) && targetRanges.equals(z.targetRanges);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, addresses, targetRanges);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append(addresses.stream().map(Addresses::toLiteral).toList());
    if (!targetRanges.isEmpty()) {
      sb.append(" targets ").append(targetRanges);
    }
    return sb.toString();
  }

  /** Builds a {@link Zone}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<InetAddress> addresses = new ArrayList<>();
    private final List<Cidr> ranges = new ArrayList<>();

    Builder(String name) {
      this.name = checkName("zone.name", name);
    }

    /**
     * Adds an address literal the node binds: at most one IPv4 and one IPv6 address.
     *
     * @param literal the literal
     * @return this builder
     */
    public Builder address(String literal) {
      return address(Addresses.parseLiteral("zone[" + name + "].address", literal));
    }

    /**
     * Adds an address the node binds: at most one IPv4 and one IPv6 address.
     *
     * @param address the address
     * @return this builder
     */
    public Builder address(InetAddress address) {
      boolean v6 = Addresses.isIpv6(address);
      for (InetAddress a : addresses) {
        if (Addresses.isIpv6(a) == v6) {
          throw Check.invalid("zone[" + name + "].address", Addresses.toLiteral(address),
              "at most one " + (v6 ? "IPv6" : "IPv4") + " address per zone; already " + Addresses.toLiteral(a));
        }
      }
      addresses.add(address);
      return this;
    }

    /**
     * Declares an address range ({@code 10.0.1.0/24}) whose targets belong to this zone.
     *
     * @param cidr declares an address range ({@code 10.0.1.0/24}) whose targets belong to this zone
     * @return this builder
     */
    public Builder targetRange(String cidr) {
      ranges.add(Cidr.parse(cidr));
      return this;
    }

    /**
     * Builds the zone; it must have at least one address.
     *
     * @return the new {@code Zone}
     */
    public Zone build() {
      if (addresses.isEmpty()) {
        throw Check.invalid("zone[" + name + "].addresses", "[]", "at least one address for the zone's node");
      }
      List<InetAddress> sorted = new ArrayList<>(addresses);
      sorted.sort((x, y) -> Boolean.compare(Addresses.isIpv6(x), Addresses.isIpv6(y)));
      return new Zone(name, sorted, ranges);
    }
  }
}
