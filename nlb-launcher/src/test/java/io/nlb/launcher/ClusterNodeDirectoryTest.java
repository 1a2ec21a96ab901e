package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.cluster.ClusterView;
import io.nlb.cluster.LiveNode;
import io.nlb.cluster.MemberState;
import io.nlb.dns.DnsNode;
import io.nlb.dns.NodeDirectory;
import io.nlb.dns.NodeState;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClusterNodeDirectoryTest {
  private static final String NAME = "web-0123456789abcdef.elb.local";

  private static final NodeDirectory LOCAL = name -> name.equals(NAME)
      ? Optional.of(List.of(node("zone-a", NodeState.SERVING), node("zone-b", NodeState.SHIFTED_AWAY),
          node("zone-c", NodeState.SERVING)))
      : Optional.empty();

  private static DnsNode node(String zone, NodeState state) {
    return new DnsNode(zone, List.of(InetAddress.getLoopbackAddress()), state);
  }

  private static ClusterView view(List<LiveNode> live) {
    return new ClusterView() {
      @Override
      public List<LiveNode> liveNodes() {
        return live;
      }

      @Override
      public Map<String, MemberState> members() {
        return Map.of();
      }

      @Override
      public boolean isCurrent() {
        return true;
      }
    };
  }

  private static LiveNode live(String member, String zone, boolean serving) {
    return new LiveNode(member, "web", NAME, zone, "127.0.0.1", serving);
  }

  @Test
  void nodesNoLiveMemberRuns_areGone_servingAndNotServingFollowTheMembers() {
    ClusterNodeDirectory d = new ClusterNodeDirectory(LOCAL, () -> view(List.of(
        live("host-1", "zone-a", false), live("host-2", "zone-a", true), // one member says it may serve
        live("host-2", "zone-b", false))));

    assertThat(d.nodes(NAME).orElseThrow()).extracting(DnsNode::zone, DnsNode::state).containsExactly(
        org.assertj.core.groups.Tuple.tuple("zone-a", NodeState.SERVING),
        org.assertj.core.groups.Tuple.tuple("zone-b", NodeState.SHIFTED_AWAY), // not serving: this process's reason
        org.assertj.core.groups.Tuple.tuple("zone-c", NodeState.GONE)); // no live member runs it
  }

  @Test
  void presentButNotServing_isUnhealthy_whenLocallyServing() {
    ClusterNodeDirectory d = new ClusterNodeDirectory(LOCAL, () -> view(List.of(live("host-1", "zone-c", false))));

    assertThat(d.nodes(NAME).orElseThrow()).extracting(DnsNode::state)
        .containsExactly(NodeState.GONE, NodeState.GONE, NodeState.UNHEALTHY);
  }

  @Test
  void beforeJoining_theLocalDirectoryAnswers_andUnknownNamesStayUnknown() {
    AtomicReference<ClusterView> joined = new AtomicReference<>();
    ClusterNodeDirectory d = new ClusterNodeDirectory(LOCAL, joined::get);

    assertThat(d.nodes(NAME)).isEqualTo(LOCAL.nodes(NAME));
    joined.set(view(List.of(live("host-1", "zone-a", true))));
    assertThat(d.nodes(NAME).orElseThrow()).extracting(DnsNode::state)
        .containsExactly(NodeState.SERVING, NodeState.GONE, NodeState.GONE);
    assertThat(d.nodes("other.elb.local")).isEmpty();
  }
}
