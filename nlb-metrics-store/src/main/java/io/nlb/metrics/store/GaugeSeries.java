package io.nlb.metrics.store;

import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A gauge series. A sample is the level after every change ({@code increment}, {@code decrement},
 * {@code set}), plus the level at the start of each period (so every period has at least one
 * sample, and a period with no change reports the level it held). Minimum/Maximum are thus the
 * exact range of levels held during the period; Average is the mean of the samples (weighted by
 * change, not by time); SampleCount is changes + 1.
 *
 * <p>The zone roll-up is propagated on the hot path: each change of a zone gauge also changes the
 * parent's level by the same delta, so the parent's extremes are those of the sum of the zones, as
 * the SPI's convention requires ("the {@code {LoadBalancer}} series is the sum of the zones").
 */
final class GaugeSeries extends Series {
  final Cell cell;
  private long harvestedSum;
  private long harvestedCount;

  GaugeSeries(
      Metric metric,
      Dimensions dimensions,
      long createdPeriod,
      int capacity,
      @Nullable GaugeSeries parent) {
    super(metric, dimensions, createdPeriod, capacity);
    this.cell = new Cell(parent == null ? null : parent.cell);
    open(createdPeriod, 0);
  }

  @Override
  void initRecord(int slot, long level) {
    sum[slot] = level;
    count[slot] = 1;
    min[slot] = level;
    max[slot] = level;
    peak[slot] = 0;
  }

  @Override
  void harvest(long period, long windows, double windowSeconds) {
    long s = cell.sampleSum.sum();
    long c = cell.sampleCount.sum();
    int i = slot(period);
    sum[i] += s - harvestedSum;
    count[i] += c - harvestedCount;
    harvestedSum = s;
    harvestedCount = c;
  }

  @Override
  void close(long from, long to) {
    int i = slot(from);
    long level = cell.level.get();
    min[i] = Math.min(min[i], cell.min.getAndSet(level));
    max[i] = Math.max(max[i], cell.max.getAndSet(level));
    openRange(from, to, level);
  }

  @Override
  boolean nonzero(int slot) {
    return min[slot] != 0 || max[slot] != 0;
  }

  /** The recording handle: the level, the samples' running sum and count, and the extremes. */
  static final class Cell implements Gauge {
    final AtomicLong level = new AtomicLong();
    final LongAdder sampleSum = new LongAdder();
    final LongAdder sampleCount = new LongAdder();
    final AtomicLong min = new AtomicLong();
    final AtomicLong max = new AtomicLong();
    private final @Nullable Cell parent;

    Cell(@Nullable Cell parent) {
      this.parent = parent;
    }

    @Override
    public void increment() {
      sample(level.incrementAndGet());
      if (parent != null) {
        parent.increment();
      }
    }

    @Override
    public void decrement() {
      sample(level.decrementAndGet());
      if (parent != null) {
        parent.decrement();
      }
    }

    @Override
    public void set(long value) {
      long previous = level.getAndSet(value);
      sample(value);
      if (parent != null && value != previous) {
        parent.sample(parent.level.addAndGet(value - previous));
      }
    }

    private void sample(long value) {
      sampleSum.add(value);
      sampleCount.increment();
      lowerTo(min, value);
      raiseTo(max, value);
    }
  }
}
