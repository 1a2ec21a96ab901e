package io.nlb.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricKind;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.metrics.MetricsRecorders;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MicrometerMetricsRecorderTest {
  private static final String LB = "net/my-load-balancer/50dc6c495c0c9188";
  private static final String TG = "targetgroup/my-targets/73e2d6bc24d8a067";
  private static final Dimensions ALL_ZONES = Dimensions.of(LB);
  private static final Dimensions ZONE_A = ALL_ZONES.withAvailabilityZone("us-east-2a");
  private static final Dimensions ZONE_B = ALL_ZONES.withAvailabilityZone("us-east-2b");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerMetricsRecorder recorder = MicrometerMetricsRecorder.create(registry);

  @Test
  void counter_newFlowsInZone_countsOnNamedTaggedCounter() {
    Counter flows = recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    flows.increment();
    flows.add(4);

    io.micrometer.core.instrument.Counter meter = registry.get("nlb.new.flows")
        .tags("load_balancer", LB, "availability_zone", "us-east-2a", "protocol", "all")
        .counter();
    assertThat(meter.count()).isEqualTo(5.0);
    assertThat(meter.getId().getBaseUnit()).isEqualTo("flows");
    assertThat(meter.getId().getType()).isEqualTo(Meter.Type.COUNTER);
    assertThat(meter.getId().getDescription()).isEqualTo("Flows opened from clients to targets.");
  }

  @Test
  void counter_processedBytes_hasBaseUnitBytes() {
    recorder.counter(Metric.PROCESSED_BYTES_TLS, ZONE_A).add(1500);

    io.micrometer.core.instrument.Counter meter =
        registry.get("nlb.processed.bytes").tag("protocol", "tls").counter();
    assertThat(meter.count()).isEqualTo(1500.0);
    assertThat(meter.getId().getBaseUnit()).isEqualTo("bytes");
  }

  @Test
  void gauge_activeFlows_followsIncrementsAndDecrements() {
    Gauge active = recorder.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    io.micrometer.core.instrument.Gauge meter = registry.get("nlb.active.flows")
        .tags("availability_zone", "us-east-2a", "protocol", "all").gauge();

    active.increment();
    active.increment();
    active.increment();
    assertThat(meter.value()).isEqualTo(3.0);
    active.decrement();
    assertThat(meter.value()).isEqualTo(2.0);
    assertThat(meter.getId().getType()).isEqualTo(Meter.Type.GAUGE);
    assertThat(meter.getId().getBaseUnit()).isEqualTo("flows");
  }

  @Test
  void gauge_hostCounts_setAndTaggedWithTargetGroup() {
    Gauge healthy = recorder.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG));
    Gauge unhealthy = recorder.gauge(Metric.UNHEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG));
    healthy.set(3);
    unhealthy.set(1);
    healthy.set(2);

    assertThat(registry.get("nlb.healthy.hosts")
            .tags("load_balancer", LB, "availability_zone", "us-east-2a", "target_group", TG)
            .gauge().value())
        .isEqualTo(2.0);
    assertThat(registry.get("nlb.unhealthy.hosts").tag("target_group", TG).gauge().value())
        .isEqualTo(1.0);
  }

  @Test
  void protocolVariants_shareOneNameWithDifferentProtocolTags() {
    recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_A).add(6);
    recorder.counter(Metric.NEW_FLOW_COUNT_TCP, ZONE_A).add(1);
    recorder.counter(Metric.NEW_FLOW_COUNT_TLS, ZONE_A).add(2);
    recorder.counter(Metric.NEW_FLOW_COUNT_UDP, ZONE_A).add(3);

    Map<String, Double> byProtocol = registry.get("nlb.new.flows").counters().stream()
        .collect(Collectors.toMap(c -> c.getId().getTag("protocol"), c -> c.count()));
    assertThat(byProtocol).containsExactlyInAnyOrderEntriesOf(
        Map.of("all", 6.0, "tcp", 1.0, "tls", 2.0, "udp", 3.0));
  }

  @Test
  void resets_shareOneNameWithOriginTags() {
    recorder.counter(Metric.TCP_CLIENT_RESET_COUNT, ZONE_A).increment();
    recorder.counter(Metric.TCP_ELB_RESET_COUNT, ZONE_A).add(2);
    recorder.counter(Metric.TCP_TARGET_RESET_COUNT, ZONE_A).add(3);

    Map<String, Double> byOrigin = registry.get("nlb.tcp.resets").counters().stream()
        .collect(Collectors.toMap(c -> c.getId().getTag("origin"), c -> c.count()));
    assertThat(byOrigin).containsExactlyInAnyOrderEntriesOf(
        Map.of("client", 1.0, "load_balancer", 2.0, "target", 3.0));
  }

  @Test
  void seriesWithoutZone_taggedAllZones() {
    recorder.counter(Metric.PROCESSED_PACKETS, ALL_ZONES).add(10);

    assertThat(registry.get("nlb.processed.packets").tag("availability_zone", "all")
            .counter().count())
        .isEqualTo(10.0);
  }

  @Test
  void everyRecordedMetric_mapsToExpectedNameTypeUnitAndTagKeys() {
    Map<Metric, String> names = Map.ofEntries(
        Map.entry(Metric.ACTIVE_FLOW_COUNT, "nlb.active.flows"),
        Map.entry(Metric.ACTIVE_FLOW_COUNT_TCP, "nlb.active.flows"),
        Map.entry(Metric.ACTIVE_FLOW_COUNT_TLS, "nlb.active.flows"),
        Map.entry(Metric.ACTIVE_FLOW_COUNT_UDP, "nlb.active.flows"),
        Map.entry(Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT, "nlb.client.tls.negotiation.errors"),
        Map.entry(Metric.HEALTHY_HOST_COUNT, "nlb.healthy.hosts"),
        Map.entry(Metric.NEW_FLOW_COUNT, "nlb.new.flows"),
        Map.entry(Metric.NEW_FLOW_COUNT_TCP, "nlb.new.flows"),
        Map.entry(Metric.NEW_FLOW_COUNT_TLS, "nlb.new.flows"),
        Map.entry(Metric.NEW_FLOW_COUNT_UDP, "nlb.new.flows"),
        Map.entry(Metric.PORT_ALLOCATION_ERROR_COUNT, "nlb.port.allocation.errors"),
        Map.entry(Metric.PROCESSED_BYTES, "nlb.processed.bytes"),
        Map.entry(Metric.PROCESSED_BYTES_TCP, "nlb.processed.bytes"),
        Map.entry(Metric.PROCESSED_BYTES_TLS, "nlb.processed.bytes"),
        Map.entry(Metric.PROCESSED_BYTES_UDP, "nlb.processed.bytes"),
        Map.entry(Metric.PROCESSED_PACKETS, "nlb.processed.packets"),
        Map.entry(Metric.TARGET_TLS_NEGOTIATION_ERROR_COUNT, "nlb.target.tls.negotiation.errors"),
        Map.entry(Metric.TCP_CLIENT_RESET_COUNT, "nlb.tcp.resets"),
        Map.entry(Metric.TCP_ELB_RESET_COUNT, "nlb.tcp.resets"),
        Map.entry(Metric.TCP_TARGET_RESET_COUNT, "nlb.tcp.resets"),
        Map.entry(Metric.UNHEALTHY_HOST_COUNT, "nlb.unhealthy.hosts"),
        Map.entry(Metric.REJECTED_FLOW_COUNT_LISTENER_LIMIT, "nlb.rejected.flows"),
        Map.entry(Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT, "nlb.rejected.flows"),
        Map.entry(Metric.REJECTED_FLOW_COUNT_UDP_FLOW_TABLE, "nlb.rejected.flows"),
        Map.entry(Metric.REJECTED_FLOW_COUNT_TLS_HANDSHAKE_TIMEOUT, "nlb.rejected.flows"),
        Map.entry(Metric.REJECTED_FLOW_COUNT_MEMORY_BUDGET, "nlb.rejected.flows"),
        Map.entry(Metric.FLOW_BUFFER_FULL_COUNT, "nlb.flow.buffer.full"));

    for (Metric metric : Metric.values()) {
      if (metric.kind() == MetricKind.DERIVED) {
        continue;
      }
      Dimensions dims = metric.isPublishedUnder(ZONE_B) ? ZONE_B : ZONE_B.withTargetGroup(TG);
      String name = Objects.requireNonNull(names.get(metric), metric.metricName());
      Meter meter;
      if (metric.kind() == MetricKind.COUNTER) {
        recorder.counter(metric, dims).add(7);
        meter = single(name, dims, metric);
        assertThat(meter).isInstanceOf(io.micrometer.core.instrument.Counter.class);
        assertThat(((io.micrometer.core.instrument.Counter) meter).count()).isEqualTo(7.0);
      } else {
        recorder.gauge(metric, dims).set(7);
        meter = single(name, dims, metric);
        assertThat(meter).isInstanceOf(io.micrometer.core.instrument.Gauge.class);
        assertThat(((io.micrometer.core.instrument.Gauge) meter).value()).isEqualTo(7.0);
      }
      assertThat(meter.getId().getBaseUnit()).as(metric.metricName()).isNotBlank();
      assertThat(meter.getId().getDescription()).as(metric.metricName()).isNotBlank();
    }
    // Every meter name has one set of tag keys (Prometheus rejects mixed keys).
    Map<String, List<List<String>>> keysByName = registry.getMeters().stream()
        .collect(Collectors.groupingBy(m -> m.getId().getName(),
            Collectors.mapping(m -> m.getId().getTags().stream().map(Tag::getKey).sorted()
                .toList(), Collectors.toList())));
    assertThat(keysByName.values()).allSatisfy(keys -> assertThat(keys).containsOnly(keys.get(0)));
    assertThat(keysByName).hasSize(12);
  }

  @Test
  void counter_sameSeriesTwice_returnsSameHandleAndOneMeter() {
    Gauge first = recorder.gauge(Metric.ACTIVE_FLOW_COUNT_TLS, ZONE_A);
    Gauge second = recorder.gauge(Metric.ACTIVE_FLOW_COUNT_TLS, ZONE_A);
    first.increment();
    second.increment();

    assertThat(second).isSameAs(first);
    assertThat(registry.get("nlb.active.flows").gauges()).hasSize(1);
    assertThat(registry.get("nlb.active.flows").gauge().value()).isEqualTo(2.0);
  }

  @Test
  void resolve_derivedOrWrongKindOrDimensions_throws() {
    assertThatThrownBy(() -> recorder.counter(Metric.CONSUMED_LCUS, ALL_ZONES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("metric: ConsumedLCUs");
    assertThatThrownBy(() -> recorder.gauge(Metric.NEW_FLOW_COUNT, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("metric: NewFlowCount");
    assertThatThrownBy(() -> recorder.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dimensions: {AvailabilityZone, LoadBalancer}");
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void counter_negativeAmount_throws() {
    Counter c = recorder.counter(Metric.PROCESSED_BYTES, ZONE_A);

    assertThatThrownBy(() -> c.add(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("amount: -1 (expected: >= 0; counters never go down)");
  }

  @Test
  void load_providerOnClassPath_createsMicrometerRecorderOnGlobalRegistry() {
    MetricsRecorder loaded = MetricsRecorders.load();

    assertThat(loaded).isInstanceOf(MicrometerMetricsRecorder.class);
    assertThat(((MicrometerMetricsRecorder) loaded).registry())
        .isSameAs(io.micrometer.core.instrument.Metrics.globalRegistry);
    assertThat(new MicrometerMetricsRecorderProvider().name()).isEqualTo("micrometer");
    assertThat(new MicrometerMetricsRecorderProvider().priority()).isEqualTo(5);
  }

  @Test
  void record_afterWarmUp_allocatesNothing() {
    Counter bytes = recorder.counter(Metric.PROCESSED_BYTES, ZONE_A);
    Counter flows = recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    Gauge active = recorder.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    Gauge healthy = recorder.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG));
    Runnable work =
        () -> {
          for (int i = 0; i < 100_000; i++) {
            flows.increment();
            bytes.add(i);
            active.increment();
            active.decrement();
            healthy.set(i);
          }
        };
    work.run(); // warm-up: lets the JIT compile the loop and the handles

    long allocated = Allocations.leastAllocatedBy(work, 3);

    // One allocation per operation would be at least 16 bytes x 500,000 operations.
    assertThat(allocated).as("bytes allocated by 500,000 recordings").isLessThan(1024);
  }

  private Meter single(String name, Dimensions dims, Metric metric) {
    List<Meter> meters = registry.find(name).tag("availability_zone", "us-east-2b").meters()
        .stream().filter(m -> m.getId().getTags().size() == expectedTagCount(dims, name))
        .filter(m -> matchesVariant(m, metric))
        .toList();
    assertThat(meters).as(metric.metricName()).hasSize(1);
    return meters.get(0);
  }

  private static int expectedTagCount(Dimensions dims, String name) {
    int count = 2; // load_balancer, availability_zone
    if (dims.targetGroup() != null) {
      count++;
    }
    if (name.equals("nlb.active.flows") || name.equals("nlb.new.flows")
        || name.equals("nlb.processed.bytes") || name.equals("nlb.tcp.resets")
        || name.equals("nlb.rejected.flows")) {
      count++; // protocol, origin or reason
    }
    return count;
  }

  private static boolean matchesVariant(Meter meter, Metric metric) {
    String protocol = meter.getId().getTag("protocol");
    String name = metric.metricName();
    if (protocol != null) {
      String suffix = protocol.equals("all") ? "" : "_" + protocol.toUpperCase(java.util.Locale.ROOT);
      return name.endsWith(suffix) && (suffix.length() > 0 || !name.contains("_"));
    }
    String origin = meter.getId().getTag("origin");
    if (origin != null) {
      return name.equals(Map.of("client", "TCP_Client_Reset_Count",
          "load_balancer", "TCP_ELB_Reset_Count", "target", "TCP_Target_Reset_Count").get(origin));
    }
    String reason = meter.getId().getTag("reason");
    if (reason != null) {
      return name.equals(Map.of("listener_limit", "RejectedFlowCount_ListenerLimit",
          "client_limit", "RejectedFlowCount_ClientLimit",
          "udp_flow_table", "RejectedFlowCount_UdpFlowTable",
          "tls_handshake_timeout", "RejectedFlowCount_TlsHandshakeTimeout",
          "memory_budget", "RejectedFlowCount_MemoryBudget").get(reason));
    }
    return true;
  }
}
