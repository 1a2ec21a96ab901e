package io.nlb.metrics.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link MetricStore#value}: a metric in one call, without ticks or waiting for a period to end. */
class MetricStoreValueTest {
  private static final String LB = "net/my-load-balancer/50dc6c495c0c9188";
  private static final Dimensions ALL_ZONES = Dimensions.of(LB);
  private static final Dimensions ZONE_A = ALL_ZONES.withAvailabilityZone("us-east-2a");
  private static final Dimensions ZONE_B = ALL_ZONES.withAvailabilityZone("us-east-2b");

  private final ManualClock clock = new ManualClock(Instant.parse("2024-01-01T00:00:10Z"));
  private final MetricStore store = MetricStore.builder().clock(clock).build();

  @Test
  void value_counterInTheOpenPeriod_isReadAtOnce() {
    Counter a = store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    a.add(3);
    a.increment();

    assertThat(store.value(Metric.NEW_FLOW_COUNT, ZONE_A)).isEqualTo(4);
  }

  @Test
  void value_loadBalancerRollUp_sumsTheZones() {
    store.counter(Metric.NEW_FLOW_COUNT, ZONE_A).add(4);
    store.counter(Metric.NEW_FLOW_COUNT, ZONE_B).add(6);

    assertThat(store.value(Metric.NEW_FLOW_COUNT, ALL_ZONES)).isEqualTo(10);
    assertThat(store.value(Metric.NEW_FLOW_COUNT, ZONE_B)).isEqualTo(6);
  }

  @Test
  void value_counter_isTheTotalSinceCreation_acrossPeriodsAndTicks() {
    Counter a = store.counter(Metric.PROCESSED_BYTES, ZONE_A);
    a.add(100);
    clock.advance(Duration.ofMinutes(3));
    store.tick();
    a.add(50);
    clock.advance(Duration.ofMinutes(1));

    assertThat(store.value(Metric.PROCESSED_BYTES, ZONE_A)).isEqualTo(150);
    assertThat(store.value(Metric.PROCESSED_BYTES, ALL_ZONES)).isEqualTo(150);
    store.tick();
    assertThat(store.value(Metric.PROCESSED_BYTES, ALL_ZONES)).isEqualTo(150);
  }

  @Test
  void value_gauge_isTheCurrentLevel_andTheRollUpTheTotalLevel() {
    Gauge a = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    Gauge b = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_B);
    a.increment();
    a.increment();
    b.increment();
    a.decrement();

    assertThat(store.value(Metric.ACTIVE_FLOW_COUNT, ZONE_A)).isEqualTo(1);
    assertThat(store.value(Metric.ACTIVE_FLOW_COUNT, ALL_ZONES)).isEqualTo(2);
  }

  @Test
  void value_seriesNeverResolved_isZero() {
    assertThat(store.value(Metric.TCP_ELB_RESET_COUNT, ALL_ZONES)).isZero();
  }

  @Test
  void value_derivedMetric_refusedWithTheWayOut() {
    assertThatThrownBy(() -> store.value(Metric.CONSUMED_LCUS, ALL_ZONES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("metric: ConsumedLCUs (expected: a COUNTER or GAUGE metric;")
        .hasMessageContaining("statistics(...)");
  }

  @Test
  void value_dimensionsTheMetricIsNotPublishedUnder_refused() {
    Dimensions targetGroupOnly = Dimensions.of(LB, null, "targetgroup/tg/73e2d6bc24d8a067");

    assertThatThrownBy(() -> store.value(Metric.NEW_FLOW_COUNT, targetGroupOnly))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dimensions: {");
  }
}
