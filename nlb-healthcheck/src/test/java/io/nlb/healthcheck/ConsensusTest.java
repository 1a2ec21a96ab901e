package io.nlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The vote that combines the nodes' views of a target. */
class ConsensusTest {
  static final TargetHealth UP = TargetHealth.healthy();
  static final TargetHealth DOWN = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  static final TargetHealth ERROR = TargetHealth.of(TargetHealthReason.ELB_INTERNAL_ERROR);
  static final TargetHealth REGISTRATION = TargetHealth.of(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  static final TargetHealth CHECKING = TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);

  @Test
  void combine_oneNode_itsView() {
    assertThat(Consensus.combine(List.of(DOWN), UP)).isEqualTo(DOWN);
  }

  @Test
  void combine_strictMajority_wins() {
    assertThat(Consensus.combine(List.of(UP, UP, DOWN), DOWN)).isEqualTo(UP);
    assertThat(Consensus.combine(List.of(DOWN, DOWN, UP), UP)).isEqualTo(DOWN);
    assertThat(Consensus.combine(List.of(ERROR, ERROR, UP), UP)).isEqualTo(ERROR);
  }

  @Test
  void combine_tie_previousStays() {
    assertThat(Consensus.combine(List.of(UP, DOWN), UP)).isEqualTo(UP);
    assertThat(Consensus.combine(List.of(UP, DOWN), DOWN)).isEqualTo(DOWN);
  }

  @Test
  void combine_registrationAndANodeStarted_initialChecking() {
    assertThat(Consensus.combine(List.of(CHECKING, REGISTRATION), REGISTRATION)).isEqualTo(CHECKING);
    assertThat(Consensus.combine(List.of(UP, REGISTRATION, REGISTRATION), REGISTRATION)).isEqualTo(CHECKING);
    assertThat(Consensus.combine(List.of(REGISTRATION, REGISTRATION), REGISTRATION)).isEqualTo(REGISTRATION);
  }
}
