package io.nlb.metrics.store;

import io.nlb.metrics.Metric;
import io.nlb.metrics.Statistic;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The statistics of one store period, or of a query period being aggregated: sum, sample count,
 * minimum and maximum, and whether anything non-zero was recorded.
 *
 * <p>Not thread-safe: a {@link MetricStore} uses its points while holding its lock.
 */
final class Point {
  boolean present;
  boolean nonzero;
  double sum;
  long count;
  double min;
  double max;

  void reset() {
    present = false;
    nonzero = false;
    sum = 0;
    count = 0;
    min = Double.POSITIVE_INFINITY;
    max = Double.NEGATIVE_INFINITY;
  }

  void set(double sum, long count, double min, double max, boolean nonzero) {
    this.present = true;
    this.nonzero = nonzero;
    this.sum = sum;
    this.count = count;
    this.min = min;
    this.max = max;
  }

  void merge(Point p) {
    if (!present) {
      set(p.sum, p.count, p.min, p.max, p.nonzero);
      return;
    }
    nonzero |= p.nonzero;
    sum += p.sum;
    if (p.count > 0) {
      min = count == 0 ? p.min : Math.min(min, p.min);
      max = count == 0 ? p.max : Math.max(max, p.max);
    }
    count += p.count;
  }

  Datapoint toDatapoint(Metric metric, Instant timestamp, Set<Statistic> statistics) {
    Map<Statistic, Double> values = new EnumMap<>(Statistic.class);
    for (Statistic s : statistics) {
      values.put(s, value(s));
    }
    return new Datapoint(timestamp, metric.unit(), values);
  }

  private double value(Statistic statistic) {
    switch (statistic) {
      case SUM:
        return sum;
      case SAMPLE_COUNT:
        return count;
      case MINIMUM:
        return count == 0 ? 0 : min;
      case MAXIMUM:
        return count == 0 ? 0 : max;
      case AVERAGE:
        return count == 0 ? 0 : sum / count;
    }
    throw new AssertionError(statistic);
  }
}
