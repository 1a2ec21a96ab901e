package io.nlb.metrics;

/**
 * Where the load balancer records its metrics: a factory of {@link Counter} and {@link Gauge}
 * handles, one per series ({@link Metric} under {@link Dimensions}).
 *
 * <h2>Overview</h2>
 *
 * <p>Recording is split in two phases so that the data plane's hot path does nothing but
 * arithmetic:
 *
 * <ol>
 *   <li><b>Resolution, at setup time.</b> When a listener, a zone of a load balancer or a target
 *       group comes into being, the component that owns it calls {@link #counter} and {@link
 *       #gauge} for every series it will touch and keeps the handles in final fields. This is the
 *       only moment a recorder may allocate, take locks or build strings, and the moment argument
 *       errors surface.
 *   <li><b>Recording, on the hot path.</b> Event loops call {@link Counter#add}, {@link
 *       Gauge#increment} and so on, once per event. No lookup by name or dimensions ever happens
 *       per flow or per packet.
 * </ol>
 *
 * <h2>Who calls what, and on which thread</h2>
 *
 * <table>
 *   <caption>Callers</caption>
 *   <tr><th>caller</th><th>thread</th><th>calls</th></tr>
 *   <tr><td>the runtime, at start</td><td>any</td>
 *       <td>{@link MetricsRecorders#load()} (or takes a recorder from its builder) once</td></tr>
 *   <tr><td>control plane: listener, zone or target group created</td><td>control executor</td>
 *       <td>{@link #counter}, {@link #gauge}</td></tr>
 *   <tr><td>transport: accept, read, write, close, reset, handshake failure</td>
 *       <td>event loops, concurrently</td><td>counter and gauge handle methods</td></tr>
 *   <tr><td>control plane: health change</td><td>control executor</td>
 *       <td>{@link Gauge#set} on {@code HealthyHostCount} / {@code UnHealthyHostCount}</td></tr>
 *   <tr><td>health checker: probe sent, reply received</td><td>its own threads</td>
 *       <td>{@link Counter#increment} on {@code ProcessedPackets}</td></tr>
 *   <tr><td>an exporter</td><td>its own scheduler</td>
 *       <td>reads the implementation's store; not part of this interface</td></tr>
 * </table>
 *
 * <h2>Which series to record</h2>
 *
 * <p>A recorder stores exactly what it is given; it does no roll-up. By convention, so that
 * transports and exporters agree:
 *
 * <ul>
 *   <li>Per-flow metrics are recorded under {@code {AvailabilityZone, LoadBalancer}}, the zone
 *       being the one of the load balancer node that handles the flow. The exporter produces the
 *       {@code {LoadBalancer}} series by adding up the zones (this holds for counters and for
 *       gauges, since a flow is in exactly one zone).
 *   <li>An event is recorded both on the total metric and on its protocol variant (e.g. {@code
 *       NewFlowCount} and {@code NewFlowCount_TLS}): two handles, two increments. The variants
 *       have their own reporting criterion, so the exporter does not sum them.
 *   <li>{@code HealthyHostCount} and {@code UnHealthyHostCount} are set under {@code
 *       {AvailabilityZone, LoadBalancer, TargetGroup}}; the exporter adds the zones up.
 *   <li>{@link MetricKind#DERIVED} metrics are never recorded; the exporter computes them from
 *       their {@link Metric#derivedFrom() inputs}.
 * </ul>
 *
 * <h2>Validation</h2>
 *
 * <p>Asking for a handle to a series the user guide does not publish is a programming error and
 * fails at resolution with {@link IllegalArgumentException}, for instance
 * {@code "dimensions: {LoadBalancer, TargetGroup} (expected: one of [{LoadBalancer},
 * {AvailabilityZone, LoadBalancer}] for NewFlowCount)"}. So is asking {@link #counter} for a
 * gauge metric, {@link #gauge} for a counter metric, or either for a derived metric.
 * Implementations get these checks from {@link MetricsRecorders#checkCounter} and {@link
 * MetricsRecorders#checkGauge}.
 *
 * <h2>Contract for implementations</h2>
 *
 * <ul>
 *   <li>{@link #counter} and {@link #gauge} are thread-safe and may be called from any thread.
 *       They may allocate and block briefly. Asking twice for the same series should return the
 *       same handle (or handles that record into the same series).
 *   <li>Handles obey the contracts of {@link Counter} and {@link Gauge}: thread-safe, and on
 *       every call no blocking, no locking, no allocation, no boxing, no logging.
 *   <li>A recorder lives as long as the load balancer runtime that uses it; this interface has no
 *       close or removal. A series whose target group is deleted simply stops changing.
 * </ul>
 *
 * <p>Implementations are found through {@link MetricsRecorderProvider}; {@link #noop()} is the
 * default, and {@link InMemoryMetricsRecorder} is the reference implementation for tests.
 *
 * <pre>{@code
 * MetricsRecorder recorder = MetricsRecorders.load();
 * Dimensions zone = Dimensions.of("net/my-load-balancer/50dc6c495c0c9188", "us-east-2a", null);
 *
 * // setup, on the control executor
 * Counter newFlows = recorder.counter(Metric.NEW_FLOW_COUNT, zone);
 * Counter newTcpFlows = recorder.counter(Metric.NEW_FLOW_COUNT_TCP, zone);
 * Gauge activeFlows = recorder.gauge(Metric.ACTIVE_FLOW_COUNT, zone);
 *
 * // hot path, on an event loop, when a client connection is accepted
 * newFlows.increment();
 * newTcpFlows.increment();
 * activeFlows.increment();
 * }</pre>
 *
 * @since 0.1
 */
public interface MetricsRecorder {
  /**
   * {@return the handle to the counter series {@code metric} under {@code dimensions}}
   *
   * @param metric the metric
   * @param dimensions the series' dimensions
   * @throws IllegalArgumentException if {@code metric} is not a {@link MetricKind#COUNTER} or is
   *     not published under the dimension set of {@code dimensions}
   */
  Counter counter(Metric metric, Dimensions dimensions);

  /**
   * {@return the handle to the gauge series {@code metric} under {@code dimensions}}
   *
   * @param metric the metric
   * @param dimensions the series' dimensions
   * @throws IllegalArgumentException if {@code metric} is not a {@link MetricKind#GAUGE} or is not
   *     published under the dimension set of {@code dimensions}
   */
  Gauge gauge(Metric metric, Dimensions dimensions);

  /**
   * {@return a recorder whose handles do nothing} It validates arguments like any recorder and returns the
   * singletons {@link Counter#noop()} and {@link Gauge#noop()}; it allocates nothing.
   */
  static MetricsRecorder noop() {
    return NoopMetricsRecorder.INSTANCE;
  }
}
