package io.nlb.metrics.micrometer;

import io.nlb.common.Problems;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricKind;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The meter one recorded {@link Metric} maps to: a name shared by the protocol variants (and by
 * the three reset counters), the extra tag that tells them apart, the base unit and the
 * description. The table in {@link MicrometerMetricsRecorder}'s javadoc mirrors this one.
 */
final class MeterMapping {
  static final String PROTOCOL = "protocol";
  static final String ORIGIN = "origin";
  static final String REASON = "reason";

  private static final Map<Metric, MeterMapping> BY_METRIC = new EnumMap<>(Metric.class);

  static {
    flows(Metric.ACTIVE_FLOW_COUNT, Metric.ACTIVE_FLOW_COUNT_TCP, Metric.ACTIVE_FLOW_COUNT_TLS,
        Metric.ACTIVE_FLOW_COUNT_UDP, "nlb.active.flows", "flows",
        "Flows currently open between clients and targets.");
    flows(Metric.NEW_FLOW_COUNT, Metric.NEW_FLOW_COUNT_TCP, Metric.NEW_FLOW_COUNT_TLS,
        Metric.NEW_FLOW_COUNT_UDP, "nlb.new.flows", "flows",
        "Flows opened from clients to targets.");
    flows(Metric.PROCESSED_BYTES, Metric.PROCESSED_BYTES_TCP, Metric.PROCESSED_BYTES_TLS,
        Metric.PROCESSED_BYTES_UDP, "nlb.processed.bytes", "bytes",
        "Payload bytes carried between clients and targets.");
    plain(Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT, "nlb.client.tls.negotiation.errors", "errors");
    plain(Metric.TARGET_TLS_NEGOTIATION_ERROR_COUNT, "nlb.target.tls.negotiation.errors", "errors");
    plain(Metric.PORT_ALLOCATION_ERROR_COUNT, "nlb.port.allocation.errors", "errors");
    plain(Metric.PROCESSED_PACKETS, "nlb.processed.packets", "packets");
    plain(Metric.HEALTHY_HOST_COUNT, "nlb.healthy.hosts", "targets");
    plain(Metric.UNHEALTHY_HOST_COUNT, "nlb.unhealthy.hosts", "targets");
    String resets = "Connections reset, by who initiated the reset.";
    put(Metric.TCP_CLIENT_RESET_COUNT, "nlb.tcp.resets", "resets", ORIGIN, "client", resets);
    put(Metric.TCP_ELB_RESET_COUNT, "nlb.tcp.resets", "resets", ORIGIN, "load_balancer", resets);
    put(Metric.TCP_TARGET_RESET_COUNT, "nlb.tcp.resets", "resets", ORIGIN, "target", resets);
    // Library extensions (not AWS metrics): one meter for every refusal, told apart by reason.
    String rejected = "Flows refused or dropped by a protection limit, by limit (library extension).";
    put(Metric.REJECTED_FLOW_COUNT_LISTENER_LIMIT, "nlb.rejected.flows", "flows", REASON,
        "listener_limit", rejected);
    put(Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT, "nlb.rejected.flows", "flows", REASON,
        "client_limit", rejected);
    put(Metric.REJECTED_FLOW_COUNT_UDP_FLOW_TABLE, "nlb.rejected.flows", "flows", REASON,
        "udp_flow_table", rejected);
    put(Metric.REJECTED_FLOW_COUNT_TLS_HANDSHAKE_TIMEOUT, "nlb.rejected.flows", "flows", REASON,
        "tls_handshake_timeout", rejected);
    put(Metric.REJECTED_FLOW_COUNT_MEMORY_BUDGET, "nlb.rejected.flows", "flows", REASON,
        "memory_budget", rejected);
    plain(Metric.FLOW_BUFFER_FULL_COUNT, "nlb.flow.buffer.full", "events");
    for (Metric m : Metric.values()) {
      if (m.kind() != MetricKind.DERIVED && !BY_METRIC.containsKey(m)) {
        throw new AssertionError("no meter for " + m);
      }
    }
  }

  final String name;
  final String baseUnit;
  final @Nullable String extraTagKey;
  final @Nullable String extraTagValue;
  final String description;

  private MeterMapping(
      String name,
      String baseUnit,
      @Nullable String extraTagKey,
      @Nullable String extraTagValue,
      String description) {
    this.name = name;
    this.baseUnit = baseUnit;
    this.extraTagKey = extraTagKey;
    this.extraTagValue = extraTagValue;
    this.description = description;
  }

  /** The mapping of a recorded metric; derived metrics have none. */
  static MeterMapping of(Metric metric) {
    MeterMapping m = BY_METRIC.get(metric);
    if (m == null) {
      throw Problems.invalid(
          "metric", Problems.raw(metric.metricName()), "a recorded metric, got DERIVED");
    }
    return m;
  }

  private static void flows(
      Metric total, Metric tcp, Metric tls, Metric udp, String name, String unit, String help) {
    put(total, name, unit, PROTOCOL, "all", help);
    put(tcp, name, unit, PROTOCOL, "tcp", help);
    put(tls, name, unit, PROTOCOL, "tls", help);
    put(udp, name, unit, PROTOCOL, "udp", help);
  }

  private static void plain(Metric metric, String name, String unit) {
    BY_METRIC.put(metric, new MeterMapping(name, unit, null, null, metric.description()));
  }

  private static void put(
      Metric metric, String name, String unit, String key, String value, String help) {
    BY_METRIC.put(metric, new MeterMapping(name, unit, key, value, help));
  }
}
