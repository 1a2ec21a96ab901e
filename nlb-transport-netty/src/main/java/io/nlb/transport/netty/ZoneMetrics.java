package io.nlb.transport.netty;

import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricsRecorder;

/**
 * The metric handles of one load balancer node (one zone of one load balancer), resolved once when
 * the zone's first socket is bound and then only incremented by event loops. Every flow event is
 * recorded on the total and on its protocol variant, as {@link MetricsRecorder} asks; flows of TLS
 * listeners use the {@code _TLS} variants instead of {@code _TCP}.
 */
final class ZoneMetrics {
  final Counter newFlows;
  final Counter newFlowsTcp;
  final Counter newFlowsUdp;
  final Counter newFlowsTls;
  final Gauge activeFlows;
  final Gauge activeFlowsTcp;
  final Gauge activeFlowsUdp;
  final Gauge activeFlowsTls;
  final Counter bytes;
  final Counter bytesTcp;
  final Counter bytesUdp;
  final Counter bytesTls;
  /** An estimate (see the metric): every relayed read counts as one packet in and one out. */
  final Counter packets;
  final Counter clientTlsErrors;
  final Counter targetTlsErrors;
  final Counter clientResets;
  final Counter targetResets;
  final Counter elbResets;
  final Counter portAllocationErrors;
  // Library extensions: the protection limits, counted when they bite.
  final Counter rejectedListenerLimit;
  final Counter rejectedClientLimit;
  final Counter rejectedUdpFlowTable;
  final Counter rejectedTlsHandshakeTimeout;
  final Counter rejectedMemoryBudget;
  final Counter flowBufferFull;

  ZoneMetrics(MetricsRecorder r, String loadBalancerResourceId, String zone) {
    Dimensions d = Dimensions.of(loadBalancerResourceId, zone, null);
    newFlows = r.counter(Metric.NEW_FLOW_COUNT, d);
    newFlowsTcp = r.counter(Metric.NEW_FLOW_COUNT_TCP, d);
    newFlowsUdp = r.counter(Metric.NEW_FLOW_COUNT_UDP, d);
    newFlowsTls = r.counter(Metric.NEW_FLOW_COUNT_TLS, d);
    activeFlows = r.gauge(Metric.ACTIVE_FLOW_COUNT, d);
    activeFlowsTcp = r.gauge(Metric.ACTIVE_FLOW_COUNT_TCP, d);
    activeFlowsUdp = r.gauge(Metric.ACTIVE_FLOW_COUNT_UDP, d);
    activeFlowsTls = r.gauge(Metric.ACTIVE_FLOW_COUNT_TLS, d);
    bytes = r.counter(Metric.PROCESSED_BYTES, d);
    bytesTcp = r.counter(Metric.PROCESSED_BYTES_TCP, d);
    bytesUdp = r.counter(Metric.PROCESSED_BYTES_UDP, d);
    bytesTls = r.counter(Metric.PROCESSED_BYTES_TLS, d);
    packets = r.counter(Metric.PROCESSED_PACKETS, d);
    clientTlsErrors = r.counter(Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT, d);
    targetTlsErrors = r.counter(Metric.TARGET_TLS_NEGOTIATION_ERROR_COUNT, d);
    clientResets = r.counter(Metric.TCP_CLIENT_RESET_COUNT, d);
    targetResets = r.counter(Metric.TCP_TARGET_RESET_COUNT, d);
    elbResets = r.counter(Metric.TCP_ELB_RESET_COUNT, d);
    portAllocationErrors = r.counter(Metric.PORT_ALLOCATION_ERROR_COUNT, d);
    rejectedListenerLimit = r.counter(Metric.REJECTED_FLOW_COUNT_LISTENER_LIMIT, d);
    rejectedClientLimit = r.counter(Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT, d);
    rejectedUdpFlowTable = r.counter(Metric.REJECTED_FLOW_COUNT_UDP_FLOW_TABLE, d);
    rejectedTlsHandshakeTimeout = r.counter(Metric.REJECTED_FLOW_COUNT_TLS_HANDSHAKE_TIMEOUT, d);
    rejectedMemoryBudget = r.counter(Metric.REJECTED_FLOW_COUNT_MEMORY_BUDGET, d);
    flowBufferFull = r.counter(Metric.FLOW_BUFFER_FULL_COUNT, d);
  }

  /** A TCP connection pair opened: through a TLS listener ({@code _TLS}) or a TCP one ({@code _TCP}). */
  void tcpFlowOpened(boolean tls) {
    newFlows.increment();
    activeFlows.increment();
    if (tls) {
      newFlowsTls.increment();
      activeFlowsTls.increment();
    } else {
      newFlowsTcp.increment();
      activeFlowsTcp.increment();
    }
  }

  void tcpFlowClosed(boolean tls) {
    activeFlows.decrement();
    if (tls) {
      activeFlowsTls.decrement();
    } else {
      activeFlowsTcp.decrement();
    }
  }

  void tcpBytes(long n) {
    bytes.add(n);
    bytesTcp.add(n);
    packets.add(2);
  }

  void tlsBytes(long n) {
    bytes.add(n);
    bytesTls.add(n);
    packets.add(2);
  }

  void udpFlowOpened() {
    newFlows.increment();
    newFlowsUdp.increment();
    activeFlows.increment();
    activeFlowsUdp.increment();
  }

  void udpFlowClosed() {
    activeFlows.decrement();
    activeFlowsUdp.decrement();
  }

  void udpBytes(long n) {
    bytes.add(n);
    bytesUdp.add(n);
    packets.add(2);
  }
}
