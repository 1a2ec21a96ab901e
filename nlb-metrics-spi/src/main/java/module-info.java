/** Metric names, units and dimensions, and the SPI through which the load balancer records them. */
module io.nlb.metrics {
  requires static org.jspecify;

  // exports io.nlb.metrics; (added with its first public type)
}
