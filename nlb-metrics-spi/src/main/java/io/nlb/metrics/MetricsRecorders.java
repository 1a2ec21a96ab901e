package io.nlb.metrics;

import io.nlb.common.Problems;
import java.util.Objects;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/**
 * Static helpers around {@link MetricsRecorder}: discovery of a provider, and the argument checks
 * every implementation applies when resolving handles.
 *
 * <p>Thread-safe; all methods are stateless.
 *
 * <pre>{@code
 * MetricsRecorder recorder = MetricsRecorders.load(); // noop if no provider is installed
 * }</pre>
 *
 * @since 0.1
 */
public final class MetricsRecorders {
  private MetricsRecorders() {}

  /**
   * {@return the recorder of the highest-priority {@link MetricsRecorderProvider} visible to the thread's
   * context class loader (or, on the module path, to the module layer), or {@link
   * MetricsRecorder#noop()} if there is none} Each call creates a new recorder; call once at
   * start-up.
   *
   * @throws java.util.ServiceConfigurationError if a provider is misdeclared or fails to load
   */
  public static MetricsRecorder load() {
    return select(ServiceLoader.load(MetricsRecorderProvider.class));
  }

  /**
   * {@return as {@link #load()}, looking for providers through {@code classLoader}}
   *
   * @param classLoader the class loader
   */
  public static MetricsRecorder load(ClassLoader classLoader) {
    return select(ServiceLoader.load(MetricsRecorderProvider.class, classLoader));
  }

  private static MetricsRecorder select(Iterable<MetricsRecorderProvider> providers) {
    @Nullable MetricsRecorderProvider best = null;
    for (MetricsRecorderProvider p : providers) {
      if (best == null
          || p.priority() > best.priority()
          || (p.priority() == best.priority() && p.name().compareTo(best.name()) < 0)) {
        best = p;
      }
    }
    if (best == null) {
      return MetricsRecorder.noop();
    }
    MetricsRecorderProvider chosen = best;
    return Objects.requireNonNull(
        chosen.create(), () -> "MetricsRecorderProvider " + chosen.name() + " created null");
  }

  /**
   * Checks that a counter handle may be resolved for {@code metric} under {@code dimensions}.
   * For {@link MetricsRecorder} implementations, at the start of {@link MetricsRecorder#counter}.
   *
   * @param metric the metric
   * @param dimensions the series' dimensions
   * @throws IllegalArgumentException if {@code metric} is not a {@link MetricKind#COUNTER}, or is
   *     not published under the dimension set of {@code dimensions}
   */
  public static void checkCounter(Metric metric, Dimensions dimensions) {
    checkKind(metric, MetricKind.COUNTER);
    checkDimensions(metric, dimensions);
  }

  /**
   * Checks that a gauge handle may be resolved for {@code metric} under {@code dimensions}. For
   * {@link MetricsRecorder} implementations, at the start of {@link MetricsRecorder#gauge}.
   *
   * @param metric the metric
   * @param dimensions the series' dimensions
   * @throws IllegalArgumentException if {@code metric} is not a {@link MetricKind#GAUGE}, or is
   *     not published under the dimension set of {@code dimensions}
   */
  public static void checkGauge(Metric metric, Dimensions dimensions) {
    checkKind(metric, MetricKind.GAUGE);
    checkDimensions(metric, dimensions);
  }

  /**
   * Checks the argument of {@link Counter#add}: counters never go down. For {@link Counter}
   * implementations that reject a negative amount; allocates nothing when the amount is valid.
   *
   * @param amount the amount to add
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public static void checkAmount(long amount) {
    if (amount < 0) {
      throw Problems.invalid("amount", amount, ">= 0; counters never go down");
    }
  }

  private static void checkKind(Metric metric, MetricKind expected) {
    if (metric.kind() != expected) {
      throw Problems.invalid(
          "metric",
          Problems.raw(metric.metricName()),
          "a metric of kind " + expected + ", got " + metric.kind());
    }
  }

  static void checkDimensions(Metric metric, Dimensions dimensions) {
    if (!metric.isPublishedUnder(dimensions)) {
      throw Problems.invalid(
          "dimensions",
          Problems.raw(Dimension.format(dimensions.mask())),
          "one of " + metric.formatDimensionSets() + " for " + metric.metricName());
    }
  }
}
