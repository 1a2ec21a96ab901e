package io.nlb.core;

import java.util.Locale;

/**
 * A protocol spoken by a listener or a target group.
 *
 * <p>{@code TCP_UDP} listens for (or forwards) both TCP and UDP on one port. {@code TLS}
 * terminates TLS on the load balancer (for a listener) or re-encrypts to targets (for a target
 * group).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Protocol {
  /** Plain TCP; the load balancer passes bytes through untouched. */
  TCP,
  /** TLS terminated by the load balancer (listener) or re-encrypted to targets (target group). */
  TLS,
  /** UDP datagrams, routed per 5-tuple flow. */
  UDP,
  /** TCP and UDP on the same port. */
  TCP_UDP;

  /** {@return whether this protocol carries TCP connections ({@code TCP}, {@code TLS}, {@code TCP_UDP})} */
  public boolean carriesTcp() {
    return this != UDP;
  }

  /** {@return whether this protocol carries UDP datagrams ({@code UDP}, {@code TCP_UDP})} */
  public boolean carriesUdp() {
    return this == UDP || this == TCP_UDP;
  }

  /**
   * Parses a protocol name as the elbv2 API spells it ({@code "TCP_UDP"}), case-insensitively.
   *
   * @param field the name of the value, for the error message
   * @param value the value
   * @return the {@code Protocol}
   * @throws IllegalArgumentException naming the value and the allowed names
   */
  public static Protocol parse(String field, String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Check.invalid(field, value, "TCP, TLS, UDP or TCP_UDP");
    }
  }
}
