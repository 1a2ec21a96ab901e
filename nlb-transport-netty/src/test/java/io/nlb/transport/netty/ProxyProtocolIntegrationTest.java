package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.RouteTarget;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupAttributes;
import io.nlb.core.TargetHealth;
import io.nlb.core.spi.PassiveHealthSink;
import io.nlb.proxyprotocol.ProxyHeader;
import io.nlb.proxyprotocol.ProxyHeaders;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end on loopback: client → load balancer → a target that decodes the PROXY v2 header and
 * reports the client address and VPC endpoint id it saw; and the passive health signals the relay
 * sends to the health engine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@org.jspecify.annotations.NullUnmarked
class ProxyProtocolIntegrationTest {
  private Harness h;
  private ServerSocket target;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  /** The harness of a test in {@code mode}; {@link ZeroCopyProxyProtocolIntegrationTest} turns splice on. */
  Harness harness(IoMode mode, java.util.function.Consumer<NettyTransportBuilder> custom) {
    return new Harness(mode, custom);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (target != null) {
      target.close();
    }
    if (h != null) {
      h.close();
    }
  }

  /** A target that reads a PROXY header and then one line, and answers with what it saw. */
  private int decodingTarget() throws IOException {
    return decodingTarget(false);
  }

  /**
   * With {@code stacked}, a second header is read explicitly: ours is flushed on its own, so the
   * client's may arrive in a later segment, and the stream API only looks for a stacked header in
   * bytes that have already arrived.
   */
  private int decodingTarget(boolean stacked) throws IOException {
    target = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(() -> {
      while (!target.isClosed()) {
        try (Socket s = target.accept()) {
          s.setSoTimeout(5000);
          InputStream in = new BufferedInputStream(s.getInputStream());
          ProxyHeaders headers = ProxyHeaders.read(in);
          int count = headers.all().size();
          if (stacked && count == 1) {
            count += ProxyHeaders.read(in).all().size();
          }
          ProxyHeader first = headers.first();
          StringBuilder line = new StringBuilder();
          int c;
          while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
          }
          String report = count + " " + first.command() + " " + first.source() + " " + first.destination()
              + " " + first.vpcEndpointId() + " " + line;
          seen.add(report);
          s.getOutputStream().write((report + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
          seen.add("error " + e);
        }
      }
    }, "pp2-target");
    t.setDaemon(true);
    t.start();
    return target.getLocalPort();
  }

  private static String ask(InetSocketAddress bind, int port, byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(bind);
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(request);
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void proxyGroup_targetSeesClientAddressListenerAndVpce(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    int port = Harness.freePort();
    TargetGroup tg = h.group("pp2", Protocol.TCP, TargetGroupAttributes.builder().proxyProtocolV2(true).build());
    tg.registerTargets(Target.ip("127.0.0.1", decodingTarget()));
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo("pp2")
        .vpcEndpointId("vpce-08d2bf15fac5001c9").build());

    String answer = ask(new InetSocketAddress("127.0.0.9", 0), port, "hello\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(answer).matches("1 PROXY /127\\.0\\.0\\.9:\\d+ /127\\.0\\.0\\.1:" + port + " vpce-08d2bf15fac5001c9 hello");
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void proxyGroup_clientSentItsOwnHeader_targetReceivesBoth(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    int port = Harness.freePort();
    TargetGroup tg = h.group("pp2", Protocol.TCP, TargetGroupAttributes.builder().proxyProtocolV2(true).build());
    tg.registerTargets(Target.ip("127.0.0.1", decodingTarget(true)));
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo("pp2").build());
    byte[] clientHeader = "PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nhi\n".getBytes(StandardCharsets.US_ASCII);

    String answer = ask(new InetSocketAddress("127.0.0.1", 0), port, clientHeader);

    // Ours comes first; the client's header is not stripped, and the payload follows both.
    assertThat(answer).matches("2 PROXY /127\\.0\\.0\\.1:\\d+ /127\\.0\\.0\\.1:" + port + " null hi");
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void plainGroup_noHeader(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    int port = Harness.freePort();
    ServerSocket echo = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    target = echo;
    Thread t = new Thread(() -> {
      try (Socket s = echo.accept()) {
        s.getOutputStream().write(s.getInputStream().readAllBytes());
      } catch (IOException e) {
        seen.add("error " + e);
      }
    });
    t.setDaemon(true);
    t.start();
    TargetGroup tg = h.group("plain", Protocol.TCP);
    tg.registerTargets(Target.ip("127.0.0.1", echo.getLocalPort()));
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo("plain").build());

    assertThat(ask(new InetSocketAddress("127.0.0.1", 0), port, "raw\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo("raw");
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void passiveSignals_connectFailuresAndSuccessesReachTheSink(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    List<String> signals = new CopyOnWriteArrayList<>();
    h.nlb.attachPassiveHealthSink(new PassiveHealthSink() {
      @Override
      public void connectFailed(RouteTarget t) {
        signals.add("failed " + t.port());
      }

      @Override
      public void targetReset(RouteTarget t) {
        signals.add("reset " + t.port());
      }

      @Override
      public void connected(RouteTarget t) {
        signals.add("connected " + t.port());
      }
    });
    int port = Harness.freePort();
    int live = decodingTarget();
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      dead = s.getLocalPort();
    }
    TargetGroup tg = h.group("web", Protocol.TCP);
    tg.registerTargets(Target.ip("127.0.0.1", dead));
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo("web").build());

    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    } catch (IOException e) {
      // reset: expected for a dead target
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> signals.contains("failed " + dead));

    tg.registerTargets(Target.ip("127.0.0.1", live));
    tg.reportHealth(Target.ip("127.0.0.1", live), TargetHealth.healthy());
    ask(new InetSocketAddress("127.0.0.1", 0), port, "x\n".getBytes(StandardCharsets.US_ASCII));
    await().atMost(Duration.ofSeconds(5)).until(() -> signals.contains("connected " + live));
  }
}
