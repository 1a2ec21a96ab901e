package io.nlb.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetSelectorTest {
  private static final int SIZE = MaglevTable.DEFAULT_SIZE;

  @Test
  void select_allEligible_isThePrimaryLookup() {
    TargetSelector selector = TargetSelector.build(Flows.sortedKeys(100), Flows.all(100, true), SIZE);

    int differ = 0;
    for (long h : Flows.ipv4Hashes()) {
      int expected = selector.primary().lookup(h);
      if (selector.select(h) != expected || selector.selectIgnoringEligibility(h) != expected) {
        differ++;
      }
    }

    assertThat(differ).isZero();
    assertThat(selector.eligibleCount()).isEqualTo(100);
    assertThat(selector.keyCount()).isEqualTo(100);
  }

  /**
   * Marks the first, middle and last target ineligible in turn, over a million flows: no flow of
   * an eligible target moves, every flow of the failed target lands on an eligible one, and load
   * stays balanced. Maglev hands a removed key's positions to the others through a cascade, so
   * per receiver the failed target's share is even only for small N (at N = 100 one receiver may
   * take several times its share of the 1 % that moved); the load of every target stays close to
   * the mean, which is what matters.
   */
  @ParameterizedTest(name = "N={0}")
  @CsvSource({
    "3, 0.05, 0.02",
    "10, 0.15, 0.02",
    "100, -1, 0.06",
    "1000, -1, 0.15",
  })
  void withEligibility_oneTargetIneligible_movesOnlyItsFlowsAndSpreadsThem(
      int n, double maxReceiverDeviation, double maxLoadDeviation) {
    long[] flows = Flows.ipv4Hashes();
    TargetSelector healthy = TargetSelector.build(Flows.sortedKeys(n), Flows.all(n, true), SIZE);
    for (int failed : new int[] {0, n / 2, n - 1}) {
      boolean[] eligible = Flows.all(n, true);
      eligible[failed] = false;
      TargetSelector degraded = healthy.withEligibility(eligible);
      int[] received = new int[n];
      int[] load = new int[n];
      int failedFlows = 0;
      int movedFromEligible = 0;

      for (long h : flows) {
        int before = healthy.select(h);
        int after = degraded.select(h);
        if (before != failed) {
          if (after != before) {
            movedFromEligible++;
          }
        } else {
          received[after]++;
          failedFlows++;
        }
        load[after]++;
      }

      assertThat(movedFromEligible).as("N=%d, target %d failed: flows of others moved", n, failed)
          .isZero();
      assertThat(load[failed]).as("flows still on the failed target").isZero();
      assertThat(failedFlows).isPositive();
      assertThat(degraded.eligibleCount()).isEqualTo(n - 1);
      double meanReceived = (double) failedFlows / (n - 1);
      double meanLoad = (double) flows.length / (n - 1);
      for (int t = 0; t < n; t++) {
        if (t == failed) {
          continue;
        }
        if (maxReceiverDeviation >= 0) {
          assertThat(received[t] / meanReceived)
              .as("N=%d, target %d failed: share received by target %d", n, failed, t)
              .isBetween(1 - maxReceiverDeviation, 1 + maxReceiverDeviation);
        }
        assertThat(load[t] / meanLoad)
            .as("N=%d, target %d failed: load of target %d", n, failed, t)
            .isBetween(1 - maxLoadDeviation, 1 + maxLoadDeviation);
      }
    }
  }

  /**
   * One target down, then two more. A flow whose primary target is still eligible never moves. A
   * flow of the first failed target already sits on its secondary choice; the secondary table is
   * rebuilt without the two new failures, so such a flow moves when its choice failed, and
   * otherwise only as little as Maglev moves keys when two of nineteen are removed.
   */
  @Test
  void withEligibility_moreTargetsFail_flowsOfEligiblePrimaryTargetsNeverMove() {
    long[] flows = Flows.ipv4Hashes();
    TargetSelector healthy = TargetSelector.build(Flows.sortedKeys(20), Flows.all(20, true), SIZE);
    boolean[] oneDown = Flows.all(20, true);
    oneDown[3] = false;
    boolean[] threeDown = oneDown.clone();
    threeDown[11] = false;
    threeDown[19] = false;
    TargetSelector first = healthy.withEligibility(oneDown);
    TargetSelector second = first.withEligibility(threeDown);
    int movedFromEligiblePrimary = 0;
    int failedOverStillEligible = 0;
    int failedOverMoved = 0;
    int onIneligible = 0;

    for (long h : flows) {
      int primary = healthy.select(h);
      int before = first.select(h);
      int after = second.select(h);
      if (threeDown[primary] && after != primary) {
        movedFromEligiblePrimary++;
      }
      if (primary == 3 && threeDown[before]) {
        failedOverStillEligible++;
        if (after != before) {
          failedOverMoved++;
        }
      }
      if (!threeDown[after]) {
        onIneligible++;
      }
    }

    assertThat(movedFromEligiblePrimary).isZero();
    assertThat(onIneligible).isZero();
    assertThat((double) failedOverMoved / failedOverStillEligible).isLessThan(0.02);
    assertThat(second.eligibleCount()).isEqualTo(17);
  }

  @Test
  void withEligibility_targetRecovers_everyFlowReturns() {
    TargetSelector healthy = TargetSelector.build(Flows.sortedKeys(10), Flows.all(10, true), SIZE);
    boolean[] eligible = Flows.all(10, true);
    eligible[4] = false;

    TargetSelector recovered = healthy.withEligibility(eligible).withEligibility(Flows.all(10, true));

    int differ = 0;
    for (long h : Flows.ipv4Hashes()) {
      if (recovered.select(h) != healthy.select(h)) {
        differ++;
      }
    }

    assertThat(differ).isZero();
  }

  @Test
  void withEligibility_anyMask_reusesThePrimaryTable() {
    TargetSelector healthy = TargetSelector.build(Flows.sortedKeys(10), Flows.all(10, true), SIZE);
    boolean[] eligible = Flows.all(10, true);
    eligible[0] = false;

    assertThat(healthy.withEligibility(eligible).primary()).isSameAs(healthy.primary());
    assertThat(healthy.withEligibility(Flows.all(10, false)).primary()).isSameAs(healthy.primary());
  }

  @Test
  void withEligibility_sameMask_returnsThis() {
    TargetSelector healthy = TargetSelector.build(Flows.sortedKeys(10), Flows.all(10, true), SIZE);

    assertThat(healthy.withEligibility(Flows.all(10, true))).isSameAs(healthy);
  }

  @Test
  void select_noTargetEligible_returnsMinusOneButIgnoringEligibilityStillRoutes() {
    TargetSelector selector = TargetSelector.build(Flows.sortedKeys(5), Flows.all(5, false), SIZE);

    for (long h : new long[] {0, -1, 0x1234_5678_9ABC_DEF0L, Long.MIN_VALUE}) {
      assertThat(selector.select(h)).isEqualTo(-1);
      assertThat(selector.selectIgnoringEligibility(h)).isBetween(0, 4);
    }
    assertThat(selector.eligibleCount()).isZero();
  }

  @Test
  void select_noTargets_returnsMinusOne() {
    TargetSelector selector = TargetSelector.build(new String[0], new boolean[0], SIZE);

    assertThat(selector.select(42)).isEqualTo(-1);
    assertThat(selector.selectIgnoringEligibility(42)).isEqualTo(-1);
    assertThat(selector.keyCount()).isZero();
    assertThat(selector.eligibleCount()).isZero();
  }

  @Test
  void select_oneEligibleTarget_takesEveryFlow() {
    boolean[] eligible = {false, true, false};
    TargetSelector selector = TargetSelector.build(new String[] {"a", "b", "c"}, eligible, 13);

    for (long h : new long[] {0, -1, 0x1234_5678_9ABC_DEF0L, Long.MIN_VALUE, 0x7FFF_0000_0000_0000L}) {
      assertThat(selector.select(h)).isEqualTo(1);
    }
  }

  @Test
  void build_eligibleOfWrongLength_throws() {
    assertThatThrownBy(() -> TargetSelector.build(new String[] {"a", "b"}, new boolean[3], 13))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eligible.length: 3 (expected: 2, one per key)");
  }

  @Test
  void withEligibility_maskOfWrongLength_throws() {
    TargetSelector selector = TargetSelector.build(new String[] {"a", "b"}, new boolean[2], 13);

    assertThatThrownBy(() -> selector.withEligibility(new boolean[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eligible.length: 1 (expected: 2, one per key)");
  }

  @Test
  void build_callerChangesMaskAfterwards_selectorKeepsItsCopy() {
    boolean[] eligible = {true, true};
    TargetSelector selector = TargetSelector.build(new String[] {"a", "b"}, eligible, 13);

    eligible[0] = false;

    assertThat(selector.isEligible(0)).isTrue();
    assertThat(selector.eligibleCount()).isEqualTo(2);
    assertThat(selector.key(0)).isEqualTo("a");
  }
}
