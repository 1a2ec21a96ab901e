package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /metrics} of the status endpoint, scraped over HTTP and parsed as the Prometheus text format. */
@Timeout(60)
class PrometheusEndpointIntegrationTest {
  /** One sample line: {@code name{label="value",...} number}. */
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  record Sample(String name, Map<String, String> labels, double value) {}

  static List<Sample> parse(String exposition) {
    List<Sample> out = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("exposition line: %s", line).isTrue();
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        int end = 0;
        while (l.find() && l.start() == end) {
          labels.put(l.group(1), l.group(2));
          end = l.end();
        }
        assertThat(end).as("labels of: %s", line).isEqualTo(m.group(2).length());
      }
      out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return out;
  }

  private int target() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.getOutputStream().write('A');
        } catch (IOException e) {
          return;
        }
      }
    }, "target");
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  @Test
  void metrics_afterTraffic_counterWithLabels() throws Exception {
    int live = target();
    int port = Loopback.freePort();
    Launcher launcher = Launcher.start(LauncherConfig.parseYaml("""
        transport: {ioMode: NIO, threads: 1}
        healthChecks: false
        status: {port: 0}
        targetGroups:
          - {name: web, protocol: TCP, port: %d, targetType: ip, targets: [{id: 127.0.0.1, port: %d}]}
        loadBalancers:
          - name: local
            zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
            listeners: [{protocol: TCP, port: %d, targetGroup: web}]
        """.formatted(live, live, port)));
    resources.add(launcher);
    for (int i = 0; i < 3; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(5000);
        assertThat(s.getInputStream().read()).isEqualTo('A');
      }
    }
    String lb = launcher.loadBalancers().get(0).resourceId();
    URI uri = URI.create("http://127.0.0.1:" + launcher.statusServer().orElseThrow().address().getPort() + "/metrics");

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(5000);
      assertThat(c.getResponseCode()).isEqualTo(200);
      assertThat(c.getContentType()).startsWith("text/plain; version=0.0.4");
      String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      c.disconnect();
      assertThat(body).contains("# TYPE nlb_new_flows_total counter");
      List<Sample> samples = parse(body);
      assertThat(samples).anySatisfy(s -> {
        assertThat(s.name()).isEqualTo("nlb_new_flows_total");
        assertThat(s.labels()).containsEntry("load_balancer", lb).containsEntry("availability_zone", "zone-a")
            .containsEntry("protocol", "all");
        assertThat(s.value()).isEqualTo(3.0);
      });
      assertThat(samples).anySatisfy(s -> {
        assertThat(s.name()).isEqualTo("nlb_processed_bytes_total");
        assertThat(s.labels()).containsEntry("load_balancer", lb).containsEntry("protocol", "tcp");
        assertThat(s.value()).isGreaterThanOrEqualTo(3.0);
      });
    });
  }

  @Test
  void parse_labelsWithEscapes_andBareSamples() {
    List<Sample> s = parse("# HELP x y\nup 1\nm{a=\"b\\\"c\",d=\"e\"} 2.5\n");
    assertThat(s).containsExactly(new Sample("up", Map.of(), 1.0), new Sample("m", Map.of("a", "b\\\"c", "d", "e"), 2.5));
  }
}
