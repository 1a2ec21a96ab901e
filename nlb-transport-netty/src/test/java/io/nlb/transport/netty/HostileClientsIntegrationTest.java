package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.metrics.Metric;
import io.nlb.tls.SecurityPolicy;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile clients on loopback, once per I/O mode (issue #19): TLS clients announcing records larger
 * than TLS allows, TLS clients holding memory without finishing their handshake, errors thrown in
 * connection handlers, and a UDP flood from fresh source ports. During and after each attack a
 * normal client is served, the event loops stay alive, and the rate-limited log writes a bounded
 * number of lines (captured and counted). The same attacks against a process with little direct
 * memory or few file descriptors run in child JVMs ({@code AttacksChildIntegrationTest}).
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileClientsIntegrationTest {
  private static final String POLICY = SecurityPolicy.TLS13_1_2_2021_06.name();
  private Harness h;
  private final Targets targets = new Targets();
  private final List<Socket> sockets = new ArrayList<>();
  private final List<DatagramSocket> datagramSockets = new ArrayList<>();
  private final List<String> lines = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    datagramSockets.forEach(DatagramSocket::close);
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private LoadBalancer tlsLb(int port) {
    TargetGroup g = h.group("web", Protocol.TCP);
    Targets.Echo echo = targets.echo("127.0.0.1");
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    return h.lb("hostile", Harness.zoneA(), ListenerConfig.builder(Protocol.TLS, port).forwardTo("web")
        .certificate(TlsTargets.A).sslPolicy(POLICY).build());
  }

  private SSLSocket tlsClient(int port) throws Exception {
    SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A), port, null);
    sockets.add(s);
    return s;
  }

  /** A raw connection that sends a TLS record header announcing {@code length}, then {@code body} bytes. */
  private Socket record(int port, int length, byte[] body) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.setSoTimeout(5000);
    try {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.getOutputStream().write(new byte[] {22, 3, 1, (byte) (length >> 8), (byte) length});
      s.getOutputStream().write(body);
    } catch (IOException e) {
      // already reset: the point of the test
    }
    return s;
  }

  /** Whether the server ended {@code s} (EOF or reset) within its read timeout. */
  private static boolean ended(Socket s) {
    try {
      while (true) {
        if (s.getInputStream().read(new byte[4096]) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private long lines(String cause) {
    return lines.stream().filter(l -> l.contains(cause)).count();
  }

  private void assertAlive() {
    Liveness l = h.transport.liveness();
    assertThat(l.eventLoopsAlive()).as(l.toString()).isEqualTo(l.eventLoops()).isEqualTo(2);
    assertThat(l.isLive()).as(l.toString()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void tlsRecordOver64KiB_resetAtItsHeader_notAfterTheHandshakeTimeout_normalClientServed(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.causeLogHook(lines::add).tlsHandshakeTimeout(Duration.ofSeconds(30)));
    int port = Harness.freePort();
    LoadBalancer lb = tlsLb(port);
    SSLSocket normal = tlsClient(port);
    assertThat(TlsTargets.ask(normal, "before")).isEqualTo("before");

    long start = System.nanoTime();
    List<Socket> attackers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      attackers.add(record(port, 65_535, new byte[60_000]));
    }
    assertThat(TlsTargets.ask(normal, "during")).isEqualTo("during");
    assertThat(TlsTargets.ask(tlsClient(port), "new during")).isEqualTo("new during");
    for (Socket s : attackers) {
      assertThat(ended(s)).as("an attacker's connection ends").isTrue();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the 30 s handshake timeout")
        .isLessThan(Duration.ofSeconds(20));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> h.value(lb, "zone-a", Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT) == 200);
    assertThat(h.value(lb, "zone-a", Metric.REJECTED_FLOW_COUNT_TLS_HANDSHAKE_TIMEOUT)).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.handshakeMemoryBytes() == 0);

    assertThat(TlsTargets.ask(normal, "after")).isEqualTo("after");
    assertThat(TlsTargets.ask(tlsClient(port), "new after")).isEqualTo("new after");
    assertAlive();
    assertThat(lines(HandshakeGuard.CAUSE_RECORD)).as(String.join("\n", lines)).isEqualTo(1);
    assertThat(lines).hasSizeLessThanOrEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void handshakesHoldingMemory_budgetExhausted_newHandshakesRefused_establishedFlowGoesOn(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.causeLogHook(lines::add).handshakeMemoryBudget(64 * 1024));
    int port = Harness.freePort();
    LoadBalancer lb = tlsLb(port);
    SSLSocket established = tlsClient(port);
    assertThat(TlsTargets.ask(established, "before")).isEqualTo("before");

    // ClientHellos fragmented over records that announce 60,000 bytes: legal lengths, each record
    // 16,000 bytes; they grow their reservation until the budget refuses.
    byte[] fragment = new byte[16_000];
    fragment[0] = 1; // client_hello
    fragment[2] = (byte) 0xEA;
    fragment[3] = 0x60;
    List<Socket> attackers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      attackers.add(record(port, 16_000, fragment));
    }
    // Stalling handshakes holding only their base reservation, until new ones are refused at accept.
    for (int i = 0; i < 30; i++) {
      Socket s = new Socket();
      sockets.add(s);
      attackers.add(s);
      try {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.getOutputStream().write(22);
      } catch (IOException e) {
        // refused at accept already (the reset can even arrive before connect() returns)
      }
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> h.value(lb, "zone-a", Metric.REJECTED_FLOW_COUNT_MEMORY_BUDGET) >= 10);
    assertThat(h.transport.memory.refusals()).as("refused at accept").isPositive()
        .isLessThanOrEqualTo(h.value(lb, "zone-a", Metric.REJECTED_FLOW_COUNT_MEMORY_BUDGET));
    assertThat(h.transport.handshakeMemoryBytes()).isLessThanOrEqualTo(64 * 1024);
    assertThat(TlsTargets.ask(established, "during")).isEqualTo("during");
    assertAlive();

    for (Socket s : attackers) {
      s.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.handshakeMemoryBytes() == 0);
    assertThat(TlsTargets.ask(tlsClient(port), "new after")).isEqualTo("new after");
    assertThat(TlsTargets.ask(established, "after")).isEqualTo("after");
    assertAlive();
    assertThat(lines(HandshakeGuard.CAUSE_REFUSED)).as(String.join("\n", lines)).isBetween(0L, 1L);
    assertThat(lines(HandshakeGuard.CAUSE_TOO_BIG)).as(String.join("\n", lines)).isBetween(0L, 1L);
    assertThat(lines(HandshakeGuard.CAUSE_REFUSED) + lines(HandshakeGuard.CAUSE_TOO_BIG)).isPositive();
    assertThat(lines).hasSizeLessThanOrEqualTo(3);
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void oneClientSendsMoreThanTheHandshakeBoundPerConnection_reset_counted(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.causeLogHook(lines::add));
    int port = Harness.freePort();
    LoadBalancer lb = tlsLb(port);
    byte[] fragment = new byte[16_000];
    fragment[0] = 1;
    fragment[2] = (byte) 0xEA;
    fragment[3] = 0x60;
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(5000);
    try {
      for (int i = 0; i < 3; i++) { // 48,015 bytes of one fragmented ClientHello: over the 32 KiB bound
        s.getOutputStream().write(new byte[] {22, 3, 1, (byte) (16_000 >> 8), (byte) 16_000});
        s.getOutputStream().write(fragment);
      }
    } catch (IOException e) {
      // reset while sending
    }
    assertThat(ended(s)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> h.value(lb, "zone-a", Metric.REJECTED_FLOW_COUNT_MEMORY_BUDGET) == 1);
    assertThat(TlsTargets.ask(tlsClient(port), "served")).isEqualTo("served");
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.handshakeMemoryBytes() == 0);
    assertAlive();
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void errorsThrownInConnectionHandlers_closeOnlyTheirConnection_countedAndLoggedOnce_loopsGoOn(IoMode mode)
      throws Exception {
    h = new Harness(mode, b -> b.causeLogHook(lines::add));
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("errors", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
    List<Socket> victims = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Socket s = tcp(port);
      assertThat(roundTrip(s, "hi")).isEqualTo("hi");
      victims.add(s);
    }
    Socket bystander = tcp(port);
    assertThat(roundTrip(bystander, "hello")).isEqualTo("hello");
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.flows(lb).size() == 41);

    int injected = 0;
    java.util.Map<Integer, String> kinds = new java.util.HashMap<>();
    for (Flow f : h.transport.flows(lb)) {
      Channel client = ((TcpFlow) f).clientChannel();
      if (((InetSocketAddress) client.remoteAddress()).getPort() == bystander.getLocalPort()) {
        continue;
      }
      kinds.put(((InetSocketAddress) client.remoteAddress()).getPort(), injected % 2 == 0 ? "thrower" : "fired");
      if (injected % 2 == 0) {
        // a handler that throws as a direct buffer allocation would, on the next client bytes
        // added on the event loop, so that it is in place before the client's next bytes are read
        client.eventLoop().submit(() -> client.pipeline().addBefore("nlb-client", "thrower",
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                throw new OutOfMemoryError("Cannot reserve 32768 bytes of direct buffer memory (test)");
              }
            })).sync();
      } else {
        client.pipeline().fireExceptionCaught(new IllegalStateException("test: a bug in a handler"));
      }
      injected++;
    }
    assertThat(injected).isEqualTo(40);
    for (Socket s : victims) {
      try {
        s.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // already reset
      }
    }
    List<String> alive = new ArrayList<>();
    for (Socket s : victims) {
      if (!ended(s)) {
        alive.add(s.getLocalPort() + "=" + kinds.get(s.getLocalPort()));
      }
    }
    assertThat(alive).as("victims not ended").isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.liveness().handlerErrors() == 40);
    assertThat(roundTrip(bystander, "still")).isEqualTo("still");
    assertThat(roundTrip(tcp(port), "new")).isEqualTo("new");
    assertAlive();
    assertThat(h.value(lb, "zone-a", Metric.TCP_ELB_RESET_COUNT)).isGreaterThanOrEqualTo(40);
    // one line per cause (an OutOfMemoryError, an IllegalStateException), no stack per connection
    assertThat(lines).as(String.join("\n", lines)).hasSize(2);
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void udpFloodFromFreshPorts_tableFull_newFlowsDropped_existingUdpAndTcpServed_logBounded(IoMode mode)
      throws Exception {
    h = new Harness(mode, b -> b.causeLogHook(lines::add).maxUdpFlows(20).udpFlowIdleTimeout(Duration.ofSeconds(2)));
    Targets.Udp udpTarget = targets.udp("127.0.0.1", "U");
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup ug = h.group("dns", Protocol.UDP);
    ug.registerTargets(Target.ip("127.0.0.1", udpTarget.port()));
    TargetGroup tg = h.group("web", Protocol.TCP);
    tg.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int udpPort = Harness.freePort();
    int tcpPort = Harness.freePort();
    LoadBalancer lb = h.lb("flood", Harness.zoneA(), ListenerConfig.builder(Protocol.UDP, udpPort).forwardTo(ug).build(),
        ListenerConfig.builder(Protocol.TCP, tcpPort).forwardTo(tg).build());
    DatagramSocket existing = udp();
    assertThat(exchange(existing, udpPort, "before")).isEqualTo("U|before");

    byte[] junk = new byte[32];
    for (int i = 0; i < 1_000; i++) {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        s.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", udpPort)));
      }
      if (i % 250 == 0) {
        assertThat(exchange(existing, udpPort, "during " + i)).isEqualTo("U|during " + i);
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.udpFlowTableOverflows() >= 900);
    assertThat(h.transport.activeUdpFlows()).isLessThanOrEqualTo(20);
    assertThat(exchange(existing, udpPort, "after")).isEqualTo("U|after");
    assertThat(roundTrip(tcp(tcpPort), "tcp")).isEqualTo("tcp");
    assertThat(h.value(lb, "zone-a", Metric.REJECTED_FLOW_COUNT_UDP_FLOW_TABLE)).isEqualTo(h.transport.udpFlowTableOverflows());
    assertAlive();
    // Idle flood flows expire; a new client gets a flow again.
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
      try {
        DatagramSocket fresh = udp();
        fresh.setSoTimeout(300);
        return exchange(fresh, udpPort, "fresh").equals("U|fresh");
      } catch (IOException e) {
        return false;
      }
    });
    assertThat(lines.stream().filter(l -> l.contains("UDP flow table full")).count()).as(String.join("\n", lines))
        .isEqualTo(1);
    assertThat(lines).hasSizeLessThanOrEqualTo(2);
  }

  private Socket tcp(int port) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(5000);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    byte[] got = s.getInputStream().readNBytes(text.length());
    return new String(got, StandardCharsets.US_ASCII);
  }

  private DatagramSocket udp() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    s.setSoTimeout(3000);
    datagramSockets.add(s);
    return s;
  }

  private static String exchange(DatagramSocket s, int port, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
    DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
    s.receive(in);
    return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
  }
}
