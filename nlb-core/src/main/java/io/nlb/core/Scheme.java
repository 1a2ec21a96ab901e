package io.nlb.core;

import io.nlb.common.WireNames;
import java.util.Locale;

/**
 * Whether a load balancer faces the internet or only an internal network. It changes the default
 * of {@code ipv6.deny_all_igw_traffic}; in-process it is otherwise descriptive.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Scheme {
  /** Reachable from the internet. */
  INTERNET_FACING,
  /** Reachable only from the private network. */
  INTERNAL;

  private final String apiName = WireNames.lowerHyphen(name());

  /** {@return the API spelling: {@code internet-facing} or {@code internal}} */
  public String apiName() {
    return apiName;
  }

  /**
   * Parses the API spelling, case-insensitively.
   *
   * @param field the name of the value, for the error message
   * @param value the value
   * @return the {@code Scheme}
   */
  public static Scheme parse(String field, String value) {
    return WireNames.lookup(values(), value.trim().toLowerCase(Locale.ROOT), Scheme::apiName)
        .orElseThrow(() -> Check.invalid(field, value, "internet-facing or internal"));
  }

  @Override
  public String toString() {
    return apiName;
  }
}
