package io.nlb.benchmarks;

import io.nlb.core.HealthCheck;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Quotas;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.healthcheck.HealthCheckEngine;
import io.nlb.transport.netty.IoMode;
import io.nlb.transport.netty.NettyTransport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Health checks for many TCP targets at the shortest interval (5 s): do they keep up, and what CPU
 * do they cost? Not a JMH benchmark — the quantity is a steady-state rate over tens of seconds.
 *
 * <p>{@code PORTS} loopback listening sockets (bound to the wildcard address) accept and close
 * connections on one thread; {@code TARGETS} registrations spread over {@code 127.0.x.y}
 * addresses × those ports, so every registration is a distinct target. After a warm-up of one
 * interval, it prints checks per second (expected: targets / 5), the checks still in flight, the
 * process CPU time and the CPU time of the threads doing the checks (the transport's event loop, which runs
 * the probe, and {@code nlb-control}).
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.nlb.benchmarks.HealthCheckBenchmark [targets] [seconds]
 * </pre>
 */
public final class HealthCheckBenchmark {
  private HealthCheckBenchmark() {}

  public static void main(String[] args) throws Exception {
    int targets = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int ports = 40;
    int perGroup = 5_000;

    List<ServerSocketChannel> servers = new ArrayList<>();
    Selector acceptSelector = Selector.open();
    for (int i = 0; i < ports; i++) {
      ServerSocketChannel s = ServerSocketChannel.open();
      s.bind(new InetSocketAddress(0), 4096);
      s.configureBlocking(false);
      s.register(acceptSelector, SelectionKey.OP_ACCEPT);
      servers.add(s);
    }
    AtomicLong accepted = new AtomicLong();
    Thread acceptor = new Thread(() -> {
      try {
        while (acceptSelector.isOpen()) {
          acceptSelector.select(100);
          for (SelectionKey k : acceptSelector.selectedKeys()) {
            SocketChannel c;
            while ((c = ((ServerSocketChannel) k.channel()).accept()) != null) {
              c.close();
              accepted.incrementAndGet();
            }
          }
          acceptSelector.selectedKeys().clear();
        }
      } catch (Exception e) {
        // closed at the end
      }
    }, "target-servers");
    acceptor.setDaemon(true);
    acceptor.start();

    Quotas quotas = Quotas.builder().targetsPerTargetGroup(perGroup).targetsPerLoadBalancer(targets)
        .targetsPerZonePerLoadBalancer(targets).build();
    try (Nlb nlb = Nlb.builder().quotas(quotas).build()) {
      LoadBalancerConfig.Builder lb = LoadBalancerConfig.builder("bench")
          .zone(Zone.builder("zone-a").address("127.255.0.1").targetRange("127.0.0.0/16").build());
      List<TargetGroup> groups = new ArrayList<>();
      int groupCount = (targets + perGroup - 1) / perGroup;
      for (int g = 0; g < groupCount; g++) {
        groups.add(nlb.createTargetGroup(TargetGroupConfig.builder("g" + g, Protocol.TCP, 80).targetType(TargetType.IP)
            .healthCheck(HealthCheck.builder().interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(2)).build())
            .build()));
        lb.listener(ListenerConfig.builder(Protocol.TCP, 1000 + g).forwardTo("g" + g).build());
      }
      nlb.createLoadBalancer(lb.build());
      for (int g = 0; g < groupCount; g++) {
        List<Target> batch = new ArrayList<>();
        for (int i = g * perGroup; i < Math.min(targets, (g + 1) * perGroup); i++) {
          int host = i / ports;
          String ip = "127.0." + (host / 250) + "." + (host % 250 + 1);
          batch.add(Target.ip(ip, servers.get(i % ports).socket().getLocalPort()));
        }
        groups.get(g).registerTargets(batch);
      }

      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      com.sun.management.OperatingSystemMXBean os =
          ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);
      // The probe runs on the transport's event loop (one thread), as in a deployment; the Nlb has
      // no transport so that its listeners are not bound.
      try (NettyTransport transport = NettyTransport.builder().ioMode(IoMode.NIO).threads(1).build();
          HealthCheckEngine engine = HealthCheckEngine.builder(nlb).probe(transport.spi().healthProbe().orElseThrow()).build()) {
        long t0 = System.nanoTime();
        engine.start();
        Thread.sleep(5_000 + 500); // warm-up: every target's first check, spread over one interval
        int healthy = 0;
        for (TargetGroup g : groups) {
          healthy += engine.healthyHostCount(g, "zone-a");
        }
        System.out.printf("warm-up: %d targets checked, %d healthy after %.1f s%n", engine.checkedTargetCount(), healthy,
            (System.nanoTime() - t0) / 1e9);
        long c0 = engine.completedChecks();
        long cpu0 = os.getProcessCpuTime();
        long engineCpu0 = engineThreadsCpu(threads);
        long w0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long wall = System.nanoTime() - w0;
        long checks = engine.completedChecks() - c0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long engineCpu = engineThreadsCpu(threads) - engineCpu0;
        healthy = 0;
        int unhealthy = 0;
        for (TargetGroup g : groups) {
          healthy += engine.healthyHostCount(g, "zone-a");
          unhealthy += engine.unhealthyHostCount(g, "zone-a");
        }
        double rate = checks / (wall / 1e9);
        System.out.printf("targets=%d interval=5s measured=%.1fs checks=%d checks/s=%.0f (expected %.0f) in-flight=%d%n",
            targets, wall / 1e9, checks, rate, targets / 5.0, engine.startedChecks() - engine.completedChecks());
        System.out.printf("healthy=%d unhealthy=%d accepted-connections=%d%n", healthy, unhealthy, accepted.get());
        System.out.printf("process CPU=%.2f s (%.1f%% of one core; includes the target servers), engine threads CPU=%.2f s (%.1f%% of one core, %.1f us per check)%n",
            cpu / 1e9, 100.0 * cpu / wall, engineCpu / 1e9, 100.0 * engineCpu / wall, engineCpu / 1e3 / Math.max(1, checks));
      }
    } finally {
      acceptSelector.close();
      for (ServerSocketChannel s : servers) {
        s.close();
      }
    }
  }

  private static long engineThreadsCpu(ThreadMXBean threads) {
    long sum = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && (info.getThreadName().startsWith("multiThreadIoEventLoopGroup") || info.getThreadName().equals("nlb-control"))) {
        long t = threads.getThreadCpuTime(info.getThreadId());
        if (t > 0) {
          sum += t;
        }
      }
    }
    return sum;
  }

}
