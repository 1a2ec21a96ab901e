package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupAttributes;
import io.nlb.metrics.Metric;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** UDP and TCP_UDP listeners on loopback, once per available I/O mode. */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpRelayIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();
  private final List<DatagramSocket> sockets = new ArrayList<>();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @AfterEach
  void tearDown() {
    sockets.forEach(DatagramSocket::close);
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private DatagramSocket client(String address) throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, 0));
    s.setSoTimeout(3000);
    sockets.add(s);
    return s;
  }

  private static String exchange(DatagramSocket s, int port, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
    DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
    s.receive(in);
    assertThat(in.getPort()).as("reply comes from the listener port").isEqualTo(port);
    return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
  }

  /** A UDP listener on a free port forwarding to one echo target, which answers "A|" + the datagram. */
  private LoadBalancer oneTarget(IoMode mode) throws Exception {
    h = new Harness(mode);
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    TargetGroup g = h.group("dns", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    return udpLb(g, Harness.freePort());
  }

  private LoadBalancer udpLb(TargetGroup g, int port) {
    return h.lb("lb-udp", Harness.zoneA(), ListenerConfig.builder(Protocol.UDP, port).forwardTo(g).build());
  }

  @ParameterizedTest
  @MethodSource("modes")
  void clientsAndTwoTargets_repliesReachTheRightClient_clientIpPreserved(IoMode mode) throws Exception {
    h = new Harness(mode);
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    Targets.Udp b = targets.udp("127.0.0.1", "B");
    TargetGroup g = h.group("dns", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", a.port()), Target.ip("127.0.0.1", b.port()));
    int port = Harness.freePort();
    LoadBalancer lb = udpLb(g, port);
    List<String> seenTargets = new ArrayList<>();
    java.util.Set<String> clientAddresses = new java.util.TreeSet<>();
    for (int i = 0; i < 16; i++) {
      clientAddresses.add("127.0.0." + (10 + i));
      DatagramSocket c = client("127.0.0." + (10 + i));
      String first = exchange(c, port, "client-" + i + "-1");
      String second = exchange(c, port, "client-" + i + "-2");
      assertThat(first).endsWith("|client-" + i + "-1");
      String target = first.substring(0, 1);
      assertThat(second).isEqualTo(target + "|client-" + i + "-2"); // one flow, one target
      seenTargets.add(target);
    }
    assertThat(seenTargets).contains("A", "B");
    List<InetSocketAddress> senders = new ArrayList<>(a.senders);
    senders.addAll(b.senders);
    // UDP preserves the client address (the port is the upstream socket's own).
    java.util.Set<String> seen = new java.util.TreeSet<>();
    senders.forEach(s -> seen.add(s.getAddress().getHostAddress()));
    assertThat(seen).isEqualTo(clientAddresses);
    assertThat(h.transport.activeUdpFlows()).isEqualTo(16);
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_UDP)).isEqualTo(16);
    assertThat(h.value(lb, "zone-a", Metric.ACTIVE_FLOW_COUNT_UDP)).isEqualTo(16);
  }

  /**
   * Datagrams written upstream are flushed once per read batch of the listener socket: a burst
   * from several clients, sent without waiting for answers, arrives whole (a batch left unflushed
   * would keep its datagrams until the next one, and the last batch for ever).
   */
  @ParameterizedTest
  @MethodSource("modes")
  void burstsFromSeveralClients_everyDatagramRelayedAndAnswered(IoMode mode) throws Exception {
    bursts(mode, 6, 8);
  }

  /**
   * More flows than UdpListener holds replies for (MAX_HELD_REPLIES, epoll) answer in a burst, so
   * that a turn of the event loop can see more of them than it may hold: whether the listener
   * flushes early or at the end of the turn, no reply is left behind.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void burstsFromMoreClientsThanRepliesHeld_everyDatagramAnswered(IoMode mode) throws Exception {
    bursts(mode, UdpListener.MAX_HELD_REPLIES + 8, 3);
  }

  private void bursts(IoMode mode, int clients, int burst) throws Exception {
    LoadBalancer lb = oneTarget(mode);
    int port = lb.listeners().get(0).config().port();
    assertThat(exchange(client("127.0.0.1"), port, "first")).isEqualTo("A|first");
    List<DatagramSocket> cs = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      cs.add(client("127.0.0." + (20 + c)));
    }
    for (int i = 0; i < burst; i++) {
      for (int c = 0; c < clients; c++) {
        byte[] b = ("c" + c + "-" + i).getBytes(StandardCharsets.US_ASCII);
        cs.get(c).send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
      }
    }
    for (int c = 0; c < clients; c++) {
      java.util.Set<String> got = new java.util.TreeSet<>();
      for (int i = 0; i < burst; i++) {
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        cs.get(c).receive(in);
        got.add(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII));
      }
      java.util.Set<String> want = new java.util.TreeSet<>();
      for (int i = 0; i < burst; i++) {
        want.add("A|c" + c + "-" + i);
      }
      assertThat(got).as("client %d", c).isEqualTo(want);
    }
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_UDP)).isEqualTo(1 + clients);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void flowExpires_nextDatagramIsANewFlow_andMayPickAnotherTarget(IoMode mode) throws Exception {
    h = new Harness(mode, t -> t.udpFlowIdleTimeout(Duration.ofMillis(300)));
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    Targets.Udp b = targets.udp("127.0.0.1", "B");
    TargetGroup g = h.group("dns", Protocol.UDP, TargetGroupAttributes.builder().deregistrationDelay(Duration.ofSeconds(60)).build());
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    int port = Harness.freePort();
    LoadBalancer lb = udpLb(g, port);
    DatagramSocket c = client("127.0.0.1");
    assertThat(exchange(c, port, "1")).isEqualTo("A|1");
    g.registerTargets(Target.ip("127.0.0.1", b.port()));
    g.deregisterTargets(Target.ip("127.0.0.1", a.port()));
    // The flow is live: it stays on its (draining) target.
    assertThat(exchange(c, port, "2")).isEqualTo("A|2");
    await().atMost(Duration.ofSeconds(3)).until(() -> h.transport.activeUdpFlows() == 0);
    assertThat(h.value(lb, "zone-a", Metric.ACTIVE_FLOW_COUNT)).isZero();
    assertThat(exchange(c, port, "3")).isEqualTo("B|3");
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_UDP)).isEqualTo(2);
    assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES_UDP)).isEqualTo(3 + 3 * 3);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void flowTableFull_datagramOfANewFlowIsDroppedAndCounted(IoMode mode) throws Exception {
    h = new Harness(mode, t -> t.maxUdpFlows(1));
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    TargetGroup g = h.group("dns", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    int port = Harness.freePort();
    udpLb(g, port);
    assertThat(exchange(client("127.0.0.1"), port, "first")).isEqualTo("A|first");
    DatagramSocket second = client("127.0.0.1");
    second.setSoTimeout(300);
    assertThatThrownBy(() -> exchange(second, port, "second")).isInstanceOf(SocketTimeoutException.class);
    assertThat(h.transport.udpFlowTableOverflows()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tcpUdpListener_servesBothProtocolsOnOnePort(IoMode mode) throws Exception {
    h = new Harness(mode);
    Targets.Echo tcp = targets.echo("127.0.0.1");
    Targets.Udp udp = targets.udpOn("127.0.0.1", tcp.port(), "U");
    TargetGroup g = h.group("both", Protocol.TCP_UDP);
    g.registerTargets(Target.ip("127.0.0.1", tcp.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-both", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP_UDP, port).forwardTo(g).build());
    assertThat(h.transport.bindings(lb)).containsExactlyInAnyOrder("TCP zone-a 127.0.0.1:" + port, "UDP zone-a 127.0.0.1:" + port);
    assertThat(exchange(client("127.0.0.1"), port, "dgram")).isEqualTo("U|dgram");
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
      s.setSoTimeout(3000);
      s.getOutputStream().write("stream".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(s.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("stream");
    }
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_TCP)).isEqualTo(1);
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_UDP)).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void listenerDeleted_unbindsAndEndsItsUdpFlows(IoMode mode) throws Exception {
    LoadBalancer lb = oneTarget(mode);
    int port = lb.listeners().get(0).config().port();
    assertThat(exchange(client("127.0.0.1"), port, "x")).isEqualTo("A|x");
    lb.listeners().get(0).delete();
    assertThat(h.transport.bindings(lb)).isEmpty();
    await().atMost(Duration.ofSeconds(2)).until(() -> h.transport.activeUdpFlows() == 0);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void deregistrationWithTermination_endsUdpFlowsWhenTheDelayEnds(IoMode mode) throws Exception {
    h = new Harness(mode);
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    Targets.Udp b = targets.udp("127.0.0.1", "B");
    TargetGroup g = h.group("dns", Protocol.UDP,
        TargetGroupAttributes.builder().deregistrationDelay(Duration.ofSeconds(30)).connectionTermination(true).build());
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    int port = Harness.freePort();
    udpLb(g, port);
    DatagramSocket c = client("127.0.0.1");
    assertThat(exchange(c, port, "1")).isEqualTo("A|1");
    g.registerTargets(Target.ip("127.0.0.1", b.port()));
    g.deregisterTargets(Target.ip("127.0.0.1", a.port()));
    assertThat(exchange(c, port, "2")).isEqualTo("A|2");
    h.scheduler.advance(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(2)).until(() -> h.transport.activeUdpFlows() == 0);
    assertThat(exchange(c, port, "3")).isEqualTo("B|3");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void targetTurnsUnhealthy_nextDatagramStartsAFlowToAHealthyTarget(IoMode mode) throws Exception {
    h = new Harness(mode);
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    Targets.Udp b = targets.udp("127.0.0.1", "B");
    TargetGroup g = h.group("dns", Protocol.UDP);
    Target ta = Target.ip("127.0.0.1", a.port());
    Target tb = Target.ip("127.0.0.1", b.port());
    g.registerTargets(ta);
    g.reportHealth(ta, io.nlb.core.TargetHealth.healthy());
    int port = Harness.freePort();
    LoadBalancer lb = udpLb(g, port);
    DatagramSocket c = client("127.0.0.1");
    assertThat(exchange(c, port, "1")).isEqualTo("A|1");
    g.registerTargets(tb);
    g.reportHealth(tb, io.nlb.core.TargetHealth.healthy());
    g.reportHealth(ta, io.nlb.core.TargetHealth.of(io.nlb.core.TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
    assertThat(exchange(c, port, "2")).isEqualTo("B|2");
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_UDP)).isEqualTo(2);
  }

  /**
   * Datagrams of very different sizes, sent back to back so that the load balancer reads several in
   * one batch (recvmmsg on epoll), each arrive whole and alone: no datagram is cut to a read slot,
   * and none runs into its neighbour.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void datagramsOfDifferentSizes_burst_eachRelayedWholeAndAlone(IoMode mode) throws Exception {
    LoadBalancer lb = oneTarget(mode);
    int port = lb.listeners().get(0).config().port();
    DatagramSocket c = client("127.0.0.1");
    c.setReceiveBufferSize(1 << 20);
    assertThat(exchange(c, port, "first")).isEqualTo("A|first");
    int[] sizes = {1, 2_049, 100, 9_000, 1_472, 30_000, 65_000, 2_048, 17};
    List<String> sent = new ArrayList<>();
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
    for (int i = 0; i < sizes.length; i++) {
      byte[] b = new byte[sizes[i]];
      for (int j = 0; j < b.length; j++) {
        b[j] = (byte) ('a' + (i + j) % 26);
      }
      sent.add("A|" + new String(b, StandardCharsets.US_ASCII));
      c.send(new DatagramPacket(b, b.length, to));
    }
    List<String> got = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      DatagramPacket in = new DatagramPacket(new byte[65_536], 65_536);
      c.receive(in);
      got.add(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII));
    }
    // One flow, one target: the order is kept on loopback, but the assertion does not need it.
    assertThat(got).containsExactlyInAnyOrderElementsOf(sent);
    long payload = 5 + java.util.Arrays.stream(sizes).sum();
    assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES_UDP)).isEqualTo(payload + 2L * (1 + sizes.length) + payload);
  }
}
