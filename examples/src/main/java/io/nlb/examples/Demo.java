package io.nlb.examples;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.RouteDecision;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.core.routing.FlowKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The demo: the routing engine at work, in-process. Two zones with three targets each, 60,000
 * flows spread over them, one target failing (only its flows move), a deregistration drained by a
 * manual clock, cross-zone routing turned on, and a zonal shift taking a zone out of DNS. It ends
 * by itself.
 */
public final class Demo {
  private static final int FLOWS = 60_000;

  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    ManualScheduler time = new ManualScheduler();
    try (Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(2024).build()) {
      TargetGroup web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080)
          .targetType(TargetType.IP)
          .attribute("deregistration_delay.timeout_seconds", "120")
          .build());
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("demo")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
          .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
          .build());
      for (String ip : new String[] {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.1", "10.0.2.2", "10.0.2.3"}) {
        web.registerTargets(Target.ip(ip));
        web.reportHealth(Target.ip(ip), TargetHealth.healthy());
      }
      System.out.println("Load balancer " + lb.resourceId() + " (" + lb.dnsName() + ") is " + lb.state());
      print("All six targets healthy, cross-zone off: each node keeps to its zone", spread(lb));

      Map<String, String> before = assignments(lb, "zone-a");
      web.reportHealth(Target.ip("10.0.1.2"), TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
      Map<String, String> after = assignments(lb, "zone-a");
      int moved = 0;
      int movedFromOthers = 0;
      for (Map.Entry<String, String> e : before.entrySet()) {
        if (!e.getValue().equals(after.get(e.getKey()))) {
          moved++;
          if (!e.getValue().equals("10.0.1.2")) {
            movedFromOthers++;
          }
        }
      }
      System.out.printf("%n10.0.1.2 fails its health checks: %d of %d zone-a flows move, %d of them from healthy targets%n",
          moved, before.size(), movedFromOthers);
      print("After the failure", spread(lb));

      web.deregisterTargets(Target.ip("10.0.2.3"));
      System.out.println("\nDeregistered 10.0.2.3: " + health(web, "10.0.2.3"));
      time.advance(Duration.ofSeconds(120));
      System.out.println("120 s later (manual clock): " + health(web, "10.0.2.3"));

      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      print("Cross-zone on: every node spreads over all healthy targets", spread(lb));
      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "false"));

      System.out.println("\nDNS answer: " + lb.dnsRecords().addresses());
      lb.startZonalShift("zone-b", Duration.ofMinutes(30), "demo: zone-b impaired");
      System.out.println("Zonal shift away from zone-b: DNS answer " + lb.dnsRecords().addresses());
      time.advance(Duration.ofMinutes(30));
      System.out.println("30 minutes later the shift has expired: DNS answer " + lb.dnsRecords().addresses());
    }
  }

  private static String health(TargetGroup group, String ip) {
    TargetHealthDescription d = group.describeTargetHealth(Target.ip(ip)).get(0);
    return d.health().toString();
  }

  private static Map<String, String> assignments(LoadBalancer lb, String zone) {
    Map<String, String> out = new TreeMap<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < FLOWS / 2; i++) {
      FlowKey key = flow(random, zone);
      RouteDecision d = lb.whatIf(zone, key);
      out.put(key.toString(), d.target().map(t -> t.id()).orElse("none"));
    }
    return out;
  }

  private static Map<String, Integer> spread(LoadBalancer lb) {
    Map<String, Integer> counts = new TreeMap<>();
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < FLOWS; i++) {
      String zone = i % 2 == 0 ? "zone-a" : "zone-b";
      RouteDecision d = lb.whatIf(zone, flow(random, zone));
      counts.merge(zone + " -> " + d.address().map(a -> a.getAddress().getHostAddress()).orElse("reset"), 1, Integer::sum);
    }
    return counts;
  }

  private static FlowKey flow(SplittableRandom random, String zone) {
    String client = "198.51.100." + (1 + random.nextInt(254));
    String node = zone.equals("zone-a") ? "127.0.0.1" : "127.0.0.2";
    return FlowKey.tcp(new InetSocketAddress(client, 1024 + random.nextInt(60000)), new InetSocketAddress(node, 80), random.nextInt());
  }

  private static void print(String title, Map<String, Integer> counts) {
    System.out.println("\n" + title + ":");
    counts.forEach((k, v) -> System.out.printf("  %-26s %6d flows%n", k, v));
  }
}
