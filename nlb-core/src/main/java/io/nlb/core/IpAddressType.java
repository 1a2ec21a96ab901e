package io.nlb.core;

import io.nlb.common.WireNames;
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
  IPV4,
  /** IPv4 and IPv6 clients (load balancers only); admits TCP and TLS listeners only. */
  DUALSTACK,
  /** IPv6 targets (target groups only; {@code ip} targets behind a dualstack load balancer). */
  IPV6;

  private final String apiName = WireNames.lowerHyphen(name());

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
    return WireNames.lookup(values(), value.trim().toLowerCase(Locale.ROOT), IpAddressType::apiName)
        .orElseThrow(() -> Check.invalid(field, value, "ipv4, dualstack or ipv6"));
  }

  @Override
  public String toString() {
    return apiName;
  }
}
