/**
 * The in-process statistics store: a {@link io.nlb.metrics.MetricsRecorder} that keeps fixed
 * periods of every series and answers statistics queries over them, including the roll-up over
 * zones and the derived metrics ({@code ConsumedLCUs*}, {@code PeakPacketsPerSecond}). Depends
 * only on the metrics SPI.
 */
module io.nlb.metrics.store {
  requires static org.jspecify;
  // Problems formats every argument error; not re-exported (no API type of it).
  requires io.nlb.common;
  // MetricStore implements MetricsRecorder and its queries take Metric, Dimensions and Statistic.
  requires transitive io.nlb.metrics;

  exports io.nlb.metrics.store;
}
