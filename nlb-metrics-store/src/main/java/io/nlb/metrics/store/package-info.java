/**
 * An in-process statistics store behind the metrics SPI: {@link io.nlb.metrics.store.MetricStore}
 * records like any {@link io.nlb.metrics.MetricsRecorder} and answers get-metric-statistics style
 * queries over fixed periods, including the roll-up over zones and the derived metrics ({@code
 * ConsumedLCUs*}, {@code PeakPacketsPerSecond}).
 */
@NullMarked
package io.nlb.metrics.store;

import org.jspecify.annotations.NullMarked;
