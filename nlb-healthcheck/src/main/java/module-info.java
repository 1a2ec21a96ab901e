/** The health-check engine. Depends on the core only. */
module io.nlb.healthcheck {
  requires static org.jspecify;
  requires transitive io.nlb.core;
  requires org.slf4j;
  requires io.nlb.metrics;

  exports io.nlb.healthcheck;
}
