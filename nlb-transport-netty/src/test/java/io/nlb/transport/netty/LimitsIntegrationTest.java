package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.metrics.Metric;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transport's protection limits through real listeners: each bites at exactly its configured
 * number, is counted once per refusal in its library-extension metric under {Z, L}, leaves other
 * clients served, and is released when connections close.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @BeforeAll
  static void hookLeaks() {
    Leaks.install();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (IOException e) {
        // ignore
      }
    }
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private Socket connect(int port, String from) throws IOException {
    Socket s = new Socket();
    closeables.add(s);
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(3000);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    byte[] got = s.getInputStream().readNBytes(b.length);
    if (got.length < b.length) {
      throw new IOException("EOF after " + got.length + " bytes");
    }
    return new String(got, StandardCharsets.US_ASCII);
  }

  /**
   * Connects from {@code from} and expects the load balancer to reset the connection: the reset
   * may arrive while connect() returns or at the first read.
   */
  private void assertRefused(int port, String from) throws IOException {
    Socket s = new Socket();
    closeables.add(s);
    s.bind(new InetSocketAddress(from, 0));
    s.setSoTimeout(3000);
    assertThatThrownBy(() -> {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.getOutputStream().write('x');
      s.getInputStream().read();
      s.getOutputStream().write('y');
    }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
  }

  private LoadBalancer echoLb(int... ports) {
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    ListenerConfig[] ls = new ListenerConfig[ports.length];
    for (int i = 0; i < ports.length; i++) {
      ls[i] = ListenerConfig.builder(Protocol.TCP, ports[i]).forwardTo(g).build();
    }
    return h.lb("lb-limits", Harness.zoneA(), ls);
  }

  private long zone(LoadBalancer lb, Metric m) {
    return h.value(lb, "zone-a", m);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void maxConnectionsPerListener_oneOver_resetAtAcceptCountedOnce_otherListenerServed_releasedOnClose(IoMode mode)
      throws Exception {
    int leaksBefore = Leaks.mark();
    h = new Harness(mode, b -> b.maxConnectionsPerListener(3));
    int port = Harness.freePort();
    int other = Harness.freePort();
    LoadBalancer lb = echoLb(port, other);
    List<Socket> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Socket s = connect(port, "127.0.0.1");
      assertThat(roundTrip(s, "hello" + i)).isEqualTo("hello" + i);
      open.add(s);
    }
    assertRefused(port, "127.0.0.9");
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_LISTENER_LIMIT)).isEqualTo(1);
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT)).isZero();
    // A refused connection is no flow: it never reached a target and is no ELB reset.
    assertThat(zone(lb, Metric.NEW_FLOW_COUNT)).isEqualTo(3);
    assertThat(zone(lb, Metric.TCP_ELB_RESET_COUNT)).isZero();
    // The listener's limit is its own: the other listener of the same load balancer serves.
    Socket elsewhere = connect(other, "127.0.0.1");
    assertThat(roundTrip(elsewhere, "other")).isEqualTo("other");
    // The open connections keep being served.
    assertThat(roundTrip(open.get(0), "still")).isEqualTo("still");

    open.get(0).close();
    AcceptGuard.Connections c = h.transport.connections(lb, port);
    await().atMost(Duration.ofSeconds(10)).until(() -> c.open() == 2);
    Socket again = connect(port, "127.0.0.9");
    assertThat(roundTrip(again, "again")).isEqualTo("again");
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_LISTENER_LIMIT)).isEqualTo(1);

    for (AutoCloseable s : closeables) {
      s.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> c.open() == 0 && h.transport.activeTcpFlows() == 0);
    assertThat(h.transport.connections(lb, other).open()).isZero();
    assertThat(Leaks.since(leaksBefore)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void maxConnectionsPerClient_oneOver_resetAndCounted_otherClientServed_entriesReleased(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.maxConnectionsPerClient(2));
    int port = Harness.freePort();
    LoadBalancer lb = echoLb(port);
    Socket a1 = connect(port, "127.0.0.5");
    Socket a2 = connect(port, "127.0.0.5");
    assertThat(roundTrip(a1, "a1")).isEqualTo("a1");
    assertThat(roundTrip(a2, "a2")).isEqualTo("a2");
    assertRefused(port, "127.0.0.5");
    assertRefused(port, "127.0.0.5");
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT)).isEqualTo(2);
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_LISTENER_LIMIT)).isZero();

    // Another client address is served, up to its own limit, while 127.0.0.5 is at its limit.
    Socket b1 = connect(port, "127.0.0.9");
    Socket b2 = connect(port, "127.0.0.9");
    assertThat(roundTrip(b1, "b1")).isEqualTo("b1");
    assertThat(roundTrip(b2, "b2")).isEqualTo("b2");
    assertThat(roundTrip(a1, "a1 again")).isEqualTo("a1 again");
    AcceptGuard.Connections c = h.transport.connections(lb, port);
    assertThat(c.open(InetAddress.getByName("127.0.0.5"))).isEqualTo(2);
    assertThat(c.open(InetAddress.getByName("127.0.0.9"))).isEqualTo(2);
    assertThat(c.trackedClients()).isEqualTo(2);

    for (AutoCloseable s : closeables) {
      s.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> c.open() == 0 && c.trackedClients() == 0);
    Socket fresh = connect(port, "127.0.0.5");
    assertThat(roundTrip(fresh, "fresh")).isEqualTo("fresh");
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT)).isEqualTo(2);
  }

  /** Many distinct client addresses, each connecting once: the per-client table empties again. */
  @ParameterizedTest
  @MethodSource("modes")
  void maxConnectionsPerClient_manyDistinctClients_tableBoundedByOpenConnections(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.maxConnectionsPerClient(1));
    int port = Harness.freePort();
    LoadBalancer lb = echoLb(port);
    AcceptGuard.Connections c = h.transport.connections(lb, port);
    for (int i = 1; i <= 200; i++) {
      try (Socket s = connect(port, "127.0.1." + (i % 250 + 1))) {
        assertThat(roundTrip(s, "x" + i)).isEqualTo("x" + i);
        assertThat(c.trackedClients()).isLessThanOrEqualTo(16);
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> c.open() == 0 && c.trackedClients() == 0);
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT)).isZero();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void defaults_noLimit_nothingTracked(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    LoadBalancer lb = echoLb(port);
    Socket s = connect(port, "127.0.0.1");
    assertThat(roundTrip(s, "plain")).isEqualTo("plain");
    AcceptGuard.Connections c = h.transport.connections(lb, port);
    assertThat(c.limited).isFalse();
    assertThat(c.open()).isZero();
    assertThat(c.trackedClients()).isZero();
  }

  /**
   * A target that never reads while its client keeps sending: the flow holds at most its buffer
   * bound plus one read, counts the pause in FlowBufferFullCount, and other flows keep moving.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void flowBufferBytes_targetNeverReads_bufferedBytesStayBounded_otherFlowsServed(IoMode mode) throws Exception {
    int bound = 64 * 1024;
    h = new Harness(mode, b -> b.flowBufferBytes(bound));
    AtomicInteger accepted = new AtomicInteger();
    // The first connection is never read from; later ones echo.
    Channel server = new ServerBootstrap().group(targets.group).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
          @Override
          protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
            if (accepted.getAndIncrement() == 0) {
              return;
            }
            ch.config().setAutoRead(true);
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
              }
            });
          }
        }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    closeables.add(() -> server.close().syncUninterruptibly());
    TargetGroup g = h.group("sink", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-buffer", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());

    SocketChannel stuck = SocketChannel.open();
    closeables.add(stuck);
    stuck.connect(new InetSocketAddress("127.0.0.1", port));
    stuck.configureBlocking(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.get() == 1);
    ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
    long sent = 0;
    int zeroWrites = 0;
    long maxBuffered = 0;
    // Write until the proxy stops reading and every buffer on the way is full (bounded loop).
    for (int i = 0; i < 200_000 && zeroWrites < 200; i++) {
      chunk.clear();
      int n = stuck.write(chunk);
      sent += n;
      if (n == 0) {
        zeroWrites++;
        TimeUnit.MILLISECONDS.sleep(1);
      } else {
        zeroWrites = 0;
      }
      maxBuffered = Math.max(maxBuffered, h.transport.maxFlowBufferedBytes(lb));
    }
    assertThat(zeroWrites).as("the client's writes stop being taken").isEqualTo(200);
    assertThat(sent).as("more was sent than the proxy may hold").isGreaterThan(bound);
    maxBuffered = Math.max(maxBuffered, h.transport.maxFlowBufferedBytes(lb));
    assertThat(maxBuffered).as("bytes the proxy holds for the stuck flow").isGreaterThan(0)
        // Netty counts 96 bytes of bookkeeping per pending write in these figures (at most a few
        // writes wait at once): hence the small allowance on top of the buffer plus one read.
        .isLessThanOrEqualTo(bound + 64 * 1024 + 4 * 96);
    assertThat(zone(lb, Metric.FLOW_BUFFER_FULL_COUNT)).isGreaterThanOrEqualTo(1);

    // Another flow on the same listener (and target) keeps moving.
    Socket other = connect(port, "127.0.0.9");
    assertThat(roundTrip(other, "moving")).isEqualTo("moving");
    // The same allowance as above: a write may still be pending with its bookkeeping.
    assertThat(h.transport.maxFlowBufferedBytes(lb)).isLessThanOrEqualTo(bound + 64 * 1024 + 4 * 96);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void maxUdpFlows_full_datagramOfNewFlowDroppedAndCountedOnce_existingFlowServed(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.maxUdpFlows(1));
    Targets.Udp u = targets.udp("127.0.0.1", "u");
    TargetGroup g = h.group("udp", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", u.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-udp", Harness.zoneA(), ListenerConfig.builder(Protocol.UDP, port).forwardTo(g).build());
    DatagramSocket first = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    DatagramSocket second = new DatagramSocket(new InetSocketAddress("127.0.0.9", 0));
    closeables.add(first);
    closeables.add(second);
    first.setSoTimeout(3000);
    second.setSoTimeout(300);
    assertThat(udpRoundTrip(first, port, "one")).isEqualTo("u|one");
    assertThatThrownBy(() -> udpRoundTrip(second, port, "two")).isInstanceOf(SocketTimeoutException.class);
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_UDP_FLOW_TABLE)).isEqualTo(1);
    assertThat(h.transport.udpFlowTableOverflows()).isEqualTo(1);
    assertThat(udpRoundTrip(first, port, "three")).isEqualTo("u|three");
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_UDP_FLOW_TABLE)).isEqualTo(1);
  }

  private static String udpRoundTrip(DatagramSocket s, int port, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
    DatagramPacket p = new DatagramPacket(new byte[256], 256);
    s.receive(p);
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tlsHandshakeTimeout_silentClient_closedAndCountedOnce_otherClientHandshakes(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.tlsHandshakeTimeout(Duration.ofSeconds(5)));
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-tls", Harness.zoneA(), ListenerConfig.builder(Protocol.TLS, port).forwardTo(g)
        .certificate(TlsTargets.A).sslPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06").build());
    // A client that completes its handshake in time is served (and warms the JVM's TLS code up).
    // (5 s: a cold JVM on a loaded machine can take seconds for its first handshake.)
    Socket raw = connect(port, "127.0.0.9");
    raw.setSoTimeout(20_000);
    SSLSocket tls = (SSLSocket) TlsTargets.trusting(TlsTargets.A).getSocketFactory()
        .createSocket(raw, "a.example", port, true);
    closeables.add(tls);
    assertThat(roundTrip(tls, "secure")).isEqualTo("secure");

    Socket silent = connect(port, "127.0.0.5");
    silent.setSoTimeout(10_000);
    Socket partial = connect(port, "127.0.0.5");
    partial.setSoTimeout(10_000);
    // A TLS record header that promises 80 bytes, never sent.
    partial.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x50});
    // The load balancer closes both once the handshake timeout passes.
    assertThat(readUntilClosed(silent)).isTrue();
    assertThat(readUntilClosed(partial)).isTrue();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> zone(lb, Metric.REJECTED_FLOW_COUNT_TLS_HANDSHAKE_TIMEOUT) == 2);
    // Only the client that sent bytes had a negotiation to fail.
    assertThat(zone(lb, Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT)).isEqualTo(1);
    // The established flow was never affected.
    assertThat(roundTrip(tls, "still secure")).isEqualTo("still secure");
    assertThat(zone(lb, Metric.REJECTED_FLOW_COUNT_TLS_HANDSHAKE_TIMEOUT)).isEqualTo(2);
  }

  private static boolean readUntilClosed(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  @Test
  void builder_badLimits_nameKeyValueAndRange() {
    NettyTransportBuilder b = NettyTransport.builder();
    assertThatThrownBy(() -> b.maxConnectionsPerListener(0))
        .hasMessage("maxConnectionsPerListener: 0 (expected: 1-2147483647, 2147483647 for unlimited)");
    assertThatThrownBy(() -> b.maxConnectionsPerClient(-1))
        .hasMessage("maxConnectionsPerClient: -1 (expected: 1-2147483647, 2147483647 for unlimited)");
    assertThatThrownBy(() -> b.flowBufferBytes(1023))
        .hasMessage("flowBufferBytes: 1023 (expected: 1024-1073741824)");
    assertThatThrownBy(() -> b.tlsHandshakeTimeout(Duration.ZERO))
        .hasMessage("tlsHandshakeTimeout: PT0S (expected: a positive duration)");
  }
}
