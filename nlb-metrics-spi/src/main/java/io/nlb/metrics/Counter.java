package io.nlb.metrics;

/**
 * A handle that accumulates one {@link MetricKind#COUNTER counter} series: one {@link Metric}
 * under one {@link Dimensions}.
 *
 * <p>Obtained once from {@link MetricsRecorder#counter} at setup time and kept in a field; the hot
 * path only calls {@link #increment()} and {@link #add(long)}.
 *
 * <p><b>Contract for implementations.</b> Both methods are called concurrently from many event
 * loop threads, once per event (a new flow, a read of N bytes). They must be thread-safe, must not
 * block, lock, log, allocate or box, and must not throw for valid arguments. A counter never goes
 * down; its exporter reports the increase over each period.
 *
 * <pre>{@code
 * // setup, when the listener is created
 * this.processedBytes = recorder.counter(Metric.PROCESSED_BYTES, zoneDimensions);
 * // hot path, after each read
 * processedBytes.add(buf.readableBytes());
 * }</pre>
 *
 * @since 0.1
 */
public interface Counter {
  /** Adds one. */
  void increment();

  /**
   * Adds {@code amount}, which must not be negative. Implementations may reject a negative amount
   * with {@link IllegalArgumentException} or ignore it; either way it is a caller bug.
   *
   * @param amount the amount, at least 0
   */
  void add(long amount);

  /** {@return a counter that does nothing; a singleton, safe as a field's initial value} */
  static Counter noop() {
    return NoopMetricsRecorder.NoopCounter.INSTANCE;
  }
}
