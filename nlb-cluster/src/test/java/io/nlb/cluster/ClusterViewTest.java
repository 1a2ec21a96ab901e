package io.nlb.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.TargetHealthState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  /** A view over fixed member states, as a watch would have built it. */
  private static ClusterView of(MemberState... states) {
    Map<String, MemberState> members = new TreeMap<>();
    for (MemberState s : states) {
      members.put(s.member(), s);
    }
    return new ClusterView() {
      @Override
      public List<LiveNode> liveNodes() {
        List<LiveNode> out = new java.util.ArrayList<>();
        members.values().forEach(m -> m.endpoints().forEach(e ->
            out.add(new LiveNode(m.member(), e.loadBalancer(), e.dnsName(), e.zone(), e.address(), e.serving()))));
        return out;
      }

      @Override
      public Map<String, MemberState> members() {
        return members;
      }

      @Override
      public boolean isCurrent() {
        return true;
      }
    };
  }

  private static MemberState member(String name, String dns, String zone, String address, boolean serving, TargetHealthState seen) {
    return new MemberState(name, List.of(new MemberState.Endpoint("lb", dns, zone, address, serving)), Map.of("web", Map.of("t:80", seen)));
  }

  @Test
  void liveNodes_byDnsName_ignoresCaseAndTrailingDot_andOtherLoadBalancers() {
    ClusterView view = of(member("a", "web-1.elb.test", "zone-a", "192.0.2.10", true, TargetHealthState.HEALTHY),
        member("b", "web-1.elb.test", "zone-b", "192.0.2.20", false, TargetHealthState.UNHEALTHY),
        member("c", "api-2.elb.test", "zone-a", "192.0.2.30", true, TargetHealthState.UNHEALTHY));
    assertThat(view.liveNodes("WEB-1.elb.test.")).extracting(LiveNode::address).containsExactly("192.0.2.10", "192.0.2.20");
    assertThat(view.liveNodes("nothing.elb.test")).isEmpty();
  }

  @Test
  void healthyForRouting_usesTheConsensusRule() {
    ClusterView view = of(member("a", "d", "z", "192.0.2.10", true, TargetHealthState.HEALTHY),
        member("b", "d", "z", "192.0.2.20", true, TargetHealthState.UNHEALTHY),
        member("c", "d", "z", "192.0.2.30", true, TargetHealthState.UNHEALTHY));
    assertThat(view.healthyForRouting("web", "t:80")).contains(false);
    assertThat(view.healthyForRouting("web", "other:80")).isEmpty();
  }
}
