package io.nlb.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a resolver would answer for a load balancer's DNS name: the node addresses of the zones
 * that are healthy in DNS. A zone whose target groups fall below their DNS-failover threshold (by
 * default: no healthy target) is left out, as is the zone of an active zonal shift; when every
 * zone is unhealthy, all are returned.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class DnsRecords {
  private final String name;
  private final List<String> zones;
  private final List<InetAddress> addresses;

  DnsRecords(String name, List<String> zones, List<InetAddress> addresses) {
    this.name = name;
    this.zones = List.copyOf(zones);
    this.addresses = List.copyOf(addresses);
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
    return name + " " + zones + " " + addresses;
  }
}
