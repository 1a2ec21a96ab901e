package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupAttributes;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.Zone;
import io.nlb.metrics.Metric;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Flow lifecycle through real listeners: scale, resets, draining, health, idle, zones, client IP. */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpFlowLifecycleIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();
  private final List<Socket> sockets = new ArrayList<>();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @BeforeAll
  static void hookLeaks() {
    Leaks.install();
  }

  /** The harness of a test in {@code mode}; {@link ZeroCopyTcpFlowLifecycleIntegrationTest} runs the same tests with splice on. */
  Harness harness(IoMode mode, java.util.function.Consumer<NettyTransportBuilder> custom) {
    return new Harness(mode, custom);
  }

  @AfterEach
  void tearDown() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // ignore
      }
    }
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private Socket connect(String host, int port) throws IOException {
    return connect(host, port, null);
  }

  private Socket connect(String host, int port, String from) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    if (from != null) {
      s.bind(new InetSocketAddress(from, 0));
    }
    s.connect(new InetSocketAddress(host, port), 2000);
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

  private static TargetGroupAttributes drain(boolean terminate) {
    return TargetGroupAttributes.builder().deregistrationDelay(Duration.ofSeconds(30)).connectionTermination(terminate).build();
  }

  private LoadBalancer lb(TargetGroup g, int port) {
    return h.lb("lb-flows", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
  }

  @ParameterizedTest
  @MethodSource("modes")
  void concurrentConnections_2000_allComplete_activeFlowsBackToZero_noLeaks(IoMode mode) throws Exception {
    int leaksBefore = Leaks.mark();
    h = harness(mode, b -> {});
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = lb(g, port);
    int n = 2000;
    EventLoopGroup clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    byte[] payload = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    try {
      CountDownLatch done = new CountDownLatch(n);
      AtomicInteger ok = new AtomicInteger();
      Bootstrap b = new Bootstrap().group(clients).channel(NioSocketChannel.class).handler(new ChannelInboundHandlerAdapter() {
        @Override
        public boolean isSharable() {
          return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          ByteBuf buf = (ByteBuf) msg;
          int got = ctx.channel().attr(Keys.RECEIVED).get() + buf.readableBytes();
          buf.release();
          ctx.channel().attr(Keys.RECEIVED).set(got);
          if (got == payload.length) {
            ok.incrementAndGet();
            ctx.close();
          }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          done.countDown();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          ctx.close();
        }
      });
      List<Channel> channels = new ArrayList<>(n);
      List<ChannelFuture> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ChannelFuture f = b.connect("127.0.0.1", port);
        f.channel().attr(Keys.RECEIVED).set(0);
        futures.add(f);
        channels.add(f.channel());
      }
      for (ChannelFuture f : futures) {
        f.syncUninterruptibly();
      }
      // Every connection is open through the load balancer at the same time.
      await().atMost(Duration.ofSeconds(20)).until(() -> h.transport.activeTcpFlows() == n);
      assertThat(h.value(lb, "zone-a", Metric.ACTIVE_FLOW_COUNT)).isEqualTo(n);
      for (Channel c : channels) {
        c.writeAndFlush(Unpooled.wrappedBuffer(payload));
      }
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(ok.get()).isEqualTo(n);
    } finally {
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == 0);
    assertThat(h.value(lb, "zone-a", Metric.ACTIVE_FLOW_COUNT)).isZero();
    assertThat(h.value(lb, "zone-a", Metric.ACTIVE_FLOW_COUNT_TCP)).isZero();
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT)).isEqualTo(n);
    assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES)).isEqualTo(2L * n * payload.length);
    // An estimate: each relayed read is a packet in and a packet out; every flow relayed both ways.
    long packets = h.value(lb, "zone-a", Metric.PROCESSED_PACKETS);
    assertThat(packets % 2).isZero();
    assertThat(packets).isGreaterThanOrEqualTo(4L * n);
    assertThat(Leaks.since(leaksBefore)).isEmpty();
  }

  static final class Keys {
    static final io.netty.util.AttributeKey<Integer> RECEIVED = io.netty.util.AttributeKey.valueOf("received");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void targetKilled_itsClientsAreResetWithin1s_newFlowsGoElsewhere(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo a = targets.echo("127.0.0.1");
    Targets.Echo b = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", a.port()), Target.ip("127.0.0.1", b.port()));
    g.reportHealth(Target.ip("127.0.0.1", a.port()), TargetHealth.healthy());
    g.reportHealth(Target.ip("127.0.0.1", b.port()), TargetHealth.healthy());
    int port = Harness.freePort();
    LoadBalancer lb = lb(g, port);
    List<Socket> clients = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Socket s = connect("127.0.0.1", port);
      assertThat(roundTrip(s, "hi")).isEqualTo("hi");
      clients.add(s);
    }
    int onA = a.accepted.get();
    assertThat(onA).isBetween(1, 15);
    long killed = System.nanoTime();
    a.kill();
    await().atMost(Duration.ofSeconds(1)).until(() -> h.value(lb, "zone-a", Metric.TCP_TARGET_RESET_COUNT) == onA);
    int reset = 0;
    for (Socket s : clients) {
      try {
        roundTrip(s, "again");
      } catch (IOException e) {
        reset++;
      }
    }
    assertThat(reset).isEqualTo(onA);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)).isLessThan(1000);
    // The health checker (here: the test) marks the dead target unhealthy; new flows avoid it.
    g.reportHealth(Target.ip("127.0.0.1", a.port()), TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
    int before = b.accepted.get();
    for (int i = 0; i < 8; i++) {
      assertThat(roundTrip(connect("127.0.0.1", port), "new")).isEqualTo("new");
    }
    assertThat(b.accepted.get()).isEqualTo(before + 8);
  }

  private void draining(IoMode mode, boolean terminate) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo a = targets.echo("127.0.0.1");
    Targets.Echo b = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP, drain(terminate));
    g.registerTargets(Target.ip("127.0.0.1", a.port()), Target.ip("127.0.0.1", b.port()));
    int port = Harness.freePort();
    LoadBalancer lb = lb(g, port);
    Socket first = connect("127.0.0.1", port);
    assertThat(roundTrip(first, "x")).isEqualTo("x");
    Targets.Echo used = a.accepted.get() == 1 ? a : b;
    Targets.Echo other = used == a ? b : a;
    g.deregisterTargets(Target.ip("127.0.0.1", used.port()));
    // Draining: the flow goes on, new flows go to the other target.
    assertThat(roundTrip(first, "still")).isEqualTo("still");
    for (int i = 0; i < 4; i++) {
      assertThat(roundTrip(connect("127.0.0.1", port), "n")).isEqualTo("n");
    }
    assertThat(used.accepted.get()).isEqualTo(1);
    assertThat(other.accepted.get()).isEqualTo(4);
    h.scheduler.advance(Duration.ofSeconds(30));
    if (terminate) {
      assertThatThrownBy(() -> first.getInputStream().read()).isInstanceOf(IOException.class);
      await().atMost(Duration.ofSeconds(2)).until(() -> used.children.isEmpty());
      assertThat(h.value(lb, "zone-a", Metric.TCP_ELB_RESET_COUNT)).isEqualTo(2);
    } else {
      assertThat(roundTrip(first, "after delay")).isEqualTo("after delay");
      assertThat(h.value(lb, "zone-a", Metric.TCP_ELB_RESET_COUNT)).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void deregistration_withConnectionTermination_closesFlowsWhenDelayEnds(IoMode mode) throws Exception {
    draining(mode, true);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void deregistration_withoutConnectionTermination_flowsOutliveTheDelay(IoMode mode) throws Exception {
    draining(mode, false);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void targetBecomesUnhealthy_flowResetsOnNextClientData_unlessNodeFailsOpen(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo a = targets.echo("127.0.0.1");
    Targets.Echo b = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    Target ta = Target.ip("127.0.0.1", a.port());
    Target tb = Target.ip("127.0.0.1", b.port());
    g.registerTargets(ta);
    g.reportHealth(ta, TargetHealth.healthy());
    int port = Harness.freePort();
    lb(g, port);
    Socket s = connect("127.0.0.1", port);
    assertThat(roundTrip(s, "1")).isEqualTo("1");
    // The only target turns unhealthy: the node fails open, the flow continues.
    g.reportHealth(ta, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
    assertThat(roundTrip(s, "2")).isEqualTo("2");
    // Another target is healthy now: no fail-open, the flow resets on its next data.
    g.registerTargets(tb);
    g.reportHealth(tb, TargetHealth.healthy());
    assertThatThrownBy(() -> roundTrip(s, "3")).isInstanceOf(IOException.class);
    assertThat(roundTrip(connect("127.0.0.1", port), "4")).isEqualTo("4");
    assertThat(b.accepted.get()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void idleTimeout_override_resetsBothSides(IoMode mode) throws Exception {
    h = harness(mode, t -> t.tcpIdleTimeoutOverride(Duration.ofMillis(300)));
    Targets.Echo a = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    int port = Harness.freePort();
    LoadBalancer lb = lb(g, port);
    Socket s = connect("127.0.0.1", port);
    assertThat(roundTrip(s, "ping")).isEqualTo("ping");
    long start = System.nanoTime();
    assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(IOException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(200L, 2500L);
    await().atMost(Duration.ofSeconds(2)).until(() -> a.children.isEmpty());
    assertThat(h.value(lb, "zone-a", Metric.TCP_ELB_RESET_COUNT)).isEqualTo(2);
    assertThat(h.transport.activeTcpFlows()).isZero();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void listenerTargetGroupChange_leavesFlowsInFlightOnTheirTarget(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo a = targets.echo("127.0.0.1");
    Targets.Echo b = targets.echo("127.0.0.1");
    TargetGroup g1 = h.group("one", Protocol.TCP);
    TargetGroup g2 = h.group("two", Protocol.TCP);
    g1.registerTargets(Target.ip("127.0.0.1", a.port()));
    g2.registerTargets(Target.ip("127.0.0.1", b.port()));
    int port = Harness.freePort();
    LoadBalancer lb = lb(g1, port);
    Socket s = connect("127.0.0.1", port);
    assertThat(roundTrip(s, "before")).isEqualTo("before");
    Listener l = lb.listeners().get(0);
    l.modify(l.config().toBuilder().forwardTo("two").build());
    assertThat(roundTrip(s, "in flight")).isEqualTo("in flight");
    assertThat(roundTrip(connect("127.0.0.1", port), "new")).isEqualTo("new");
    assertThat(a.accepted.get()).isEqualTo(1);
    assertThat(b.accepted.get()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void twoZones_crossZoneOffReachesOwnZoneOnly_onReachesAll(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo a = targets.echo("127.0.1.1");
    Targets.Echo b = targets.echo("127.0.2.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.1.1", a.port()), Target.ip("127.0.2.1", b.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.nlb.createLoadBalancer(LoadBalancerConfig.builder("lb-zones")
        .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.1.0/24").build())
        .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("127.0.2.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build())
        .build());
    for (int i = 0; i < 10; i++) {
      roundTrip(connect("127.0.0.1", port), "a");
      roundTrip(connect("127.0.0.2", port), "b");
    }
    assertThat(a.accepted.get()).isEqualTo(10);
    assertThat(b.accepted.get()).isEqualTo(10);
    // Client IP preservation is off for IP targets over TCP: each target sees its node's address.
    assertThat(a.peers).allMatch(p -> p.getAddress().getHostAddress().equals("127.0.0.1"));
    assertThat(b.peers).allMatch(p -> p.getAddress().getHostAddress().equals("127.0.0.2"));
    lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
    for (int i = 0; i < 30; i++) {
      roundTrip(connect("127.0.0.1", port), "x");
    }
    assertThat(a.accepted.get()).isGreaterThan(10);
    assertThat(b.accepted.get()).isGreaterThan(10);
    assertThat(a.accepted.get() + b.accepted.get()).isEqualTo(50);
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT)).isEqualTo(40);
    assertThat(h.value(lb, "zone-b", Metric.NEW_FLOW_COUNT)).isEqualTo(10);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void clientIpPreservation_enabled_targetSeesTheClientAddress(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo a = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP, TargetGroupAttributes.builder().preserveClientIp(true).build());
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    int port = Harness.freePort();
    lb(g, port);
    assertThat(roundTrip(connect("127.0.0.1", port, "127.0.0.9"), "me")).isEqualTo("me");
    assertThat(a.peers).hasSize(1);
    assertThat(a.peers.get(0).getAddress()).isEqualTo(InetAddress.getByName("127.0.0.9"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void clientIpPreservation_disabled_targetSeesTheNodeAddress(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo a = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP, TargetGroupAttributes.builder().preserveClientIp(false).build());
    g.registerTargets(Target.ip("127.0.0.1", a.port()));
    int port = Harness.freePort();
    lb(g, port);
    assertThat(roundTrip(connect("127.0.0.1", port, "127.0.0.9"), "me")).isEqualTo("me");
    assertThat(a.peers.get(0).getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
  }
}
