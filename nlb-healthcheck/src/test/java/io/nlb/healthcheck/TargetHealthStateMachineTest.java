package io.nlb.healthcheck;

import static io.nlb.core.spi.CheckOutcome.ERROR;
import static io.nlb.core.spi.CheckOutcome.FAILURE;
import static io.nlb.core.spi.CheckOutcome.SUCCESS;
import static io.nlb.core.spi.CheckOutcome.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.HealthCheck;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetHealthState;
import io.nlb.core.spi.CheckOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetHealthStateMachineTest {
  private static final TargetHealth REGISTRATION = TargetHealth.of(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  private static final TargetHealth CHECKING = TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);
  private static final TargetHealth FAILED = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  private static final TargetHealth INTERNAL = TargetHealth.of(TargetHealthReason.ELB_INTERNAL_ERROR);

  private static HealthCheck settings(int healthy, int unhealthy) {
    return HealthCheck.builder().healthyThreshold(healthy).unhealthyThreshold(unhealthy).build();
  }

  private static TargetHealthStateMachine healthyMachine() {
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    m.checkStarted();
    m.record(SUCCESS, settings(2, 2));
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    return m;
  }

  private static TargetHealthStateMachine unhealthyMachine() {
    TargetHealthStateMachine m = new TargetHealthStateMachine(FAILED);
    assertThat(m.health()).isEqualTo(FAILED);
    return m;
  }

  @Test
  void new_registered_isInitialRegistrationInProgress() {
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    assertThat(m.health()).isEqualTo(REGISTRATION);
    assertThat(m.health().reason()).contains(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  }

  @Test
  void checkStarted_registrationInProgress_becomesInitialHealthChecking() {
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    assertThat(m.checkStarted()).isTrue();
    assertThat(m.health()).isEqualTo(CHECKING);
    assertThat(m.health().state()).isEqualTo(TargetHealthState.INITIAL);
    assertThat(m.checkStarted()).isFalse();
  }

  @Test
  void checkStarted_healthy_changesNothing() {
    TargetHealthStateMachine m = healthyMachine();
    assertThat(m.checkStarted()).isFalse();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 5, 10})
  void record_initialOneSuccess_becomesHealthyWhateverTheHealthyThreshold(int healthyThreshold) {
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    m.checkStarted();
    assertThat(m.record(SUCCESS, settings(healthyThreshold, 2))).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void record_successWithoutCheckStarted_leavesRegistrationAndBecomesHealthy() {
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    assertThat(m.record(SUCCESS, settings(5, 2))).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 10})
  void record_initialFailures_becomesUnhealthyExactlyAtUnhealthyThreshold(int threshold) {
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    m.checkStarted();
    for (int i = 1; i < threshold; i++) {
      assertThat(m.record(i % 2 == 0 ? TIMEOUT : FAILURE, settings(5, threshold))).isFalse();
      assertThat(m.health()).isEqualTo(CHECKING);
    }
    assertThat(m.record(FAILURE, settings(5, threshold))).isTrue();
    assertThat(m.health()).isEqualTo(FAILED);
    assertThat(m.health().reason()).contains(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  }

  @Test
  void record_initialFailuresThenSuccess_becomesHealthy() {
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    m.checkStarted();
    m.record(FAILURE, settings(5, 3));
    m.record(FAILURE, settings(5, 3));
    assertThat(m.record(SUCCESS, settings(5, 3))).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 4, 10})
  void record_healthyConsecutiveFailures_becomesUnhealthyExactlyAtThreshold(int threshold) {
    TargetHealthStateMachine m = healthyMachine();
    for (int i = 1; i < threshold; i++) {
      assertThat(m.record(FAILURE, settings(2, threshold))).isFalse();
      assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    }
    assertThat(m.record(TIMEOUT, settings(2, threshold))).isTrue();
    assertThat(m.health()).isEqualTo(FAILED);
  }

  @Test
  void record_healthyFailuresInterruptedBySuccess_countStartsAgain() {
    TargetHealthStateMachine m = healthyMachine();
    HealthCheck s = settings(2, 3);
    m.record(FAILURE, s);
    m.record(FAILURE, s);
    m.record(SUCCESS, s);
    assertThat(m.consecutiveFailures()).isZero();
    m.record(FAILURE, s);
    m.record(FAILURE, s);
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    assertThat(m.record(FAILURE, s)).isTrue();
    assertThat(m.health()).isEqualTo(FAILED);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 5, 10})
  void record_unhealthyConsecutiveSuccesses_becomesHealthyExactlyAtHealthyThreshold(int threshold) {
    TargetHealthStateMachine m = unhealthyMachine();
    for (int i = 1; i < threshold; i++) {
      assertThat(m.record(SUCCESS, settings(threshold, 2))).isFalse();
      assertThat(m.health()).isEqualTo(FAILED);
    }
    assertThat(m.record(SUCCESS, settings(threshold, 2))).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void record_unhealthySuccessesInterruptedByFailure_countStartsAgain() {
    TargetHealthStateMachine m = unhealthyMachine();
    HealthCheck s = settings(3, 2);
    m.record(SUCCESS, s);
    m.record(SUCCESS, s);
    assertThat(m.record(TIMEOUT, s)).isFalse();
    assertThat(m.consecutiveSuccesses()).isZero();
    m.record(SUCCESS, s);
    m.record(SUCCESS, s);
    assertThat(m.health()).isEqualTo(FAILED);
    assertThat(m.record(SUCCESS, s)).isTrue();
  }

  @Test
  void record_unhealthyMoreFailures_staysUnhealthyWithoutTransition() {
    TargetHealthStateMachine m = unhealthyMachine();
    for (int i = 0; i < 20; i++) {
      assertThat(m.record(FAILURE, settings(2, 2))).isFalse();
    }
    assertThat(m.health()).isEqualTo(FAILED);
  }

  @Test
  void record_healthyMoreSuccesses_staysHealthyWithoutTransition() {
    TargetHealthStateMachine m = healthyMachine();
    for (int i = 0; i < 20; i++) {
      assertThat(m.record(SUCCESS, settings(2, 2))).isFalse();
    }
  }

  @Test
  void record_fullCycleAtMinimumThresholds_initialHealthyUnhealthyHealthy() {
    HealthCheck s = settings(2, 2);
    TargetHealthStateMachine m = new TargetHealthStateMachine();
    m.checkStarted();
    m.record(SUCCESS, s);
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    m.record(FAILURE, s);
    m.record(FAILURE, s);
    assertThat(m.health()).isEqualTo(FAILED);
    m.record(SUCCESS, s);
    assertThat(m.health()).isEqualTo(FAILED);
    m.record(SUCCESS, s);
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void record_fullCycleAtMaximumThresholds_tenEachWay() {
    HealthCheck s = settings(10, 10);
    TargetHealthStateMachine m = healthyMachine();
    for (int i = 0; i < 9; i++) {
      m.record(FAILURE, s);
    }
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    m.record(FAILURE, s);
    assertThat(m.health()).isEqualTo(FAILED);
    for (int i = 0; i < 9; i++) {
      m.record(SUCCESS, s);
    }
    assertThat(m.health()).isEqualTo(FAILED);
    m.record(SUCCESS, s);
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  // ---------------------------------------------------------------- settings change mid-stream

  @Test
  void record_unhealthyThresholdLoweredBelowRunningCount_nextFailureTransitions() {
    TargetHealthStateMachine m = healthyMachine();
    for (int i = 0; i < 4; i++) {
      m.record(FAILURE, settings(2, 5));
    }
    assertThat(m.consecutiveFailures()).isEqualTo(4);
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    // The change itself is not a check: nothing happens until the next outcome.
    assertThat(m.record(FAILURE, settings(2, 3))).isTrue();
    assertThat(m.health()).isEqualTo(FAILED);
  }

  @Test
  void record_unhealthyThresholdLoweredBelowRunningCountThenSuccess_staysHealthy() {
    TargetHealthStateMachine m = healthyMachine();
    for (int i = 0; i < 4; i++) {
      m.record(FAILURE, settings(2, 5));
    }
    assertThat(m.record(SUCCESS, settings(2, 2))).isFalse();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    assertThat(m.consecutiveFailures()).isZero();
  }

  @Test
  void record_healthyThresholdLoweredToRunningCount_nextSuccessTransitions() {
    TargetHealthStateMachine m = unhealthyMachine();
    for (int i = 0; i < 3; i++) {
      m.record(SUCCESS, settings(10, 2));
    }
    assertThat(m.record(SUCCESS, settings(2, 2))).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void record_thresholdRaisedMidRun_runContinuesToNewThreshold() {
    TargetHealthStateMachine m = healthyMachine();
    m.record(FAILURE, settings(2, 2 + 1));
    m.record(FAILURE, settings(2, 3));
    // Raised to 5 before the third failure: two more are needed.
    assertThat(m.record(FAILURE, settings(2, 5))).isFalse();
    assertThat(m.record(FAILURE, settings(2, 5))).isFalse();
    assertThat(m.record(FAILURE, settings(2, 5))).isTrue();
    assertThat(m.consecutiveFailures()).isEqualTo(5);
  }

  // ---------------------------------------------------------------- internal errors

  @Test
  void record_errorsReachUnhealthyThreshold_becomesUnavailableInternalError() {
    TargetHealthStateMachine m = healthyMachine();
    assertThat(m.record(ERROR, settings(2, 3))).isFalse();
    assertThat(m.record(ERROR, settings(2, 3))).isFalse();
    assertThat(m.record(ERROR, settings(2, 3))).isTrue();
    assertThat(m.health()).isEqualTo(INTERNAL);
    assertThat(m.health().state()).isEqualTo(TargetHealthState.UNAVAILABLE);
  }

  @Test
  void record_errorBetweenFailures_doesNotBreakTheFailureRun() {
    TargetHealthStateMachine m = healthyMachine();
    m.record(FAILURE, settings(2, 2));
    m.record(ERROR, settings(2, 2));
    assertThat(m.record(FAILURE, settings(2, 2))).isTrue();
    assertThat(m.health()).isEqualTo(FAILED);
  }

  @Test
  void record_unavailableThenSuccesses_becomesHealthyAtHealthyThreshold() {
    TargetHealthStateMachine m = new TargetHealthStateMachine(INTERNAL);
    assertThat(m.record(SUCCESS, settings(3, 2))).isFalse();
    assertThat(m.record(SUCCESS, settings(3, 2))).isFalse();
    assertThat(m.record(SUCCESS, settings(3, 2))).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void record_unavailableThenFailures_becomesUnhealthyAtUnhealthyThreshold() {
    TargetHealthStateMachine m = new TargetHealthStateMachine(INTERNAL);
    assertThat(m.record(FAILURE, settings(3, 2))).isFalse();
    assertThat(m.record(FAILURE, settings(3, 2))).isTrue();
    assertThat(m.health()).isEqualTo(FAILED);
  }

  // ---------------------------------------------------------------- passive

  @Test
  void passiveFailure_healthyBelowThreshold_staysHealthy() {
    TargetHealthStateMachine m = healthyMachine();
    for (int i = 1; i < TargetHealthStateMachine.PASSIVE_FAILURE_THRESHOLD; i++) {
      assertThat(m.passiveFailure()).isFalse();
    }
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void passiveFailure_healthyAtThreshold_outOfServiceBeforeAnyActiveFailure() {
    TargetHealthStateMachine m = healthyMachine();
    assertThat(TargetHealthStateMachine.PASSIVE_FAILURE_THRESHOLD).isEqualTo(3);
    m.passiveFailure();
    m.passiveFailure();
    assertThat(m.passiveFailure()).isTrue();
    assertThat(m.health()).isEqualTo(FAILED);
    assertThat(m.consecutiveFailures()).isZero();
  }

  @Test
  void passiveSuccess_betweenFailures_resetsTheRun() {
    TargetHealthStateMachine m = healthyMachine();
    m.passiveFailure();
    m.passiveFailure();
    m.passiveSuccess();
    m.passiveFailure();
    m.passiveFailure();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
    assertThat(m.passiveFailure()).isTrue();
  }

  @Test
  void passiveFailure_notHealthy_ignored() {
    TargetHealthStateMachine initial = new TargetHealthStateMachine();
    TargetHealthStateMachine unhealthy = unhealthyMachine();
    for (int i = 0; i < 10; i++) {
      assertThat(initial.passiveFailure()).isFalse();
      assertThat(unhealthy.passiveFailure()).isFalse();
    }
    assertThat(initial.health()).isEqualTo(REGISTRATION);
    assertThat(unhealthy.health()).isEqualTo(FAILED);
  }

  @Test
  void passiveFailure_thenActiveSuccesses_onlyHealthyThresholdSuccessesBringItBack() {
    TargetHealthStateMachine m = healthyMachine();
    m.record(SUCCESS, settings(3, 2)); // a run of successes before the passive failures does not count
    for (int i = 0; i < 3; i++) {
      m.passiveFailure();
    }
    assertThat(m.health()).isEqualTo(FAILED);
    m.passiveSuccess();
    assertThat(m.health()).isEqualTo(FAILED);
    assertThat(m.record(SUCCESS, settings(3, 2))).isFalse();
    assertThat(m.record(SUCCESS, settings(3, 2))).isFalse();
    assertThat(m.record(SUCCESS, settings(3, 2))).isTrue();
    assertThat(m.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void constructor_drainingOrUnusedHealth_startsAsRegistration() {
    assertThat(new TargetHealthStateMachine(TargetHealth.of(TargetHealthReason.TARGET_DEREGISTRATION_IN_PROGRESS)).health())
        .isEqualTo(REGISTRATION);
    assertThat(new TargetHealthStateMachine(TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE)).health())
        .isEqualTo(REGISTRATION);
  }
}
