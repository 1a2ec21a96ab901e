package io.nlb.metrics.store;

import io.nlb.common.Problems;
import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimension;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricKind;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.metrics.MetricsRecorders;
import io.nlb.metrics.ReportingCriterion;
import io.nlb.metrics.Statistic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The default in-process statistics store: a {@link MetricsRecorder} that keeps, per series and per
 * fixed period, the statistics {@code Sum}, {@code Average}, {@code Minimum}, {@code Maximum} and
 * {@code SampleCount}, and answers queries shaped like CloudWatch's {@code GetMetricStatistics}.
 *
 * <h2>Samples</h2>
 *
 * <p>What a "sample" is depends on the metric's {@link MetricKind}:
 *
 * <table>
 *   <caption>Samples and statistics per kind</caption>
 *   <tr><th>kind</th><th>a sample is</th><th>Sum</th><th>SampleCount</th>
 *       <th>Minimum / Maximum</th><th>Average</th></tr>
 *   <tr><td>{@link MetricKind#COUNTER counter}</td>
 *       <td>one recording call: {@code add(n)} is a sample of value n, {@code increment()} of 1</td>
 *       <td>the total added in the period</td><td>recording calls</td>
 *       <td>smallest / largest single amount</td><td>Sum ÷ SampleCount</td></tr>
 *   <tr><td>{@link MetricKind#GAUGE gauge}</td>
 *       <td>the level after every change, plus the level at the start of the period</td>
 *       <td>sum of the samples (rarely meaningful)</td><td>changes + 1</td>
 *       <td>exact lowest / highest level held during the period</td>
 *       <td>mean of the samples: weighted by change, not by time</td></tr>
 *   <tr><td>{@link MetricKind#DERIVED derived}</td>
 *       <td>one value per store period (see below)</td><td>sum of the values</td>
 *       <td>store periods</td><td>lowest / highest value</td><td>mean value</td></tr>
 * </table>
 *
 * <p>A counter period without recordings has all statistics 0 (SampleCount 0). A gauge period
 * always has at least one sample, the level it started with.
 *
 * <h2>Reporting criteria</h2>
 *
 * <ul>
 *   <li>{@link ReportingCriterion#ALWAYS}: a data point for every period, zero included, from the
 *       period in which the series' handle was first resolved. Unlike the managed service, which
 *       sends nothing while no traffic flows, the store reports idle periods as zeros.
 *   <li>{@link ReportingCriterion#NONZERO}: a data point only for periods with nonzero activity: a
 *       counter's Sum is not 0, a gauge's Minimum or Maximum is not 0, a derived value is not 0.
 *       Periods without one contribute nothing to a re-aggregated query period.
 *   <li>{@link ReportingCriterion#HEALTH_CHECKS_ENABLED}: treated as {@code ALWAYS}. The store
 *       cannot see health check settings; the control plane resolves {@code HealthyHostCount}
 *       handles only for target groups that have health checks enabled.
 * </ul>
 *
 * <h2>Zone roll-up</h2>
 *
 * <p>By the SPI's convention (see {@link MetricsRecorder}) the data plane records per-flow metrics
 * under {@code {AvailabilityZone, LoadBalancer}} and host counts under {@code {AvailabilityZone,
 * LoadBalancer, TargetGroup}}. Resolving such a handle also creates the series without the zone,
 * which sums the zones, so a query with {@code Dimensions.of(lb)} works. For counters the roll-up
 * pools the zones' samples (Sum and SampleCount add up, Minimum/Maximum range over all zones'
 * amounts). For gauges each zone change also moves the roll-up's level, so its statistics are
 * those of the total level (e.g. the Maximum of {@code ActiveFlowCount} for the load balancer is
 * the highest total of flows open at once). A handle resolved directly under the roll-up's
 * dimensions records into the same series.
 *
 * <h2>Derived metrics</h2>
 *
 * <ul>
 *   <li>{@code PeakPacketsPerSecond}: each period is cut into 10-second windows (the whole period
 *       if it is not a multiple of 10 s); a window's rate is its {@code ProcessedPackets} ÷ 10; the
 *       period's value is the highest window rate. A window ends when {@link #tick()} (or a query,
 *       or a resolution) first runs after it; if several windows passed since, their packets are
 *       averaged over all of them, which under-states the peak. Call {@link #tick()} at least
 *       every 10 seconds for exact windows.
 *   <li>{@code ConsumedLCUs_TCP}, {@code _TLS}, {@code _UDP}: per period, {@link LcuRates#lcus}
 *       from the {@code {LoadBalancer}} series of the protocol's {@code NewFlowCount} (Sum), {@code
 *       ActiveFlowCount} (Maximum) and {@code ProcessedBytes} (Sum), with the published per-protocol
 *       constants. {@code ConsumedLCUs} is the sum of the three; if the data plane recorded no
 *       protocol variant, it is computed from the totals with the TCP constants. An estimate: see
 *       {@link LcuRates}.
 * </ul>
 *
 * <h2>Periods, roll-over and threads</h2>
 *
 * <p>Recording never reads the clock and never takes a lock: a counter handle adds to two {@link
 * java.util.concurrent.atomic.LongAdder}s and checks two read-mostly extremes; a gauge handle
 * updates an {@link java.util.concurrent.atomic.AtomicLong} level (and its zone roll-up's) and the
 * same sample cells. Handles allocate nothing. Periods are closed by a <em>roll-over</em> that moves
 * what the handles accumulated into a fixed ring of per-period records; it runs under the store's
 * lock, lazily, whenever the owner calls {@link #tick()}, a query runs, or a handle is resolved.
 * Activity is attributed to the period that was open when the previous roll-over ran, so the owner
 * should call {@link #tick()} from a scheduler shortly after every boundary, e.g. every second or
 * every 10 seconds (calls between boundaries cost a clock read). A recording that races with a
 * roll-over lands in one of the two adjacent periods.
 *
 * <p>Only complete periods are reported: the period containing "now" appears once it has ended.
 * Periods older than the retention are dropped; memory is fixed per series (about 48 bytes per
 * retained period), and series are created only by handle resolution, at setup time.
 *
 * <p>All methods are thread-safe. {@link #counter}, {@link #gauge}, {@link #tick()} and {@link
 * #statistics} serialize on one lock, which recording handles never take.
 *
 * <h2>Why no provider</h2>
 *
 * <p>The store registers no {@link io.nlb.metrics.MetricsRecorderProvider}: whoever creates it must
 * keep a reference to query it and to call {@link #tick()}, and usually configures it, which
 * discovery through {@link java.util.ServiceLoader} cannot do. Hand it to the runtime's builder.
 *
 * <pre>{@code
 * MetricStore store = MetricStore.builder().period(Duration.ofMinutes(1)).build();
 * scheduler.scheduleAtFixedRate(store::tick, 1, 1, TimeUnit.SECONDS);
 * // ... give `store` to the runtime as its MetricsRecorder; the data plane records into it ...
 *
 * Dimensions lb = Dimensions.of("net/my-load-balancer/50dc6c495c0c9188");
 * Instant now = Instant.now();
 * List<Datapoint> points = store.statistics(Metric.ACTIVE_FLOW_COUNT, lb,
 *     now.minus(Duration.ofHours(1)), now, Duration.ofMinutes(5),
 *     EnumSet.of(Statistic.AVERAGE, Statistic.MAXIMUM));
 * }</pre>
 *
 * @since 0.1
 */
public final class MetricStore implements MetricsRecorder {
  private static final long WINDOW_MILLIS = 10_000;
  private final Duration period;
  private final long periodMillis;
  private final long windowMillis;
  private final long windowsPerPeriod;
  private final int retentionPeriods;
  private final Clock clock;

  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<Key, Series> series = new HashMap<>();
  // Zone series are rolled before the others: they merge into their roll-up.
  private final List<Series> zoneSeries = new ArrayList<>();
  private final List<Series> otherSeries = new ArrayList<>();
  private long openWindow;

  MetricStore(Duration period, int retentionPeriods, Clock clock) {
    this.period = period;
    this.periodMillis = period.toMillis();
    this.windowMillis = periodMillis % WINDOW_MILLIS == 0 ? WINDOW_MILLIS : periodMillis;
    this.windowsPerPeriod = periodMillis / windowMillis;
    this.retentionPeriods = retentionPeriods;
    this.clock = clock;
    this.openWindow = Math.floorDiv(clock.millis(), windowMillis);
  }

  /**
   * A builder with the defaults: 60-second periods, 3 hours of retention, the system clock.
   *
   * @return a new builder
   */
  public static MetricStoreBuilder builder() {
    return new MetricStoreBuilder();
  }

  /** {@return a store with the defaults of {@link #builder()}} */
  public static MetricStore create() {
    return builder().build();
  }

  /** {@return the store's period, the resolution of its statistics} */
  public Duration period() {
    return period;
  }

  /** {@return how many closed periods are kept} */
  public int retentionPeriods() {
    return retentionPeriods;
  }

  @Override
  public Counter counter(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkCounter(metric, dimensions);
    return ((CounterSeries) resolveNow(metric, dimensions)).cell;
  }

  @Override
  public Gauge gauge(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkGauge(metric, dimensions);
    return ((GaugeSeries) resolveNow(metric, dimensions)).cell;
  }

  /** The series of a recorded metric, made if it is new, after rolling to the clock's time. */
  private Series resolveNow(Metric metric, Dimensions dimensions) {
    synchronized (lock) {
      rollTo(clock.millis());
      return resolve(metric, dimensions);
    }
  }

  /**
   * Closes the periods (and packet-rate windows) that have ended by the clock's current time. Call
   * from a scheduler, at least every 10 seconds; cheap when no boundary has passed. Never call
   * from an event loop: it takes the store's lock and walks every series.
   */
  public void tick() {
    synchronized (lock) {
      rollTo(clock.millis());
    }
  }

  /**
   * The live value of a recorded series, read now: a counter's total since the series was created,
   * a gauge's current level. Nothing waits for a period to end and no {@link #tick()} is needed,
   * so a test or a small application reads a metric in one call:
   *
   * <pre>{@code
   * long flows = store.value(Metric.NEW_FLOW_COUNT, Dimensions.of(lb.resourceId()));
   * long open = store.value(Metric.ACTIVE_FLOW_COUNT, Dimensions.of(lb.resourceId(), "zone-a", null));
   * }</pre>
   *
   * <p>A {@code {LoadBalancer}} series is the roll-up over its zones: the sum of every zone's
   * counter total, or the total level of a gauge. Use {@link #statistics} for values per period.
   * The read takes the store's lock; a value read while other threads record is one the series
   * had at some moment during the call.
   *
   * @param metric a {@link MetricKind#COUNTER counter} or {@link MetricKind#GAUGE gauge}
   * @param dimensions a dimension set the metric is published under
   * @return the counter's total or the gauge's level; {@code 0} if no handle was ever resolved
   *     for the series (nothing was recorded)
   * @throws IllegalArgumentException if {@code metric} is {@link MetricKind#DERIVED} (it has a
   *     value per period only) or is not published under {@code dimensions}
   */
  public long value(Metric metric, Dimensions dimensions) {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(dimensions, "dimensions");
    if (metric.kind() == MetricKind.DERIVED) {
      throw Problems.invalid("metric", Problems.raw(metric.metricName()),
          "a COUNTER or GAUGE metric; " + metric.metricName() + " is derived per period: use statistics(...)");
    }
    if (!metric.isPublishedUnder(dimensions)) {
      throw Problems.invalid("dimensions", Problems.raw(format(dimensions.dimensionSet())),
          "one of " + format(metric.dimensionSets()) + " for " + metric.metricName());
    }
    synchronized (lock) {
      Series s = series.get(new Key(metric, dimensions));
      if (s == null) {
        return 0;
      }
      if (s instanceof GaugeSeries g) {
        return g.cell.level.get(); // a roll-up's level moves with its zones'
      }
      CounterSeries c = (CounterSeries) s;
      long total = c.cell.sum.sum();
      for (Series z : zoneSeries) {
        if (z instanceof CounterSeries zc && zc.rollsUpInto(c)) {
          total += zc.cell.sum.sum();
        }
      }
      return total;
    }
  }

  /**
   * The statistics of one series over {@code [start, end)}, in data points of {@code period},
   * like CloudWatch's {@code GetMetricStatistics}.
   *
   * <p>Only store periods that lie entirely inside {@code [start, end)}, have ended, and are still
   * retained are used. Query periods are aligned on the first store period boundary at or after
   * {@code start}; a data point's timestamp is the start of its query period, and it aggregates the
   * store periods in it that are reported under the metric's {@link ReportingCriterion} (Sum and
   * SampleCount add up, Minimum/Maximum are the extremes, Average is Sum ÷ SampleCount, or the mean
   * value for derived metrics). Query periods with nothing reported are omitted.
   *
   * @param metric any metric, recorded or derived
   * @param dimensions a dimension set the metric is published under; {@code {LoadBalancer}} series
   *     are the roll-up over zones
   * @param start inclusive
   * @param end exclusive; after {@code start}
   * @param period a positive multiple of the store's {@link #period()}
   * @param statistics at least one
   * @return data points in timestamp order, each with the requested statistics and the metric's
   *     unit; empty if the series was never resolved
   * @throws IllegalArgumentException naming the first bad argument, e.g. {@code "period: PT45S
   *     (expected: a multiple of PT1M)"}
   */
  public List<Datapoint> statistics(Metric metric, Dimensions dimensions, Instant start, Instant end, Duration period,
      Set<Statistic> statistics) {
    Objects.requireNonNull(metric, "metric");
    checkQuery(metric, dimensions, start, end, period, statistics);
    long perQuery = period.toMillis() / periodMillis;
    boolean nonzeroOnly = metric.reportingCriterion() == ReportingCriterion.NONZERO;
    List<Datapoint> result = new ArrayList<>();
    synchronized (lock) {
      rollTo(clock.millis());
      long openPeriod = Math.floorDiv(openWindow, windowsPerPeriod);
      long first = -Math.floorDiv(-start.toEpochMilli(), periodMillis);
      long last = Math.min(Math.floorDiv(end.toEpochMilli(), periodMillis), openPeriod) - 1;
      long from = Math.max(first, openPeriod - retentionPeriods);
      Point point = new Point();
      Point bucket = new Point();
      long bucketIndex = Long.MIN_VALUE;
      for (long p = from; p <= last; p++) {
        point.reset();
        if (!read(metric, dimensions, p, point) || (nonzeroOnly && !point.nonzero)) {
          continue;
        }
        long index = (p - first) / perQuery;
        if (index != bucketIndex) {
          if (bucket.present) {
            result.add(bucket.toDatapoint(metric, start(first, bucketIndex, perQuery), statistics));
          }
          bucket.reset();
          bucketIndex = index;
        }
        bucket.merge(point);
      }
      if (bucket.present) {
        result.add(bucket.toDatapoint(metric, start(first, bucketIndex, perQuery), statistics));
      }
    }
    return result;
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "MetricStore{period=" + period + ", retentionPeriods=" + retentionPeriods
          + ", series=" + series.size() + "}";
    }
  }

  private Instant start(long firstPeriod, long bucketIndex, long perQuery) {
    return Instant.ofEpochMilli((firstPeriod + bucketIndex * perQuery) * periodMillis);
  }

  private void checkQuery(Metric metric, Dimensions dimensions, Instant start, Instant end, Duration period,
      Set<Statistic> statistics) {
    Objects.requireNonNull(dimensions, "dimensions");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(statistics, "statistics");
    if (!metric.isPublishedUnder(dimensions)) {
      throw Problems.invalid(
          "dimensions",
          Problems.raw(format(dimensions.dimensionSet())),
          "one of " + format(metric.dimensionSets()) + " for " + metric.metricName());
    }
    if (!end.isAfter(start)) {
      throw Problems.invalid("end", end, "after start " + start);
    }
    if (period.isNegative()
        || period.isZero()
        || period.getNano() % 1_000_000 != 0
        || period.toMillis() % periodMillis != 0) {
      throw Problems.invalid("period", period, "a multiple of " + this.period);
    }
    if (statistics.isEmpty()) {
      throw Problems.invalid("statistics", statistics, "at least one statistic");
    }
  }

  private static String format(Set<Dimension> set) {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    for (Dimension d : set) {
      joiner.add(d.cloudWatchName());
    }
    return joiner.toString();
  }

  private static String format(List<Set<Dimension>> sets) {
    StringJoiner joiner = new StringJoiner(", ", "[", "]");
    for (Set<Dimension> set : sets) {
      joiner.add(format(set));
    }
    return joiner.toString();
  }

  // ---- roll-over (holding lock) ----

  private void rollTo(long nowMillis) {
    long window = Math.floorDiv(nowMillis, windowMillis);
    if (window <= openWindow) {
      return; // no boundary passed (or the clock went back: keep the open period)
    }
    long windows = window - openWindow;
    long from = Math.floorDiv(openWindow, windowsPerPeriod);
    long to = Math.floorDiv(window, windowsPerPeriod);
    double windowSeconds = windowMillis / 1000.0;
    for (Series s : zoneSeries) {
      s.harvest(from, windows, windowSeconds);
    }
    for (Series s : otherSeries) {
      s.harvest(from, windows, windowSeconds);
    }
    if (to > from) {
      for (Series s : zoneSeries) {
        s.close(from, to);
      }
      for (Series s : otherSeries) {
        s.close(from, to);
      }
    }
    openWindow = window;
  }

  private Series resolve(Metric metric, Dimensions dimensions) {
    Key key = new Key(metric, dimensions);
    Series existing = series.get(key);
    if (existing != null) {
      return existing;
    }
    Dimensions up = Series.rollUpOf(metric, dimensions);
    Series parent = up == null ? null : resolve(metric, up);
    long openPeriod = Math.floorDiv(openWindow, windowsPerPeriod);
    int capacity = retentionPeriods + 1;
    Series created =
        metric.kind() == MetricKind.COUNTER
            ? new CounterSeries(metric, dimensions, openPeriod, capacity, (CounterSeries) parent)
            : new GaugeSeries(metric, dimensions, openPeriod, capacity, (GaugeSeries) parent);
    series.put(key, created);
    (dimensions.availabilityZone() != null ? zoneSeries : otherSeries).add(created);
    return created;
  }

  // ---- reading (holding lock) ----

  /** Reads store period {@code p} of a series into {@code out}; false if it has no record. */
  private boolean read(Metric metric, Dimensions dimensions, long p, Point out) {
    switch (metric.kind()) {
      case COUNTER:
      case GAUGE:
        return readRecorded(metric, dimensions, p, out);
      case DERIVED:
        double value = DerivedMetrics.value(this, metric, dimensions, p);
        if (Double.isNaN(value)) {
          return false;
        }
        out.set(value, 1, value, value, value != 0);
        return true;
    }
    throw new AssertionError(metric.kind());
  }

  private boolean readRecorded(Metric metric, Dimensions dimensions, long p, Point out) {
    Series s = recorded(metric, dimensions, p);
    if (s == null) {
      return false;
    }
    int i = s.slot(p);
    boolean nonzero = s.nonzero(i);
    if (s.count[i] == 0) {
      out.set(0, 0, 0, 0, nonzero);
    } else {
      out.set(s.sum[i], s.count[i], s.min[i], s.max[i], nonzero);
    }
    return true;
  }

  /** The series if it has a record of period {@code p}, else null. */
  @Nullable Series recorded(Metric metric, Dimensions dimensions, long p) {
    Series s = series.get(new Key(metric, dimensions));
    if (s == null || p < s.createdPeriod || s.slot(p) < 0) {
      return null;
    }
    return s;
  }

  /** Whether the store has a series of {@code metric} under {@code dimensions}. */
  boolean hasSeries(Metric metric, Dimensions dimensions) {
    return series.containsKey(new Key(metric, dimensions));
  }

  private record Key(Metric metric, Dimensions dimensions) {}
}
