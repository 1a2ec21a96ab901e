package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.NlbException;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.routing.IpProtocol;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One listening socket per event loop with SO_REUSEPORT on epoll and io_uring (each loop accepts
 * its own connections or receives its own datagrams, no hand-off), one socket on NIO; TCP and UDP
 * listeners; once per available I/O mode.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReusePortIntegrationTest {
  private Harness h;
  private Harness other;
  private final Targets targets = new Targets();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @AfterEach
  void tearDown() {
    if (other != null) {
      other.close();
    }
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  /** UDP sockets bound to {@code port} in this network namespace, from /proc/net/udp and udp6. */
  private static int udpSockets(int port) throws Exception {
    return procSockets("udp", port, null);
  }

  /**
   * The sockets of {@code lb}'s {@code protocol} endpoint, after asserting one per event loop on
   * {@code port} in the native modes and one on NIO (also as the kernel lists them).
   */
  private List<Channel> socketPerLoop(LoadBalancer lb, IpProtocol protocol, IoMode mode, int port) throws Exception {
    Endpoint ep = h.transport.endpoints(lb).stream().filter(e -> e.protocol == protocol).findFirst().orElseThrow();
    int expected = mode == IoMode.NIO ? 1 : 2; // the harness runs two event loops
    List<Channel> sockets = ep.channels;
    assertThat(sockets).hasSize(expected).allMatch(Channel::isActive);
    Set<EventLoop> loops = new HashSet<>();
    for (Channel s : sockets) {
      loops.add(s.eventLoop());
      assertThat(((InetSocketAddress) s.localAddress()).getPort()).isEqualTo(port);
    }
    assertThat(loops).as("each socket on its own event loop").hasSize(expected);
    boolean udp = protocol == IpProtocol.UDP;
    if (Files.isReadable(Path.of(udp ? "/proc/net/udp" : "/proc/net/tcp"))) {
      assertThat(udp ? udpSockets(port) : listeningSockets(port)).as("sockets the kernel has on the port").isEqualTo(expected);
    }
    return sockets;
  }

  /**
   * Many flows through a UDP listener with a socket per event loop: every reply comes from the
   * listener's address and port whichever socket carried the flow, every datagram of a flow reaches
   * one target (the kernel keeps a flow on one socket), and the flows are spread over the sockets.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void udpListener_nativeModes_socketPerEventLoop_repliesFromListenerAddress_flowStaysOnOneTarget(IoMode mode)
      throws Exception {
    h = new Harness(mode); // two event loops
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    Targets.Udp b = targets.udp("127.0.0.1", "B");
    TargetGroup g = h.group("udp", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", a.port()), Target.ip("127.0.0.1", b.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-reuse-udp", Harness.zoneA(), ListenerConfig.builder(Protocol.UDP, port).forwardTo(g).build());
    List<Channel> sockets = socketPerLoop(lb, IpProtocol.UDP, mode, port);

    InetSocketAddress listener = new InetSocketAddress("127.0.0.1", port);
    int flows = 48;
    List<DatagramSocket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < flows; i++) {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0." + (1 + i % 8), 0));
        c.setSoTimeout(3000);
        clients.add(c);
      }
      String[] targetOf = new String[flows];
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < flows; i++) {
          byte[] out = ("f" + i + "r" + round).getBytes(StandardCharsets.US_ASCII);
          clients.get(i).send(new DatagramPacket(out, out.length, listener));
        }
        for (int i = 0; i < flows; i++) {
          DatagramPacket in = new DatagramPacket(new byte[256], 256);
          clients.get(i).receive(in);
          assertThat(in.getSocketAddress()).as("reply source of flow %d", i).isEqualTo(listener);
          String reply = new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
          assertThat(reply).endsWith("|f" + i + "r" + round);
          String target = reply.substring(0, 1);
          if (round == 0) {
            targetOf[i] = target;
          }
          assertThat(target).as("target of flow %d in round %d", i, round).isEqualTo(targetOf[i]);
        }
      }
      assertThat(new HashSet<>(List.of(targetOf))).containsExactlyInAnyOrder("A", "B");
      assertThat(h.transport.activeUdpFlows()).isEqualTo(flows);
      int total = 0;
      for (Channel s : sockets) {
        UdpListener l = s.pipeline().get(UdpListener.class);
        int n = s.eventLoop().submit(() -> l.flows.size()).get(5, TimeUnit.SECONDS);
        assertThat(n).as("flows on the socket of %s", s.eventLoop()).isPositive();
        total += n;
      }
      assertThat(total).as("each flow in one socket's table").isEqualTo(flows);
    } finally {
      clients.forEach(DatagramSocket::close);
    }

    lb.delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> sockets.stream().noneMatch(Channel::isOpen));
    if (Files.isReadable(Path.of("/proc/net/udp"))) {
      await().atMost(Duration.ofSeconds(5)).until(() -> udpSockets(port) == 0);
    }
  }

  /** {@code udpSocketPerEventLoop(false)}: one UDP socket in every mode, and it carries every flow. */
  @ParameterizedTest
  @MethodSource("modes")
  void udpListener_socketPerEventLoopOff_oneSocketCarriesEveryFlow(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.udpSocketPerEventLoop(false));
    Targets.Udp a = targets.udp("127.0.0.1", "A");
    TargetGroup g = h.group("udp", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-one-udp", Harness.zoneA(), ListenerConfig.builder(Protocol.UDP, port).forwardTo(g).build());
    Endpoint ep = h.transport.endpoints(lb).stream().filter(e -> e.protocol == IpProtocol.UDP).findFirst().orElseThrow();
    assertThat(ep.channels).hasSize(1).allMatch(Channel::isActive);
    if (Files.isReadable(Path.of("/proc/net/udp"))) {
      assertThat(udpSockets(port)).as("sockets the kernel has on the port").isEqualTo(1);
    }
    InetSocketAddress listener = new InetSocketAddress("127.0.0.1", port);
    List<DatagramSocket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0." + (1 + i), 0));
        c.setSoTimeout(3000);
        clients.add(c);
        byte[] out = ("f" + i).getBytes(StandardCharsets.US_ASCII);
        c.send(new DatagramPacket(out, out.length, listener));
        DatagramPacket in = new DatagramPacket(new byte[256], 256);
        c.receive(in);
        assertThat(in.getSocketAddress()).isEqualTo(listener);
        assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).endsWith("|f" + i);
      }
      Channel s = ep.channels.get(0);
      UdpListener l = s.pipeline().get(UdpListener.class);
      assertThat(s.eventLoop().submit(() -> l.flows.size()).get(5, TimeUnit.SECONDS)).isEqualTo(8);
    } finally {
      clients.forEach(DatagramSocket::close);
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void udpListener_addressHeldByAnotherTransportOfThisProcess_bindFails(IoMode mode) throws Exception {
    addressHeldByAnotherTransport_bindFails(mode, Protocol.UDP);
  }

  /**
   * Listening TCP sockets on {@code port} in this network namespace, from /proc/net/tcp and tcp6
   * (state 0A; the JDK's and Netty's sockets are dual-stack IPv6 ones).
   */
  private static int listeningSockets(int port) throws Exception {
    return procSockets("tcp", port, "0A");
  }

  /** Sockets of /proc/net/{table} and {table}6 on local port {@code port}, in {@code state} unless null. */
  private static int procSockets(String table, int port, String state) throws Exception {
    String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
    List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/net/" + table)));
    if (Files.isReadable(Path.of("/proc/net/" + table + "6"))) {
      lines.addAll(Files.readAllLines(Path.of("/proc/net/" + table + "6")));
    }
    int n = 0;
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 3 && f[1].endsWith(hexPort) && (state == null || f[3].equals(state))) {
        n++;
      }
    }
    return n;
  }

  /** A load balancer on {@code port} whose TCP listener forwards to one echo target. */
  private LoadBalancer echoListener(String name, int port) throws Exception {
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("tg", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    return h.lb(name, Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
  }

  /** Opens {@code n} connections to {@code port}, each proven by an echoed round trip, and keeps them open. */
  private static List<Socket> openEchoed(int port, int n, List<Socket> into) throws Exception {
    for (int i = 0; i < n; i++) {
      Socket s = TcpRelayIntegrationTest.connect(port);
      into.add(s);
      assertThat(new String(TcpRelayIntegrationTest.roundTrip(s, "hi" + i), StandardCharsets.US_ASCII)).isEqualTo("hi" + i);
    }
    return into;
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tcpListener_nativeModes_oneSocketPerEventLoop_nioOneSocket(IoMode mode) throws Exception {
    h = new Harness(mode); // two event loops
    int port = Harness.freePort();
    LoadBalancer lb = echoListener("lb-reuse", port);
    List<Channel> sockets = socketPerLoop(lb, IpProtocol.TCP, mode, port);

    List<Socket> clients = new ArrayList<>();
    try {
      openEchoed(port, 40, clients);
      await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.flows(lb).size() == 40);
      Set<EventLoop> flowLoops = new HashSet<>();
      for (Flow f : h.transport.flows(lb)) {
        flowLoops.add(((TcpFlow) f).clientChannel().eventLoop());
      }
      assertThat(flowLoops).as("connections served on both event loops").hasSize(2);
      assertThat(h.transport.liveness().problems()).isEmpty();
    } finally {
      for (Socket s : clients) {
        s.close();
      }
    }

    lb.delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> sockets.stream().noneMatch(Channel::isOpen));
    if (Files.isReadable(Path.of("/proc/net/tcp"))) {
      assertThat(listeningSockets(port)).as("every socket closed").isZero();
    }
  }

  /**
   * A plain TCP listener without limits takes its connections past the ServerBootstrap acceptor
   * ({@link DirectAccept}): each lives on the loop of the socket that accepted it and is configured
   * as the acceptor's child options would have it.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void tcpListener_plainConnections_setUpDirectlyOnTheAcceptingLoop(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    LoadBalancer lb = echoListener("lb-direct", port);
    Endpoint ep = h.transport.endpoints(lb).stream().filter(e -> e.protocol == IpProtocol.TCP).findFirst().orElseThrow();
    for (Channel s : ep.channels) {
      assertThat(s.pipeline().get(DirectAccept.class)).as("on every listening socket").isNotNull();
    }

    List<Socket> clients = new ArrayList<>();
    try {
      openEchoed(port, 8, clients);
      await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.flows(lb).size() == 8);
      for (Flow f : h.transport.flows(lb)) {
        Channel c = ((TcpFlow) f).clientChannel();
        if (mode != IoMode.NIO) {
          assertThat(c.eventLoop()).as("no hand-off").isSameAs(c.parent().eventLoop());
        }
        assertThat(((TcpFlow) f).target.eventLoop()).as("the target connection on the same loop").isSameAs(c.eventLoop());
        assertThat(c.config().isAutoRead()).isFalse();
        assertThat(((io.netty.channel.socket.SocketChannelConfig) c.config()).isAllowHalfClosure()).isTrue();
        assertThat(c.config().getWriteBufferWaterMark()).isSameAs(h.transport.waterMark);
        assertThat((Object) c.config().getRecvByteBufAllocator()).isSameAs(TcpFlow.RECV_ALLOCATOR);
        assertThat(c.pipeline().names()).as("the flow's handler only").containsExactly(RouteAndConnect.NAME,
            "DefaultChannelPipeline$TailContext#0");
      }
    } finally {
      for (Socket s : clients) {
        s.close();
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.flows(lb).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tcpListener_addressHeldByAnotherTransportOfThisProcess_bindFails(IoMode mode) throws Exception {
    addressHeldByAnotherTransport_bindFails(mode, Protocol.TCP);
  }

  private void addressHeldByAnotherTransport_bindFails(IoMode mode, Protocol protocol) throws Exception {
    h = new Harness(mode);
    other = new Harness(mode);
    TargetGroup g = h.group("tg", protocol);
    TargetGroup g2 = other.group("tg", protocol);
    int port = Harness.freePort();
    h.lb("lb-first", Harness.zoneA(), ListenerConfig.builder(protocol, port).forwardTo(g).build());
    LoadBalancer second = other.lb("lb-second", Harness.zoneA(), ListenerConfig.builder(protocol, port + 1).forwardTo(g2).build());

    assertThatThrownBy(() -> second.createListener(ListenerConfig.builder(protocol, port).forwardTo(g2).build()))
        .isInstanceOf(NlbException.class)
        .hasMessageContaining("Address already in use");
    assertThat(other.transport.bindings(second)).containsExactly(protocol + " zone-a 127.0.0.1:" + (port + 1));
  }
}
