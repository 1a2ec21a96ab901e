package io.nlb.metrics;

import java.util.concurrent.atomic.AtomicLong;

/** {@link Gauge#of}: a gauge over one {@link AtomicLong}. Thread-safe. */
final class AtomicGauge implements Gauge {
  private final AtomicLong level;

  AtomicGauge(AtomicLong level) {
    this.level = level;
  }

  @Override
  public void increment() {
    level.incrementAndGet();
  }

  @Override
  public void decrement() {
    level.decrementAndGet();
  }

  @Override
  public void set(long value) {
    level.set(value);
  }
}
