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
import io.nlb.tls.SecurityPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The load balancer that {@link AttacksChildIntegrationTest} attacks in a child JVM (small direct
 * memory, few file descriptors): a TLS listener, a TCP listener and a UDP listener on 127.0.0.1,
 * forwarding to the TCP and UDP echo targets whose ports it is given. Prints {@code READY}, then
 * answers each {@code liveness} line on standard input with a {@code LIVENESS ...} line, until
 * {@code quit} or the end of its input.
 *
 * <p>Arguments: {@code MODE TCP_TARGET_PORT UDP_TARGET_PORT TLS_PORT TCP_PORT UDP_PORT}.
 */
@org.jspecify.annotations.NullUnmarked
public final class AttacksChild {
  private AttacksChild() {}

  public static void main(String[] args) throws Exception {
    IoMode mode = IoMode.valueOf(args[0]);
    int tcpTarget = Integer.parseInt(args[1]);
    int udpTarget = Integer.parseInt(args[2]);
    NettyTransport transport = NettyTransport.builder().ioMode(mode).threads(2).shutdownTimeout(Duration.ZERO)
        .udpFlowIdleTimeout(Duration.ofSeconds(3)).eventLoopStallThreshold(Duration.ofSeconds(5)).build();
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      TargetGroup web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 9).targetType(TargetType.IP).build());
      web.registerTargets(Target.ip("127.0.0.1", tcpTarget));
      TargetGroup dns = nlb.createTargetGroup(TargetGroupConfig.builder("dns", Protocol.UDP, 9).targetType(TargetType.IP).build());
      dns.registerTargets(Target.ip("127.0.0.1", udpTarget));
      nlb.createLoadBalancer(LoadBalancerConfig.builder("lb-attacked")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.0.0/8").build())
          .listener(ListenerConfig.builder(Protocol.TLS, Integer.parseInt(args[3])).forwardTo(web)
              .certificate(TlsTargets.A).sslPolicy(SecurityPolicy.TLS13_1_2_2021_06.name()).build())
          .listener(ListenerConfig.builder(Protocol.TCP, Integer.parseInt(args[4])).forwardTo(web).build())
          .listener(ListenerConfig.builder(Protocol.UDP, Integer.parseInt(args[5])).forwardTo(dns).build())
          .build());
      System.out.println("READY maxUdpFlows=" + transport.maxUdpFlows);
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null && !line.equals("quit")) {
        if (line.equals("liveness")) {
          Liveness l = transport.liveness();
          System.out.println("LIVENESS " + l.isLive() + " " + l);
          System.out.flush();
        }
      }
    }
  }
}
