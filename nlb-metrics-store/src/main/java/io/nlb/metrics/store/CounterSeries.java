package io.nlb.metrics.store;

import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricsRecorders;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A counter series. A sample is one recording call: {@code add(n)} is a sample of value {@code n},
 * {@code increment()} a sample of value 1. Sum is the total added, SampleCount the number of calls,
 * Minimum/Maximum the smallest/largest single amount.
 *
 * <p>The zone roll-up ({@code {LoadBalancer}} from {@code {AvailabilityZone, LoadBalancer}}) is
 * merged at roll-over, not on the hot path: the parent's record receives each child's sums, counts
 * and extremes, which is exact for pooled samples.
 */
final class CounterSeries extends Series {
  final Cell cell = new Cell();
  private final @Nullable CounterSeries parent;
  private long harvestedSum;
  private long harvestedCount;
  /** Packets the zone children harvested into this series in the current window. */
  private long childWindowSum;

  CounterSeries(
      Metric metric,
      Dimensions dimensions,
      long createdPeriod,
      int capacity,
      @Nullable CounterSeries parent) {
    super(metric, dimensions, createdPeriod, capacity);
    this.parent = parent;
    open(createdPeriod, 0);
  }

  @Override
  void initRecord(int slot, long level) {
    sum[slot] = 0;
    count[slot] = 0;
    min[slot] = Long.MAX_VALUE;
    max[slot] = Long.MIN_VALUE;
    peak[slot] = 0;
  }

  @Override
  void harvest(long period, long windows, double windowSeconds) {
    long s = cell.sum.sum();
    long c = cell.count.sum();
    long ds = s - harvestedSum;
    long dc = c - harvestedCount;
    harvestedSum = s;
    harvestedCount = c;
    int i = slot(period);
    sum[i] += ds;
    count[i] += dc;
    if (metric == Metric.PROCESSED_PACKETS) {
      // The window's rate; after missed ticks, the mean rate over the windows that elapsed.
      double rate = (ds + childWindowSum) / (windowSeconds * windows);
      peak[i] = Math.max(peak[i], rate);
      childWindowSum = 0;
    }
    if (parent != null) {
      int p = parent.slot(period);
      parent.sum[p] += ds;
      parent.count[p] += dc;
      parent.childWindowSum += ds;
    }
  }

  @Override
  void close(long from, long to) {
    int i = slot(from);
    min[i] = Math.min(min[i], cell.min.getAndSet(Long.MAX_VALUE));
    max[i] = Math.max(max[i], cell.max.getAndSet(Long.MIN_VALUE));
    if (parent != null) {
      int p = parent.slot(from);
      parent.min[p] = Math.min(parent.min[p], min[i]);
      parent.max[p] = Math.max(parent.max[p], max[i]);
    }
    openRange(from, to, 0);
  }

  /** Whether this series rolls up into {@code other} (a zone series into its {@code {LoadBalancer}} one). */
  boolean rollsUpInto(CounterSeries other) {
    return parent == other;
  }

  @Override
  boolean nonzero(int slot) {
    return sum[slot] != 0;
  }

  /** The recording handle: two striped adders and two read-mostly extremes. */
  static final class Cell implements Counter {
    final LongAdder sum = new LongAdder();
    final LongAdder count = new LongAdder();
    final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong max = new AtomicLong(Long.MIN_VALUE);

    @Override
    public void increment() {
      add(1);
    }

    @Override
    public void add(long amount) {
      MetricsRecorders.checkAmount(amount);
      sum.add(amount);
      count.increment();
      // Read-mostly: once the period's extremes are set, most samples only read them.
      lowerTo(min, amount);
      raiseTo(max, amount);
    }
  }
}
