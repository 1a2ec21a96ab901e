package io.nlb.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

class MetricTest {
  private static final String LB = "net/my-load-balancer/50dc6c495c0c9188";
  private static final String TG = "targetgroup/my-targets/73e2d6bc24d8a067";

  /** Every metric of the user guide's "Network Load Balancer metrics" table, in its order. */
  @Test
  void metricNames_allConstants_matchUserGuideList() {
    List<String> names = new ArrayList<>();
    for (Metric m : Metric.values()) {
      if (!m.isLibraryExtension()) {
        names.add(m.metricName());
      }
    }
    assertThat(names)
        .containsExactly(
            "ActiveFlowCount",
            "ActiveFlowCount_TCP",
            "ActiveFlowCount_TLS",
            "ActiveFlowCount_UDP",
            "ClientTLSNegotiationErrorCount",
            "ConsumedLCUs",
            "ConsumedLCUs_TCP",
            "ConsumedLCUs_TLS",
            "ConsumedLCUs_UDP",
            "HealthyHostCount",
            "NewFlowCount",
            "NewFlowCount_TCP",
            "NewFlowCount_TLS",
            "NewFlowCount_UDP",
            "PeakPacketsPerSecond",
            "PortAllocationErrorCount",
            "ProcessedBytes",
            "ProcessedBytes_TCP",
            "ProcessedBytes_TLS",
            "ProcessedBytes_UDP",
            "ProcessedPackets",
            "TargetTLSNegotiationErrorCount",
            "TCP_Client_Reset_Count",
            "TCP_ELB_Reset_Count",
            "TCP_Target_Reset_Count",
            "UnHealthyHostCount");
  }

  /** Golden table: any change to a metric's facts must show up here. */
  @Test
  void table_allConstants_matchGolden() {
    StringJoiner table = new StringJoiner("\n", "", "\n");
    for (Metric m : Metric.values()) {
      table.add(
          String.join(
              " | ",
              m.metricName(),
              m.unit().cloudWatchName(),
              m.kind().name(),
              m.reportingCriterion().name(),
              m.dimensionSets().toString(),
              m.statistics().toString()));
    }
    assertThat(table.toString())
        .isEqualTo(
            """
            ActiveFlowCount | Count | GAUGE | ALWAYS | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [AVERAGE, MINIMUM, MAXIMUM]
            ActiveFlowCount_TCP | Count | GAUGE | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [AVERAGE, MINIMUM, MAXIMUM]
            ActiveFlowCount_TLS | Count | GAUGE | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [AVERAGE, MINIMUM, MAXIMUM]
            ActiveFlowCount_UDP | Count | GAUGE | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [AVERAGE, MINIMUM, MAXIMUM]
            ClientTLSNegotiationErrorCount | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            ConsumedLCUs | None | DERIVED | ALWAYS | [[LOAD_BALANCER]] | [SAMPLE_COUNT, AVERAGE, SUM, MINIMUM, MAXIMUM]
            ConsumedLCUs_TCP | None | DERIVED | NONZERO | [[LOAD_BALANCER]] | [SAMPLE_COUNT, AVERAGE, SUM, MINIMUM, MAXIMUM]
            ConsumedLCUs_TLS | None | DERIVED | NONZERO | [[LOAD_BALANCER]] | [SAMPLE_COUNT, AVERAGE, SUM, MINIMUM, MAXIMUM]
            ConsumedLCUs_UDP | None | DERIVED | NONZERO | [[LOAD_BALANCER]] | [SAMPLE_COUNT, AVERAGE, SUM, MINIMUM, MAXIMUM]
            HealthyHostCount | Count | GAUGE | HEALTH_CHECKS_ENABLED | [[LOAD_BALANCER, TARGET_GROUP], [AVAILABILITY_ZONE, LOAD_BALANCER, TARGET_GROUP]] | [MINIMUM, MAXIMUM]
            NewFlowCount | Count | COUNTER | ALWAYS | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            NewFlowCount_TCP | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            NewFlowCount_TLS | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            NewFlowCount_UDP | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            PeakPacketsPerSecond | Count/Second | DERIVED | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [MAXIMUM]
            PortAllocationErrorCount | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            ProcessedBytes | Bytes | COUNTER | ALWAYS | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            ProcessedBytes_TCP | Bytes | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            ProcessedBytes_TLS | Bytes | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            ProcessedBytes_UDP | Bytes | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            ProcessedPackets | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            TargetTLSNegotiationErrorCount | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            TCP_Client_Reset_Count | Count | COUNTER | ALWAYS | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            TCP_ELB_Reset_Count | Count | COUNTER | ALWAYS | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            TCP_Target_Reset_Count | Count | COUNTER | ALWAYS | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            UnHealthyHostCount | Count | GAUGE | HEALTH_CHECKS_ENABLED | [[LOAD_BALANCER, TARGET_GROUP], [AVAILABILITY_ZONE, LOAD_BALANCER, TARGET_GROUP]] | [MINIMUM, MAXIMUM]
            RejectedFlowCount_ListenerLimit | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            RejectedFlowCount_ClientLimit | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            RejectedFlowCount_UdpFlowTable | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            RejectedFlowCount_TlsHandshakeTimeout | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            RejectedFlowCount_MemoryBudget | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            FlowBufferFullCount | Count | COUNTER | NONZERO | [[LOAD_BALANCER], [AVAILABILITY_ZONE, LOAD_BALANCER]] | [SUM]
            """);
  }

