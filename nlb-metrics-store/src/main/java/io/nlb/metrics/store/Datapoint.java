package io.nlb.metrics.store;

import io.nlb.common.Problems;
import io.nlb.metrics.Statistic;
import io.nlb.metrics.Unit;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One data point of a {@link MetricStore#statistics statistics query}: the statistics of one query
 * period, shaped like a CloudWatch {@code GetMetricStatistics} data point.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * Datapoint d = store.statistics(Metric.NEW_FLOW_COUNT, lb, start, end,
 *     Duration.ofMinutes(5), EnumSet.of(Statistic.SUM)).get(0);
 * d.timestamp();               // start of the 5-minute period
 * d.value(Statistic.SUM);      // flows opened in it
 * d.unit();                    // Unit.COUNT
 * }</pre>
 *
 * @param timestamp the start of the period the data point covers
 * @param unit the metric's unit
 * @param values the requested statistics, in {@link Statistic} order; unmodifiable
 * @since 0.1
 */
public record Datapoint(Instant timestamp, Unit unit, Map<Statistic, Double> values) {
  /**
   * Copies {@code values} into an unmodifiable map in {@link Statistic} order.
   *
   * @param timestamp the timestamp
   * @param unit the unit
   * @param values the values
   */
  public Datapoint {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(unit, "unit");
    values = Collections.unmodifiableMap(new EnumMap<>(values));
  }

  /**
   * {@return the value of {@code statistic}}
   *
   * @param statistic the statistic
   * @throws IllegalArgumentException if the query did not ask for {@code statistic}
   */
  public double value(Statistic statistic) {
    Double v = values.get(statistic);
    if (v == null) {
      throw Problems.invalid(
          "statistic", Problems.raw(statistic.cloudWatchName()), "one of the requested " + values.keySet());
    }
    return v;
  }
}
