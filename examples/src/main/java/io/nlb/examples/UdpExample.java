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
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UDP load balancing, and TCP and UDP on one port.
 *
 * <ol>
 *   <li><b>UDP listener.</b> Two UDP echo targets behind a UDP listener. Sixteen clients (each its own
 *       source address and port, so its own flow) send three datagrams each. A UDP flow is its
 *       5-tuple: all datagrams of one client reach the same target, and different clients spread
 *       over both. UDP target groups always preserve the client's IP: the targets see the clients'
 *       own addresses ({@code 127.0.0.11} to {@code 127.0.0.26}), not the load balancer's.
 *   <li><b>TCP_UDP listener.</b> A service that speaks TCP and UDP on the same port (DNS does) sits
 *       behind one {@code TCP_UDP} listener and one {@code TCP_UDP} target group: a TCP client and
 *       a UDP client use the same load balancer port and reach the same target port.
 * </ol>
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl examples exec:java -Dexec.mainClass=io.nlb.examples.UdpExample
 * </pre>
 */
public final class UdpExample {
  private static final int CLIENTS = 16;
  private static final int DATAGRAMS = 3;

  private UdpExample() {}

  /**
   * What the clients saw.
   *
   * @param udpFlows per UDP client address, the answers to its datagrams ("target seen-source payload")
   * @param tcpAnswer the TCP answer through the TCP_UDP listener
   * @param udpAnswer the UDP answer through the same listener port
   */
  public record Result(Map<String, List<String>> udpFlows, String tcpAnswer, String udpAnswer) {}

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static Result run(PrintStream out) throws IOException {
    UdpEchoServer u1 = UdpEchoServer.start("u1", "127.0.1.1", 0);
    UdpEchoServer u2 = UdpEchoServer.start("u2", "127.0.1.2", 0);
    // The dual service: a TCP server and a UDP server on the same address and port.
    int dualPort = Loopback.freePort("127.0.1.5");
    NameServer dualTcp = NameServer.start("dual-tcp", "127.0.1.5", dualPort);
    UdpEchoServer dualUdp = UdpEchoServer.start("dual-udp", "127.0.1.5", dualPort);
    NettyTransport transport = NettyTransport.builder().shutdownTimeout(Duration.ofSeconds(1)).build();
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      TargetGroup echo = nlb.createTargetGroup(
          TargetGroupConfig.builder("echo", Protocol.UDP, 7).targetType(TargetType.IP).build());
      TargetGroup dual = nlb.createTargetGroup(
          TargetGroupConfig.builder("dual", Protocol.TCP_UDP, dualPort).targetType(TargetType.IP).build());
      int udpPort = Loopback.freePort();
      int dualListenerPort = Loopback.freePort();
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("udp")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.1.0/24").build())
          .listener(ListenerConfig.builder(Protocol.UDP, udpPort).forwardTo(echo).build())
          .listener(ListenerConfig.builder(Protocol.TCP_UDP, dualListenerPort).forwardTo(dual).build())
          .build());
      // No health-check engine here (see Demo for one): the targets are declared healthy by hand.
      // (UDP groups are health-checked over TCP, HTTP or HTTPS, so a real UDP service also opens a
      // TCP port for its checks.)
      for (UdpEchoServer u : List.of(u1, u2)) {
        echo.registerTargets(Target.ip(u.host(), u.port()));
        echo.reportHealth(Target.ip(u.host(), u.port()), TargetHealth.healthy());
      }
      dual.registerTargets(Target.ip("127.0.1.5"));  // on the group's port, for TCP and UDP alike
      dual.reportHealth(Target.ip("127.0.1.5"), TargetHealth.healthy());
      out.println("Load balancer " + lb.name() + ": " + transport.bindings(lb));

      out.printf("%n1) UDP listener %d -> group echo [%s, %s]; %d clients, %d datagrams each:%n",
          udpPort, u1, u2, CLIENTS, DATAGRAMS);
      Map<String, List<String>> flows = new LinkedHashMap<>();
      for (int c = 0; c < CLIENTS; c++) {
        String client = "127.0.0." + (11 + c);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(client, 0))) {
          socket.setSoTimeout(3_000);
          List<String> answers = new ArrayList<>();
          for (int d = 0; d < DATAGRAMS; d++) {
            answers.add(exchange(socket, udpPort, "ping-" + d));
          }
          flows.put(client + ":" + socket.getLocalPort(), answers);
          out.printf("  client %-17s -> %s%n", client + ":" + socket.getLocalPort(), answers);
        }
      }

      out.printf("%n2) TCP_UDP listener %d -> group dual [127.0.1.5:%d, TCP and UDP]:%n", dualListenerPort, dualPort);
      String tcp = Loopback.ask("127.0.0.1", dualListenerPort, "hello");
      out.println("  over TCP: " + tcp);
      String udp;
      try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        socket.setSoTimeout(3_000);
        udp = exchange(socket, dualListenerPort, "hello");
      }
      out.println("  over UDP: " + udp);
      return new Result(flows, tcp, udp);
    } finally {
      u1.close();
      u2.close();
      dualTcp.close();
      dualUdp.close();
    }
  }

  /** Sends one datagram to the load balancer's node in zone-a and waits for the answer. */
  private static String exchange(DatagramSocket socket, int port, String payload) {
    try {
      byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", port)));
      DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
      socket.receive(answer);
      return new String(answer.getData(), answer.getOffset(), answer.getLength(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("no answer to " + payload + " via port " + port, e);
    }
  }
}
