package io.nlb.metrics;

/**
 * A handle to one {@link MetricKind#GAUGE gauge} series: a level that the exporter samples, such
 * as flows open now ({@link Metric#ACTIVE_FLOW_COUNT}) or targets healthy now ({@link
 * Metric#HEALTHY_HOST_COUNT}).
 *
 * <p>Obtained once from {@link MetricsRecorder#gauge} at setup time and kept in a field.
 *
 * <p>A gauge is driven one of two ways, never both:
 *
 * <ul>
 *   <li>by {@link #increment()} and {@link #decrement()} from any number of threads, for levels
 *       that follow events (a flow opens, a flow closes);
 *   <li>by {@link #set(long)} from one thread at a time, for levels that a single writer computes
 *       (the control plane setting the healthy-target count after each health change).
 * </ul>
 *
 * Mixing the two on one series gives an unspecified value, because implementations may use a
 * striped adder for the first use.
 *
 * <p><b>Contract for implementations.</b> All methods are thread-safe, must not block, lock, log,
 * allocate or box, and never throw.
 *
 * <pre>{@code
 * activeFlows.increment();   // client connection accepted
 * activeFlows.decrement();   // both connections of the flow closed
 * }</pre>
 *
 * @since 0.1
 */
public interface Gauge {
  /** Raises the level by one. */
  void increment();

  /** Lowers the level by one. */
  void decrement();

  /**
   * Replaces the level with {@code value}.
   *
   * @param value the value
   */
  void set(long value);

  /**
   * A gauge whose level is {@code level}, for a recorder that reads the level itself (an
   * in-memory table, a registry that polls it).
   *
   * @param level the level the gauge moves; the caller reads it
   * @return a new handle over {@code level}
   */
  static Gauge of(java.util.concurrent.atomic.AtomicLong level) {
    return new AtomicGauge(level);
  }

  /** {@return a gauge that does nothing; a singleton, safe as a field's initial value} */
  static Gauge noop() {
    return NoopMetricsRecorder.NoopGauge.INSTANCE;
  }
}
