package io.nlb.cluster;

/**
 * One node address of a load balancer as a live cluster member published it: what a DNS server
 * needs to answer for the load balancer's name. A member that runs several zones or addresses
 * appears once per (load balancer, zone, address).
 *
 * <p>Immutable and thread-safe.
 *
 * @param member the publishing member's node name
 * @param loadBalancer the load balancer's name
 * @param dnsName the load balancer's DNS name, as the member computes it
 * @param zone the zone the address serves
 * @param address the node address (an IPv4 or IPv6 literal)
 * @param serving whether the member says this zone may serve (it is in the member's DNS answer:
 *     healthy under the DNS failover rule and not shifted away)
 *
 * @since 0.1
 */
public record LiveNode(String member, String loadBalancer, String dnsName, String zone, String address, boolean serving) {}
