package io.nlb.launcher;

import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricsRecorder;

/**
 * Records into two recorders: the launcher's {@code MetricStore} (the status page) and the
 * Micrometer binding (the Prometheus endpoint). Handles are resolved once per series by the
 * transport and the health checks, so the pair is built once; recording calls both. Thread-safe
 * when both recorders are.
 */
final class TeeRecorder implements MetricsRecorder {
  private final MetricsRecorder first;
  private final MetricsRecorder second;

  TeeRecorder(MetricsRecorder first, MetricsRecorder second) {
    this.first = first;
    this.second = second;
  }

  @Override
  public Counter counter(Metric metric, Dimensions dimensions) {
    Counter a = first.counter(metric, dimensions);
    Counter b = second.counter(metric, dimensions);
    return new Counter() {
      @Override
      public void increment() {
        a.increment();
        b.increment();
      }

      @Override
      public void add(long amount) {
        a.add(amount);
        b.add(amount);
      }
    };
  }

  @Override
  public Gauge gauge(Metric metric, Dimensions dimensions) {
    Gauge a = first.gauge(metric, dimensions);
    Gauge b = second.gauge(metric, dimensions);
    return new Gauge() {
      @Override
      public void increment() {
        a.increment();
        b.increment();
      }

      @Override
      public void decrement() {
        a.decrement();
        b.decrement();
      }

      @Override
      public void set(long value) {
        a.set(value);
        b.set(value);
      }
    };
  }
}
