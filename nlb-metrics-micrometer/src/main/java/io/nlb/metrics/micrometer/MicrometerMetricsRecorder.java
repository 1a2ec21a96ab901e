package io.nlb.metrics.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.metrics.MetricsRecorders;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link MetricsRecorder} that binds every recorded load balancer metric to a Micrometer {@link
 * MeterRegistry}: counters to Micrometer counters, gauges to Micrometer gauges backed by an {@link
 * AtomicLong} this recorder keeps.
 *
 * <h2>Meters</h2>
 *
 * <p>Every meter of the library is listed here. Protocol variants share their total's name and are
 * told apart by a {@code protocol} tag ({@code all} for the total, {@code tcp}, {@code tls}, {@code
 * udp}); the three reset counters share one name with an {@code origin} tag. Every meter carries
 * {@code load_balancer} (e.g. {@code net/my-load-balancer/50dc6c495c0c9188}) and {@code
 * availability_zone} (the zone, or {@code all} for a series recorded without one); host counts also
 * carry {@code target_group}. A name always has the same tag keys, as Prometheus requires.
 *
 * <table>
 *   <caption>SPI metric to Micrometer meter</caption>
 *   <tr><th>metric</th><th>meter name</th><th>type</th><th>base unit</th><th>extra tags</th></tr>
 *   <tr><td>ActiveFlowCount[_TCP|_TLS|_UDP]</td><td>{@code nlb.active.flows}</td><td>gauge</td>
 *       <td>flows</td><td>protocol=all|tcp|tls|udp</td></tr>
 *   <tr><td>NewFlowCount[_TCP|_TLS|_UDP]</td><td>{@code nlb.new.flows}</td><td>counter</td>
 *       <td>flows</td><td>protocol=all|tcp|tls|udp</td></tr>
 *   <tr><td>ProcessedBytes[_TCP|_TLS|_UDP]</td><td>{@code nlb.processed.bytes}</td>
 *       <td>counter</td><td>bytes</td><td>protocol=all|tcp|tls|udp</td></tr>
 *   <tr><td>ProcessedPackets</td><td>{@code nlb.processed.packets}</td><td>counter</td>
 *       <td>packets</td><td></td></tr>
 *   <tr><td>ClientTLSNegotiationErrorCount</td><td>{@code nlb.client.tls.negotiation.errors}</td>
 *       <td>counter</td><td>errors</td><td></td></tr>
 *   <tr><td>TargetTLSNegotiationErrorCount</td><td>{@code nlb.target.tls.negotiation.errors}</td>
 *       <td>counter</td><td>errors</td><td></td></tr>
 *   <tr><td>PortAllocationErrorCount</td><td>{@code nlb.port.allocation.errors}</td>
 *       <td>counter</td><td>errors</td><td></td></tr>
 *   <tr><td>TCP_Client_Reset_Count</td><td>{@code nlb.tcp.resets}</td><td>counter</td>
 *       <td>resets</td><td>origin=client</td></tr>
 *   <tr><td>TCP_ELB_Reset_Count</td><td>{@code nlb.tcp.resets}</td><td>counter</td>
 *       <td>resets</td><td>origin=load_balancer</td></tr>
 *   <tr><td>TCP_Target_Reset_Count</td><td>{@code nlb.tcp.resets}</td><td>counter</td>
 *       <td>resets</td><td>origin=target</td></tr>
 *   <tr><td>HealthyHostCount</td><td>{@code nlb.healthy.hosts}</td><td>gauge</td>
 *       <td>targets</td><td>target_group</td></tr>
 *   <tr><td>UnHealthyHostCount</td><td>{@code nlb.unhealthy.hosts}</td><td>gauge</td>
 *       <td>targets</td><td>target_group</td></tr>
 *   <tr><td>RejectedFlowCount_ListenerLimit (extension)</td><td>{@code nlb.rejected.flows}</td>
 *       <td>counter</td><td>flows</td><td>reason=listener_limit</td></tr>
 *   <tr><td>RejectedFlowCount_ClientLimit (extension)</td><td>{@code nlb.rejected.flows}</td>
 *       <td>counter</td><td>flows</td><td>reason=client_limit</td></tr>
 *   <tr><td>RejectedFlowCount_UdpFlowTable (extension)</td><td>{@code nlb.rejected.flows}</td>
 *       <td>counter</td><td>flows</td><td>reason=udp_flow_table</td></tr>
 *   <tr><td>RejectedFlowCount_TlsHandshakeTimeout (extension)</td>
 *       <td>{@code nlb.rejected.flows}</td><td>counter</td><td>flows</td>
 *       <td>reason=tls_handshake_timeout</td></tr>
 *   <tr><td>RejectedFlowCount_MemoryBudget (extension)</td><td>{@code nlb.rejected.flows}</td>
 *       <td>counter</td><td>flows</td><td>reason=memory_budget</td></tr>
 *   <tr><td>FlowBufferFullCount (extension)</td><td>{@code nlb.flow.buffer.full}</td>
 *       <td>counter</td><td>events</td><td></td></tr>
 * </table>
 *
 * <p>The meters marked "extension" are this library's own ({@link Metric#isLibraryExtension()}),
 * not AWS Network Load Balancer metrics.
 *
 * <p>Registries rename for their backend: with Prometheus, {@code nlb.processed.bytes} becomes
 * {@code nlb_processed_bytes_total} and {@code nlb.active.flows} becomes {@code
 * nlb_active_flows_flows}.
 *
 * <p><b>Not bound.</b> The {@link io.nlb.metrics.MetricKind#DERIVED derived} metrics ({@code
 * ConsumedLCUs*}, {@code PeakPacketsPerSecond}) are never recorded (asking for a handle throws, as
 * with any recorder); compute them in the monitoring backend from the meters above (e.g. a 10-second
 * {@code rate} of {@code nlb.processed.packets}), or use {@code io.nlb.metrics.store.MetricStore}.
 *
 * <p><b>Aggregating.</b> Like the SPI, this recorder does no roll-up: the data plane records per
 * zone, so the load balancer's total is the sum over {@code availability_zone}. Totals and
 * variants are both recorded, so sum over {@code protocol} only with {@code protocol!="all"} (or
 * take {@code protocol="all"}).
 *
 * <h2>Threads and cost</h2>
 *
 * <p>Thread-safe. {@link #counter} and {@link #gauge} register the meter on first use and return
 * the same handle for the same series afterwards (a Micrometer gauge keeps its first state object,
 * so the handle must be reused; keep <em>one</em> recorder per registry). Recording is one call on
 * the Micrometer counter ({@code increment(double)}) or one atomic operation on the gauge's {@link
 * AtomicLong}; neither allocates with the standard registries. The registry holds gauges'
 * state strongly.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry(); // or a Prometheus/OTLP registry
 * MetricsRecorder recorder = MicrometerMetricsRecorder.create(registry);
 * Dimensions zone = Dimensions.of("net/my-load-balancer/50dc6c495c0c9188", "us-east-2a", null);
 * Counter tlsFlows = recorder.counter(Metric.NEW_FLOW_COUNT_TLS, zone);
 * tlsFlows.increment();
 * registry.get("nlb.new.flows").tag("protocol", "tls").counter().count(); // 1.0
 * }</pre>
 *
 * @since 0.1
 */
