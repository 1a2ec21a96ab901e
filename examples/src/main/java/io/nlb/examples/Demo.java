package io.nlb.examples;

import io.nlb.core.HealthCheck;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetHealthState;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.healthcheck.HealthCheckEngine;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;
import io.nlb.metrics.Statistic;
import io.nlb.metrics.store.Datapoint;
import io.nlb.metrics.store.MetricStore;
import io.nlb.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo: a load balancer on loopback with real sockets, real health checks and real metrics, in
 * about twenty seconds. It ends by itself.
 *
 * <ol>
 *   <li>Four targets, small TCP servers that answer with their name: {@code a1}, {@code a2} in
 *       zone-a ({@code 127.0.1.x}) and {@code b1}, {@code b2} in zone-b ({@code 127.0.2.x}).
 *   <li>A load balancer with one node per zone, on {@code 127.0.0.1} and {@code 127.0.0.2}, a TCP
 *       listener, and the health-check engine checking every target every 5 seconds.
 *   <li>400 connections, half through each node (as DNS round robin would spread clients): each
 *       node keeps to its own zone, because cross-zone load balancing is off by default.
 *   <li>{@code a1} stops. Until the load balancer notices, new flows hashed to {@code a1} are
 *       reset; passive health checks (three failed connects in a row) take it out within a
 *       fraction of a second, long before the next active check, and it turns unhealthy with
 *       reason code {@code Target.FailedHealthChecks}; its flows move to {@code a2}. Zone-b is
 *       untouched.
 *   <li>The metrics the data plane recorded, read back from a {@link MetricStore}.
 * </ol>
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl examples exec:java
 * </pre>
 */
public final class Demo {
  private static final int CONNECTIONS = 400;
  private static final String[] NODES = {"127.0.0.1", "127.0.0.2"};
  private static final String[] ZONES = {"zone-a", "zone-b"};

  private Demo() {}

  /**
   * What the demo saw, for {@code DemoTest}.
   *
   * @param before answers per "zone -> target" before {@code a1} stopped ("reset" for failed connections)
   * @param whileDetecting the same while health checks had not yet noticed
   * @param after the same once {@code a1} was unhealthy
   * @param stoppedHealth the health reported for {@code a1} at the end
   * @param metrics per metric name, the sum (the maximum for {@code ActiveFlowCount}) over the run
   */
  public record Summary(
      Map<String, Integer> before,
      Map<String, Integer> whileDetecting,
      Map<String, Integer> after,
      TargetHealth stoppedHealth,
      Map<String, Long> metrics) {}

