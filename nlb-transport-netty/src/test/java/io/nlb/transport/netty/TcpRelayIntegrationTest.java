package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.NlbException;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupAttributes;
import io.nlb.metrics.Metric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** TCP relaying through a real listener on loopback, once per available I/O mode. */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpRelayIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  /** The harness of a test in {@code mode}; {@link ZeroCopyTcpRelayIntegrationTest} runs the same tests with splice on. */
  /** Skips a half-close test where this Netty loses such writes and the relay cannot help. */
  void assumeHalfCloseWorks(IoMode mode) {
    Harness.assumeHalfCloseWorks(mode);
  }

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

  private LoadBalancer tcpLb(TargetGroup g, int port) {
    return h.lb("lb-tcp", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
  }

  static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(5000);
    return s;
  }

  static byte[] roundTrip(Socket s, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    return s.getInputStream().readNBytes(b.length);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void relay_64MiBEachWay_arrivesIntact(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = tcpLb(g, port);
    int size = 64 << 20;
    byte[] data = new byte[size];
    new Random(42).nextBytes(data);
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);
    long start = System.nanoTime();
    try (Socket s = connect(port)) {
      s.setSoTimeout(20_000);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = s.getOutputStream();
          for (int off = 0; off < size; off += 1 << 20) {
            out.write(data, off, 1 << 20);
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      InputStream in = s.getInputStream();
      byte[] buf = new byte[1 << 16];
      long total = 0;
      int n;
      while (total < size && (n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
        total += n;
      }
      writer.get(20, TimeUnit.SECONDS);
      // Everything came back; now the half-close travels through and the target's FIN returns.
      s.shutdownOutput();
      assertThat(in.read()).isEqualTo(-1);
      assertThat(total).as("bytes back; LB processed %d", h.value(lb, "zone-a", Metric.PROCESSED_BYTES)).isEqualTo(size);
      assertThat(md.digest()).isEqualTo(expected);
    }
    System.out.printf("%s: 64 MiB each way in %d ms%n", mode, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 0);
    assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES)).isEqualTo(2L * size);
    assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES_TCP)).isEqualTo(2L * size);
    assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_TCP)).isEqualTo(1);
    assertThat(h.value(lb, "zone-a", Metric.ACTIVE_FLOW_COUNT)).isZero();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void halfClose_targetAnswersAfterEof_clientReceivesWholeAnswer(IoMode mode) throws Exception {
    assumeHalfCloseWorks(mode);
    h = harness(mode, b -> {});
    byte[] answer = new byte[1 << 20];
    new Random(7).nextBytes(answer);
    try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      CompletableFuture<byte[]> request = CompletableFuture.supplyAsync(() -> {
        try (Socket c = target.accept()) {
          byte[] req = c.getInputStream().readAllBytes(); // until the client's FIN
          c.getOutputStream().write(answer);
          return req;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      TargetGroup g = h.group("web", Protocol.TCP);
      g.registerTargets(Target.ip("127.0.0.1", target.getLocalPort()));
      int port = Harness.freePort();
      tcpLb(g, port);
      try (Socket s = connect(port)) {
        s.getOutputStream().write("GET /answer".getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput();
        byte[] got = s.getInputStream().readAllBytes();
        assertThat(Arrays.equals(got, answer)).as("whole answer after half-close").isTrue();
      }
      assertThat(new String(request.get(5, TimeUnit.SECONDS), StandardCharsets.US_ASCII)).isEqualTo("GET /answer");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 0);
  }

  /**
   * Both orders of a graceful end (client FIN first, target FIN first): each side reads the other's
   * bytes and then its FIN, and the flow ends without a reset on either side or in the metrics.
   * The last direction is closed rather than shut down, which must still reach the peer as a FIN.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void gracefulEnd_eitherSideFirst_bothSeeFinAndNoResetIsCounted(IoMode mode) throws Exception {
    assumeHalfCloseWorks(mode);
    h = new Harness(mode);
    try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      TargetGroup g = h.group("web", Protocol.TCP);
      g.registerTargets(Target.ip("127.0.0.1", target.getLocalPort()));
      int port = Harness.freePort();
      LoadBalancer lb = tcpLb(g, port);
      for (boolean clientFirst : new boolean[] {true, false}) {
        CompletableFuture<String> targetSaw = CompletableFuture.supplyAsync(() -> {
          try (Socket c = target.accept()) {
            c.setSoTimeout(5000);
            if (clientFirst) {
              byte[] req = c.getInputStream().readAllBytes(); // until the client's FIN
              c.getOutputStream().write("answer".getBytes(StandardCharsets.US_ASCII));
              c.shutdownOutput();
              return new String(req, StandardCharsets.US_ASCII);
            }
            c.getOutputStream().write("banner".getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        try (Socket s = connect(port)) {
          if (clientFirst) {
            s.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("answer");
          } else {
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("banner");
            s.getOutputStream().write("thanks".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
          }
          assertThat(targetSaw.get(5, TimeUnit.SECONDS)).isEqualTo(clientFirst ? "request" : "thanks");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 0);
      }
      assertThat(h.value(lb, "zone-a", Metric.NEW_FLOW_COUNT_TCP)).isEqualTo(2);
      assertThat(h.value(lb, "zone-a", Metric.TCP_CLIENT_RESET_COUNT)).isZero();
      assertThat(h.value(lb, "zone-a", Metric.TCP_TARGET_RESET_COUNT)).isZero();
      assertThat(h.value(lb, "zone-a", Metric.TCP_ELB_RESET_COUNT)).isZero();
    }
  }

  /**
   * After the client's FIN the load balancer keeps writing to a slow reader, so the client socket
   * needs EPOLLOUT again and again with its input already shut down (the case Netty 4.2.17's epoll
   * transport got wrong).
   */
  @ParameterizedTest
  @MethodSource("modes")
  void halfClose_largeAnswerToASlowReader_arrivesWhole(IoMode mode) throws Exception {
    assumeHalfCloseWorks(mode);
    h = harness(mode, b -> {});
    byte[] answer = new byte[8 << 20];
    new Random(9).nextBytes(answer);
    try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
        try (Socket c = target.accept()) {
          c.getInputStream().readAllBytes();
          c.getOutputStream().write(answer);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      TargetGroup g = h.group("web", Protocol.TCP);
      g.registerTargets(Target.ip("127.0.0.1", target.getLocalPort()));
      int port = Harness.freePort();
      tcpLb(g, port);
      try (Socket s = new Socket()) {
        s.setReceiveBufferSize(8 * 1024);
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write('?');
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[4096];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
          md.update(buf, 0, n);
          total += n;
        }
        assertThat(total).isEqualTo(answer.length);
        assertThat(md.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(answer));
      }
      server.get(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void noTarget_clientIsReset_elbResetCounted(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    TargetGroup g = h.group("web", Protocol.TCP);
    int port = Harness.freePort();
    LoadBalancer lb = tcpLb(g, port);
    // The reset may already be there when connect() returns, or arrive with the first read.
    assertThatThrownBy(() -> {
      try (Socket s = connect(port)) {
        s.getOutputStream().write(1);
        s.getInputStream().read();
      }
    }).isInstanceOf(SocketException.class);
    await().atMost(Duration.ofSeconds(2)).until(() -> h.value(lb, "zone-a", Metric.TCP_ELB_RESET_COUNT) == 1);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void targetRefuses_clientIsReset(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", Harness.freePort()));
    int port = Harness.freePort();
    LoadBalancer lb = tcpLb(g, port);
    assertThatThrownBy(() -> {
      try (Socket s = connect(port)) {
        s.getInputStream().read();
      }
    }).isInstanceOf(SocketException.class);
    await().atMost(Duration.ofSeconds(2)).until(() -> h.value(lb, "zone-a", Metric.TCP_ELB_RESET_COUNT) == 1);
    assertThat(h.transport.activeTcpFlows()).isZero();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void bindFailure_refusesTheListener_andKeepsPreviousBindings(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = tcpLb(g, port);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> lb.createListener(ListenerConfig.builder(Protocol.TCP, taken.getLocalPort()).forwardTo(g).build()))
          .isInstanceOf(NlbException.class);
    }
    assertThat(h.transport.bindings(lb)).containsExactly("TCP zone-a 127.0.0.1:" + port);
    try (Socket s = connect(port)) {
      assertThat(new String(roundTrip(s, "still here"), StandardCharsets.US_ASCII)).isEqualTo("still here");
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void clientReset_resetsTarget_andIsCounted(IoMode mode) throws Exception {
    h = harness(mode, b -> {});
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = tcpLb(g, port);
    Socket s = connect(port);
    roundTrip(s, "hello");
    s.setSoLinger(true, 0);
    s.close();
    await().atMost(Duration.ofSeconds(2)).until(() -> h.value(lb, "zone-a", Metric.TCP_CLIENT_RESET_COUNT) == 1);
    await().atMost(Duration.ofSeconds(2)).until(() -> echo.children.isEmpty());
    assertThat(h.transport.activeTcpFlows()).isZero();
  }

  static String readAll(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.getInputStream().transferTo(out);
    return out.toString(StandardCharsets.US_ASCII);
  }
}
