package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.healthcheck.HealthCheckEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The health-check engine with the transport's probe ({@link NettyHealthProbe}) against loopback
 * servers, once per I/O mode. The schedule runs on a manual clock (intervals cost nothing); probe
 * I/O is real, so each step waits for the check to finish. The {@link Nlb} has no transport (its
 * listeners would bind port 80): the engine is handed the transport's probe, as it would take it
 * from {@code nlb.transport()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@org.jspecify.annotations.NullUnmarked
class HealthCheckEngineIntegrationTest {
  static final TargetHealth CHECKING = TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);
  static final TargetHealth FAILED = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  static final Duration INTERVAL = Duration.ofSeconds(5);

  final ManualScheduler time = new ManualScheduler();
  final Nlb nlb = Nlb.builder().scheduler(time).build();
  final List<AutoCloseable> resources = new ArrayList<>();
  final List<String> transitions = new CopyOnWriteArrayList<>();
  HealthCheckEngine engine;
  TargetGroup group;

  NettyTransport transport;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : resources) {
      c.close();
    }
    nlb.close();
    if (transport != null) {
      transport.close();
    }
  }

  HealthCheckEngine.Builder engine(IoMode mode) {
    transport = NettyTransport.builder().ioMode(mode).threads(1).shutdownTimeout(Duration.ofSeconds(1)).build();
    return HealthCheckEngine.builder(nlb).probe(transport.healthProbe().orElseThrow());
  }

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  /** One group behind a TCP:80 listener on node 127.0.0.2, targets on 127.0.0.1. */
  RegisteredTarget setUp(IoMode mode, HealthCheck settings, int port) {
    return setUp(mode, settings, port, false);
  }

  RegisteredTarget setUp(IoMode mode, HealthCheck settings, int port, boolean proxyProtocolV2) {
    group = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, port).targetType(TargetType.IP)
        .healthCheck(settings).attribute("proxy_protocol_v2.enabled", Boolean.toString(proxyProtocolV2)).build());
    nlb.createLoadBalancer(LoadBalancerConfig.builder("my-nlb")
        .zone(Zone.builder("zone-a").address("127.0.0.2").targetRange("127.0.0.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
    group.registerTargets(Target.ip("127.0.0.1"));
    // The engine's own listeners see every step; the core's may see steps merged in one batch when
    // a probe completes (on the I/O thread) before the previous batch was flushed.
    engine = engine(mode).scheduler(time).random(() -> 0L).jitter(0).reportDelay(Duration.ZERO)
        .listener((t, p, c) -> transitions.add(c.state() + c.reason().map(r -> " " + r.code()).orElse("")))
        .build();
    resources.add(0, engine);
    engine.start();
    time.runDueTasks(); // the first check starts at once (random 0)
    RegisteredTarget r = group.registeredTargets().get(0);
    awaitChecks(r, 1);
    return r;
  }

  static HealthCheck.Builder fast() {
    return HealthCheck.builder().interval(INTERVAL).timeout(Duration.ofSeconds(2)).healthyThreshold(2).unhealthyThreshold(2);
  }

  void awaitChecks(RegisteredTarget r, long n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.completedChecks(r) >= n);
    assertThat(engine.completedChecks(r)).isEqualTo(n);
    time.runDueTasks(); // report the transitions
  }

  void check(RegisteredTarget r, long n) {
    time.advance(INTERVAL);
    awaitChecks(r, n);
  }

  /** A minimal HTTP/1.1 server on a plain ServerSocket: records each request head and answers {@code status}. */
  ServerSocket http(AtomicInteger status, List<String> seen) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    acceptLoop(server, s -> {
      try (s) {
        s.setSoTimeout(5000);
        seen.add(readRequestHead(s.getInputStream()));
        s.getOutputStream().write(("HTTP/1.1 " + status.get() + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        seen.add("error " + e);
      }
    });
    return server;
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_200Then500Then200_healthyUnhealthyHealthyAtThresholds(IoMode mode) throws Exception {
    AtomicInteger status = new AtomicInteger(200);
    List<String> seen = new CopyOnWriteArrayList<>();
    ServerSocket server = http(status, seen);
    RegisteredTarget r = setUp(mode, fast().protocol(HealthCheckProtocol.HTTP).path("/health").matcher("200").build(),
        server.getLocalPort());
    assertThat(r.health()).isEqualTo(TargetHealth.healthy()); // check 1
    status.set(500);
    check(r, 2);
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    check(r, 3);
    assertThat(r.health()).isEqualTo(FAILED);
    status.set(200);
    check(r, 4);
    assertThat(r.health()).isEqualTo(FAILED);
    check(r, 5);
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    assertThat(transitions).containsExactly("initial Elb.InitialHealthChecking", "healthy",
        "unhealthy Target.FailedHealthChecks", "healthy");
    // The node's address and the listener's port, not the target's; one connection per check.
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 5);
    assertThat(seen).hasSize(5).allSatisfy(head -> assertThat(head)
        .startsWith("GET /health HTTP/1.1\r\nHost: 127.0.0.2:80\r\n").contains("Connection: close\r\n"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tcp_serverStopsListening_unhealthyAfterUnhealthyThresholdRefusals(IoMode mode) throws Exception {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    Thread acceptor = acceptLoop(server, s -> {});
    RegisteredTarget r = setUp(mode, fast().build(), server.getLocalPort());
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    resources.add(killed(server));
    acceptor.join(5000);
    check(r, 2);
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    check(r, 3);
    assertThat(r.health()).isEqualTo(FAILED);
    assertThat(group.describeTargetHealth().get(0).health().reason()).contains(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_proxyProtocolGroup_checkStartsWithLocalHeader(IoMode mode) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    acceptLoop(server, s -> {
      try (s) {
        s.setSoTimeout(5000);
        InputStream in = new java.io.BufferedInputStream(s.getInputStream());
        io.nlb.proxyprotocol.ProxyHeader h = io.nlb.proxyprotocol.ProxyHeaders.read(in).first();
        seen.add(h.command() + " " + h.source() + " " + readRequestHead(in).split("\r\n")[0]);
        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException | RuntimeException e) {
        seen.add("error " + e);
      }
    });

    RegisteredTarget r = setUp(mode, fast().protocol(HealthCheckProtocol.HTTP).path("/ping").build(), server.getLocalPort(), true);

    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    assertThat(seen).containsExactly("LOCAL null GET /ping HTTP/1.1");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void hostCountMetrics_perZone_followATargetThatIsKilled(IoMode mode) throws Exception {
    io.nlb.metrics.InMemoryMetricsRecorder recorder = io.nlb.metrics.InMemoryMetricsRecorder.create();
    List<ServerSocket> servers = new ArrayList<>();
    for (String host : new String[] {"127.0.0.1", "127.0.0.1", "127.0.1.1"}) {
      ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName(host));
      resources.add(s);
      acceptLoop(s, c -> {
        try {
          c.close();
        } catch (IOException e) {
          // the check only needs the accept
        }
      });
      servers.add(s);
    }
    group = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).targetType(TargetType.IP)
        .healthCheck(fast().build()).build());
    io.nlb.core.LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("my-nlb")
        .zone(Zone.builder("zone-a").address("127.0.0.2").targetRange("127.0.0.0/24").build())
        .zone(Zone.builder("zone-b").address("127.0.1.2").targetRange("127.0.1.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
    for (ServerSocket s : servers) {
      group.registerTargets(Target.ip(s.getInetAddress().getHostAddress(), s.getLocalPort()));
    }
    engine = engine(mode).scheduler(time).random(() -> 0L).jitter(0).reportDelay(Duration.ZERO)
        .metrics(recorder).build();
    resources.add(0, engine);
    engine.start();
    time.runDueTasks();
    List<RegisteredTarget> targets = group.registeredTargets();
    // Both nodes check every target (majority consensus over the two nodes): two checks per interval.
    awaitAllChecks(targets, 2);
    io.nlb.metrics.Dimensions a = io.nlb.metrics.Dimensions.of(lb.resourceId(), "zone-a", group.resourceId());
    io.nlb.metrics.Dimensions b = io.nlb.metrics.Dimensions.of(lb.resourceId(), "zone-b", group.resourceId());
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, a)).isEqualTo(2);
    assertThat(recorder.value(io.nlb.metrics.Metric.UNHEALTHY_HOST_COUNT, a)).isZero();
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, b)).isEqualTo(1);
    assertThat(recorder.value(io.nlb.metrics.Metric.UNHEALTHY_HOST_COUNT, b)).isZero();

    // Count from here: the engine may have checked more than once per target before the first
    // interval (it applies the target set when it subscribes and again on the first event), so
    // wait until no check is in flight and count the next rounds from what is done by then.
    long done = quietChecks(targets);
    resources.add(killed(servers.get(0))); // a zone-a target dies: connections are refused from now on
    time.advance(INTERVAL);
    awaitAllChecks(targets, done + 2);
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, a)).as("one refusal is below the threshold").isEqualTo(2);
    time.advance(INTERVAL);
    awaitAllChecks(targets, done + 4);
    // A probe may still reach the closed port for a moment (see killed()); give the threshold a
    // few more rounds, bounded, before reading the counts.
    int deadPort = servers.get(0).getLocalPort();
    RegisteredTarget dead = targets.stream().filter(r -> r.port() == deadPort).findFirst().orElseThrow();
    for (int round = 3; round <= 8 && engine.health(dead).map(TargetHealth::state)
        .equals(java.util.Optional.of(io.nlb.core.TargetHealthState.HEALTHY)); round++) {
      time.advance(INTERVAL);
      awaitAllChecks(targets, done + 2L * round);
    }
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, a))
        .as(() -> "engine view: " + targets.stream().map(r -> r + " " + engine.health(r) + " after "
            + engine.completedChecks(r) + " checks").toList())
        .isEqualTo(1);
    assertThat(recorder.value(io.nlb.metrics.Metric.UNHEALTHY_HOST_COUNT, a)).isEqualTo(1);
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, b)).as("the other zone is untouched").isEqualTo(1);
    assertThat(recorder.value(io.nlb.metrics.Metric.UNHEALTHY_HOST_COUNT, b)).isZero();
  }

  /**
   * Closes {@code server} and, when the kernel lets it, keeps its port bound by a socket that does
   * not listen: connections are refused either way, and the holder makes it unlikely that another
   * process's new listener or a self-connect (a probe connection given the port as its source)
   * answers in its place on this busy shared machine. The bind fails when a socket of the closed
   * server is still around; the port is then free for a moment, as with a plain close.
   */
  static Socket killed(ServerSocket server) throws IOException {
    InetSocketAddress where = new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    server.close();
    Socket holder = new Socket();
    holder.setReuseAddress(true);
    try {
      holder.bind(where);
    } catch (IOException e) {
      // best effort, see above
    }
    return holder;
  }

  /**
   * Waits until the completed-check counts of {@code targets} are equal and stay unchanged for
   * 200 ms (no probe in flight), and returns that count.
   */
  long quietChecks(List<RegisteredTarget> targets) {
    java.util.concurrent.atomic.AtomicReference<List<Long>> last = new java.util.concurrent.atomic.AtomicReference<>(List.of());
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      List<Long> now = targets.stream().map(engine::completedChecks).toList();
      boolean same = now.equals(last.getAndSet(now)) && now.stream().distinct().count() == 1;
      return same;
    });
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10))
        .until(() -> targets.stream().map(engine::completedChecks).toList().equals(last.get()));
    return last.get().get(0);
  }

  void awaitAllChecks(List<RegisteredTarget> targets, long n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> targets.stream().allMatch(r -> engine.completedChecks(r) >= n));
    time.runDueTasks();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tcp_listeningServer_healthyAfterOneCheck(IoMode mode) throws Exception {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    acceptLoop(server, s -> {});
    RegisteredTarget r = setUp(mode, fast().build(), server.getLocalPort());
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    assertThat(transitions).containsExactly("initial Elb.InitialHealthChecking", "healthy");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_serverHangsPastTimeout_unhealthyAfterTwoTimeouts(IoMode mode) throws Exception {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    List<Socket> held = new CopyOnWriteArrayList<>();
    acceptLoop(server, held::add); // accepts, reads nothing, answers nothing
    resources.add(() -> {
      for (Socket s : held) {
        s.close();
      }
    });
    long t0 = System.nanoTime();
    RegisteredTarget r = setUp(mode, fast().protocol(HealthCheckProtocol.HTTP).path("/health").build(), server.getLocalPort());
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(r.health()).isEqualTo(CHECKING);
    check(r, 2);
    assertThat(r.health()).isEqualTo(FAILED);
    assertThat(transitions).containsExactly("initial Elb.InitialHealthChecking", "unhealthy Target.FailedHealthChecks");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void https_selfSignedCertificate_healthyWithoutValidation(IoMode mode) throws Exception {
    SSLContext ctx = serverContext();
    SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    List<String> seen = new CopyOnWriteArrayList<>();
    AtomicInteger status = new AtomicInteger(200);
    acceptLoop(server, s -> {
      try (s) {
        s.setSoTimeout(5000);
        seen.add(readRequestHead(s.getInputStream()));
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 " + status.get() + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        seen.add("error " + e);
      }
    });
    RegisteredTarget r = setUp(mode, fast().protocol(HealthCheckProtocol.HTTPS).path("/health").build(), server.getLocalPort());
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    status.set(503);
    check(r, 2);
    check(r, 3);
    assertThat(r.health()).isEqualTo(FAILED);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 3);
    assertThat(seen.get(0)).startsWith("GET /health HTTP/1.1\r\nHost: 127.0.0.2:80\r\n").contains("Connection: close\r\n");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void https_targetSupportingOnlyTls13_failsHealthChecks(IoMode mode) throws Exception {
    SSLContext ctx = serverContext();
    SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    resources.add(server);
    acceptLoop(server, s -> {
      try (s) {
        s.setSoTimeout(5000);
        readRequestHead(s.getInputStream());
      } catch (IOException e) {
        // the handshake fails, as it should
      }
    });
    RegisteredTarget r = setUp(mode, fast().protocol(HealthCheckProtocol.HTTPS).build(), server.getLocalPort());
    check(r, 2);
    assertThat(r.health()).isEqualTo(FAILED);
  }

  static SSLContext serverContext() throws Exception {
    return TlsTargets.serving(TlsTargets.TARGET);
  }

  static String readRequestHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }

  interface SocketHandler {
    void handle(Socket s);
  }

  Thread acceptLoop(ServerSocket server, SocketHandler handler) {
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          handler.handle(s);
        } catch (IOException e) {
          return;
        }
      }
    }, "test-target");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
