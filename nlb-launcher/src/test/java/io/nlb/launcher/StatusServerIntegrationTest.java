package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The read-only status page on loopback. */
@Timeout(60)
class StatusServerIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private record Response(int code, String body) {}

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

  private String lastYaml = "";

  private Launcher start(int listenerPort, int live) {
    String yaml = """
        transport: {ioMode: NIO}
        healthChecks: false
        status: {port: 0}
        targetGroups:
          - name: web
            protocol: TCP
            port: %d
            targetType: ip
            targets:
              - {id: 127.0.0.1, port: %d}
          - name: spare
            protocol: TCP
            port: 9001
            targetType: ip
            targets:
              - {id: 127.0.0.2, port: 9001}
        loadBalancers:
          - name: local
            zones:
              - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
            listeners:
              - {protocol: TCP, port: %d, targetGroup: web}
        """.formatted(live, live, listenerPort);
    lastYaml = yaml;
    Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml));
    resources.add(l);
    return l;
  }

  private static Response call(StatusServer s, String method, String path) throws IOException {
    InetSocketAddress a = s.address();
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + a.getPort() + path).toURL().openConnection();
    c.setRequestMethod(method);
    c.setConnectTimeout(5000);
    c.setReadTimeout(5000);
    int code = c.getResponseCode();
    InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
    String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    c.disconnect();
    return new Response(code, body);
  }

  @Test
  void statusJson_describesLoadBalancerListenerBindingAndTargetHealth() throws Exception {
    int port = Loopback.freePort();
    Launcher launcher = start(port, target());
    StatusServer s = launcher.statusServer().orElseThrow();

    Response r = call(s, "GET", "/status.json");

    assertThat(r.code()).isEqualTo(200);
    JsonNode root = new ObjectMapper().readTree(r.body());
    JsonNode lb = root.path("loadBalancers").get(0);
    assertThat(lb.path("name").asText()).isEqualTo("local");
    assertThat(lb.path("resourceId").asText()).startsWith("net/local/");
    assertThat(lb.path("state").asText()).isEqualTo("active");
    assertThat(lb.path("zones").get(0).path("addresses").get(0).asText()).isEqualTo("127.0.0.1");
    JsonNode listener = lb.path("listeners").get(0);
    assertThat(listener.path("port").asInt()).isEqualTo(port);
    assertThat(listener.path("bindings").get(0).asText()).contains("127.0.0.1:" + port);
    JsonNode spare = root.path("targetGroups").get(1);
    assertThat(spare.path("name").asText()).isEqualTo("spare");
    JsonNode unused = spare.path("targets").get(0);
    assertThat(unused.path("state").asText()).isEqualTo("unused");
    assertThat(unused.path("reason").asText()).isEqualTo("Target.NotInUse");
    assertThat(unused.path("description").asText()).isNotEmpty();
    assertThat(root.path("targetGroups").get(0).path("targets").get(0).path("state").asText()).isNotEmpty();
  }

  @Test
  void statusJson_afterTraffic_showsLastPeriodsFlowCount() throws Exception {
    int port = Loopback.freePort();
    Launcher launcher = start(port, target());
    StatusServer s = launcher.statusServer().orElseThrow();
    for (int i = 0; i < 3; i++) {
      try (Socket c = new Socket()) {
        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        c.setSoTimeout(5000);
        assertThat(c.getInputStream().read()).isEqualTo('A');
      }
    }

    // The store reports complete periods only: wait for the 10 s period holding the flows to end.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      JsonNode m = new ObjectMapper().readTree(call(s, "GET", "/status.json").body()).path("loadBalancers").get(0).path("metrics");
      assertThat(m.path("NewFlowCount").asLong()).isEqualTo(3);
    });
  }

  @Test
  void statusJson_afterReload_showsTheNewListener() throws Exception {
    int port = Loopback.freePort();
    int next = Loopback.freePort();
    Launcher launcher = start(port, target());
    StatusServer s = launcher.statusServer().orElseThrow();
    LauncherConfig changed = LauncherConfig.parseYaml(lastYaml.replace("port: " + port + ", targetGroup: web", "port: " + next + ", targetGroup: web"));

    assertThat(launcher.reloader().reload(changed).ok()).isTrue();

    JsonNode listeners = new ObjectMapper().readTree(call(s, "GET", "/status.json").body()).path("loadBalancers").get(0).path("listeners");
    assertThat(listeners).hasSize(1);
    assertThat(listeners.get(0).path("port").asInt()).isEqualTo(next);
    assertThat(listeners.get(0).path("bindings").get(0).asText()).endsWith("127.0.0.1:" + next);
  }

  @Test
  void page_healthzAndHtml_answerGet() throws Exception {
    Launcher launcher = start(Loopback.freePort(), target());
    StatusServer s = launcher.statusServer().orElseThrow();

    assertThat(call(s, "GET", "/healthz")).isEqualTo(new Response(200, "ok\n"));
    Response html = call(s, "GET", "/");
    assertThat(html.code()).isEqualTo(200);
    assertThat(html.body()).contains("<h2>local</h2>").contains("Target.NotInUse");
    assertThat(call(s, "GET", "/nothing").code()).isEqualTo(404);
  }

  @Test
  void page_nonGet_is405() throws Exception {
    Launcher launcher = start(Loopback.freePort(), target());
    StatusServer s = launcher.statusServer().orElseThrow();

    assertThat(call(s, "POST", "/status.json").code()).isEqualTo(405);
    assertThat(call(s, "DELETE", "/").code()).isEqualTo(405);
    assertThat(call(s, "PUT", "/status.json").code()).isEqualTo(405);
    assertThat(call(s, "OPTIONS", "/healthz").code()).isEqualTo(405);
    // Nothing changed: the same load balancer and listener are still there.
    JsonNode status = new ObjectMapper().readTree(call(s, "GET", "/status.json").body());
    assertThat(status.path("loadBalancers").size()).isEqualTo(1);
    assertThat(status.path("loadBalancers").get(0).path("listeners").size()).isEqualTo(1);
  }

  /** A TLS listener's private key appears on no page (JSON, HTML), nor in the configuration's text. */
  @Test
  void page_tlsListener_showsNoKeyMaterial(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    TestPem pem = TestPem.write(dir, "lb", "lb.example");
    String keyBody = java.nio.file.Files.readString(pem.key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    int live = target();
    String yaml = """
        transport: {ioMode: NIO}
        healthChecks: false
        status: {port: 0}
        targetGroups:
          - {name: web, protocol: TCP, port: %d, targetType: ip, targets: [{id: 127.0.0.1, port: %d}]}
        loadBalancers:
          - name: local
            zones:
              - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
            listeners:
              - protocol: TLS
                port: %d
                targetGroup: web
                sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
                certificate: {certificateChain: %s, privateKey: %s}
        """.formatted(live, live, Loopback.freePort(), pem.chain, pem.key);
    LauncherConfig config = LauncherConfig.parseYaml(yaml);
    Launcher launcher = Launcher.start(config);
    resources.add(launcher);
    StatusServer s = launcher.statusServer().orElseThrow();

    String json = call(s, "GET", "/status.json").body();
    String html = call(s, "GET", "/").body();
    assertThat(json).contains("\"TLS\"");
    for (String page : List.of(json, html, config.loadBalancers().toString())) {
      assertThat(page).doesNotContain(keyBody).doesNotContain("PRIVATE KEY");
      for (int i = 0; i + 16 <= keyBody.length(); i += 8) {
        assertThat(page).doesNotContain(keyBody.substring(i, i + 16));
      }
    }
  }

  @Test
  void page_byDefault_boundOnLoopbackOnly() throws Exception {
    Launcher launcher = start(Loopback.freePort(), target());
    StatusServer s = launcher.statusServer().orElseThrow();

    assertThat(s.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void statusKey_badValues_reportedWithPaths() {
    String yaml = "status: {port: 70000, address: example.com, colour: red}\ntargetGroups: []\nloadBalancers: []\n";

    assertThatThrownBy(() -> LauncherConfig.parseYaml(yaml)).isInstanceOfSatisfying(LauncherConfig.ConfigException.class,
        e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "status.colour: unknown key (expected: one of [address, port])",
            "status.port: 70000 (expected: 0-65535)",
            "status.address: \"example.com\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)"));
  }

  @Test
  void noStatusKey_noPage() throws Exception {
    String yaml = "transport: {ioMode: NIO}\nhealthChecks: false\ntargetGroups: []\nloadBalancers: []\n";
    Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml));
    resources.add(l);

    assertThat(l.statusServer()).isEmpty();
    assertThat(l.config().status()).isNull();
  }
}
