package io.nlb.metrics;

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
  SAMPLE_COUNT("SampleCount", 1),
  /** The mean of the data points in the period. */
  AVERAGE("Average", 2),
  /** The total of the data points in the period. */
  SUM("Sum", 4),
  /** The lowest data point in the period. */
  MINIMUM("Minimum", 8),
  /** The highest data point in the period. */
  MAXIMUM("Maximum", 16);

  private final String cloudWatchName;
  private final int bit;

  Statistic(String cloudWatchName, int bit) {
    this.cloudWatchName = cloudWatchName;
    this.bit = bit;
  }

  /** {@return the statistic as CloudWatch spells it, e.g. {@code "SampleCount"}} */
  public String cloudWatchName() {
    return cloudWatchName;
  }

  /** Bit of this statistic in a mask of statistics. */
  int bit() {
    return bit;
  }
}
