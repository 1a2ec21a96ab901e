package io.nlb.metrics;

/**
 * The recorder used when no provider is installed. It still validates arguments, so a wrong
 * dimension set fails at setup even in a deployment that records nothing.
 */
enum NoopMetricsRecorder implements MetricsRecorder {
  INSTANCE;

  @Override
  public Counter counter(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkCounter(metric, dimensions);
    return NoopCounter.INSTANCE;
  }

  @Override
  public Gauge gauge(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkGauge(metric, dimensions);
    return NoopGauge.INSTANCE;
  }

  @Override
  public String toString() {
    return "MetricsRecorder.noop()";
  }

  enum NoopCounter implements Counter {
    INSTANCE;

    @Override
    public void increment() {}

    @Override
    public void add(long amount) {}
  }

  enum NoopGauge implements Gauge {
    INSTANCE;

    @Override
    public void increment() {}

    @Override
    public void decrement() {}

    @Override
    public void set(long value) {}
  }
}
