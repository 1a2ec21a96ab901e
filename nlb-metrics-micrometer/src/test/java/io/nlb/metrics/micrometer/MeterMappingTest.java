package io.nlb.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricKind;
import org.junit.jupiter.api.Test;

class MeterMappingTest {
  @Test
  void of_derivedMetric_failsNamingTheMetricUnquoted() {
    assertThat(Metric.CONSUMED_LCUS.kind()).isEqualTo(MetricKind.DERIVED);
    assertThatThrownBy(() -> MeterMapping.of(Metric.CONSUMED_LCUS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric: ConsumedLCUs (expected: a recorded metric, got DERIVED)");
  }
}
