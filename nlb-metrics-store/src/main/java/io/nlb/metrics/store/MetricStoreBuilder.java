package io.nlb.metrics.store;

import io.nlb.common.Problems;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link MetricStore}; obtained from {@link MetricStore#builder()}.
 *
 * <p>Each setter validates its value ({@link IllegalArgumentException} with the value and what was
 * expected); {@link #build()} checks the combination. Not thread-safe; use from one thread.
 *
 * <pre>{@code
 * MetricStore store = MetricStore.builder()
 *     .period(Duration.ofMinutes(1))     // the default
 *     .retention(Duration.ofHours(3))    // the default: 180 one-minute periods
 *     .build();
 * }</pre>
 *
 * @since 0.1
 */
public final class MetricStoreBuilder {
  /** Longest period accepted: one day. */
  static final Duration MAX_PERIOD = Duration.ofDays(1);
  /** Most periods retained: 100,000 (about 69 days of one-minute periods). */
  static final int MAX_RETENTION_PERIODS = 100_000;

  private Duration period = Duration.ofMinutes(1);
  private @Nullable Duration retention = Duration.ofHours(3);
  private int retentionPeriods;
  private Clock clock = Clock.systemUTC();

  MetricStoreBuilder() {}

  /**
   * The store's period: the resolution of its statistics, and the smallest period a query may
   * ask for. A whole number of seconds, from 1 s to 1 day; default 60 s, as CloudWatch's detailed
   * metrics. PeakPacketsPerSecond uses 10-second windows when the period is a multiple of 10 s,
   * and the whole period otherwise.
   *
   * @param period the store's period: the resolution of its statistics, and the smallest period a query may ask for
   * @return this builder
   */
  public MetricStoreBuilder period(Duration period) {
    Objects.requireNonNull(period, "period");
    if (period.compareTo(Duration.ofSeconds(1)) < 0
        || period.compareTo(MAX_PERIOD) > 0
        || period.getNano() != 0) {
      throw Problems.invalid("period", period, "a whole number of seconds from PT1S to PT24H");
    }
    this.period = period;
    return this;
  }

  /**
   * How long closed periods are kept, rounded up to a whole number of periods (at least one, at
   * most {@value #MAX_RETENTION_PERIODS}); default 3 hours. Memory per series is fixed by it:
   * about 48 bytes per retained period.
   *
   * @param retention how long closed periods are kept, rounded up to a whole number of periods (at least one, at most {@value #MAX_RETENTION_PERIODS}); default 3 hours
   * @return this builder
   */
  public MetricStoreBuilder retention(Duration retention) {
    Objects.requireNonNull(retention, "retention");
    if (retention.isNegative() || retention.isZero()) {
      throw Problems.invalid("retention", retention, "a positive duration");
    }
    this.retention = retention;
    return this;
  }

  /**
   * As {@link #retention(Duration)}, as a number of periods: 1 to {@value #MAX_RETENTION_PERIODS}.
   *
   * @param periods the periods
   * @return this builder
   */
  public MetricStoreBuilder retentionPeriods(int periods) {
    this.retentionPeriods = Problems.range("retentionPeriods", periods, 1, MAX_RETENTION_PERIODS);
    this.retention = null;
    return this;
  }

  /**
   * The clock that places recordings in periods; default {@link Clock#systemUTC()}. Read only by
   * {@link MetricStore#tick()}, queries and handle resolution, never by recording handles. Tests
   * pass a manual clock.
   *
   * @param clock the clock that places recordings in periods; default {@link Clock#systemUTC()}
   * @return this builder
   */
  public MetricStoreBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * A new store with this configuration.
   *
   * @return the new {@code MetricStore}
   * @throws IllegalArgumentException if the retention is more than {@value #MAX_RETENTION_PERIODS}
   *     periods
   */
  public MetricStore build() {
    int periods = retentionPeriods;
    Duration r = retention;
    if (r != null) {
      long millis = period.toMillis();
      long n = (r.toMillis() + millis - 1) / millis;
      if (n > MAX_RETENTION_PERIODS) {
        throw Problems.invalid(
            "retention",
            r,
            "at most " + MAX_RETENTION_PERIODS + " periods of " + period + ", got " + n);
      }
      periods = (int) Math.max(1, n);
    }
    return new MetricStore(period, periods, clock);
  }
}
