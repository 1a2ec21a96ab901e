/**
 * Metric names, units and dimensions of the load balancer, and the SPI through which it records
 * them. A leaf: depends on no other module of the project. Metrics backends plug in by providing
 * {@link io.nlb.metrics.MetricsRecorderProvider}.
 */
module io.nlb.metrics {
  // Transitive: @Nullable appears in this module's public signatures.
  requires static transitive org.jspecify;
  // Problems formats every argument error; not re-exported (no API type of it).
  requires io.nlb.common;

  exports io.nlb.metrics;

  // MetricsRecorders.load() calls ServiceLoader from this module.
  uses io.nlb.metrics.MetricsRecorderProvider;
}
