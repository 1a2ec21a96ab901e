package io.nlb.examples;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cross-zone load balancing over real TCP connections. Two zones, each with one load balancer node
 * ({@code 127.0.0.1} and {@code 127.0.0.2}); zone-a has one target, zone-b three. Clients are spread
 * evenly over the two nodes, as DNS does.
 *
 * <ul>
 *   <li><b>Off</b> (the default): a node sends flows only to targets in its own zone, so zone-a's
 *       single target takes half of all traffic and each zone-b target a sixth.
 *   <li><b>On</b> for the load balancer ({@code load_balancing.cross_zone.enabled=true}): every
 *       node spreads over all four targets, a quarter each.
 *   <li><b>On for the target group only</b>: the group's attribute of the same name overrides the
 *       load balancer's (its default, {@code use_load_balancer_configuration}, defers to it).
 * </ul>
 *
 * <p>Attribute changes apply to new flows at once; flows already open stay where they are.
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl examples exec:java -Dexec.mainClass=io.nlb.examples.CrossZoneExample
 * </pre>
 */
public final class CrossZoneExample {
  private static final int CONNECTIONS = 400;

  private CrossZoneExample() {}

  /**
   * Answers per "zone -> target" for each phase.
   *
   * @param off cross-zone off (the default)
   * @param onForLoadBalancer the load balancer's attribute on
   * @param onForTargetGroup the load balancer's attribute off again, the target group's on
   */
  public record Result(Map<String, Integer> off, Map<String, Integer> onForLoadBalancer, Map<String, Integer> onForTargetGroup) {}

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static Result run(PrintStream out) {
    List<NameServer> servers = List.of(
        NameServer.start("a1", "127.0.1.1"),
        NameServer.start("b1", "127.0.2.1"), NameServer.start("b2", "127.0.2.2"), NameServer.start("b3", "127.0.2.3"));
    NettyTransport transport = NettyTransport.builder().shutdownTimeout(Duration.ofSeconds(1)).build();
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      TargetGroup web = nlb.createTargetGroup(
          TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build());
      int port = Loopback.freePort();
      // Each zone's target range tells the load balancer which zone a target registered by address is in.
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("cross-zone")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.1.0/24").build())
          .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("127.0.2.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, port).forwardTo(web).build())
          .build());
      for (NameServer s : servers) {
        Target t = Target.ip(s.host(), s.port());
        web.registerTargets(t);
        // No health-check engine here (see Demo for one): the targets are declared healthy by hand.
        web.reportHealth(t, TargetHealth.healthy());
      }
      out.println("zone-a: node 127.0.0.1, target a1; zone-b: node 127.0.0.2, targets b1 b2 b3; listener port " + port);

      out.println("\nCross-zone load balancing off (the default):");
      Map<String, Integer> off = drive(out, port);

      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      out.println("\nload_balancing.cross_zone.enabled=true on the load balancer:");
      Map<String, Integer> on = drive(out, port);

      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "false"));
      web.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      out.println("\nOff on the load balancer, but true on the target group (the group's setting wins):");
      Map<String, Integer> onForGroup = drive(out, port);
      return new Result(off, on, onForGroup);
    } finally {
      for (NameServer s : servers) {
        s.close();
      }
    }
  }

  /** {@value #CONNECTIONS} connections, alternating between the nodes; prints and returns the spread. */
  private static Map<String, Integer> drive(PrintStream out, int port) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < CONNECTIONS; i++) {
      boolean zoneA = i % 2 == 0;
      String answer;
      try {
        answer = Loopback.ask(zoneA ? "127.0.0.1" : "127.0.0.2", port, "hello");
      } catch (IOException e) {
        answer = "failed";
      }
      counts.merge((zoneA ? "zone-a" : "zone-b") + " -> " + answer, 1, Integer::sum);
    }
    Map<String, Integer> perTarget = new TreeMap<>();
    counts.forEach((k, v) -> perTarget.merge(k.substring(k.indexOf("-> ") + 3), v, Integer::sum));
    counts.forEach((k, v) -> out.printf("  %-14s %4d%n", k, v));
    StringBuilder share = new StringBuilder("  share of all traffic:");
    perTarget.forEach((t, v) -> share.append(String.format(" %s %.0f%%", t, 100.0 * v / CONNECTIONS)));
    out.println(share);
    return counts;
  }
}
