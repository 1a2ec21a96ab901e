package io.nlb.metrics.store;

import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The history of one series ({@link Metric} under {@link Dimensions}): a ring of per-period
 * records in parallel primitive arrays, sized once at creation (retention + the open period), so
 * memory per series is fixed.
 *
 * <p>The ring and the harvest baselines are touched only by the store's roll-over and queries,
 * under the store's lock. Recording handles never touch them: they write their own cells
 * ({@link CounterSeries.Cell}, {@link GaugeSeries.Cell}), which the roll-over harvests.
 */
abstract class Series {
  final Metric metric;
  final Dimensions dimensions;
  /** The period in which the series was first resolved; no data point precedes it. */
  final long createdPeriod;

  private final long[] stamp;
  final long[] sum;
  final long[] count;
  final long[] min;
  final long[] max;
  /** Highest packet rate over the period's windows; used for ProcessedPackets only. */
  final double[] peak;

  Series(Metric metric, Dimensions dimensions, long createdPeriod, int capacity) {
    this.metric = metric;
    this.dimensions = dimensions;
    this.createdPeriod = createdPeriod;
    this.stamp = new long[capacity];
    Arrays.fill(stamp, Long.MIN_VALUE);
    this.sum = new long[capacity];
    this.count = new long[capacity];
    this.min = new long[capacity];
    this.max = new long[capacity];
    this.peak = new double[capacity];
  }

  /** The ring slot of {@code period}, or -1 if that period is not (or no longer) retained. */
  final int slot(long period) {
    int i = (int) Math.floorMod(period, (long) stamp.length);
    return stamp[i] == period ? i : -1;
  }

  /** Claims the slot of {@code period}, dropping the period {@code capacity} earlier. */
  final int open(long period, long level) {
    int i = (int) Math.floorMod(period, (long) stamp.length);
    stamp[i] = period;
    initRecord(i, level);
    return i;
  }

  final int capacity() {
    return stamp.length;
  }

  /** Initialises a freshly opened record; {@code level} is the gauge level at the boundary. */
  abstract void initRecord(int slot, long level);

  /**
   * Moves what the cells accumulated since the previous harvest into the record of {@code period}
   * (the period that was open), and into the parent's record if this series rolls up into one.
   *
   * @param windows how many packet-rate windows elapsed since the previous harvest (at least 1)
   * @param windowSeconds the length of one window in seconds
   */
  abstract void harvest(long period, long windows, double windowSeconds);

  /**
   * Closes {@code from} (merging the cells' period minimum and maximum), and opens every period up
   * to and including {@code to}; periods in between had no harvest and get empty records.
   */
  abstract void close(long from, long to);

  /** Whether the record in {@code slot} has nonzero activity. */
  abstract boolean nonzero(int slot);

  /** Opens {@code from+1 .. to}, at most one ring's worth. */
  final void openRange(long from, long to, long level) {
    long first = Math.max(from + 1, to - capacity() + 1);
    for (long p = first; p <= to; p++) {
      open(p, level);
    }
  }

  static void raiseTo(AtomicLong cell, long value) {
    long current;
    while (value > (current = cell.get()) && !cell.compareAndSet(current, value)) {
      // lost a race with another writer; re-read
    }
  }

  static void lowerTo(AtomicLong cell, long value) {
    long current;
    while (value < (current = cell.get()) && !cell.compareAndSet(current, value)) {
      // lost a race with another writer; re-read
    }
  }

  @Override
  public String toString() {
    return metric.metricName() + dimensions;
  }

  /** The roll-up target of a zone series: the same series without the zone, or none. */
  static @Nullable Dimensions rollUpOf(Metric metric, Dimensions dimensions) {
    if (dimensions.availabilityZone() == null) {
      return null;
    }
    Dimensions parent = dimensions.withoutAvailabilityZone();
    return metric.isPublishedUnder(parent) ? parent : null;
  }
}
