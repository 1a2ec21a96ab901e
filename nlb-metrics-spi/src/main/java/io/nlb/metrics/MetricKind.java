package io.nlb.metrics;

/**
 * How a metric's value comes about, which decides the handle through which it is recorded.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum MetricKind {
  /**
   * Accumulates events (new flows, bytes, errors). Recorded through a {@link Counter}; an exporter
   * reports the increase over each period, so {@code Sum} is the meaningful statistic.
   */
  COUNTER,
  /**
   * A level sampled at report time (flows open now, healthy targets now). Recorded through a
   * {@link Gauge}; {@code Minimum}, {@code Maximum} and {@code Average} are meaningful.
   */
  GAUGE,
  /**
   * Computed by the exporter from other metrics (see {@link Metric#derivedFrom()}), never recorded
   * by the data plane; asking a {@link MetricsRecorder} for a handle to one is an error.
   */
  DERIVED
}
