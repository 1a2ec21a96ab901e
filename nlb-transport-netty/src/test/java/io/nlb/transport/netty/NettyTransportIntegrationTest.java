package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.nlb.core.IpAddressType;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.Zone;
import io.nlb.core.spi.TransportProvider;
import io.nlb.metrics.Metric;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The transport as a whole: builder, provider, modes, shared event loops, close, removal, IPv6. */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyTransportIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  /** The harness of a test in {@code mode}; {@link ZeroCopyNettyTransportIntegrationTest} runs the same tests with splice on. */
  Harness harness(IoMode mode, java.util.function.Consumer<NettyTransportBuilder> custom) {
    return new Harness(mode, custom);
  }

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private static Socket connect(String host, int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(host, port), 2000);
    s.setSoTimeout(3000);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
  }

  private LoadBalancer echoLb(int port) {
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    return h.lb("lb-t", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
  }

  @Test
  void builder_rejectsBadValues_withTheValueAndWhatIsExpected() {
    assertThatThrownBy(() -> NettyTransport.builder().threads(-1)).hasMessage("threads: -1 (expected: 0 or more)");
    assertThatThrownBy(() -> NettyTransport.builder().maxUdpFlows(0)).hasMessage("maxUdpFlows: 0 (expected: 1 or more)");
    assertThatThrownBy(() -> NettyTransport.builder().connectTimeout(Duration.ZERO))
        .hasMessage("connectTimeout: PT0S (expected: a positive duration)");
    assertThatThrownBy(() -> NettyTransport.builder().shutdownTimeout(Duration.ofSeconds(-1)))
        .hasMessage("shutdownTimeout: PT-1S (expected: zero or positive)");
  }

  @Test
  void provider_isFoundByServiceLoader_andCreatesAWorkingTransport() {
    TransportProvider p = ServiceLoader.load(TransportProvider.class).findFirst().orElseThrow();
    assertThat(p).isInstanceOf(NettyTransportProvider.class);
    assertThat(p.name()).isEqualTo("netty");
    try (Nlb nlb = Nlb.builder().transport().build()) {
      assertThat(nlb.transport().flatMap(NettyTransport::from)).isPresent();
      assertThat(NettyTransport.from(nlb.transport().orElseThrow()).orElseThrow().ioMode()).isNotEqualTo(IoMode.AUTO);
    }
  }

  @Test
  void auto_picksTheBestAvailableMode() {
    try (NettyTransport t = NettyTransport.builder().threads(1).build()) {
      boolean uring = NettyTransport.isAvailable(IoMode.IO_URING);
      IoMode expected = uring && !IoUringSupport.resetDetectionBroken() ? IoMode.IO_URING
          : NettyTransport.isAvailable(IoMode.EPOLL) && !EpollSupport.halfCloseLosesWrites() ? IoMode.EPOLL : IoMode.NIO;
      assertThat(t.ioMode()).isEqualTo(expected);
      if (uring && IoUringSupport.resetDetectionBroken()) {
        // The log line of the choice names the skipped mode, the Netty version and the way out.
        assertThat(IoTransport.autoReason()).contains("io_uring skipped", IoUringSupport.version(),
            "-Dio.netty.iouring.pollAddMultishotEnabled=false");
      }
    }
  }

  @Test
  void sharedEventLoopGroup_isUsed_andNeverShutDown() throws Exception {
    EventLoopGroup app = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      h = new Harness(IoMode.AUTO, b -> b.eventLoopGroup(app));
      assertThat(h.transport.ioMode()).isEqualTo(IoMode.NIO);
      int port = Harness.freePort();
      echoLb(port);
      try (Socket s = connect("127.0.0.1", port)) {
        assertThat(roundTrip(s, "shared")).isEqualTo("shared");
      }
      h.close();
      h = null;
      assertThat(app.isShuttingDown()).isFalse();
    } finally {
      app.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void close_waitsForFlowsToFinish(IoMode mode) throws Exception {
    h = harness(mode, b -> b.shutdownTimeout(Duration.ofSeconds(20)));
    int port = Harness.freePort();
    echoLb(port);
    Socket s = connect("127.0.0.1", port);
    assertThat(roundTrip(s, "open")).isEqualTo("open");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(h.transport::close);
    // No new flows are accepted, but the open one keeps working while close() waits.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(() -> {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
        probe.setSoTimeout(500);
        probe.getInputStream().read();
      }
    }).isInstanceOf(IOException.class));
    assertThat(roundTrip(s, "still")).isEqualTo("still");
    assertThat(closing).isNotDone();
    s.shutdownOutput();
    assertThat(s.getInputStream().read()).isEqualTo(-1);
    s.close();
    closing.get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void close_resetsFlowsStillOpenAtTheTimeout(IoMode mode) throws Exception {
    h = harness(mode, b -> b.shutdownTimeout(Duration.ofMillis(300)));
    int port = Harness.freePort();
    echoLb(port);
    try (Socket s = connect("127.0.0.1", port)) {
      assertThat(roundTrip(s, "open")).isEqualTo("open");
      long start = System.nanoTime();
      h.transport.close();
      h.transport.close(); // idempotent
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
      assertThatThrownBy(() -> s.getInputStream().read()).as("resets %s", h.metrics.snapshot()).isInstanceOf(IOException.class);
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void deleteLoadBalancer_unbindsAndResetsItsFlows(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    int port = Harness.freePort();
    LoadBalancer lb = echoLb(port);
    try (Socket s = connect("127.0.0.1", port)) {
      assertThat(roundTrip(s, "x")).isEqualTo("x");
      lb.delete();
      assertThat(h.transport.bindings(lb)).isEmpty();
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(IOException.class);
    }
    // io_uring completes the close of a listening socket slightly before the kernel stops accepting.
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThatThrownBy(() -> connect("127.0.0.1", port).close()).isInstanceOf(IOException.class));
    await().atMost(Duration.ofSeconds(2)).until(() -> h.transport.activeTcpFlows() == 0);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void dualstack_bindsIpv6Too_andIpv6ClientsReachIpv4TargetsFromTheNodeAddress(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.nlb.createLoadBalancer(LoadBalancerConfig.builder("lb-v6").ipAddressType(IpAddressType.DUALSTACK)
        .zone(Zone.builder("zone-a").address("127.0.0.1").address("::1").targetRange("127.0.0.0/8").build())
        .listener(ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build()).build());
    assertThat(h.transport.bindings(lb)).containsExactly("TCP zone-a 127.0.0.1:" + port, "TCP zone-a [::1]:" + port);
    try (Socket s = connect("::1", port)) {
      assertThat(roundTrip(s, "six")).isEqualTo("six");
    }
    assertThat(echo.peers.get(0).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT)).isEqualTo(1);
  }

  @Test
  void bindFailures_areRecognised() {
    assertThat(TcpFlow.isBindFailure(new BindException("Cannot assign requested address"))).isTrue();
    assertThat(TcpFlow.isBindFailure(new IOException("bind(..) failed: Address already in use"))).isTrue();
    assertThat(TcpFlow.isBindFailure(new IOException("Connection refused"))).isFalse();
    assertThat(TcpFlow.isBindFailure(null)).isFalse();
  }
}
