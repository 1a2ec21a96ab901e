package io.nlb.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a resolver would answer for a load balancer's DNS name: the node addresses of the zones
 * that are healthy in DNS. A zone whose target groups fall below their DNS-failover threshold (by
 * default: no healthy target) is left out, as is the zone of an active zonal shift; when every
 * zone is unhealthy, all are returned. Every record carries a TTL of 60 seconds. Each enabled zone
 * also has its own name, {@code <zone>.<name>-<id>.<suffix>}, which always answers that zone's
 * node addresses (guide, "DNS name").
 *
 * <pre>{@code
 * DnsRecords dns = lb.dnsRecords();
 * dns.name();                                  // my-nlb-0123456789abcdef.elb.local
 * dns.ttl();                                   // PT1M
 * dns.zone("zone-a").orElseThrow().name();     // zone-a.my-nlb-0123456789abcdef.elb.local
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class DnsRecords {
  /** The time to live of every record: 60 seconds (guide, "Target group health", DNS failover). */
  public static final Duration TTL = Duration.ofSeconds(60);

  private final String name;
  private final List<String> zones;
  private final List<InetAddress> addresses;
  private final List<ZoneRecord> zoneRecords;

  DnsRecords(String name, List<String> zones, List<InetAddress> addresses, List<ZoneRecord> zoneRecords) {
    this.name = name;
    this.zones = List.copyOf(zones);
    this.addresses = List.copyOf(addresses);
    this.zoneRecords = List.copyOf(zoneRecords);
  }

  /**
   * The records of one zone's own name, {@code <zone>.<load balancer name>}: the addresses of that
   * zone's node, whatever the health of its targets.
   *
   * @param zone the zone
   * @param name the zone's DNS name
   * @param addresses the node's addresses (IPv6 too for a dualstack load balancer)
   */
  public record ZoneRecord(String zone, String name, List<InetAddress> addresses) {
    /**
     * Copies {@code addresses}.
     *
     * @param zone the zone
     * @param name the zone's DNS name
     * @param addresses the node's addresses
     */
    public ZoneRecord {
      addresses = List.copyOf(addresses);
    }
  }

  /** The per-zone records of {@code zones} under {@code name}. */
  static List<ZoneRecord> perZone(String name, List<Zone> zones, boolean dualstack) {
    List<ZoneRecord> out = new ArrayList<>(zones.size());
    for (Zone z : zones) {
      List<InetAddress> a = new ArrayList<>(2);
      z.ipv4Address().ifPresent(a::add);
      if (dualstack) {
        z.ipv6Address().ifPresent(a::add);
      }
      out.add(new ZoneRecord(z.name(), z.name() + "." + name, a));
    }
    return out;
  }

  /** {@return the time to live of the records, {@link #TTL}: how long a client may cache an answer} */
  public Duration ttl() {
    return TTL;
  }

  /** {@return the per-zone records, one per enabled zone, in zone order} */
  public List<ZoneRecord> zoneRecords() {
    return zoneRecords;
  }

  /**
   * The per-zone record of {@code zone}, if it is enabled.
   *
   * @param zone a zone name
   * @return its record; empty when the zone is not enabled
   */
  public Optional<ZoneRecord> zone(String zone) {
    for (ZoneRecord r : zoneRecords) {
      if (r.zone().equals(zone)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** {@return the DNS name} */
  public String name() {
    return name;
  }

  /** {@return the zones whose nodes are in the answer} */
  public List<String> zones() {
    return zones;
  }

  /** {@return every address in the answer} */
  public List<InetAddress> addresses() {
    return addresses;
  }

  /** {@return the A records} */
  public List<InetAddress> a() {
    List<InetAddress> out = new ArrayList<>();
    addresses.stream().filter(x -> !(x instanceof Inet6Address)).forEach(out::add);
    return out;
  }

  /** {@return the AAAA records (dualstack load balancers only)} */
  public List<InetAddress> aaaa() {
    List<InetAddress> out = new ArrayList<>();
    addresses.stream().filter(x -> x instanceof Inet6Address).forEach(out::add);
    return out;
  }

  @Override
  public String toString() {
    return name + " " + zones + " " + addresses + " ttl=" + TTL.getSeconds() + "s";
  }
}
