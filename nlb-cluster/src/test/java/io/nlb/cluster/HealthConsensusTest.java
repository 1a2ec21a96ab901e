package io.nlb.cluster;

import static io.nlb.core.TargetHealthState.DRAINING;
import static io.nlb.core.TargetHealthState.HEALTHY;
import static io.nlb.core.TargetHealthState.INITIAL;
import static io.nlb.core.TargetHealthState.UNHEALTHY;
import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.TargetHealthState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@SuppressWarnings("NullAway") // votes() is null where no member votes, as asserted
class HealthConsensusTest {
  private static MemberState seeing(String member, TargetHealthState state) {
    return new MemberState(member, List.of(), Map.of("web", Map.of("10.0.0.1:80", state)));
  }

  private static HealthConsensus.@org.jspecify.annotations.Nullable Votes votes(TargetHealthState... states) {
    List<MemberState> members = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      members.add(seeing("n" + i, states[i]));
    }
    return HealthConsensus.of(members).get(new HealthConsensus.TargetRef("web", "10.0.0.1:80"));
  }

  @ParameterizedTest(name = "{0} healthy, {1} unhealthy -> {2}")
  @CsvSource({"3,0,true", "2,1,true", "1,1,true", "1,2,false", "0,1,false", "0,3,false", "2,2,true"})
  void votes_atLeastHalfHealthy_isHealthyForRouting(int healthy, int unhealthy, boolean expected) {
    assertThat(new HealthConsensus.Votes(healthy, unhealthy).healthyForRouting()).isEqualTo(expected);
  }

  @Test
  void of_countsOnlyFinishedOpinions() {
    assertThat(votes(HEALTHY, UNHEALTHY, UNHEALTHY, INITIAL, DRAINING)).isEqualTo(new HealthConsensus.Votes(1, 2));
    assertThat(votes(HEALTHY, UNHEALTHY, UNHEALTHY).healthyForRouting()).isFalse();
  }

  @Test
  void of_noVotes_noConsensus() {
    assertThat(votes(INITIAL, DRAINING)).isNull();
    assertThat(HealthConsensus.of(List.of())).isEmpty();
  }

  @Test
  void of_separatesGroupsAndTargets() {
    MemberState a = new MemberState("a", List.of(), Map.of("web", Map.of("t1:80", HEALTHY), "api", Map.of("t1:80", UNHEALTHY)));
    Map<HealthConsensus.TargetRef, HealthConsensus.Votes> v = HealthConsensus.of(List.of(a));
    assertThat(v).containsEntry(new HealthConsensus.TargetRef("web", "t1:80"), new HealthConsensus.Votes(1, 0))
        .containsEntry(new HealthConsensus.TargetRef("api", "t1:80"), new HealthConsensus.Votes(0, 1)).hasSize(2);
  }
}
