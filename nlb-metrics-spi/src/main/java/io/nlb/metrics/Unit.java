package io.nlb.metrics;

/**
 * The CloudWatch unit a metric's data points carry, as CloudWatch spells it.
 *
 * <p>The user guide does not list units per metric (its only example shows {@code Count} for
 * {@code UnHealthyHostCount}); the unit of each {@link Metric} is this library's choice among
 * CloudWatch's standard unit names, picked for what the value measures.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Unit {
  /** A number of things: flows, packets, targets, errors. */
  COUNT("Count"),
  /** A number of bytes. */
  BYTES("Bytes"),
  /** A rate: things per second. */
  COUNT_PER_SECOND("Count/Second"),
  /** A dimensionless quantity with no CloudWatch unit, such as load balancer capacity units. */
  NONE("None");

  private final String cloudWatchName;

  Unit(String cloudWatchName) {
    this.cloudWatchName = cloudWatchName;
  }

  /** {@return the unit as CloudWatch spells it, e.g. {@code "Count/Second"}} */
  public String cloudWatchName() {
    return cloudWatchName;
  }
}
