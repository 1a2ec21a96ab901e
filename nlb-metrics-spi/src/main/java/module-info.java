/**
 * Metric names, units and dimensions of the load balancer, and the SPI through which it records
 * them. A leaf: depends on no other module of the project. Metrics backends plug in by providing
 * {@link io.nlb.metrics.MetricsRecorderProvider}.
 */
module io.nlb.metrics {
  // Transitive: @Nullable appears in this module's public signatures.
  requires static transitive org.jspecify;

  exports io.nlb.metrics;

  // MetricsRecorders.load() calls ServiceLoader from this module.
  uses io.nlb.metrics.MetricsRecorderProvider;
}
