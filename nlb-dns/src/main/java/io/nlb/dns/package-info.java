/**
 * An authoritative DNS server for the DNS names of load balancers, built on Netty's DNS codec.
 *
 * <p>{@link io.nlb.dns.DnsServer} answers, over UDP and TCP, for one DNS zone (the {@code Nlb}'s
 * DNS suffix, {@code elb.local} by default):
 *
 * <ul>
 *   <li>{@code <name>-<id>.<suffix>}: the A (and, for a dualstack load balancer, AAAA) records of
 *       the nodes that may serve. A zone leaves the answer when its node is unhealthy under the DNS
 *       failover rule of target group health, when a zonal shift moves traffic away from it, or
 *       when its node is gone; when no node is left that way, every node still present is returned
 *       (fail open). Every record has a TTL of 60 seconds.
 *   <li>{@code <zone>.<name>-<id>.<suffix>}: that zone's node addresses, whatever its health, as
 *       long as its node is present.
 *   <li>The zone apex answers SOA and NS; an unknown name in the zone is NXDOMAIN with the SOA;
 *       a name outside the zone is REFUSED (the server does not recurse).
 * </ul>
 *
 * <p>Where the answers come from is a {@link io.nlb.dns.NodeDirectory}: {@link
 * io.nlb.dns.NodeDirectory#of(io.nlb.core.Nlb)} reads one process's load balancers; a cluster
 * provides one built from what its nodes publish.
 *
 * <pre>{@code
 * try (DnsServer dns = DnsServer.builder(NodeDirectory.of(nlb), "elb.local")
 *     .address(new InetSocketAddress("127.0.0.1", 5353)).build()) {
 *   // dig @127.0.0.1 -p 5353 my-nlb-0123456789abcdef.elb.local A
 * }
 * }</pre>
 */
@NullMarked
package io.nlb.dns;

import org.jspecify.annotations.NullMarked;
