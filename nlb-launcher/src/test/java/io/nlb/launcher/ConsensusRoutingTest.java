package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.cluster.ClusterView;
import io.nlb.cluster.LiveNode;
import io.nlb.cluster.MemberState;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetHealthState;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.core.routing.FlowKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsensusRoutingTest {
  private static final TargetHealth UNHEALTHY = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  private static final List<String> IDS = List.of("10.0.1.1", "10.0.1.2", "10.0.1.3");

  private final List<Nlb> nlbs = new ArrayList<>();

  @AfterEach
  void close() {
    nlbs.forEach(Nlb::close);
  }

  /** One node: an in-process Nlb (same flow-hash seed on every node, as one identity gives) and its health checks' view. */
  private final class Node {
    final String name;
    final Nlb nlb = Nlb.builder().flowHashSeed(42).build();
    final TargetGroup group;
    final LoadBalancer lb;
    final Map<String, TargetHealth> own = new LinkedHashMap<>();
    final ConsensusRouting routing;
    ClusterView view = view(true);

    Node(String name) {
      this.name = name;
      nlbs.add(nlb);
      group = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build());
      group.registerTargets(IDS.stream().map(Target::ip).toList());
      lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("web-nlb")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build()).build());
      routing = new ConsensusRouting(name, nlb, r -> Optional.ofNullable(own.get(r.id())), () -> view);
    }

    /** What the health-check engine does: its own result goes into the Nlb, then the listener reconciles. */
    void checks(String id, TargetHealth health) {
      own.put(id, health);
      group.reportHealth(Target.ip(id), health);
    }

    MemberState published() {
      return new MemberState(name, List.of(), routing.ownStates());
    }

    TargetHealthState routingState(String id) {
      for (RegisteredTarget r : group.registeredTargets()) {
        if (r.id().equals(id)) {
          return r.health().state();
        }
      }
      throw new AssertionError(id);
    }

    String target(int flow) {
      FlowKey k = FlowKey.tcp(new InetSocketAddress("198.51.100." + (1 + flow % 200), 1024 + flow),
          new InetSocketAddress("127.0.0.1", 80), flow);
      return lb.whatIf("zone-a", k).address().orElseThrow().getAddress().getHostAddress();
    }
  }

  private static ClusterView view(boolean current, MemberState... members) {
    Map<String, MemberState> m = new LinkedHashMap<>();
    for (MemberState s : members) {
      m.put(s.member(), s);
    }
    return new ClusterView() {
      @Override
      public List<LiveNode> liveNodes() {
        return List.of();
      }

      @Override
      public Map<String, MemberState> members() {
        return Map.copyOf(m);
      }

      @Override
      public boolean isCurrent() {
        return current;
      }
    };
  }

  private static MemberState member(String name, TargetHealthState one, TargetHealthState two, TargetHealthState three) {
    return new MemberState(name, List.of(), Map.of("web", Map.of("10.0.1.1:8080", one, "10.0.1.2:8080", two, "10.0.1.3:8080", three)));
  }

  /** Members b and c see 10.0.1.1 unhealthy and the others healthy. */
  private static ClusterView twoAgainstTheFirst(boolean current) {
    return view(current, member("b", TargetHealthState.UNHEALTHY, TargetHealthState.HEALTHY, TargetHealthState.HEALTHY),
        member("c", TargetHealthState.UNHEALTHY, TargetHealthState.HEALTHY, TargetHealthState.HEALTHY));
  }

  @Test
  void reconcile_majorityOfLiveNodesSeesTargetUnhealthy_routingAvoidsIt_ownViewStillPublished() {
    Node a = new Node("a");
    IDS.forEach(id -> a.checks(id, TargetHealth.healthy()));
    a.view = twoAgainstTheFirst(true);

    assertThat(a.routing.reconcile()).isEqualTo(1);

    assertThat(a.routingState("10.0.1.1")).isEqualTo(TargetHealthState.UNHEALTHY);
    Set<String> chosen = new HashSet<>();
    for (int f = 0; f < 500; f++) {
      chosen.add(a.target(f));
    }
    assertThat(chosen).containsExactlyInAnyOrder("10.0.1.2", "10.0.1.3");
    assertThat(a.published().targets().get("web")).containsEntry("10.0.1.1:8080", TargetHealthState.HEALTHY);
    assertThat(a.routing.reconcile()).as("nothing left to change").isZero();
  }

  @Test
  void reconcile_tieKeepsTarget_andLocallyFailedTargetSeenHealthyByMajorityStaysInService() {
    Node a = new Node("a");
    a.checks("10.0.1.1", TargetHealth.healthy());
    a.checks("10.0.1.2", UNHEALTHY);
    a.checks("10.0.1.3", TargetHealth.healthy());
    // 10.0.1.1: a healthy, b unhealthy -> tie, healthy. 10.0.1.2: a unhealthy, b and c healthy -> healthy.
    a.view = view(true, member("b", TargetHealthState.UNHEALTHY, TargetHealthState.HEALTHY, TargetHealthState.HEALTHY),
        member("c", TargetHealthState.INITIAL, TargetHealthState.HEALTHY, TargetHealthState.HEALTHY));

    a.routing.reconcile();

    assertThat(a.routingState("10.0.1.1")).isEqualTo(TargetHealthState.HEALTHY);
    assertThat(a.routingState("10.0.1.2")).isEqualTo(TargetHealthState.HEALTHY);
    assertThat(a.published().targets().get("web")).containsEntry("10.0.1.2:8080", TargetHealthState.UNHEALTHY);
  }

  @Test
  void reconcile_viewNotCurrent_ownViewRules() {
    Node a = new Node("a");
    IDS.forEach(id -> a.checks(id, TargetHealth.healthy()));
    a.view = twoAgainstTheFirst(true);
    a.routing.reconcile();
    assertThat(a.routingState("10.0.1.1")).isEqualTo(TargetHealthState.UNHEALTHY);

    // etcd away: who is alive is unknown, so the frozen votes no longer count.
    a.view = twoAgainstTheFirst(false);
    a.routing.reconcile();
    assertThat(a.routingState("10.0.1.1")).isEqualTo(TargetHealthState.HEALTHY);
  }

  @Test
  void reconcile_nodesWithDifferentOwnViewsButTheSameLiveMembers_routeEveryFlowToTheSameTarget() {
    Node a = new Node("a");
    Node b = new Node("b");
    Node c = new Node("c");
    // Each node's checks see something else (a partial network failure).
    a.checks("10.0.1.1", UNHEALTHY);
    a.checks("10.0.1.2", TargetHealth.healthy());
    a.checks("10.0.1.3", TargetHealth.healthy());
    b.checks("10.0.1.1", UNHEALTHY);
    b.checks("10.0.1.2", UNHEALTHY);
    b.checks("10.0.1.3", TargetHealth.healthy());
    c.checks("10.0.1.1", TargetHealth.healthy());
    c.checks("10.0.1.2", TargetHealth.healthy());
    c.checks("10.0.1.3", UNHEALTHY);
    List<Node> nodes = List.of(a, b, c);
    for (Node n : nodes) {
      n.view = view(true, a.published(), b.published(), c.published());
    }
    nodes.forEach(n -> n.routing.reconcile());

    for (Node n : nodes) {
      assertThat(List.of(n.routingState("10.0.1.1"), n.routingState("10.0.1.2"), n.routingState("10.0.1.3"))).as(n.name)
          .containsExactly(TargetHealthState.UNHEALTHY, TargetHealthState.HEALTHY, TargetHealthState.HEALTHY);
    }
    for (int f = 0; f < 2000; f++) {
      String t = a.target(f);
      assertThat(b.target(f)).as("flow %d", f).isEqualTo(t);
      assertThat(c.target(f)).as("flow %d", f).isEqualTo(t);
    }
  }

  @Test
  void reconcile_targetNotCheckedHere_isLeftAlone() {
    Node a = new Node("a");
    a.checks("10.0.1.2", TargetHealth.healthy());
    a.checks("10.0.1.3", TargetHealth.healthy());
    a.own.remove("10.0.1.1"); // the engine does not check it on this node
    a.view = view(true, member("b", TargetHealthState.HEALTHY, TargetHealthState.HEALTHY, TargetHealthState.HEALTHY));

    a.routing.reconcile();

    assertThat(a.routingState("10.0.1.1")).isEqualTo(TargetHealthState.INITIAL);
  }
}
