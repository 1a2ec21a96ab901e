package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rejections on the status page, and a /healthz that fails when the data plane cannot serve. */
@Timeout(90)
class LivenessAndRejectionsIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private record Response(int code, String body) {}

  private static Response get(Launcher l, String path) throws IOException {
    int port = l.statusServer().orElseThrow().address().getPort();
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    c.setConnectTimeout(5000);
    c.setReadTimeout(5000);
    int code = c.getResponseCode();
    InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
    String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    c.disconnect();
    return new Response(code, body);
  }

  private int holdingTarget() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    Thread t = new Thread(() -> {
      List<Socket> held = new ArrayList<>();
      while (!server.isClosed()) {
        try {
          held.add(server.accept()); // keeps every connection open
        } catch (IOException e) {
          break;
        }
      }
      for (Socket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }, "target");
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private static String yaml(int target, int port, String limits) {
    return """
        transport: {ioMode: NIO, threads: 1%s}
        healthChecks: false
        status: {port: 0}
        targetGroups:
          - {name: web, protocol: TCP, port: %d, targetType: ip, targets: [{id: 127.0.0.1, port: %d}]}
        loadBalancers:
          - name: local
            zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
            listeners: [{protocol: TCP, port: %d, targetGroup: web}]
        """.formatted(limits, target, target, port);
  }

  @Test
  void statusJson_everyExtensionCounterShown_rejectionCounted() throws Exception {
    int port = Loopback.freePort();
    Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml(holdingTarget(), port, ", maxConnectionsPerClient: 1")));
    resources.add(l);

    JsonNode metrics = new ObjectMapper().readTree(get(l, "/status.json").body()).path("loadBalancers").get(0).path("metrics");
    for (Metric m : Metric.values()) {
      if (m.isLibraryExtension() && m.kind() == MetricKind.COUNTER) {
        assertThat(metrics.has(m.metricName())).as(m.metricName()).isTrue();
      }
    }
    assertThat(metrics.path("RejectedFlowCount_ClientLimit").asLong()).isZero();

    Socket first = new Socket();
    resources.add(first);
    first.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    await().atMost(Duration.ofSeconds(10)).until(() -> l.transport().activeTcpFlows() == 1);
    try (Socket second = new Socket()) {
      second.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      second.setSoTimeout(5000);
      assertThat(second.getInputStream().read()).isEqualTo(-1); // refused: over the per-client limit
    } catch (java.net.SocketException reset) {
      // refused with a reset: also a refusal
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(new ObjectMapper().readTree(get(l, "/status.json").body())
        .path("loadBalancers").get(0).path("metrics").path("RejectedFlowCount_ClientLimit").asLong()).isEqualTo(1));
    assertThat(get(l, "/").body()).contains("RejectedFlowCount_ClientLimit");
    assertThat(get(l, "/metrics").body()).containsPattern("nlb_rejected_flows_total\\{[^}]*reason=\"client_limit\"[^}]*} 1\\.0");
  }

  @Test
  void healthz_eventLoopsDead_503WithTheProblems_thenOkNeverAgain() throws Exception {
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      int port = Loopback.freePort();
      Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml(holdingTarget(), port, "")), loops);
      resources.add(l);
      assertThat(get(l, "/healthz")).isEqualTo(new Response(200, "ok\n"));
      assertThat(new ObjectMapper().readTree(get(l, "/status.json").body()).path("liveness").path("ok").asBoolean()).isTrue();

      loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);

      Response r = get(l, "/healthz");
      assertThat(r.code()).isEqualTo(503);
      assertThat(r.body()).contains("event loop 0: terminated").contains("local TCP").contains("not accepting (socket closed)");
      JsonNode live = new ObjectMapper().readTree(get(l, "/status.json").body()).path("liveness");
      assertThat(live.path("ok").asBoolean()).isFalse();
      assertThat(live.path("problems").size()).isGreaterThanOrEqualTo(2);
    } finally {
      loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }
}
