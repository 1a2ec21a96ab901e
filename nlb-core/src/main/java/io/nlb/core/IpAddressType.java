package io.nlb.core;

import java.util.Locale;

/**
 * The address family clients (for a load balancer) or targets (for a target group) use.
 *
 * <p>A load balancer is {@link #IPV4} or {@link #DUALSTACK}; a target group is {@link #IPV4} or
 * {@link #IPV6}. Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum IpAddressType {
  /** IPv4 only. */
  IPV4("ipv4"),
  /** IPv4 and IPv6 clients (load balancers only); admits TCP and TLS listeners only. */
  DUALSTACK("dualstack"),
  /** IPv6 targets (target groups only; {@code ip} targets behind a dualstack load balancer). */
  IPV6("ipv6");

  private final String apiName;

  IpAddressType(String apiName) {
    this.apiName = apiName;
  }

  /** {@return the API spelling: {@code ipv4}, {@code dualstack} or {@code ipv6}} */
  public String apiName() {
    return apiName;
  }

  /**
   * Parses the API spelling, case-insensitively.
   *
   * @param field the name of the value, for the error message
   * @param value the value
   * @return the {@code IpAddressType}
   */
  public static IpAddressType parse(String field, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (IpAddressType t : values()) {
      if (t.apiName.equals(v)) {
        return t;
      }
    }
    throw Check.invalid(field, value, "ipv4, dualstack or ipv6");
  }

  @Override
  public String toString() {
    return apiName;
  }
}
