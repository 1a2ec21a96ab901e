package io.nlb.metrics.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.metrics.Counter;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.Statistic;
import io.nlb.metrics.Unit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MetricStoreTest {
  private static final String LB = "net/my-load-balancer/50dc6c495c0c9188";
  private static final String TG = "targetgroup/my-targets/73e2d6bc24d8a067";
  private static final Dimensions ALL_ZONES = Dimensions.of(LB);
  private static final Dimensions ZONE_A = ALL_ZONES.withAvailabilityZone("us-east-2a");
  private static final Dimensions ZONE_B = ALL_ZONES.withAvailabilityZone("us-east-2b");
  /** A multiple of 5 minutes, so 1- and 5-minute periods both start here. */
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Set<Statistic> ALL = EnumSet.allOf(Statistic.class);

  private final ManualClock clock = new ManualClock(T0);
  private final MetricStore store = MetricStore.builder().clock(clock).build();

  @Test
  void counter_addsInPeriods1And3_alwaysReportedHasZerosInBetween() {
    Counter flows = store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    passMinutes(1);
    flows.add(3);
    flows.add(5);
    passMinutes(2);
    flows.increment();
    flows.add(9);
    passMinutes(2);

    List<Datapoint> points = store.statistics(
        Metric.NEW_FLOW_COUNT, ZONE_A, T0, minute(5), MINUTE, ALL);

    assertThat(points).hasSize(5);
    assertPoint(points.get(0), minute(0), 0, 0, 0, 0, 0);
    assertPoint(points.get(1), minute(1), 8, 2, 3, 5, 4);
    assertPoint(points.get(2), minute(2), 0, 0, 0, 0, 0);
    assertPoint(points.get(3), minute(3), 10, 2, 1, 9, 5);
    assertPoint(points.get(4), minute(4), 0, 0, 0, 0, 0);
    assertThat(points).allSatisfy(p -> assertThat(p.unit()).isEqualTo(Unit.COUNT));
  }

  @Test
  void counter_nonzeroCriterion_reportsOnlyActivePeriods() {
    Counter tcpFlows = store.counter(Metric.NEW_FLOW_COUNT_TCP, ZONE_A);
    passMinutes(1);
    tcpFlows.add(3);
    tcpFlows.add(5);
    passMinutes(2);
    tcpFlows.add(0); // a sample, but no activity: still not reported
    passMinutes(1);
    tcpFlows.add(10);
    passMinutes(1);

    List<Datapoint> points = store.statistics(
        Metric.NEW_FLOW_COUNT_TCP, ZONE_A, T0, minute(5), MINUTE, EnumSet.of(Statistic.SUM));

    assertThat(points).extracting(Datapoint::timestamp).containsExactly(minute(1), minute(4));
    assertThat(points).extracting(p -> p.value(Statistic.SUM)).containsExactly(8.0, 10.0);
  }

  @Test
  void gauge_movingUpAndDown_samplesEveryChangeAndEachPeriodStart() {
    Gauge active = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    // period 0: samples 0 (start), 1, 2, 3, 2
    active.increment();
    active.increment();
    active.increment();
    active.decrement();
    passMinutes(1);
    // period 1: no change, one sample: the level 2 it started with
    passMinutes(1);
    // period 2: samples 2 (start), 1, 0
    active.decrement();
    active.decrement();
    passMinutes(1);

    List<Datapoint> points = store.statistics(
        Metric.ACTIVE_FLOW_COUNT, ZONE_A, T0, minute(3), MINUTE, ALL);

    assertThat(points).hasSize(3);
    assertPoint(points.get(0), minute(0), 8, 5, 0, 3, 1.6);
    assertPoint(points.get(1), minute(1), 2, 1, 2, 2, 2);
    assertPoint(points.get(2), minute(2), 3, 3, 0, 2, 1);
  }

  @Test
  void gauge_nonzeroCriterion_skipsPeriodsAtZero() {
    Gauge udp = store.gauge(Metric.ACTIVE_FLOW_COUNT_UDP, ZONE_A);
    passMinutes(1);
    udp.increment();
    udp.decrement(); // period 1 touched 1
    passMinutes(2); // period 2 stays at 0

    List<Datapoint> points = store.statistics(
        Metric.ACTIVE_FLOW_COUNT_UDP, ZONE_A, T0, minute(3), MINUTE, EnumSet.of(Statistic.MAXIMUM));

    assertThat(points).extracting(Datapoint::timestamp).containsExactly(minute(1));
    assertThat(points.get(0).value(Statistic.MAXIMUM)).isEqualTo(1);
  }

  @Test
  void statistics_fiveMinutePeriods_reaggregatesStorePeriods() {
    Counter bytes = store.counter(Metric.PROCESSED_BYTES, ZONE_A);
    Gauge active = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    for (int minute = 0; minute < 10; minute++) {
      bytes.add(100 * (minute + 1)); // 100, 200, ... 1000
      active.set(minute); // samples per period: [start, minute]
      passMinutes(1);
    }

    List<Datapoint> counters = store.statistics(
        Metric.PROCESSED_BYTES, ZONE_A, T0, minute(10), Duration.ofMinutes(5), ALL);
    List<Datapoint> gauges = store.statistics(
        Metric.ACTIVE_FLOW_COUNT, ZONE_A, T0, minute(10), Duration.ofMinutes(5), ALL);

    // 100+200+300+400+500 = 1500 over 5 samples; 600+...+1000 = 4000
    assertThat(counters).hasSize(2);
    assertPoint(counters.get(0), minute(0), 1500, 5, 100, 500, 300);
    assertPoint(counters.get(1), minute(5), 4000, 5, 600, 1000, 800);
    assertThat(counters.get(0).unit()).isEqualTo(Unit.BYTES);
    // Gauge samples, minutes 0-4: (0,0) (0,1) (1,2) (2,3) (3,4): sum 16 over 10
    // minutes 5-9: (4,5) (5,6) (6,7) (7,8) (8,9): sum 65 over 10
    assertPoint(gauges.get(0), minute(0), 16, 10, 0, 4, 1.6);
    assertPoint(gauges.get(1), minute(5), 65, 10, 4, 9, 6.5);
  }

  @Test
  void statistics_queryPeriodsStartAtStart_andOmitTheOpenPeriod() {
    Counter flows = store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    passMinutes(3);
    flows.add(7); // in the open period 3: not reported yet

    List<Datapoint> points = store.statistics(
        Metric.NEW_FLOW_COUNT, ZONE_A, minute(1), minute(10), Duration.ofMinutes(2),
        EnumSet.of(Statistic.SUM, Statistic.SAMPLE_COUNT));

    assertThat(points).hasSize(1);
    assertThat(points.get(0).timestamp()).isEqualTo(minute(1));
    assertThat(points.get(0).values())
        .containsExactly(
            Map.entry(Statistic.SAMPLE_COUNT, 0.0), Map.entry(Statistic.SUM, 0.0));

    passMinutes(1);
    assertThat(store.statistics(Metric.NEW_FLOW_COUNT, ZONE_A, minute(3), minute(4), MINUTE,
            EnumSet.of(Statistic.SUM)))
        .singleElement()
        .satisfies(p -> assertThat(p.value(Statistic.SUM)).isEqualTo(7));
  }

  @Test
  void statistics_unresolvedSeries_isEmpty() {
    store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    passMinutes(2);

    assertThat(store.statistics(Metric.NEW_FLOW_COUNT, ZONE_B, T0, minute(2), MINUTE, ALL))
        .isEmpty();
    assertThat(store.statistics(Metric.PROCESSED_BYTES, ZONE_A, T0, minute(2), MINUTE, ALL))
        .isEmpty();
  }

  @Test
  void statistics_badArguments_throwWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> store.statistics(
            Metric.NEW_FLOW_COUNT, ZONE_A, T0, minute(5), Duration.ofSeconds(45), ALL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period: PT45S (expected: a multiple of PT1M)");
    assertThatThrownBy(() -> store.statistics(
            Metric.NEW_FLOW_COUNT, ZONE_A, T0, minute(5), Duration.ZERO, ALL))
        .hasMessage("period: PT0S (expected: a multiple of PT1M)");
    assertThatThrownBy(() -> store.statistics(
            Metric.NEW_FLOW_COUNT, ZONE_A, minute(5), minute(5), MINUTE, ALL))
        .hasMessage("end: 2024-01-01T00:05:00Z (expected: after start 2024-01-01T00:05:00Z)");
    assertThatThrownBy(() -> store.statistics(
            Metric.NEW_FLOW_COUNT, ZONE_A, T0, minute(5), MINUTE, Set.of()))
        .hasMessage("statistics: [] (expected: at least one statistic)");
    assertThatThrownBy(() -> store.statistics(
            Metric.CONSUMED_LCUS, ZONE_A, T0, minute(5), MINUTE, ALL))
        .hasMessage("dimensions: {AvailabilityZone, LoadBalancer}"
            + " (expected: one of [{LoadBalancer}] for ConsumedLCUs)");
  }

  @Test
  void datapoint_valueNotRequested_throws() {
    store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    passMinutes(1);
    Datapoint point = store.statistics(
        Metric.NEW_FLOW_COUNT, ZONE_A, T0, minute(1), MINUTE, EnumSet.of(Statistic.SUM)).get(0);

    assertThatThrownBy(() -> point.value(Statistic.MAXIMUM))
        .hasMessage("statistic: Maximum (expected: one of the requested [SUM])");
  }

  @Test
  void retention_threePeriods_dropsOlderPeriods() {
    MetricStore small = MetricStore.builder().clock(clock).retentionPeriods(3).build();
    Counter flows = small.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    for (int minute = 0; minute < 10; minute++) {
      flows.add(minute + 1);
      clock.advance(MINUTE);
      small.tick();
    }

    List<Datapoint> points = small.statistics(
        Metric.NEW_FLOW_COUNT, ZONE_A, T0, minute(10), MINUTE, EnumSet.of(Statistic.SUM));

    assertThat(points).extracting(Datapoint::timestamp)
        .containsExactly(minute(7), minute(8), minute(9));
    assertThat(points).extracting(p -> p.value(Statistic.SUM)).containsExactly(8.0, 9.0, 10.0);
    assertThat(small.retentionPeriods()).isEqualTo(3);
  }

  @Test
  void retention_longIdleGap_keepsRingBoundedAndReportsZeros() {
    MetricStore small = MetricStore.builder().clock(clock).retentionPeriods(3).build();
    Counter flows = small.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    flows.add(5);
    clock.advance(Duration.ofDays(30)); // one roll-over across 43,200 periods
    small.tick();

    List<Datapoint> points = small.statistics(
        Metric.NEW_FLOW_COUNT, ZONE_A, T0, clock.instant(), MINUTE, EnumSet.of(Statistic.SUM));

    assertThat(points).hasSize(3);
    assertThat(points).extracting(p -> p.value(Statistic.SUM)).containsOnly(0.0);
  }

  @Test
  void rollUp_countersInTwoZones_loadBalancerSeriesPoolsSamples() {
    Counter a = store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    Counter b = store.counter(Metric.NEW_FLOW_COUNT, ZONE_B);
    a.add(2);
    a.add(4);
    b.add(10);
    passMinutes(1);

    List<Datapoint> points = store.statistics(
        Metric.NEW_FLOW_COUNT, ALL_ZONES, T0, minute(1), MINUTE, ALL);

    assertPoint(points.get(0), minute(0), 16, 3, 2, 10, 16.0 / 3);
  }

  @Test
  void rollUp_gaugesInTwoZones_loadBalancerSeriesIsTheSumOfLevels() {
    Gauge a = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    Gauge b = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_B);
    a.increment(); // total 1
    a.increment(); // total 2
    b.increment(); // total 3
    a.decrement(); // total 2
    passMinutes(1);

    List<Datapoint> points = store.statistics(
        Metric.ACTIVE_FLOW_COUNT, ALL_ZONES, T0, minute(1), MINUTE, ALL);

    // samples of the total: 0 (start), 1, 2, 3, 2
    assertPoint(points.get(0), minute(0), 8, 5, 0, 3, 1.6);
  }

  @Test
  void rollUp_hostCountsSetPerZone_targetGroupSeriesAddsZones() {
    Gauge a = store.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG));
    Gauge b = store.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_B.withTargetGroup(TG));
    a.set(3); // total 3
    b.set(2); // total 5
    a.set(1); // total 3
    passMinutes(1);

    List<Datapoint> points = store.statistics(Metric.HEALTHY_HOST_COUNT,
        ALL_ZONES.withTargetGroup(TG), T0, minute(1), MINUTE,
        EnumSet.of(Statistic.MINIMUM, Statistic.MAXIMUM));

    assertThat(points.get(0).value(Statistic.MINIMUM)).isEqualTo(0);
    assertThat(points.get(0).value(Statistic.MAXIMUM)).isEqualTo(5);
    passMinutes(1);
    assertThat(store.statistics(Metric.HEALTHY_HOST_COUNT, ALL_ZONES.withTargetGroup(TG),
            minute(1), minute(2), MINUTE, EnumSet.of(Statistic.MINIMUM, Statistic.MAXIMUM)))
        .singleElement()
        .satisfies(p -> assertThat(p.values()).containsValues(3.0, 3.0));
  }

  @Test
  void consumedLcus_perProtocol_maxOfTheThreeDimensionsAndTheirSum() {
    // TCP: 48,000 flows/min = 800/s -> 1.0; peak 150,000 active -> 1.5; 16 MiB/min = 0.9375 GiB/h
    store.counter(Metric.NEW_FLOW_COUNT_TCP, ZONE_A).add(48_000);
    store.gauge(Metric.ACTIVE_FLOW_COUNT_TCP, ZONE_A).set(150_000);
    store.counter(Metric.PROCESSED_BYTES_TCP, ZONE_A).add(1L << 24);
    // TLS: 6,000 flows/min = 100/s -> 2.0; 1,500 active -> 0.5; no bytes
    store.counter(Metric.NEW_FLOW_COUNT_TLS, ZONE_A).add(6_000);
    store.gauge(Metric.ACTIVE_FLOW_COUNT_TLS, ZONE_B).set(1_500);
    // UDP: 24,000 flows/min = 400/s -> 1.0; 25,000 active -> 0.5; 32 MiB/min = 1.875 GiB/h
    store.counter(Metric.NEW_FLOW_COUNT_UDP, ZONE_B).add(24_000);
    store.gauge(Metric.ACTIVE_FLOW_COUNT_UDP, ZONE_B).set(25_000);
    store.counter(Metric.PROCESSED_BYTES_UDP, ZONE_A).add(1L << 24);
    store.counter(Metric.PROCESSED_BYTES_UDP, ZONE_B).add(1L << 24);
    passMinutes(2); // minute 1: idle

    // Minute 1 has no new flows or bytes, but 150,000 + 1,500 + 25,000 flows still open.
    assertThat(lcus(Metric.CONSUMED_LCUS_TCP)).containsExactly(1.5, 1.5);
    assertThat(lcus(Metric.CONSUMED_LCUS_TLS)).containsExactly(2.0, 0.5);
    assertThat(lcus(Metric.CONSUMED_LCUS_UDP)).containsExactly(1.875, 0.5);
    assertThat(lcus(Metric.CONSUMED_LCUS)).containsExactly(5.375, 2.5);
    assertThat(store.statistics(Metric.CONSUMED_LCUS, ALL_ZONES, T0, minute(2), MINUTE,
            EnumSet.of(Statistic.SAMPLE_COUNT, Statistic.AVERAGE, Statistic.MAXIMUM)).get(0)
        .unit()).isEqualTo(Unit.NONE);
  }

  @Test
  void consumedLcus_onlyTotalsRecorded_usesTcpRates() {
    store.counter(Metric.NEW_FLOW_COUNT, ZONE_A).add(96_000); // 1,600/s -> 2.0
    passMinutes(1);

    assertThat(lcus(Metric.CONSUMED_LCUS)).containsExactly(2.0);
    assertThat(lcus(Metric.CONSUMED_LCUS_TCP)).isEmpty();
  }

  @Test
  void peakPacketsPerSecond_tenSecondWindows_highestWindowRatePerSeries() {
    Counter a = store.counter(Metric.PROCESSED_PACKETS, ZONE_A);
    Counter b = store.counter(Metric.PROCESSED_PACKETS, ZONE_B);
    a.add(100); // window 0: A 100, B 0, total 100
    passSeconds(10);
    a.add(300); // window 1: A 300, B 200, total 500
    b.add(200);
    passSeconds(10);
    b.add(250); // window 2: A 0, B 250, total 250
    passSeconds(40);

    assertThat(peak(ZONE_A)).containsExactly(30.0);
    assertThat(peak(ZONE_B)).containsExactly(25.0);
    assertThat(peak(ALL_ZONES)).containsExactly(50.0);
    assertThat(store.statistics(Metric.PEAK_PACKETS_PER_SECOND, ALL_ZONES, T0, minute(1), MINUTE,
            EnumSet.of(Statistic.MAXIMUM)).get(0).unit())
        .isEqualTo(Unit.COUNT_PER_SECOND);
  }

  @Test
  void peakPacketsPerSecond_missedTicks_averagesOverElapsedWindows() {
    Counter a = store.counter(Metric.PROCESSED_PACKETS, ZONE_A);
    a.add(600);
    clock.advance(MINUTE); // no tick for six windows
    store.tick();
    passMinutes(1); // minute 1: no packets, not reported

    assertThat(peak(ZONE_A)).containsExactly(10.0);
  }

  @Test
  @Timeout(10)
  void record_concurrentlyFromFourThreads_losesNothing() throws Exception {
    Counter flows = store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    Gauge active = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_B);
    int threads = 4;
    int perThread = 10_000;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            flows.add(2);
            active.increment();
            active.decrement();
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    passMinutes(1);

    Datapoint counter = store.statistics(
        Metric.NEW_FLOW_COUNT, ALL_ZONES, T0, minute(1), MINUTE, ALL).get(0);
    Datapoint gauge = store.statistics(
        Metric.ACTIVE_FLOW_COUNT, ZONE_B, T0, minute(1), MINUTE, ALL).get(0);
    assertPoint(counter, minute(0), 80_000, 40_000, 2, 2, 2);
    assertThat(gauge.value(Statistic.SAMPLE_COUNT)).isEqualTo(1 + 2 * 40_000);
    assertThat(gauge.value(Statistic.MINIMUM)).isEqualTo(0);
    assertThat(gauge.value(Statistic.MAXIMUM)).isBetween(1.0, 4.0);
    // After all threads finished, the next period starts at level 0.
    passMinutes(1);
    assertThat(store.statistics(Metric.ACTIVE_FLOW_COUNT, ZONE_B, minute(1), minute(2), MINUTE,
            EnumSet.of(Statistic.MAXIMUM)).get(0).value(Statistic.MAXIMUM))
        .isEqualTo(0);
  }

  @Test
  void counter_negativeAmount_throws() {
    Counter c = store.counter(Metric.PROCESSED_BYTES, ZONE_A);

    assertThatThrownBy(() -> c.add(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("amount: -1 (expected: >= 0; counters never go down)");
  }

  @Test
  void counter_sameSeriesTwice_returnsSameHandle() {
    assertThat(store.counter(Metric.NEW_FLOW_COUNT, ZONE_A))
        .isSameAs(store.counter(Metric.NEW_FLOW_COUNT, Dimensions.of(LB, "us-east-2a", null)));
    assertThat(store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A))
        .isSameAs(store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A));
  }

  @Test
  void counter_gaugeMetricOrUnpublishedDimensions_throws() {
    assertThatThrownBy(() -> store.counter(Metric.ACTIVE_FLOW_COUNT, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("metric: ActiveFlowCount");
    assertThatThrownBy(() -> store.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dimensions: {AvailabilityZone, LoadBalancer}");
  }

  @Test
  void builder_badValues_throwWithFieldValueAndExpectation() {
    assertThatThrownBy(() -> MetricStore.builder().period(Duration.ofMillis(1500)))
        .hasMessage("period: PT1.5S (expected: a whole number of seconds from PT1S to PT24H)");
    assertThatThrownBy(() -> MetricStore.builder().period(Duration.ofDays(2)))
        .hasMessage("period: PT48H (expected: a whole number of seconds from PT1S to PT24H)");
    assertThatThrownBy(() -> MetricStore.builder().retention(Duration.ZERO))
        .hasMessage("retention: PT0S (expected: a positive duration)");
    assertThatThrownBy(() -> MetricStore.builder().retentionPeriods(0))
        .hasMessage("retentionPeriods: 0 (expected: 1-100000)");
    assertThatThrownBy(
            () -> MetricStore.builder()
                .period(Duration.ofSeconds(1))
                .retention(Duration.ofDays(2))
                .build())
        .hasMessage("retention: PT48H (expected: at most 100000 periods of PT1S, got 172800)");
  }

  @Test
  void builder_retentionDuration_roundsUpToWholePeriods() {
    MetricStore built = MetricStore.builder()
        .period(Duration.ofMinutes(5))
        .retention(Duration.ofMinutes(61))
        .clock(clock)
        .build();

    assertThat(built.period()).isEqualTo(Duration.ofMinutes(5));
    assertThat(built.retentionPeriods()).isEqualTo(13);
    assertThat(MetricStore.create().retentionPeriods()).isEqualTo(180);
  }

  @Test
  void record_afterWarmUp_allocatesNothing() {
    Counter bytes = store.counter(Metric.PROCESSED_BYTES, ZONE_A);
    Counter flows = store.counter(Metric.NEW_FLOW_COUNT, ZONE_A);
    Gauge active = store.gauge(Metric.ACTIVE_FLOW_COUNT, ZONE_A);
    Gauge healthy = store.gauge(Metric.HEALTHY_HOST_COUNT, ZONE_A.withTargetGroup(TG));
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

  private List<Double> lcus(Metric metric) {
    return store.statistics(metric, ALL_ZONES, T0, minute(2), MINUTE, EnumSet.of(Statistic.SUM))
        .stream().map(p -> p.value(Statistic.SUM)).toList();
  }

  private List<Double> peak(Dimensions dimensions) {
    return store.statistics(Metric.PEAK_PACKETS_PER_SECOND, dimensions, T0, minute(2), MINUTE,
            EnumSet.of(Statistic.MAXIMUM))
        .stream().map(p -> p.value(Statistic.MAXIMUM)).toList();
  }

  /** Advances the clock minute by minute, ticking at each boundary like a scheduler would. */
  private void passMinutes(int minutes) {
    passSeconds(60 * minutes);
  }

  private void passSeconds(int seconds) {
    for (int i = 0; i < seconds; i += 10) {
      clock.advance(Duration.ofSeconds(10));
      store.tick();
    }
  }

  private static Instant minute(int n) {
    return T0.plus(Duration.ofMinutes(n));
  }

  private static void assertPoint(
      Datapoint point,
      Instant timestamp,
      double sum,
      double sampleCount,
      double minimum,
      double maximum,
      double average) {
    assertThat(point.timestamp()).isEqualTo(timestamp);
    assertThat(point.value(Statistic.SUM)).as("Sum").isEqualTo(sum);
    assertThat(point.value(Statistic.SAMPLE_COUNT)).as("SampleCount").isEqualTo(sampleCount);
    assertThat(point.value(Statistic.MINIMUM)).as("Minimum").isEqualTo(minimum);
    assertThat(point.value(Statistic.MAXIMUM)).as("Maximum").isEqualTo(maximum);
    assertThat(point.value(Statistic.AVERAGE)).as("Average").isCloseTo(average,
        Offset.offset(1e-9));
  }
}
