package io.nlb.metrics;

/**
 * When an exporter publishes a data point for a metric in a period, per the user guide's
 * "reporting criteria".
 *
 * <p>All criteria apply only while traffic flows: like the managed service, an exporter sends
 * nothing for a load balancer that saw no traffic in the period.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum ReportingCriterion {
  /** Published every period, zero included. */
  ALWAYS,
  /** Published only for a period in which the value is not zero. */
  NONZERO,
  /** Published only while the target group's health checks are enabled. */
  HEALTH_CHECKS_ENABLED
}
