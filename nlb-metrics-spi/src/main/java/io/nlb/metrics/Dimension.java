package io.nlb.metrics;

import io.nlb.common.WireNames;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A CloudWatch dimension name under which load balancer metrics are published.
 *
 * <p>A metric is published under a few fixed <em>sets</em> of dimensions (see {@link
 * Metric#dimensionSets()}); a concrete set with its values is a {@link Dimensions}. Constants are
 * declared in alphabetical order of their CloudWatch names, so an {@link EnumSet} of dimensions
 * iterates in the order the user guide writes them ({@code AvailabilityZone, LoadBalancer,
 * TargetGroup}).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Dimension {
  /** The zone of the load balancer node that handled the traffic, e.g. {@code us-east-2a}. */
  AVAILABILITY_ZONE,
  /** The load balancer, as {@code net/<name>/<16 hex digits>}. */
  LOAD_BALANCER,
  /** The target group, as {@code targetgroup/<name>/<16 hex digits>}. */
  TARGET_GROUP;

  private static final Dimension[] VALUES = values();

  /** The constant's name in PascalCase, as CloudWatch spells it. */
  private final String cloudWatchName = WireNames.pascalCase(name());

  /** {@return the dimension's name as CloudWatch spells it, e.g. {@code "AvailabilityZone"}} */
  public String cloudWatchName() {
    return cloudWatchName;
  }

  /** This dimension's bit in a dimension-set mask (by declaration order); masks range over 0-7. */
  int bit() {
    return 1 << ordinal();
  }

  /** Bit mask of a set of dimensions, a number from 0 to 7. */
  static int mask(Dimension... dimensions) {
    int mask = 0;
    for (Dimension d : dimensions) {
      mask |= d.bit();
    }
    return mask;
  }

  /** The unmodifiable set of dimensions whose bits are set in {@code mask}. */
  static Set<Dimension> setOf(int mask) {
    EnumSet<Dimension> set = EnumSet.noneOf(Dimension.class);
    for (Dimension d : VALUES) {
      if ((mask & d.bit()) != 0) {
        set.add(d);
      }
    }
    return Collections.unmodifiableSet(set);
  }

  /** Renders a mask the way error messages show it: {@code {AvailabilityZone, LoadBalancer}}. */
  static String format(int mask) {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    for (Dimension d : VALUES) {
      if ((mask & d.bit()) != 0) {
        joiner.add(d.cloudWatchName);
      }
    }
    return joiner.toString();
  }
}