  @Test
  void unit_sampleOfMetrics_matchesWhatTheyMeasure() {
    assertThat(Metric.PROCESSED_BYTES_UDP.unit()).isEqualTo(Unit.BYTES);
    assertThat(Metric.PEAK_PACKETS_PER_SECOND.unit()).isEqualTo(Unit.COUNT_PER_SECOND);
    assertThat(Metric.CONSUMED_LCUS.unit()).isEqualTo(Unit.NONE);
    // The user guide's only unit: its get-metric-statistics example for UnHealthyHostCount.
    assertThat(Metric.UNHEALTHY_HOST_COUNT.unit().cloudWatchName()).isEqualTo("Count");
    assertThat(Metric.TCP_ELB_RESET_COUNT.unit()).isEqualTo(Unit.COUNT);
  }

  @Test
  void dimensionSets_hostCounts_requireTargetGroup() {
    assertThat(Metric.HEALTHY_HOST_COUNT.dimensionSets())
        .containsExactly(
            EnumSet.of(Dimension.LOAD_BALANCER, Dimension.TARGET_GROUP),
            EnumSet.allOf(Dimension.class));
  }

  @Test
  void dimensionSets_consumedLcus_loadBalancerOnly() {
    for (Metric m :
        List.of(Metric.CONSUMED_LCUS, Metric.CONSUMED_LCUS_TCP, Metric.CONSUMED_LCUS_TLS,
            Metric.CONSUMED_LCUS_UDP)) {
      assertThat(m.dimensionSets())
          .as(m.metricName())
          .containsExactly(Set.of(Dimension.LOAD_BALANCER));
    }
  }

  @Test
  void isPublishedUnder_zoneSeriesOfFlowMetric_true() {
    Dimensions zone = Dimensions.of(LB, "us-east-2a", null);
    assertThat(Metric.ACTIVE_FLOW_COUNT_UDP.isPublishedUnder(zone)).isTrue();
    assertThat(Metric.ACTIVE_FLOW_COUNT_UDP.isPublishedUnder(zone.withoutAvailabilityZone()))
        .isTrue();
    assertThat(Metric.ACTIVE_FLOW_COUNT_UDP.isPublishedUnder(zone.withTargetGroup(TG))).isFalse();
    assertThat(Metric.CONSUMED_LCUS.isPublishedUnder(zone)).isFalse();
    assertThat(Metric.UNHEALTHY_HOST_COUNT.isPublishedUnder(zone)).isFalse();
    assertThat(Metric.UNHEALTHY_HOST_COUNT.isPublishedUnder(zone.withTargetGroup(TG))).isTrue();
  }

  @Test
  void of_everyMetricName_returnsItsConstant() {
    for (Metric m : Metric.values()) {
      assertThat(Metric.of(m.metricName())).isSameAs(m);
      assertThat(Metric.find(m.metricName())).contains(m);
    }
  }

  @Test
  void of_unknownOrMiscasedName_throwsWithName() {
    assertThatThrownBy(() -> Metric.of("UnhealthyHostCount"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "metricName: \"UnhealthyHostCount\" (expected: a Network Load Balancer metric name"
                + " such as ActiveFlowCount)");
    assertThat(Metric.find("HealthyHostCount_TCP")).isEmpty();
  }

  @Test
  void derivedFrom_derivedMetrics_nameRecordedInputs() {
    assertThat(Metric.CONSUMED_LCUS_TLS.derivedFrom())
        .containsExactlyInAnyOrder(
            Metric.NEW_FLOW_COUNT_TLS, Metric.ACTIVE_FLOW_COUNT_TLS, Metric.PROCESSED_BYTES_TLS);
    assertThat(Metric.PEAK_PACKETS_PER_SECOND.derivedFrom())
        .containsExactly(Metric.PROCESSED_PACKETS);
    for (Metric m : Metric.values()) {
      boolean derived = m.kind() == MetricKind.DERIVED;
      assertThat(m.derivedFrom().isEmpty()).as(m.metricName()).isEqualTo(!derived);
      for (Metric input : m.derivedFrom()) {
        assertThat(input.kind()).as(m + " <- " + input).isNotEqualTo(MetricKind.DERIVED);
      }
    }
  }

  @Test
  void description_everyMetric_isOneShortSentence() {
    for (Metric m : Metric.values()) {
      assertThat(m.description())
          .as(m.metricName())
          .isNotBlank()
          .doesNotContain("\n")
          .endsWith(".")
          .hasSizeLessThanOrEqualTo(80);
    }
  }

  /** The protection-limit counters are this library's own, listed after every AWS metric. */
  @Test
  void isLibraryExtension_limitCounters_trueAndLast() {
    List<String> extensions = new ArrayList<>();
    boolean seenExtension = false;
    for (Metric m : Metric.values()) {
      if (m.isLibraryExtension()) {
        extensions.add(m.metricName());
        seenExtension = true;
      } else {
        assertThat(seenExtension).as(m.metricName() + " after an extension").isFalse();
      }
    }
    assertThat(extensions)
        .containsExactly(
            "RejectedFlowCount_ListenerLimit",
            "RejectedFlowCount_ClientLimit",
            "RejectedFlowCount_UdpFlowTable",
            "RejectedFlowCount_TlsHandshakeTimeout",
            "RejectedFlowCount_MemoryBudget",
            "FlowBufferFullCount");
    assertThat(Metric.TCP_ELB_RESET_COUNT.isLibraryExtension()).isFalse();
  }

  @Test
  void namespace_isNetworkElb() {
    assertThat(Metric.NAMESPACE).isEqualTo("AWS/NetworkELB");
  }
}
