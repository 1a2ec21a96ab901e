package io.nlb.metrics.micrometer;

import io.micrometer.core.instrument.Metrics;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.metrics.MetricsRecorderProvider;

/**
 * Makes {@link io.nlb.metrics.MetricsRecorders#load()} pick Micrometer when this module is on the
 * class or module path: a {@link MicrometerMetricsRecorder} on Micrometer's global registry, {@link
 * Metrics#globalRegistry}, to which an application adds its backend registries. Priority 5, an
 * ordinary backend.
 *
 * <p>To record into a specific registry instead, skip discovery and hand {@link
 * MicrometerMetricsRecorder#create} to the runtime's builder.
 *
 * <p>Thread-safe and stateless.
 *
 * @since 0.1
 */
public final class MicrometerMetricsRecorderProvider implements MetricsRecorderProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public MicrometerMetricsRecorderProvider() {}

  @Override
  public String name() {
    return "micrometer";
  }

  @Override
  public int priority() {
    return 5;
  }

  @Override
  public MetricsRecorder create() {
    return MicrometerMetricsRecorder.create(Metrics.globalRegistry);
  }
}
