/** The health-check engine. Depends on the core and the metrics SPI. */
module io.nlb.healthcheck {
  requires static org.jspecify;
  // TargetGroup, RegisteredTarget, TargetHealth and TargetHealthListener appear in the engine's API.
  requires transitive io.nlb.core;
  requires org.slf4j;
  // MetricsRecorder appears in HealthCheckEngine.Builder#metrics.
  requires transitive io.nlb.metrics;

  exports io.nlb.healthcheck;
}
