package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A storm of short connections (connect, 64 bytes echoed, the client closes first, so the load
 * balancer half-closes the target and then closes both) must not construct a {@link Throwable} per
 * connection on the load balancer's threads: a stack trace costs microseconds, and a proxy makes
 * thousands of connections a second. Throwables are counted with JFR ({@code
 * jdk.JavaExceptionThrow} fires in every {@code Throwable} constructor, thrown or not), after a
 * warm-up that pays the one-time ones; the target and the client are plain JDK sockets on threads
 * of this test, which are not counted. Netty's leak detector (PARANOID in tests) records its traces
 * as throwables too; those are not the data plane's and are left out, as are Netty's {@code
 * Stackless*} exceptions, which carry no stack trace. NIO builds none; the native transports build
 * one or two per connection inside Netty (see {@code knownInsideNetty}), which are bounded here.
 */
@NullUnmarked
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionStormIntegrationTest {
  private static final int WARMUP = 100;
  private static final int CONNECTIONS = 400;
  private static final String TEST_THREADS = "storm-";

  private Harness h;
  private ServerSocket target;
  private final ExecutorService targetThreads = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, TEST_THREADS + "target");
    t.setDaemon(true);
    return t;
  });

  @AfterEach
  void tearDown() throws IOException {
    if (h != null) {
      h.close();
    }
    if (target != null) {
      target.close();
    }
    targetThreads.shutdownNow();
  }

  /** A blocking echo target: echoes until the client's FIN, then closes. */
  private void startTarget() throws IOException {
    target = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(() -> {
      while (!target.isClosed()) {
        try {
          Socket s = target.accept();
          targetThreads.execute(() -> echo(s));
        } catch (IOException e) {
          return;
        }
      }
    }, TEST_THREADS + "accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private static void echo(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // the load balancer reset it: nothing to echo any more
    }
  }

  private static void storm(int port, int connections) throws IOException {
    byte[] request = new byte[64];
    Arrays.fill(request, (byte) 'x');
    for (int i = 0; i < connections; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        s.getOutputStream().write(request);
        assertThat(s.getInputStream().readNBytes(request.length)).isEqualTo(request);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void connectionStorm_clientClosesFirst_noThrowablePerConnection(IoMode mode) throws Exception {
    h = new Harness(mode);
    startTarget();
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", target.getLocalPort()));
    int port = Harness.freePort();
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
    Thread.currentThread().setName(TEST_THREADS + "client");

    storm(port, WARMUP);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == 0);

    Path file = Files.createTempFile("storm", ".jfr");
    List<RecordedEvent> events;
    try (Recording r = new Recording()) {
      r.enable("jdk.JavaExceptionThrow").withStackTrace();
      r.enable("jdk.JavaErrorThrow").withStackTrace();
      r.start();
      storm(port, CONNECTIONS);
      await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == 0);
      r.stop();
      r.dump(file);
      events = RecordingFile.readAllEvents(file);
    } finally {
      Files.deleteIfExists(file);
    }

    Map<String, Integer> byPlace = new TreeMap<>();
    int counted = 0;
    int insideNetty = 0;
    for (RecordedEvent e : events) {
      String thread = e.getThread() == null ? "?" : e.getThread().getJavaName();
      String thrown = e.getClass("thrownClass") == null ? "?" : e.getClass("thrownClass").getName();
      if (thread.startsWith(TEST_THREADS) || thread.startsWith("awaitility") || thrown.startsWith("io.netty.util.ResourceLeakDetector")
          || thrown.startsWith("io.netty.channel.Stackless")) {
        // Not the load balancer's, or (Netty's Stackless* exceptions, built per close) without a stack trace.
        continue;
      }
      if (knownInsideNetty(mode, thrown, e)) {
        insideNetty++;
        continue;
      }
      counted++;
      StringBuilder place = new StringBuilder(thrown).append(" on ").append(thread.replaceAll("\\d+", "N"));
      List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
      for (int i = 0, shown = 0; i < frames.size() && shown < 8; i++) {
        String m = frames.get(i).getMethod().getType().getName() + "." + frames.get(i).getMethod().getName();
        if (!m.startsWith("java.lang.Throwable") && !m.startsWith("java.lang.Exception") && !m.startsWith("jdk.jfr")) {
          place.append("\n    at ").append(m).append(':').append(frames.get(i).getLineNumber());
          shown++;
        }
      }
      byPlace.merge(place.toString(), 1, Integer::sum);
    }
    StringBuilder report = new StringBuilder();
    byPlace.forEach((place, n) -> report.append('\n').append(n).append(" × ").append(place));
    // None per connection: a handful at most (one-time work that the warm-up did not reach).
    assertThat(counted).as("throwables constructed by the load balancer during %d connections on %s:%s", CONNECTIONS,
        mode, report).isLessThanOrEqualTo(CONNECTIONS / 50);
    // Not per connection either: the relay keeps both from happening (see knownInsideNetty).
    assertThat(insideNetty).as("throwables Netty's native transports built inside the relay's connections on %s", mode)
        .isLessThanOrEqualTo(CONNECTIONS / 50);
  }

  /**
   * The ones Netty's native transports build by themselves, counted apart: both shut the input of a
   * socket down when they read its end of stream, which fails (ENOTCONN) once the socket is closed
   * both ways, and epoll of Netty 4.2.17/4.2.18 removes a descriptor from its epoll set twice
   * (ENOENT). The relay avoids both: a connection's last FIN closes it without the input shutdown
   * (TcpFlow#outputShut), and EpollRegistration keeps the descriptor registered. NIO has none.
   */
  private static boolean knownInsideNetty(IoMode mode, String thrown, RecordedEvent e) {
    if (mode == IoMode.NIO) {
      return false;
    }
    if (thrown.equals("java.nio.channels.NotYetConnectedException")) {
      return calledFrom(e, "io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe", "shutdownInput")
          || calledFrom(e, "io.netty.channel.uring.AbstractIoUringChannel$AbstractUringUnsafe", "shutdownInput");
    }
    return mode == IoMode.EPOLL && thrown.equals("io.netty.channel.unix.Errors$NativeIoException")
        && calledFrom(e, "io.netty.channel.epoll.Native", "epollCtlDel");
  }

  private static boolean calledFrom(RecordedEvent e, String type, String method) {
    if (e.getStackTrace() == null) {
      return false;
    }
    for (RecordedFrame f : e.getStackTrace().getFrames()) {
      if (f.getMethod().getType().getName().equals(type) && f.getMethod().getName().equals(method)) {
        return true;
      }
    }
    return false;
  }
}
