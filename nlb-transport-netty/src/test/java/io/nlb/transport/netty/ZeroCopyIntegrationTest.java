package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.metrics.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The relay with and without zero copy ({@link NettyTransportBuilder#zeroCopy}): bytes that wait
 * in a socket when its FIN arrives, exact byte counts, and the copy path still available on epoll.
 * Runs on every I/O mode, epoll both with and without splice.
 */
@NullUnmarked
@Timeout(60)
class ZeroCopyIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();

  /** (mode, zeroCopy): every usable mode with the copy path, and epoll with splice. */
  static Stream<Arguments> relays() {
    return Harness.modes().flatMap(m -> m == IoMode.EPOLL
        ? Stream.of(Arguments.of(m, true), Arguments.of(m, false)) : Stream.of(Arguments.of(m, false)));
  }

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private LoadBalancer tcpLb(int targetPort, int port) {
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", targetPort));
    return h.lb("lb-tcp", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
  }

  @Test
  void zeroCopy_appliesToEpollOnly() {
    try (Harness nio = new Harness(IoMode.NIO, b -> b.zeroCopy(true))) {
      assertThat(nio.transport.zeroCopy()).isFalse();
    }
    assumeThat(NettyTransport.isAvailable(IoMode.EPOLL)).isTrue();
    try (Harness on = new Harness(IoMode.EPOLL, b -> b.zeroCopy(true))) {
      assertThat(on.transport.zeroCopy()).isTrue();
    }
    try (Harness off = new Harness(IoMode.EPOLL, b -> b.zeroCopy(false))) {
      assertThat(off.transport.zeroCopy()).isFalse();
    }
    try (Harness dflt = new Harness(IoMode.EPOLL)) {
      assertThat(dflt.transport.zeroCopy()).isEqualTo(NettyTransport.DEFAULT_ZERO_COPY);
    }
  }

  /**
   * The target writes 2 MiB and closes at once while the client does not read yet, so the target's
   * FIN reaches the load balancer while much of the answer still waits in its socket: every byte
   * must reach the client before the FIN.
   */
  @ParameterizedTest
  @MethodSource("relays")
  void targetSendsBulkThenFin_clientGetsEveryByteThenEof(IoMode mode, boolean zeroCopy) throws Exception {
    h = new Harness(mode, b -> b.zeroCopy(zeroCopy));
    byte[] answer = new byte[2 << 20];
    new Random(11).nextBytes(answer);
    try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
        try (Socket c = target.accept()) {
          c.getInputStream().readNBytes(4);
          c.getOutputStream().write(answer);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      int port = Harness.freePort();
      LoadBalancer lb = tcpLb(target.getLocalPort(), port);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET?".getBytes(StandardCharsets.US_ASCII));
        // Let the answer and the FIN pile up before the client starts reading.
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
        InputStream in = s.getInputStream();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
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
      await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 0);
      assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES_TCP)).isEqualTo(4L + answer.length);
    }
  }

  /**
   * The client writes 8 MiB and shuts its output down; the target reads only afterwards, so the
   * client's FIN reaches the load balancer with the bytes still queued: all must reach the target.
   */
  @ParameterizedTest
  @MethodSource("relays")
  void clientSendsBulkThenFin_targetGetsEveryByte(IoMode mode, boolean zeroCopy) throws Exception {
    h = new Harness(mode, b -> b.zeroCopy(zeroCopy));
    byte[] upload = new byte[8 << 20];
    new Random(13).nextBytes(upload);
    try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      CompletableFuture<byte[]> received = new CompletableFuture<>();
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return target.accept();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      int port = Harness.freePort();
      LoadBalancer lb = tcpLb(target.getLocalPort(), port);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(10_000);
        try (Socket c = accepted.get(5, TimeUnit.SECONDS)) {
          CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
              OutputStream out = s.getOutputStream();
              out.write(upload);
              s.shutdownOutput();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
          // Let the upload and its FIN pile up before the target starts reading.
          await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
          c.setSoTimeout(10_000);
          received.complete(c.getInputStream().readAllBytes());
          writer.get(10, TimeUnit.SECONDS);
        }
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(MessageDigest.getInstance("SHA-256").digest(received.get()))
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(upload));
      await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 0);
      assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES_TCP)).isEqualTo((long) upload.length);
    }
  }

  /** Many small exchanges: every byte counted once each way, none lost between splices. */
  @ParameterizedTest
  @MethodSource("relays")
  void smallExchanges_countedExactly(IoMode mode, boolean zeroCopy) throws Exception {
    h = new Harness(mode, b -> b.zeroCopy(zeroCopy));
    Targets.Echo echo = targets.echo("127.0.0.1");
    int port = Harness.freePort();
    LoadBalancer lb = tcpLb(echo.port(), port);
    long sent = 0;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      for (int i = 1; i <= 200; i++) {
        byte[] msg = new byte[i * 37];
        new Random(i).nextBytes(msg);
        s.getOutputStream().write(msg);
        assertThat(s.getInputStream().readNBytes(msg.length)).isEqualTo(msg);
        sent += msg.length;
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 0);
    assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES_TCP)).isEqualTo(2 * sent);
    assertThat(h.value(lb, "zone-a", Metric.PROCESSED_BYTES)).isEqualTo(2 * sent);
  }
}
