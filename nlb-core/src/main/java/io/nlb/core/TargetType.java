package io.nlb.core;

import io.nlb.common.WireNames;
import java.util.Locale;

/**
 * How the targets of a target group are named. Fixed when the group is created.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum TargetType {
  /** Targets named by instance id ({@code i-0123456789abcdef0}), resolved to an address by the
   * application's {@link InstanceResolver}. */
  INSTANCE,
  /** Targets named by IP address. */
  IP,
  /** A single target that is itself a load balancer whose addresses change ({@link AlbEndpoint}). */
  ALB;

  private final String apiName = WireNames.lowerHyphen(name());

  /** {@return the name the elbv2 API uses: {@code instance}, {@code ip} or {@code alb}} */
  public String apiName() {
    return apiName;
  }

  /**
   * Parses {@code instance}, {@code ip} or {@code alb}, case-insensitively.
   *
   * @param field the name of the value, for the error message
   * @param value the value
   * @return the {@code TargetType}
   */
  public static TargetType parse(String field, String value) {
    return WireNames.lookup(values(), value.trim().toLowerCase(Locale.ROOT), TargetType::apiName)
        .orElseThrow(() -> Check.invalid(field, value, "instance, ip or alb"));
  }

  @Override
  public String toString() {
    return apiName;
  }
}
