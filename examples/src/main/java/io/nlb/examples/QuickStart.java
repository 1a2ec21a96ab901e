package io.nlb.examples;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.RouteDecision;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.core.routing.FlowKey;
import java.net.InetSocketAddress;

/**
 * The README's quick start, compiled by the build and run by {@code QuickStartTest} so that the
 * README cannot rot: a load balancer with two zones, a TCP listener and a target group, targets
 * registered, and the what-if API asked where a flow goes. No sockets are opened.
 */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Runs the quick start and returns the decision it printed.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.println(run());
  }

  /** The quick start; returns the routing decision for one flow. */
  public static RouteDecision run() {
    // --- quick start (README) ---
    RouteDecision decision;
    try (Nlb nlb = Nlb.builder().build()) {
      TargetGroup web = nlb.createTargetGroup(
          TargetGroupConfig.builder("web", Protocol.TCP, 8080)
              .targetType(TargetType.IP)
              .attribute("deregistration_delay.timeout_seconds", "30")
              .build());

      LoadBalancer lb = nlb.createLoadBalancer(
          LoadBalancerConfig.builder("my-nlb")
              .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
              .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
              .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
              .build());

      Target a = Target.ip("10.0.1.10");
      Target b = Target.ip("10.0.1.11");
      Target c = Target.ip("10.0.2.10");
      web.registerTargets(a, b, c);
      // No health-check engine here: report health by hand, as a test would.
      for (Target t : new Target[] {a, b, c}) {
        web.reportHealth(t, TargetHealth.healthy());
      }

      FlowKey flow = FlowKey.tcp(
          new InetSocketAddress("198.51.100.7", 50123), // client
          new InetSocketAddress("127.0.0.1", 80),       // zone-a's node, listener port
          0x5eed);                                      // stands in for the TCP sequence number
      decision = lb.whatIf("zone-a", flow);
    }
    // Cross-zone is off by default, so zone-a's node picks 10.0.1.10 or 10.0.1.11.
    System.out.println(decision.outcome() + " -> " + decision.address().orElseThrow());
    // --- end quick start ---
    return decision;
  }
}
