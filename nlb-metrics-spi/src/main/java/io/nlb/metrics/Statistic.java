package io.nlb.metrics;

import io.nlb.common.WireNames;

/**
 * A CloudWatch statistic: how the data points of one period are aggregated.
 *
 * <p>{@link Metric#statistics()} lists the ones the user guide calls useful for each metric. As
 * the guide explains, {@code Minimum} and {@code Maximum} range over the values reported by the
 * individual load balancer nodes; {@code Sum} makes sense only for values that add up across nodes;
 * {@code SampleCount} counts data points, not things, and is rarely useful.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Statistic {
  /** The number of data points in the period. */
  SAMPLE_COUNT,
  /** The mean of the data points in the period. */
  AVERAGE,
  /** The total of the data points in the period. */
  SUM,
  /** The lowest data point in the period. */
  MINIMUM,
  /** The highest data point in the period. */
  MAXIMUM;

  /** The constant's name in PascalCase, as CloudWatch spells it. */
  private final String cloudWatchName = WireNames.pascalCase(name());

  /** {@return the statistic as CloudWatch spells it, e.g. {@code "SampleCount"}} */
  public String cloudWatchName() {
    return cloudWatchName;
  }

  /** Bit of this statistic in a mask of statistics (by declaration order). */
  int bit() {
    return 1 << ordinal();
  }
}