  /**
   * Runs the demo on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) throws InterruptedException {
    run(System.out);
  }

  /** Runs the demo, printing to {@code out}, and returns what it saw. */
  public static Summary run(PrintStream out) throws InterruptedException {
    long started = System.nanoTime();
    Instant metricsFrom = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    out.println("nlb demo: a network load balancer on loopback, with real sockets, health checks and metrics.");

    // Metrics: the data plane records into an in-process store with one-second periods.
    MetricStore metrics = MetricStore.builder().period(Duration.ofSeconds(1)).retention(Duration.ofMinutes(10)).build();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-metrics-tick");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(metrics::tick, 1, 1, TimeUnit.SECONDS);

    // Targets: two per zone. Zone membership comes from the zones' target ranges below.
    List<NameServer> servers = List.of(
        NameServer.start("a1", "127.0.1.1"), NameServer.start("a2", "127.0.1.2"),
        NameServer.start("b1", "127.0.2.1"), NameServer.start("b2", "127.0.2.2"));
    Map<InetSocketAddress, String> names = new LinkedHashMap<>();
    for (NameServer s : servers) {
      names.put(new InetSocketAddress(s.host(), s.port()), s.name());
    }

    NettyTransport transport = NettyTransport.builder()
        .metrics(metrics)
        .connectTimeout(Duration.ofSeconds(2))
        .shutdownTimeout(Duration.ofSeconds(1))
        .build();
    HealthCheckEngine health = null;
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      // The group's port is only a default: every target below is registered with its own port.
      TargetGroup web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080)
          .targetType(TargetType.IP)
          .healthCheck(HealthCheck.builder()
              .interval(Duration.ofSeconds(5))   // the shortest interval the guide allows
              .timeout(Duration.ofSeconds(2))
              .healthyThreshold(2)
              .unhealthyThreshold(2)
              .build())
          .build());
      int port = Loopback.freePort();
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("demo")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.1.0/24").build())
          .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("127.0.2.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, port).forwardTo(web).build())
          .build());
      for (NameServer s : servers) {
        web.registerTargets(Target.ip(s.host(), s.port()));
      }
      out.println();
      out.println("Targets (TCP servers answering with their name):");
      for (NameServer s : servers) {
        out.printf("  %-3s %s:%d%n", s.name(), s.host(), s.port());
      }
      out.println("Load balancer " + lb.name() + " (" + lb.resourceId() + ") is " + lb.state() + ", listening on "
          + transport.bindings(lb));
      out.println("Health checks: TCP on the traffic port every 5 s; 2 failures make a target unhealthy.");
      out.println();

      // Health checks, with every transition printed as it happens (reason code included).
      CountDownLatch allHealthy = new CountDownLatch(servers.size());
      CountDownLatch a1Unhealthy = new CountDownLatch(1);
      health = HealthCheckEngine.builder(nlb)
          .listener((target, previous, current) -> {
            String name = target.address() == null ? target.toString() : names.get(target.address());
            if (previous.state() == TargetHealthState.INITIAL && current.state() == TargetHealthState.INITIAL) {
              return; // Elb.RegistrationInProgress -> Elb.InitialHealthChecking: not worth a line here
            }
            out.printf("  [%5.1f s] health of %s (%s): %s -> %s%n", seconds(started), name, target, previous, current);
            if (previous.state() == TargetHealthState.INITIAL && current.isHealthy()) {
              allHealthy.countDown();
            }
            if ("a1".equals(name) && current.state() == TargetHealthState.UNHEALTHY) {
              a1Unhealthy.countDown();
            }
          })
          .build();
      health.start();
      out.println("Waiting for the first health checks (they start at random points of the first 5 s):");
      if (!allHealthy.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("targets not healthy after 20 s: " + web.describeTargetHealth());
      }

      out.printf("%n1) %d connections, half through each zone's node:%n", CONNECTIONS);
      Map<String, Integer> before = drive(port, CONNECTIONS);
      print(out, before);
      out.println("   Cross-zone load balancing is off (the default): each node keeps to its own zone's targets.");

      out.printf("%n2) a1 stops (its server socket closes). Traffic keeps flowing while the load balancer notices%n   (passive checks: failed connects; active checks: every 5 s):%n");
      servers.get(0).close();
      long stoppedAt = System.nanoTime();
      Map<String, Integer> detecting = new TreeMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int sent = 0;
      while (a1Unhealthy.getCount() > 0 && System.nanoTime() < deadline) {
        drive(port, 2, detecting);
        sent += 2;
        Thread.sleep(20);
      }
      out.printf("   a1 was taken out %.1f s after it stopped. Meanwhile %d connections, of which %d were reset%n",
          (System.nanoTime() - stoppedAt) / 1e9, sent, resets(detecting));
      out.println("   by the load balancer: the flows hashed to a1, which refused them.");
      print(out, detecting);

      out.printf("%n3) %d more connections:%n", CONNECTIONS);
      Map<String, Integer> after = drive(port, CONNECTIONS);
      print(out, after);
      out.println("   Zone-a's node now sends everything to a2, its only healthy target; zone-b is unaffected.");

      out.println("\ndescribe-target-health:");
      for (TargetHealthDescription d : web.describeTargetHealth()) {
        out.printf("  %-3s %-22s %s%n", names.get(new InetSocketAddress(d.target().id(), d.target().port().orElseThrow())),
            d.target().id() + ":" + d.target().port().orElseThrow(), d.health());
      }
      out.printf("HealthyHostCount (from the engine): zone-a %d, zone-b %d%n",
          health.healthyHostCount(web, "zone-a"), health.healthyHostCount(web, "zone-b"));
      TargetHealth stoppedHealth = web.describeTargetHealth(Target.ip("127.0.1.1", servers.get(0).port())).get(0).health();

      Map<String, Long> totals = printMetrics(out, metrics, lb, metricsFrom);
      out.printf("%nDone in %.1f s.%n", seconds(started));
      return new Summary(before, detecting, after, stoppedHealth, totals);
    } finally {
      if (health != null) {
        health.close();
      }
      for (NameServer s : servers) {
        s.close();
      }
      ticker.shutdownNow();
    }
  }

  /** {@code n} connections alternating between the two nodes; counts answers per "zone -> target". */
  private static Map<String, Integer> drive(int port, int n) {
    Map<String, Integer> counts = new TreeMap<>();
    drive(port, n, counts);
    return counts;
  }

  private static void drive(int port, int n, Map<String, Integer> counts) {
    for (int i = 0; i < n; i++) {
      int node = i % 2;
      String answer;
      try {
        answer = Loopback.ask(NODES[node], port, "hello");
      } catch (IOException e) {
        answer = "reset";
      }
      counts.merge(ZONES[node] + " -> " + answer, 1, Integer::sum);
    }
  }

  private static int resets(Map<String, Integer> counts) {
    int n = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (e.getKey().endsWith("-> reset")) {
        n += e.getValue();
      }
    }
    return n;
  }

  private static void print(PrintStream out, Map<String, Integer> counts) {
    counts.forEach((k, v) -> out.printf("   %-16s %4d%n", k, v));
  }

  /** Prints the flow metrics per zone and in total, read back from the store, and returns the totals. */
  private static Map<String, Long> printMetrics(PrintStream out, MetricStore store, LoadBalancer lb, Instant from)
      throws InterruptedException {
    // The store reports complete periods only: wait for the current one-second period to end.
    Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), to).toMillis() + 50));
    Duration period = Duration.between(from, to);

    out.printf("%nMetrics over the run (MetricStore, statistics(...) over one %d s period):%n", period.getSeconds());
    out.printf("  %-26s %10s %10s %10s%n", "", "zone-a", "zone-b", "total");
    Metric[] shown = {Metric.NEW_FLOW_COUNT, Metric.ACTIVE_FLOW_COUNT, Metric.PROCESSED_BYTES,
        Metric.TCP_ELB_RESET_COUNT, Metric.TCP_TARGET_RESET_COUNT, Metric.TCP_CLIENT_RESET_COUNT};
    Map<String, Long> totals = new LinkedHashMap<>();
    for (Metric m : shown) {
      Statistic stat = m == Metric.ACTIVE_FLOW_COUNT ? Statistic.MAXIMUM : Statistic.SUM;
      List<Long> values = new ArrayList<>();
      for (String zone : ZONES) {
        values.add(value(store, m, Dimensions.of(lb.resourceId(), zone, null), from, to, period, stat));
      }
      long total = value(store, m, Dimensions.of(lb.resourceId()), from, to, period, stat);
      totals.put(m.metricName(), total);
      out.printf("  %-26s %10d %10d %10d%n", m.metricName() + " (" + stat.cloudWatchName() + ")",
          values.get(0), values.get(1), total);
    }
    return totals;
  }

  private static long value(MetricStore store, Metric m, Dimensions d, Instant from, Instant to, Duration period,
      Statistic stat) {
    List<Datapoint> points = store.statistics(m, d, from, to, period, EnumSet.of(stat));
    return points.isEmpty() ? 0 : Math.round(points.get(0).value(stat));
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
