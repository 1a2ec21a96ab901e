package io.nlb.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.TargetHealthState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberStateTest {
  @Test
  void json_roundTrip_keepsEveryField() {
    MemberState s = new MemberState("node-a", List.of(new MemberState.Endpoint("web", "web-1.elb.test", "zone-a", "192.0.2.10", true),
        new MemberState.Endpoint("web", "web-1.elb.test", "zone-b", "2001:db8::1", false)),
        Map.of("web", Map.of("10.0.1.10:8080", TargetHealthState.HEALTHY)));
    assertThat(MemberState.fromJson(s.toJson())).isEqualTo(s);
  }

  @Test
  void toJson_isTheDocumentedShape() {
    MemberState s = new MemberState("a", List.of(new MemberState.Endpoint("web", "d", "z", "192.0.2.1", true)),
        Map.of("web", Map.of("t:80", TargetHealthState.UNHEALTHY)));
    assertThat(new String(s.toJson(), UTF_8)).isEqualTo("{\"member\":\"a\",\"endpoints\":[{\"loadBalancer\":\"web\",\"dnsName\":\"d\","
        + "\"zone\":\"z\",\"address\":\"192.0.2.1\",\"serving\":true}],\"targets\":{\"web\":{\"t:80\":\"unhealthy\"}}}");
  }

  @Test
  void fromJson_notAMemberState_namesWhatIsExpected() {
    assertThatThrownBy(() -> MemberState.fromJson("[1]".getBytes(UTF_8)))
        .hasMessage("member: ARRAY (expected: an object with a member name)");
    assertThatThrownBy(() -> MemberState.fromJson("{".getBytes(UTF_8))).hasMessageStartingWith("member: not JSON");
  }

  @Test
  void fromJson_unknownHealthState_readAsUnavailable() {
    MemberState s = MemberState.fromJson("{\"member\":\"a\",\"targets\":{\"g\":{\"t:1\":\"sleepy\"}}}".getBytes(UTF_8));
    assertThat(s.targets().get("g")).containsEntry("t:1", TargetHealthState.UNAVAILABLE);
  }
}
