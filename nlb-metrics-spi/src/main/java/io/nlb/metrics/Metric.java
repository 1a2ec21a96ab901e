package io.nlb.metrics;

import static io.nlb.metrics.MetricKind.COUNTER;
import static io.nlb.metrics.MetricKind.DERIVED;
import static io.nlb.metrics.MetricKind.GAUGE;
import static io.nlb.metrics.ReportingCriterion.ALWAYS;
import static io.nlb.metrics.ReportingCriterion.HEALTH_CHECKS_ENABLED;
import static io.nlb.metrics.ReportingCriterion.NONZERO;

import io.nlb.common.Problems;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Every metric a Network Load Balancer publishes, with the facts an exporter needs: the CloudWatch
 * name, unit, kind, reporting criterion, the dimension sets it is published under and the
 * statistics that are meaningful for it. This enum is the one place where the library's metrics
 * are documented.
 *
 * <table>
 *   <caption>Metrics (L = LoadBalancer, Z = AvailabilityZone, T = TargetGroup)</caption>
 *   <tr><th>metric</th><th>kind</th><th>unit</th><th>dimension sets</th><th>reported</th></tr>
 *   <tr><td>ActiveFlowCount[_TCP|_TLS|_UDP]</td><td>gauge</td><td>Count</td>
 *       <td>{L}, {Z, L}</td><td>always (variants: nonzero)</td></tr>
 *   <tr><td>ClientTLSNegotiationErrorCount</td><td>counter</td><td>Count</td>
 *       <td>{L}, {Z, L}</td><td>nonzero</td></tr>
 *   <tr><td>ConsumedLCUs[_TCP|_TLS|_UDP]</td><td>derived</td><td>None</td>
 *       <td>{L}</td><td>always (variants: nonzero)</td></tr>
 *   <tr><td>HealthyHostCount</td><td>gauge</td><td>Count</td>
 *       <td>{L, T}, {Z, L, T}</td><td>health checks enabled</td></tr>
 *   <tr><td>NewFlowCount[_TCP|_TLS|_UDP]</td><td>counter</td><td>Count</td>
 *       <td>{L}, {Z, L}</td><td>always (variants: nonzero)</td></tr>
 *   <tr><td>PeakPacketsPerSecond</td><td>derived</td><td>Count/Second</td>
 *       <td>{L}, {Z, L}</td><td>nonzero</td></tr>
 *   <tr><td>PortAllocationErrorCount</td><td>counter</td><td>Count</td>
 *       <td>{L}, {Z, L}</td><td>nonzero</td></tr>
 *   <tr><td>ProcessedBytes[_TCP|_TLS|_UDP]</td><td>counter</td><td>Bytes</td>
 *       <td>{L}, {Z, L}</td><td>always (variants: nonzero)</td></tr>
 *   <tr><td>ProcessedPackets</td><td>counter</td><td>Count</td>
 *       <td>{L}, {Z, L}</td><td>nonzero</td></tr>
 *   <tr><td>TargetTLSNegotiationErrorCount</td><td>counter</td><td>Count</td>
 *       <td>{L}, {Z, L}</td><td>nonzero</td></tr>
 *   <tr><td>TCP_Client_Reset_Count, TCP_ELB_Reset_Count, TCP_Target_Reset_Count</td>
 *       <td>counter</td><td>Count</td><td>{L}, {Z, L}</td><td>always</td></tr>
 *   <tr><td>UnHealthyHostCount</td><td>gauge</td><td>Count</td>
 *       <td>{L, T}, {Z, L, T}</td><td>health checks enabled</td></tr>
 * </table>
 *
 * <p><b>Library extensions.</b> The last constants ({@link #isLibraryExtension()}) are not AWS
 * metrics; they count the transport's protection limits when they bite:
 *
 * <table>
 *   <caption>Library extensions (L = LoadBalancer, Z = AvailabilityZone)</caption>
 *   <tr><th>metric</th><th>kind</th><th>unit</th><th>dimension sets</th><th>reported</th></tr>
 *   <tr><td>RejectedFlowCount_ListenerLimit, RejectedFlowCount_ClientLimit,
 *       RejectedFlowCount_UdpFlowTable, RejectedFlowCount_TlsHandshakeTimeout,
 *       RejectedFlowCount_MemoryBudget</td>
 *       <td>counter</td><td>Count</td><td>{L}, {Z, L}</td><td>nonzero</td></tr>
 *   <tr><td>FlowBufferFullCount</td><td>counter</td><td>Count</td>
 *       <td>{L}, {Z, L}</td><td>nonzero</td></tr>
 * </table>
 *
 * <p><b>Where our figures differ.</b> The managed service sees packets; a load balancer in a Java
 * process sees sockets. Where the user guide counts something user space cannot observe (packets,
 * TCP/IP headers, RST segments, NAT port allocation) the constant's documentation says how this
 * library approximates it. Those figures are estimates, not exact counts, and dashboards should be
 * read accordingly.
 *
 * <p><b>Units.</b> The user guide does not give units; see {@link Unit}.
 *
 * <p><b>Recording.</b> The data plane records {@link MetricKind#COUNTER counters} and {@link
 * MetricKind#GAUGE gauges} through a {@link MetricsRecorder}; {@link MetricKind#DERIVED derived}
 * metrics are computed by the exporter. See {@link MetricsRecorder} for which series to record.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * Metric m = Metric.of("ProcessedBytes_TLS");
 * m.unit();            // Unit.BYTES
 * m.dimensionSets();   // [{LoadBalancer}, {AvailabilityZone, LoadBalancer}]
 * m.statistics();      // [SUM]
 * }</pre>
 *
 * @since 0.1
 */
public enum Metric {
  /**
   * Flows open between clients and targets. Incremented when a client connection is accepted (TCP,
   * TLS) or a datagram opens a new flow (UDP); decremented when the flow ends.
   *
   * <p>Approximation: the user guide counts TCP connections in {@code SYN_SENT} and {@code
   * ESTABLISHED} state, seen at the packet level. This library terminates the client connection and
   * opens a second one to the target; the pair counts as one flow from the accept of the client
   * connection (a flow still connecting to its target is our analogue of {@code SYN_SENT}) until
   * both connections are closed. Sum of the protocol variants.
   */
  ACTIVE_FLOW_COUNT("ActiveFlowCount", Unit.COUNT, GAUGE, ALWAYS, Sets.L_ZL, Stats.MIN_MAX_AVG,
      "Flows currently open between clients and targets."),
  /** {@link #ACTIVE_FLOW_COUNT} restricted to TCP listeners; same approximation. */
  ACTIVE_FLOW_COUNT_TCP("ActiveFlowCount_TCP", Unit.COUNT, GAUGE, NONZERO, Sets.L_ZL,
      Stats.MIN_MAX_AVG, "Flows currently open through TCP listeners."),
  /**
   * {@link #ACTIVE_FLOW_COUNT} restricted to TLS listeners; same approximation. A TLS flow counts
   * from its completed handshake (when the target is chosen): a connection whose handshake fails is
   * no flow and counts only in {@link #CLIENT_TLS_NEGOTIATION_ERROR_COUNT}.
   */
  ACTIVE_FLOW_COUNT_TLS("ActiveFlowCount_TLS", Unit.COUNT, GAUGE, NONZERO, Sets.L_ZL,
      Stats.MIN_MAX_AVG, "Flows currently open through TLS listeners."),
  /**
   * {@link #ACTIVE_FLOW_COUNT} restricted to UDP listeners. A UDP flow is a 5-tuple with an entry
   * in the flow table; it counts from its first datagram until the idle timeout removes the entry.
   */
  ACTIVE_FLOW_COUNT_UDP("ActiveFlowCount_UDP", Unit.COUNT, GAUGE, NONZERO, Sets.L_ZL,
      Stats.MIN_MAX_AVG, "UDP flows currently in the flow table."),
  /**
   * Failed TLS handshakes between clients and TLS listeners: incremented once per client
   * connection whose handshake ends in an error instead of completing.
   */
  CLIENT_TLS_NEGOTIATION_ERROR_COUNT("ClientTLSNegotiationErrorCount", Unit.COUNT, COUNTER,
      NONZERO, Sets.L_ZL, Stats.SUM, "Client handshakes with TLS listeners that failed."),
  /**
   * Load balancer capacity units used, computed by the exporter from {@link #derivedFrom() new
   * flows, active flows and processed bytes}. The user guide defers the LCU formula to the pricing
   * page; the exporter documents the formula it applies.
   */
  CONSUMED_LCUS("ConsumedLCUs", Unit.NONE, DERIVED, ALWAYS, Sets.L, Stats.ALL,
      "Load balancer capacity units used, all protocols."),
  /** {@link #CONSUMED_LCUS} for TCP listeners, from the {@code _TCP} variants of its inputs. */
  CONSUMED_LCUS_TCP("ConsumedLCUs_TCP", Unit.NONE, DERIVED, NONZERO, Sets.L, Stats.ALL,
      "Load balancer capacity units used by TCP listeners."),
  /** {@link #CONSUMED_LCUS} for TLS listeners, from the {@code _TLS} variants of its inputs. */
  CONSUMED_LCUS_TLS("ConsumedLCUs_TLS", Unit.NONE, DERIVED, NONZERO, Sets.L, Stats.ALL,
      "Load balancer capacity units used by TLS listeners."),
  /** {@link #CONSUMED_LCUS} for UDP listeners, from the {@code _UDP} variants of its inputs. */
  CONSUMED_LCUS_UDP("ConsumedLCUs_UDP", Unit.NONE, DERIVED, NONZERO, Sets.L, Stats.ALL,
      "Load balancer capacity units used by UDP listeners."),
  /**
   * Targets of a target group whose health state is {@code healthy}; set by the control plane on
   * every health change. Targets in other states ({@code initial}, {@code draining}, {@code
   * unused}, ...) are counted neither here nor in {@link #UNHEALTHY_HOST_COUNT}. Load balancers
   * registered as targets (target type {@code alb}) are never counted.
   */
  HEALTHY_HOST_COUNT("HealthyHostCount", Unit.COUNT, GAUGE, HEALTH_CHECKS_ENABLED, Sets.LT_ZLT,
      Stats.MIN_MAX, "Targets currently healthy."),
  /**
   * Flows opened in the period: incremented once when a client connection is accepted (TCP, TLS)
   * or a datagram creates a flow-table entry (UDP). Sum of the protocol variants.
   */
  NEW_FLOW_COUNT("NewFlowCount", Unit.COUNT, COUNTER, ALWAYS, Sets.L_ZL, Stats.SUM,
      "Flows opened from clients to targets."),
  /** {@link #NEW_FLOW_COUNT} restricted to TCP listeners. */
  NEW_FLOW_COUNT_TCP("NewFlowCount_TCP", Unit.COUNT, COUNTER, NONZERO, Sets.L_ZL, Stats.SUM,
      "Flows opened through TCP listeners."),
  /** {@link #NEW_FLOW_COUNT} restricted to TLS listeners; counted when the client's handshake completes. */
  NEW_FLOW_COUNT_TLS("NewFlowCount_TLS", Unit.COUNT, COUNTER, NONZERO, Sets.L_ZL, Stats.SUM,
      "Flows opened through TLS listeners."),
  /** {@link #NEW_FLOW_COUNT} restricted to UDP listeners. */
  NEW_FLOW_COUNT_UDP("NewFlowCount_UDP", Unit.COUNT, COUNTER, NONZERO, Sets.L_ZL, Stats.SUM,
      "UDP flows opened."),
  /**
   * The highest packet rate of the period, computed by the exporter from {@link
   * #PROCESSED_PACKETS}: the period is cut into 10-second windows, each window's rate is its
   * packets divided by 10, and the highest rate is reported.
   *
   * <p>Approximation: inherits the estimate of {@link #PROCESSED_PACKETS}.
   */
  PEAK_PACKETS_PER_SECOND("PeakPacketsPerSecond", Unit.COUNT_PER_SECOND, DERIVED, NONZERO,
      Sets.L_ZL, Stats.MAX, "Highest 10-second average packet rate in the period."),
  /**
   * Connections to targets that could not be opened for lack of a local (ephemeral) port.
   *
   * <p>Approximation: the managed service counts failures of its own address translation. Here the
   * operating system picks the source port, so this counts target connection attempts that fail
   * because no local port was free ({@code EADDRNOTAVAIL}, "Cannot assign requested address", or a
   * failed bind of the source address), once per failed attempt.
   */
  PORT_ALLOCATION_ERROR_COUNT("PortAllocationErrorCount", Unit.COUNT, COUNTER, NONZERO, Sets.L_ZL,
      Stats.SUM, "Target connections that failed for lack of a free source port."),
  /**
   * Bytes carried between clients and targets, both directions, health checks excluded. Sum of the
   * protocol variants.
   *
   * <p>Approximation: the user guide counts whole packets including TCP/IP headers. User space sees
   * only payload, so this counts payload bytes: every byte read from a client socket and every byte
   * read from a target socket, each once (not again when written). Headers, retransmissions and
   * pure ACKs are not included, so the figure is lower than the managed service's. On TLS
   * listeners the client side counts the TLS records as read from the socket, overhead included.
   */
  PROCESSED_BYTES("ProcessedBytes", Unit.BYTES, COUNTER, ALWAYS, Sets.L_ZL, Stats.SUM,
      "Payload bytes carried between clients and targets."),
  /** {@link #PROCESSED_BYTES} restricted to TCP listeners; same approximation. */
  PROCESSED_BYTES_TCP("ProcessedBytes_TCP", Unit.BYTES, COUNTER, NONZERO, Sets.L_ZL, Stats.SUM,
      "Payload bytes carried through TCP listeners."),
  /** {@link #PROCESSED_BYTES} restricted to TLS listeners; same approximation. */
  PROCESSED_BYTES_TLS("ProcessedBytes_TLS", Unit.BYTES, COUNTER, NONZERO, Sets.L_ZL, Stats.SUM,
      "Bytes carried through TLS listeners."),
  /**
   * {@link #PROCESSED_BYTES} restricted to UDP listeners: datagram payload bytes, without IP and
   * UDP headers.
   */
  PROCESSED_BYTES_UDP("ProcessedBytes_UDP", Unit.BYTES, COUNTER, NONZERO, Sets.L_ZL, Stats.SUM,
      "Datagram payload bytes carried through UDP listeners."),
  /**
   * Packets handled, to and from targets, health checks included.
   *
   * <p>Approximation: user space does not see packets. For TCP this counts one packet per
   * successful socket read and one per socket write, on the client and the target side; a read
   * may coalesce many segments and ACK-only segments are never seen, so bulk transfers are
   * under-counted. For UDP each datagram received or sent counts as one packet (IP fragments are
   * not seen). Health check probes count one packet per probe sent and one per reply received.
   */
  PROCESSED_PACKETS("ProcessedPackets", Unit.COUNT, COUNTER, NONZERO, Sets.L_ZL, Stats.SUM,
      "Estimated packets handled, health checks included."),
  /**
   * Failed TLS handshakes between TLS listeners and targets (target groups that re-encrypt):
   * incremented once per target connection whose handshake ends in an error.
   */
  TARGET_TLS_NEGOTIATION_ERROR_COUNT("TargetTLSNegotiationErrorCount", Unit.COUNT, COUNTER,
      NONZERO, Sets.L_ZL, Stats.SUM, "Handshakes with targets that failed."),
  /**
   * Resets a client sent towards its target.
   *
   * <p>Approximation: user space does not see RST segments. This counts client connections whose
   * read or write failed with "connection reset by peer" ({@code ECONNRESET}), at most once per
   * connection. The load balancer passes the reset on by closing the target connection abortively
   * ({@code SO_LINGER} 0); that forwarded reset is not counted in {@link #TCP_ELB_RESET_COUNT}.
   */
  TCP_CLIENT_RESET_COUNT("TCP_Client_Reset_Count", Unit.COUNT, COUNTER, ALWAYS, Sets.L_ZL,
      Stats.SUM, "Connections reset by clients."),
  /**
   * Resets the load balancer itself generates.
   *
   * <p>Approximation: counts connections the load balancer closes abortively ({@code SO_LINGER} 0)
   * on its own initiative (idle timeout, failed target connection, deregistration, protocol error),
   * once per connection reset, instead of RST segments sent.
   */
  TCP_ELB_RESET_COUNT("TCP_ELB_Reset_Count", Unit.COUNT, COUNTER, ALWAYS, Sets.L_ZL, Stats.SUM,
      "Connections reset by the load balancer itself."),
  /**
   * Resets a target sent towards its client.
   *
   * <p>Approximation: as {@link #TCP_CLIENT_RESET_COUNT}, on the target side: target connections
   * whose read or write failed with "connection reset by peer", at most once per connection.
   */
  TCP_TARGET_RESET_COUNT("TCP_Target_Reset_Count", Unit.COUNT, COUNTER, ALWAYS, Sets.L_ZL,
      Stats.SUM, "Connections reset by targets."),
  /**
   * Targets of a target group whose health state is {@code unhealthy}; set by the control plane on
   * every health change. See {@link #HEALTHY_HOST_COUNT} for the states counted in neither; load
   * balancers registered as targets are never counted.
   */
  UNHEALTHY_HOST_COUNT("UnHealthyHostCount", Unit.COUNT, GAUGE, HEALTH_CHECKS_ENABLED,
      Sets.LT_ZLT, Stats.MIN_MAX, "Targets currently unhealthy."),

  // ---------------------------------------------------------------- library extensions
  // Not AWS metrics: the managed service has no such limits to report. They follow the same
  // conventions (recorded under {AvailabilityZone, LoadBalancer}, summed into {LoadBalancer}).

  /**
   * <b>Library extension, not an AWS metric.</b> TCP and TLS client connections refused at accept
   * because their listener already had its maximum of concurrent connections open (the transport's
   * {@code maxConnectionsPerListener}). Incremented once per refused connection; the connection is
   * reset before any target is chosen or contacted, and counts in no other metric (no flow, no
   * {@code TCP_ELB_Reset_Count}).
   */
  REJECTED_FLOW_COUNT_LISTENER_LIMIT("RejectedFlowCount_ListenerLimit", Unit.COUNT, COUNTER,
      NONZERO, Sets.L_ZL, Stats.SUM, "Connections refused: the listener's connection limit."),
  /**
   * <b>Library extension, not an AWS metric.</b> TCP and TLS client connections refused at accept
   * because the same client IP address already had its maximum of concurrent connections open on
   * the listener (the transport's {@code maxConnectionsPerClient}). Counted like {@link
   * #REJECTED_FLOW_COUNT_LISTENER_LIMIT}; a connection over both limits counts here only.
   */
  REJECTED_FLOW_COUNT_CLIENT_LIMIT("RejectedFlowCount_ClientLimit", Unit.COUNT, COUNTER,
      NONZERO, Sets.L_ZL, Stats.SUM, "Connections refused: the per-client connection limit."),
  /**
   * <b>Library extension, not an AWS metric.</b> Datagrams dropped because they would have opened
   * a new UDP flow while the transport's flow table was full (its {@code maxUdpFlows}). Incremented
   * once per dropped datagram; datagrams of existing flows are never dropped for this reason.
   */
  REJECTED_FLOW_COUNT_UDP_FLOW_TABLE("RejectedFlowCount_UdpFlowTable", Unit.COUNT, COUNTER,
      NONZERO, Sets.L_ZL, Stats.SUM, "Datagrams dropped: the UDP flow table was full."),
  /**
   * <b>Library extension, not an AWS metric.</b> Client connections to TLS listeners closed because
   * their TLS handshake did not finish within the handshake timeout (the transport's {@code
   * tlsHandshakeTimeout}). Incremented once per such connection, including clients that sent
   * nothing; those that had sent bytes also count in {@link #CLIENT_TLS_NEGOTIATION_ERROR_COUNT}.
   */
  REJECTED_FLOW_COUNT_TLS_HANDSHAKE_TIMEOUT("RejectedFlowCount_TlsHandshakeTimeout", Unit.COUNT,
      COUNTER, NONZERO, Sets.L_ZL, Stats.SUM, "Client connections closed: TLS handshake timeout."),
  /**
   * <b>Library extension, not an AWS metric.</b> Client connections to TLS listeners refused or
   * closed by the transport's memory budget for connections that have not completed their TLS
   * handshake: refused at accept because the budget was exhausted (by other handshakes and full
   * flow buffers), or closed mid-handshake because the client sent more than one connection may
   * hold before its handshake completes, or more than the budget could grant. Incremented once per
   * connection; established flows are never refused by it.
   */
  REJECTED_FLOW_COUNT_MEMORY_BUDGET("RejectedFlowCount_MemoryBudget", Unit.COUNT, COUNTER, NONZERO,
      Sets.L_ZL, Stats.SUM, "TLS connections refused or closed: the handshake memory budget."),
  /**
   * <b>Library extension, not an AWS metric.</b> How often a flow's buffer towards one of its peers
   * filled up: the bytes written to a client or target connection and not yet taken by its socket
   * reached the transport's per-flow buffer bound, so the flow stopped reading from the other side
   * until the buffer drained. Incremented once per such pause (per direction). Nothing is dropped;
   * a steady count means a peer reads more slowly than the other one sends.
   */
  FLOW_BUFFER_FULL_COUNT("FlowBufferFullCount", Unit.COUNT, COUNTER, NONZERO, Sets.L_ZL,
      Stats.SUM, "Reads paused because a flow's buffer towards a peer was full.");

  /** The CloudWatch namespace of these metrics, {@code AWS/NetworkELB}. */
  public static final String NAMESPACE = "AWS/NetworkELB";

  private static final Map<String, Metric> BY_NAME = new HashMap<>();

  static {
    for (Metric m : values()) {
      BY_NAME.put(m.metricName, m);
    }
  }

  private final String metricName;
  private final Unit unit;
  private final MetricKind kind;
  private final ReportingCriterion reportingCriterion;
  /** Bit {@code m} is set iff the dimension set of mask {@code m} is published. */
  private final int publishedSets;
  /** Bit {@link Statistic#bit()} is set for each meaningful statistic. */
  private final int statistics;
  private final String description;

  Metric(
      String metricName,
      Unit unit,
      MetricKind kind,
      ReportingCriterion reportingCriterion,
      int publishedSets,
      int statistics,
      String description) {
    this.metricName = metricName;
    this.unit = unit;
    this.kind = kind;
    this.reportingCriterion = reportingCriterion;
    this.publishedSets = publishedSets;
    this.statistics = statistics;
    this.description = description;
  }

  /**
   * {@return the metric with the CloudWatch name {@code metricName} (exact, case-sensitive)}
   *
   * @param metricName the metric name
   * @throws IllegalArgumentException if no Network Load Balancer metric has that name
   */
  public static Metric of(String metricName) {
    Metric m = BY_NAME.get(metricName);
    if (m == null) {
      throw Problems.invalid(
          "metricName", metricName, "a Network Load Balancer metric name such as ActiveFlowCount");
    }
    return m;
  }

  /**
   * {@return the metric with the CloudWatch name {@code metricName}, or empty if there is none}
   *
   * @param metricName the metric name
   */
  public static Optional<Metric> find(String metricName) {
    return Optional.ofNullable(BY_NAME.get(metricName));
  }

  /**
   * {@return whether this metric is an extension of this library rather than one of the AWS Network Load
   * Balancer's: the {@code RejectedFlowCount_*} counters of the transport's protection limits and
   * {@code FlowBufferFullCount}} An exporter that mimics CloudWatch may publish them under another
   * namespace or leave them out.
   */
  public boolean isLibraryExtension() {
    return ordinal() >= REJECTED_FLOW_COUNT_LISTENER_LIMIT.ordinal();
  }

  /** {@return the name CloudWatch uses, e.g. {@code "TCP_ELB_Reset_Count"}} */
  public String metricName() {
    return metricName;
  }

  /** {@return the unit of the metric's data points} */
  public Unit unit() {
    return unit;
  }

  /** {@return whether the metric is counted, sampled or derived; decides the recording handle} */
  public MetricKind kind() {
    return kind;
  }

  /** {@return when the metric is published} */
  public ReportingCriterion reportingCriterion() {
    return reportingCriterion;
  }

  /**
   * {@return the dimension sets the metric is published under, each an unmodifiable set in {@link
   * Dimension} order, fewest dimensions first} Allocates; call at setup time.
   */
  public List<Set<Dimension>> dimensionSets() {
    List<Set<Dimension>> sets = new ArrayList<>(2);
    for (int mask = 0; mask < 8; mask++) {
      if ((publishedSets & (1 << mask)) != 0) {
        sets.add(Dimension.setOf(mask));
      }
    }
    return Collections.unmodifiableList(sets);
  }

  /**
   * {@return whether the metric is published under exactly the dimension set of {@code dimensions}}
   *
   * @param dimensions the series' dimensions
   */
  public boolean isPublishedUnder(Dimensions dimensions) {
    return isPublishedUnderMask(dimensions.mask());
  }

  boolean isPublishedUnderMask(int dimensionMask) {
    return (publishedSets & (1 << dimensionMask)) != 0;
  }

  /** {@return the statistics the user guide calls meaningful for this metric; unmodifiable} */
  public Set<Statistic> statistics() {
    EnumSet<Statistic> set = EnumSet.noneOf(Statistic.class);
    for (Statistic s : Statistic.values()) {
      if ((statistics & s.bit()) != 0) {
        set.add(s);
      }
    }
    return Collections.unmodifiableSet(set);
  }

  /**
   * {@return the recorded metrics a {@link MetricKind#DERIVED derived} metric is computed from; empty for
   * recorded metrics} Unmodifiable.
   */
  public Set<Metric> derivedFrom() {
    switch (this) {
      case CONSUMED_LCUS:
        return Collections.unmodifiableSet(
            EnumSet.of(NEW_FLOW_COUNT, ACTIVE_FLOW_COUNT, PROCESSED_BYTES));
      case CONSUMED_LCUS_TCP:
        return Collections.unmodifiableSet(
            EnumSet.of(NEW_FLOW_COUNT_TCP, ACTIVE_FLOW_COUNT_TCP, PROCESSED_BYTES_TCP));
      case CONSUMED_LCUS_TLS:
        return Collections.unmodifiableSet(
            EnumSet.of(NEW_FLOW_COUNT_TLS, ACTIVE_FLOW_COUNT_TLS, PROCESSED_BYTES_TLS));
      case CONSUMED_LCUS_UDP:
        return Collections.unmodifiableSet(
            EnumSet.of(NEW_FLOW_COUNT_UDP, ACTIVE_FLOW_COUNT_UDP, PROCESSED_BYTES_UDP));
      case PEAK_PACKETS_PER_SECOND:
        return Collections.unmodifiableSet(EnumSet.of(PROCESSED_PACKETS));
      default:
        return Collections.emptySet();
    }
  }

  /** {@return a one-line description of what the metric measures in this library} */
  public String description() {
    return description;
  }

  /** Renders the published dimension sets as in error messages: {@code [{LoadBalancer}, ...]}. */
  String formatDimensionSets() {
    StringJoiner joiner = new StringJoiner(", ", "[", "]");
    for (int mask = 0; mask < 8; mask++) {
      if ((publishedSets & (1 << mask)) != 0) {
        joiner.add(Dimension.format(mask));
      }
    }
    return joiner.toString();
  }

  /** Bit sets of published dimension sets, indexed by {@link Dimension#mask}. */
  private static final class Sets {
    static final int L = 1 << Dimension.mask(Dimension.LOAD_BALANCER);
    static final int ZL = 1 << Dimension.mask(Dimension.AVAILABILITY_ZONE, Dimension.LOAD_BALANCER);
    static final int LT = 1 << Dimension.mask(Dimension.LOAD_BALANCER, Dimension.TARGET_GROUP);
    static final int ZLT =
        1
            << Dimension.mask(
                Dimension.AVAILABILITY_ZONE, Dimension.LOAD_BALANCER, Dimension.TARGET_GROUP);
    static final int L_ZL = L | ZL;
    static final int LT_ZLT = LT | ZLT;

    private Sets() {}
  }

  /** Bit sets of meaningful statistics, per the user guide. */
  private static final class Stats {
    static final int SUM = Statistic.SUM.bit();
    static final int MAX = Statistic.MAXIMUM.bit();
    static final int MIN_MAX = Statistic.MINIMUM.bit() | MAX;
    static final int MIN_MAX_AVG = MIN_MAX | Statistic.AVERAGE.bit();
    static final int ALL =
        Statistic.SAMPLE_COUNT.bit() | Statistic.AVERAGE.bit() | SUM | MIN_MAX;

    private Stats() {}
  }
}
