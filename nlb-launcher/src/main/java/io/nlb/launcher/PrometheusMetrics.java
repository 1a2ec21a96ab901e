package io.nlb.launcher;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.metrics.micrometer.MicrometerMetricsRecorder;

/**
 * The status page's {@code /metrics}: a Prometheus registry that the transport and the health
 * checks record into through the Micrometer binding. The launcher makes one only when the file has
 * a {@code status} section (which a reload cannot add): without it, nothing would read the
 * registry, and Micrometer and the Prometheus client would load about 150 classes and record every
 * metric twice for nothing. Kept apart from {@link Launcher} so that its types are loaded only
 * then. Thread-safe.
 */
final class PrometheusMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /** {@code store} and this registry together, as the transport's and the health checks' recorder. */
  MetricsRecorder teeWith(MetricsRecorder store) {
    return new TeeRecorder(store, MicrometerMetricsRecorder.create(registry));
  }

  /** Every metric recorded so far, in the Prometheus text exposition format (version 0.0.4). */
  String scrape() {
    return registry.scrape();
  }
}
