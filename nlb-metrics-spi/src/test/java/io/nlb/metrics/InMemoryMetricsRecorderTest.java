package io.nlb.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.metrics.InMemoryMetricsRecorder.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InMemoryMetricsRecorderTest {
  private static final String LB = "net/my-load-balancer/50dc6c495c0c9188";
  private static final String TG = "targetgroup/my-targets/73e2d6bc24d8a067";
  private static final Dimensions ALL_ZONES = Dimensions.of(LB);
  private static final Dimensions ZONE_A = ALL_ZONES.withAvailabilityZone("us-east-2a");
  private static final Dimensions ZONE_B = ALL_ZONES.withAvailabilityZone("us-east-2b");

  private final InMemoryMetricsRecorder recorder = InMemoryMetricsRecorder.create();

  @Test
  void counter_incrementAndAdd_accumulates() {
    Counter bytes = recorder.counter(Metric.PROCESSED_BYTES, ZONE_A);

    bytes.increment();
    bytes.add(1499);
    bytes.add(0);

    assertThat(recorder.value(Metric.PROCESSED_BYTES, ZONE_A)).isEqualTo(1500);
  }

  @Test
  void counter_sameSeriesTwice_returnsSameHandle() {
    Counter first = recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    Counter second = recorder.counter(Metric.NEW_FLOW_COUNT, Dimensions.of(LB, "us-east-2a", null));

    assertThat(second).isSameAs(first);
  }

  @Test
  void counter_seriesDifferingInZoneOrMetric_areIndependent() {
    recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_A).add(3);
    recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_B).add(5);
    recorder.counter(Metric.NEW_FLOW_COUNT_TCP, ZONE_A).add(7);

    assertThat(recorder.value(Metric.NEW_FLOW_COUNT, ZONE_A)).isEqualTo(3);
    assertThat(recorder.value(Metric.NEW_FLOW_COUNT, ZONE_B)).isEqualTo(5);
    assertThat(recorder.value(Metric.NEW_FLOW_COUNT_TCP, ZONE_A)).isEqualTo(7);
    // No roll-up: the all-zones series was never recorded.
    assertThat(recorder.value(Metric.NEW_FLOW_COUNT, ALL_ZONES)).isZero();
  }

  @Test
  void counter_negativeAmount_throws() {
    Counter counter = recorder.counter(Metric.PROCESSED_PACKETS, ZONE_A);

    assertThatThrownBy(() -> counter.add(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("amount: -1 (expected: >= 0; counters never go down)");
    assertThat(recorder.value(Metric.PROCESSED_PACKETS, ZONE_A)).isZero();
  }

  @Test
  void gauge_incrementDecrementSet_tracksLevel() {
    Gauge active = recorder.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    active.increment();
    active.increment();
    active.decrement();
    assertThat(recorder.value(Metric.ACTIVE_FLOW_COUNT, ZONE_A)).isEqualTo(1);

    Gauge healthy = recorder.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG));
    healthy.set(3);
    healthy.set(2);
    assertThat(recorder.value(Metric.HEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG))).isEqualTo(2);
  }

  @Test
  void value_unresolvedSeries_isZero() {
    assertThat(recorder.value(Metric.TCP_ELB_RESET_COUNT, ZONE_A)).isZero();
    assertThat(recorder.value(Metric.UNHEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG))).isZero();
  }

  @Test
  void value_derivedMetric_throws() {
    assertThatThrownBy(() -> recorder.value(Metric.CONSUMED_LCUS, ALL_ZONES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "metric: ConsumedLCUs (expected: a metric of kind COUNTER or GAUGE, got DERIVED)");
  }

  @Test
  void snapshot_severalSeries_orderedByMetricThenDimensions() {
    recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_B).add(2);
    recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_A).add(1);
    recorder.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A).set(4);

    assertThat(recorder.snapshot())
        .containsExactly(
            new Sample(Metric.ACTIVE_FLOW_COUNT, ZONE_A, 4),
            new Sample(Metric.NEW_FLOW_COUNT, ZONE_A, 1),
            new Sample(Metric.NEW_FLOW_COUNT, ZONE_B, 2));
  }

  @Test
  void counter_gaugeMetric_throwsNamingKind() {
    assertThatThrownBy(() -> recorder.counter(Metric.ACTIVE_FLOW_COUNT, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric: ActiveFlowCount (expected: a metric of kind COUNTER, got GAUGE)");
  }

  @Test
  void gauge_counterMetric_throwsNamingKind() {
    assertThatThrownBy(() -> recorder.gauge(Metric.NEW_FLOW_COUNT, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric: NewFlowCount (expected: a metric of kind GAUGE, got COUNTER)");
  }

  @Test
  void counter_derivedMetric_throws() {
    assertThatThrownBy(() -> recorder.counter(Metric.PEAK_PACKETS_PER_SECOND, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "metric: PeakPacketsPerSecond (expected: a metric of kind COUNTER, got DERIVED)");
  }

  @Test
  void gauge_hostCountWithoutTargetGroup_throwsListingPublishedSets() {
    assertThatThrownBy(() -> recorder.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "dimensions: {AvailabilityZone, LoadBalancer} (expected: one of [{LoadBalancer,"
                + " TargetGroup}, {AvailabilityZone, LoadBalancer, TargetGroup}] for"
                + " HealthyHostCount)");
  }

  @Test
  void counter_flowMetricWithTargetGroup_throwsListingPublishedSets() {
    assertThatThrownBy(
            () -> recorder.counter(Metric.NEW_FLOW_COUNT, ALL_ZONES.withTargetGroup(TG)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "dimensions: {LoadBalancer, TargetGroup} (expected: one of [{LoadBalancer},"
                + " {AvailabilityZone, LoadBalancer}] for NewFlowCount)");
    assertThat(recorder.snapshot()).isEmpty();
  }

  @Test
  @Timeout(30)
  void record_concurrentThreads_countsEveryEvent() throws Exception {
    int threads = 4;
    int perThread = 100_000;
    Counter newFlows = recorder.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    Counter bytes = recorder.counter(Metric.PROCESSED_BYTES, ZONE_A);
    Gauge active = recorder.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    Gauge opened = recorder.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_B);
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  for (int i = 0; i < perThread; i++) {
                    newFlows.increment();
                    bytes.add(3);
                    active.increment();
                    opened.increment();
                    active.decrement();
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    long events = (long) threads * perThread;
    assertThat(recorder.value(Metric.NEW_FLOW_COUNT, ZONE_A)).isEqualTo(events);
    assertThat(recorder.value(Metric.PROCESSED_BYTES, ZONE_A)).isEqualTo(3 * events);
    assertThat(recorder.value(Metric.ACTIVE_FLOW_COUNT, ZONE_A)).isZero();
    assertThat(recorder.value(Metric.ACTIVE_FLOW_COUNT, ZONE_B)).isEqualTo(events);
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

    long allocated = Allocations.allocatedBy(work);

    // One allocation per operation would be at least 16 bytes x 500,000 operations.
    assertThat(allocated).as("bytes allocated by 500,000 recordings").isLessThan(1024);
  }
}
