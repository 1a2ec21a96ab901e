package io.nlb.metrics;

import io.nlb.common.Problems;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MetricsRecorder} that keeps every series in memory and lets tests read it back: the
 * reference implementation of the SPI.
 *
 * <p>Each series gets one cell, created on first resolution and returned again for the same
 * {@code (Metric, Dimensions)}: a {@link LongAdder} for counters (many event loops add to the same
 * series without contending on one word) and an {@link AtomicLong} for gauges (so {@link
 * Gauge#set} is exact). Recording through a handle allocates nothing.
 *
 * <p>Thread-safe: handles may be resolved, recorded into and read from any threads at once. A value
 * read while other threads record is a value the series had at some moment during the read; a
 * {@link #snapshot()} is not atomic across series.
 *
 * <pre>{@code
 * InMemoryMetricsRecorder recorder = InMemoryMetricsRecorder.create();
 * Dimensions zone = Dimensions.of("net/my-load-balancer/50dc6c495c0c9188", "us-east-2a", null);
 * recorder.counter(Metric.NEW_FLOW_COUNT, zone).increment();
 * assertThat(recorder.value(Metric.NEW_FLOW_COUNT, zone)).isEqualTo(1);
 * }</pre>
 *
 * @since 0.1
 */
public final class InMemoryMetricsRecorder implements MetricsRecorder {
  private final ConcurrentHashMap<Series, CounterCell> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Series, AtomicLong> gauges = new ConcurrentHashMap<>();

  private InMemoryMetricsRecorder() {}

  /** {@return a new recorder with no series} */
  public static InMemoryMetricsRecorder create() {
    return new InMemoryMetricsRecorder();
  }

  @Override
  public Counter counter(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkCounter(metric, dimensions);
    return counters.computeIfAbsent(new Series(metric, dimensions), s -> new CounterCell());
  }

  @Override
  public Gauge gauge(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkGauge(metric, dimensions);
    return Gauge.of(gauges.computeIfAbsent(new Series(metric, dimensions), s -> new AtomicLong()));
  }

  /**
   * {@return the current value of a series: a counter's total or a gauge's level; {@code 0} if no handle was
   * ever resolved for it}
   *
   * @param metric the metric
   * @param dimensions the series' dimensions
   * @throws IllegalArgumentException if {@code metric} is {@link MetricKind#DERIVED} or not
   *     published under the dimension set of {@code dimensions}: such a series can never have a
   *     value
   */
  public long value(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkDimensions(metric, dimensions);
    Series series = new Series(metric, dimensions);
    switch (metric.kind()) {
      case COUNTER:
        @Nullable CounterCell counter = counters.get(series);
        return counter == null ? 0 : counter.sum.sum();
      case GAUGE:
        @Nullable AtomicLong gauge = gauges.get(series);
        return gauge == null ? 0 : gauge.get();
      case DERIVED:
        break;
    }
    throw Problems.invalid(
        "metric",
        Problems.raw(metric.metricName()),
        "a metric of kind COUNTER or GAUGE, got " + metric.kind());
  }

  /**
   * {@return the value of every series that has a handle, ordered by metric, then by dimensions' string
   * form} Not atomic across series.
   */
  public List<Sample> snapshot() {
    List<Sample> samples = new ArrayList<>(counters.size() + gauges.size());
    for (Map.Entry<Series, CounterCell> e : counters.entrySet()) {
      samples.add(new Sample(e.getKey().metric, e.getKey().dimensions, e.getValue().sum.sum()));
    }
    for (Map.Entry<Series, AtomicLong> e : gauges.entrySet()) {
      samples.add(new Sample(e.getKey().metric, e.getKey().dimensions, e.getValue().get()));
    }
    samples.sort(
        Comparator.comparing(Sample::metric).thenComparing(s -> s.dimensions().toString()));
    return List.copyOf(samples);
  }

  @Override
  public String toString() {
    return "InMemoryMetricsRecorder" + snapshot();
  }

  /**
   * The value of one series at the time of a {@link #snapshot()}.
   *
   * @param metric the metric
   * @param dimensions the series' dimensions
   * @param value a counter's total or a gauge's level
   */
  public record Sample(Metric metric, Dimensions dimensions, long value) {}

  private record Series(Metric metric, Dimensions dimensions) {}

  private static final class CounterCell implements Counter {
    final LongAdder sum = new LongAdder();

    @Override
    public void increment() {
      sum.increment();
    }

    @Override
    public void add(long amount) {
      MetricsRecorders.checkAmount(amount);
      sum.add(amount);
    }
  }
}
