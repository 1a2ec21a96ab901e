/**
 * Binds the load balancer's metrics to a Micrometer {@code MeterRegistry}: see {@link
 * io.nlb.metrics.micrometer.MicrometerMetricsRecorder} for the meters. Depends on {@code
 * io.nlb.metrics} and Micrometer only; provides a {@link io.nlb.metrics.MetricsRecorderProvider}
 * on Micrometer's global registry.
 */
module io.nlb.metrics.micrometer {
  requires static org.jspecify;
  requires transitive io.nlb.metrics;
  // Problems formats every argument error; not re-exported (no API type of it).
  requires io.nlb.common;
  // MeterRegistry appears in this module's API. Automatic module name of micrometer-core.
  requires transitive micrometer.core;

  exports io.nlb.metrics.micrometer;

  provides io.nlb.metrics.MetricsRecorderProvider with
      io.nlb.metrics.micrometer.MicrometerMetricsRecorderProvider;
}
