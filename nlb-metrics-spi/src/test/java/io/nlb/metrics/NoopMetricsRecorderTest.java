package io.nlb.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NoopMetricsRecorderTest {
  private static final Dimensions ZONE =
      Dimensions.of("net/my-load-balancer/50dc6c495c0c9188", "us-east-2a", null);

  @Test
  void handles_anySeries_areSingletons() {
    MetricsRecorder recorder = MetricsRecorder.noop();

    assertThat(recorder.counter(Metric.NEW_FLOW_COUNT, ZONE)).isSameAs(Counter.noop());
    assertThat(recorder.counter(Metric.PROCESSED_BYTES_TLS, ZONE.withoutAvailabilityZone()))
        .isSameAs(Counter.noop());
    assertThat(recorder.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE)).isSameAs(Gauge.noop());
  }

  @Test
  void resolve_unpublishedDimensions_throwsLikeAnyRecorder() {
    assertThatThrownBy(
            () ->
                MetricsRecorder.noop()
                    .counter(
                        Metric.NEW_FLOW_COUNT,
                        ZONE.withTargetGroup("targetgroup/my-targets/73e2d6bc24d8a067")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "dimensions: {AvailabilityZone, LoadBalancer, TargetGroup} (expected: one of"
                + " [{LoadBalancer}, {AvailabilityZone, LoadBalancer}] for NewFlowCount)");
  }

  @Test
  void record_afterWarmUp_allocatesNothing() {
    Counter counter = MetricsRecorder.noop().counter(Metric.PROCESSED_BYTES, ZONE);
    Gauge gauge = MetricsRecorder.noop().gauge(Metric.ACTIVE_FLOW_COUNT, ZONE);
    Runnable work =
        () -> {
          for (int i = 0; i < 100_000; i++) {
            counter.increment();
            counter.add(i);
            gauge.increment();
            gauge.decrement();
            gauge.set(i);
          }
        };
    work.run(); // warm-up

    assertThat(Allocations.allocatedBy(work)).isLessThan(1024);
  }
}