public final class MicrometerMetricsRecorder implements MetricsRecorder {
  /** The {@code availability_zone} value of series recorded without a zone. */
  public static final String ALL_ZONES = "all";

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Series, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Series, Gauge> gauges = new ConcurrentHashMap<>();

  private MicrometerMetricsRecorder(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * {@return a recorder that registers its meters in {@code registry}}
   *
   * @param registry the registry
   */
  public static MicrometerMetricsRecorder create(MeterRegistry registry) {
    return new MicrometerMetricsRecorder(Objects.requireNonNull(registry, "registry"));
  }

  /** {@return the registry the meters are registered in} */
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public Counter counter(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkCounter(metric, dimensions);
    return counters.computeIfAbsent(new Series(metric, dimensions), this::newCounter);
  }

  @Override
  public Gauge gauge(Metric metric, Dimensions dimensions) {
    MetricsRecorders.checkGauge(metric, dimensions);
    return gauges.computeIfAbsent(new Series(metric, dimensions), this::newGauge);
  }

  @Override
  public String toString() {
    return "MicrometerMetricsRecorder{" + registry.getClass().getSimpleName() + "}";
  }

  private Counter newCounter(Series series) {
    MeterMapping mapping = MeterMapping.of(series.metric);
    io.micrometer.core.instrument.Counter counter =
        io.micrometer.core.instrument.Counter.builder(mapping.name)
            .description(mapping.description)
            .baseUnit(mapping.baseUnit)
            .tags(tags(mapping, series.dimensions))
            .register(registry);
    return new MeterCounter(counter);
  }

  private Gauge newGauge(Series series) {
    MeterMapping mapping = MeterMapping.of(series.metric);
    AtomicLong level = new AtomicLong();
    io.micrometer.core.instrument.Gauge.builder(mapping.name, level, AtomicLong::get)
        .description(mapping.description)
        .baseUnit(mapping.baseUnit)
        .tags(tags(mapping, series.dimensions))
        .strongReference(true)
        .register(registry);
    return Gauge.of(level);
  }

  /** The tags of a series: the dimensions, then the variant's tag. */
  static Tags tags(MeterMapping mapping, Dimensions dimensions) {
    List<Tag> tags = new ArrayList<>(4);
    tags.add(Tag.of("load_balancer", dimensions.loadBalancer()));
    String zone = dimensions.availabilityZone();
    tags.add(Tag.of("availability_zone", zone == null ? ALL_ZONES : zone));
    String targetGroup = dimensions.targetGroup();
    if (targetGroup != null) {
      tags.add(Tag.of("target_group", targetGroup));
    }
    if (mapping.extraTagKey != null && mapping.extraTagValue != null) {
      tags.add(Tag.of(mapping.extraTagKey, mapping.extraTagValue));
    }
    return Tags.of(tags);
  }

  private record Series(Metric metric, Dimensions dimensions) {}

  /** Forwards to the Micrometer counter; {@code increment(double)} takes a primitive. */
  private static final class MeterCounter implements Counter {
    private final io.micrometer.core.instrument.Counter counter;

    MeterCounter(io.micrometer.core.instrument.Counter counter) {
      this.counter = counter;
    }

    @Override
    public void increment() {
      counter.increment();
    }

    @Override
    public void add(long amount) {
      MetricsRecorders.checkAmount(amount);
      counter.increment(amount);
    }
  }
}
