package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
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
  /** The label of the throwables {@link #knownInsideNetty} recognises. */
  static final String NETTY = "inside Netty's native transports";

  private Harness h;
  private EchoTarget target;

  @AfterEach
  void tearDown() throws IOException {
    if (h != null) {
      h.close();
    }
    if (target != null) {
      target.close();
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
    target = new EchoTarget(TEST_THREADS);
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", target.port()));
    int port = Harness.freePort();
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
    Thread.currentThread().setName(TEST_THREADS + "client");

    storm(port, WARMUP);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == 0);

    Throwables.Count c = Throwables.during(TEST_THREADS, e -> knownInsideNetty(mode, e) ? NETTY : null, () -> {
      storm(port, CONNECTIONS);
      await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == 0);
    });
    // None per connection: a handful at most (one-time work that the warm-up did not reach).
    assertThat(c.counted()).as("throwables constructed by the load balancer during %d connections on %s:%s", CONNECTIONS,
        mode, c.report()).isLessThanOrEqualTo(CONNECTIONS / 50);
    // Not per connection either: the relay keeps both from happening (see knownInsideNetty).
    assertThat(c.known(NETTY)).as("throwables Netty's native transports built inside the relay's connections on %s", mode)
        .isLessThanOrEqualTo(CONNECTIONS / 50);
  }

  /**
   * The ones Netty's native transports build by themselves, counted apart: both shut the input of a
   * socket down when they read its end of stream, which fails (ENOTCONN) once the socket is closed
   * both ways, and epoll of Netty 4.2.17/4.2.18 removes a descriptor from its epoll set twice
   * (ENOENT). The relay avoids both: a connection's last FIN closes it without the input shutdown
   * (TcpFlow#outputShut), and EpollRegistration keeps the descriptor registered. NIO has none.
   */
  static boolean knownInsideNetty(IoMode mode, RecordedEvent e) {
    String thrown = Throwables.thrown(e);
    if (mode == IoMode.NIO) {
      return false;
    }
    if (thrown.equals("java.nio.channels.NotYetConnectedException")) {
      return Throwables.calledFrom(e, "io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe", "shutdownInput")
          || Throwables.calledFrom(e, "io.netty.channel.uring.AbstractIoUringChannel$AbstractUringUnsafe", "shutdownInput");
    }
    return mode == IoMode.EPOLL && thrown.equals("io.netty.channel.unix.Errors$NativeIoException")
        && Throwables.calledFrom(e, "io.netty.channel.epoll.Native", "epollCtlDel");
  }
}
