package io.nlb.metrics.store;

import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;

/**
 * The metrics a {@link MetricStore} computes from others instead of recording them: the peak
 * packet rate, and the consumed LCUs of each protocol and in total (from new flows, active flows
 * and processed bytes, by {@link LcuRates}).
 *
 * <p>Stateless; called by the store while it holds its lock.
 */
final class DerivedMetrics {
  /** The recorded inputs of the per-protocol LCU metrics. */
  private static final Metric[] VARIANT_INPUTS = {
    Metric.NEW_FLOW_COUNT_TCP, Metric.ACTIVE_FLOW_COUNT_TCP, Metric.PROCESSED_BYTES_TCP,
    Metric.NEW_FLOW_COUNT_TLS, Metric.ACTIVE_FLOW_COUNT_TLS, Metric.PROCESSED_BYTES_TLS,
    Metric.NEW_FLOW_COUNT_UDP, Metric.ACTIVE_FLOW_COUNT_UDP, Metric.PROCESSED_BYTES_UDP
  };
  private static final Metric[] LCU_VARIANTS = {
    Metric.CONSUMED_LCUS_TCP, Metric.CONSUMED_LCUS_TLS, Metric.CONSUMED_LCUS_UDP
  };

  private DerivedMetrics() {}

  /** A derived metric's value in period {@code p}, or NaN if none of its inputs has a record. */
  static double value(MetricStore store, Metric metric, Dimensions dimensions, long p) {
    switch (metric) {
      case PEAK_PACKETS_PER_SECOND:
        Series packets = store.recorded(Metric.PROCESSED_PACKETS, dimensions, p);
        return packets == null ? Double.NaN : packets.peak[packets.slot(p)];
      case CONSUMED_LCUS_TCP:
        return lcus(store, LcuRates.TCP, Metric.NEW_FLOW_COUNT_TCP, Metric.ACTIVE_FLOW_COUNT_TCP,
            Metric.PROCESSED_BYTES_TCP, dimensions, p);
      case CONSUMED_LCUS_TLS:
        return lcus(store, LcuRates.TLS, Metric.NEW_FLOW_COUNT_TLS, Metric.ACTIVE_FLOW_COUNT_TLS,
            Metric.PROCESSED_BYTES_TLS, dimensions, p);
      case CONSUMED_LCUS_UDP:
        return lcus(store, LcuRates.UDP, Metric.NEW_FLOW_COUNT_UDP, Metric.ACTIVE_FLOW_COUNT_UDP,
            Metric.PROCESSED_BYTES_UDP, dimensions, p);
      case CONSUMED_LCUS:
        double total = Double.NaN;
        for (Metric variant : LCU_VARIANTS) {
          double v = value(store, variant, dimensions, p);
          if (!Double.isNaN(v)) {
            total = Double.isNaN(total) ? v : total + v;
          }
        }
        if (Double.isNaN(total) && !hasVariants(store, dimensions)) {
          total = lcus(store, LcuRates.TCP, Metric.NEW_FLOW_COUNT, Metric.ACTIVE_FLOW_COUNT,
              Metric.PROCESSED_BYTES, dimensions, p);
        }
        return total;
      default:
        throw new AssertionError(metric);
    }
  }

  private static boolean hasVariants(MetricStore store, Dimensions dimensions) {
    for (Metric m : VARIANT_INPUTS) {
      if (store.hasSeries(m, dimensions)) {
        return true;
      }
    }
    return false;
  }

  private static double lcus(
      MetricStore store,
      LcuRates rates,
      Metric newFlows,
      Metric activeFlows,
      Metric bytes,
      Dimensions dimensions,
      long p) {
    Series n = store.recorded(newFlows, dimensions, p);
    Series a = store.recorded(activeFlows, dimensions, p);
    Series b = store.recorded(bytes, dimensions, p);
    if (n == null && a == null && b == null) {
      return Double.NaN;
    }
    long flows = n == null ? 0 : n.sum[n.slot(p)];
    long active = a == null ? 0 : a.max[a.slot(p)];
    long processed = b == null ? 0 : b.sum[b.slot(p)];
    return rates.lcus(flows, active, processed, store.period());
  }
}
