package io.nlb.transport.netty;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The programs that the fault tests start in child JVMs, to exhaust resources of a process other
 * than the test's. Each prints one line when ready and runs until its standard input ends.
 *
 * <ul>
 *   <li>{@code lb MODE TARGET_HOST TARGET_PORT LISTEN_PORT}: runs a load balancer with one TCP
 *       listener on 127.0.0.1 and prints {@code READY};
 *   <li>{@code portsScenario MODE}: runs {@link FaultsResourceIntegrationTest#portsScenario} and
 *       prints {@code PASS} (or the failure on standard error, exiting with 1).
 * </ul>
 */
@org.jspecify.annotations.NullUnmarked
public final class FaultsChild {
  private FaultsChild() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.out.println("FAIL " + t);
      System.out.flush();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    switch (args[0]) {
      case "portsScenario" -> {
        FaultsResourceIntegrationTest.portsScenario(IoMode.valueOf(args[1]));
        System.out.println("PASS");
        System.out.flush();
        System.exit(0);
      }
      case "lb" -> lb(IoMode.valueOf(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("mode: " + args[0] + " (expected: portsScenario or lb)");
    }
  }

  private static void lb(IoMode mode, String targetHost, int targetPort, int listenPort) throws Exception {
    NettyTransport transport = NettyTransport.builder().ioMode(mode).threads(1).shutdownTimeout(Duration.ZERO).build();
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      TargetGroup g = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 9).targetType(TargetType.IP).build());
      g.registerTargets(Target.ip(targetHost, targetPort));
      nlb.createLoadBalancer(LoadBalancerConfig.builder("lb-child")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.0.0/8").build())
          .listener(ListenerConfig.builder(Protocol.TCP, listenPort).forwardTo(g).build())
          .build());
      System.out.println("READY");
      System.out.flush();
      waitForStdinEnd();
    }
  }

  private static void waitForStdinEnd() throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("quit")) {
        return;
      }
    }
  }
}
