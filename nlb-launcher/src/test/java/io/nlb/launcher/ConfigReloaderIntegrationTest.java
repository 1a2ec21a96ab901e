package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.RegisteredTarget;
import io.nlb.core.TargetGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Live reload on loopback: the difference is applied, established flows survive, illegal changes are refused whole. */
@Timeout(60)
class ConfigReloaderIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** A target that sends its name on each connection, then echoes until the client closes. */
  private int echoTarget(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          return;
        }
        Thread c = new Thread(() -> {
          try (s) {
            OutputStream out = s.getOutputStream();
            out.write(name.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            int n;
            while ((n = in.read(buf)) > 0) {
              out.write(buf, 0, n);
              out.flush();
            }
          } catch (IOException e) {
            // client went away
          }
        }, "conn-" + name);
        c.setDaemon(true);
        c.start();
      }
    }, "target-" + name);
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  /** Connects, reads the target's one-letter name, closes. */
  private static String ask(int port) throws IOException {
    try (Socket s = open(port)) {
      return readName(s);
    }
  }

  private static Socket open(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    s.setSoTimeout(5000);
    return s;
  }

  private static String readName(Socket s) throws IOException {
    int c = s.getInputStream().read();
    return c < 0 ? "" : String.valueOf((char) c);
  }

  private static String echo(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    byte[] buf = s.getInputStream().readNBytes(text.length());
    return new String(buf, StandardCharsets.US_ASCII);
  }

  private static boolean bound(int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static String config(int groupPort, int listenerPort, int... targets) {
    StringBuilder ts = new StringBuilder();
    for (int t : targets) {
      ts.append("          - {id: 127.0.0.1, port: ").append(t).append("}\n");
    }
    return """
        transport: {ioMode: NIO}
        healthChecks: false
        targetGroups:
          - name: web
            protocol: TCP
            port: %d
            targetType: ip
            attributes:
              deregistration_delay.timeout_seconds: "0"
            targets:
        %s
        loadBalancers:
          - name: local
            zones:
              - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
            listeners:
              - {protocol: TCP, port: %d, targetGroup: web}
        """.formatted(groupPort, ts.toString().stripTrailing(), listenerPort);
  }

  private Launcher start(String yaml) {
    Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml));
    resources.add(l);
    return l;
  }

  private static List<RegisteredTarget> active(Launcher l) {
    TargetGroup tg = l.nlb().targetGroup("web").orElseThrow();
    return tg.registeredTargets().stream().filter(r -> !r.isDraining()).toList();
  }

  @Test
  void reload_targetAdded_newFlowsReachItAndEstablishedFlowStaysOpen() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    Launcher launcher = start(config(a, port, a));
    Socket established = open(port);
    resources.add(established);
    assertThat(readName(established)).isEqualTo("A");

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(config(a, port, a, b)));

    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.applied()).singleElement().asString().contains("register").contains(String.valueOf(b));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 60 && seen.size() < 2; i++) {
      seen.add(ask(port));
    }
    assertThat(seen).containsExactlyInAnyOrder("A", "B");
    assertThat(echo(established, "still here")).isEqualTo("still here");
  }

  @Test
  void reload_sameFile_changesNothing() {
    String yaml = config(9001, freePortUnchecked(), 9001);
    Launcher launcher = start(yaml);

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(yaml));

    assertThat(r.ok()).isTrue();
    assertThat(r.applied()).isEmpty();
  }

  @Test
  void reload_groupPortChanged_refusedWholeAndOldConfigKeepsServing() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    Launcher launcher = start(config(a, port, a));

    // Also adds a target: legal on its own, but nothing of a refused file is applied.
    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(config(a + 1, port, a, b)));

    assertThat(r.ok()).isFalse();
    assertThat(r.refused()).singleElement().asString()
        .startsWith("targetGroups[web].port: " + (a + 1))
        .contains("expected: unchanged, " + a);
    assertThat(r.applied()).isEmpty();
    assertThat(active(launcher)).hasSize(1);
    assertThat(launcher.nlb().targetGroup("web").orElseThrow().port()).isEqualTo(a);
    assertThat(ask(port)).isEqualTo("A");
  }

  @Test
  void reload_zoneRemovedAndLoadBalancerRenamed_eachRefusedOnItsOwnLine() throws Exception {
    int port = Loopback.freePort();
    Launcher launcher = start(config(9001, port, 9001));
    String next = config(9001, port, 9001).replace("name: local", "name: other");

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(next));

    assertThat(r.refused()).hasSize(2).anySatisfy(p -> assertThat(p).startsWith("loadBalancers[other]: added"))
        .anySatisfy(p -> assertThat(p).startsWith("loadBalancers[local]: removed"));
    assertThat(launcher.nlb().loadBalancer("local")).isPresent();
  }

  @Test
  void reload_listenerReplaced_oldPortUnboundNewPortServes() throws Exception {
    int a = echoTarget("A");
    int oldPort = Loopback.freePort();
    int newPort = Loopback.freePort();
    Launcher launcher = start(config(a, oldPort, a));
    assertThat(ask(oldPort)).isEqualTo("A");

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(config(a, newPort, a)));

    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.applied()).hasSize(2);
    // The old socket's close completes on its event loop, after the new listener is bound.
    await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !bound(oldPort));
    assertThat(ask(newPort)).isEqualTo("A");
    assertThat(launcher.transport().bindings(launcher.loadBalancers().get(0))).singleElement().asString().endsWith(":" + newPort);
  }

  @Test
  void reload_newPortTaken_refusedWholeAndNothingOfItServes() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    resources.add(taken);
    Launcher launcher = start(config(a, port, a));
    String next = config(a, port, a, b).replace("listeners:\n", "listeners:\n      - {protocol: TCP, port: " + taken.getLocalPort()
        + ", targetGroup: web}\n");

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(next));

    // All or nothing: the registration that came before the failed bind is taken back too, so
    // the second target never receives a flow.
    assertThat(r.failure()).contains("127.0.0.1:" + taken.getLocalPort()).contains("InternalFailure");
    assertThat(r.applied()).isEmpty();
    assertThat(r.notApplied()).anySatisfy(c -> assertThat(c).contains("register"))
        .anySatisfy(c -> assertThat(c).contains("listener[TCP:" + taken.getLocalPort() + "]"));
    assertThat(active(launcher)).hasSize(1);
    for (int i = 0; i < 20; i++) {
      assertThat(ask(port)).isEqualTo("A");
    }
  }

  @Test
  void reload_targetRemoved_itDrainsAndGetsNoNewFlows() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    Launcher launcher = start(config(a, port, a, b));

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(config(a, port, a)));

    assertThat(r.applied()).singleElement().asString().startsWith("targetGroups[web].targets: deregister [127.0.0.1:");
    for (int i = 0; i < 20; i++) {
      assertThat(ask(port)).isEqualTo("A");
    }
  }

  @Test
  void watch_fileRewritten_reloadsWithoutSignal(@TempDir Path dir) throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config(a, port, a));
    Launcher launcher = start(Files.readString(file));
    launcher.reloader().watch(file);

    Path tmp = dir.resolve("nlb.yaml.tmp");
    Files.writeString(tmp, config(a, port, a, b));
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(active(launcher)).hasSize(2));
  }

  @Test
  void reload_unparsableFile_refusedWithItsProblems(@TempDir Path dir) throws Exception {
    int port = Loopback.freePort();
    Launcher launcher = start(config(9001, port, 9001));
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, config(9001, port, 9001).replace("healthChecks: false", "healthChecks: maybe"));

    ConfigReloader.Result r = launcher.reloader().reload(file);

    assertThat(r.refused()).containsExactly("healthChecks: \"maybe\" (expected: true or false)");
    assertThat(bound(port)).isTrue();
  }

  @Test
  void reload_zoneAdded_listenerBoundOnTheNewNode() throws Exception {
    int a = echoTarget("A");
    int port = Loopback.freePort();
    Launcher launcher = start(config(a, port, a));
    String next = config(a, port, a).replace("targetRanges: [127.0.0.0/8]}\n",
        "targetRanges: [127.0.0.0/8]}\n      - {name: zone-b, addresses: [127.0.0.2], targetRanges: [127.0.2.0/24]}\n")
        // zone-b has no targets of its own: its node reaches zone-a's only with cross-zone on.
        .replace("  - name: local\n", "  - name: local\n    attributes: {load_balancing.cross_zone.enabled: \"true\"}\n");

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(next));

    assertThat(r.applied()).as(r.toString()).hasSize(2);
    assertThat(r.applied().get(0)).isEqualTo("loadBalancers[local].attributes: modify {load_balancing.cross_zone.enabled=true}");
    assertThat(r.applied().get(1)).startsWith("loadBalancers[local].zones: enable [zone-b]");
    assertThat(launcher.transport().bindings(launcher.loadBalancers().get(0))).anySatisfy(b -> assertThat(b).contains("127.0.0.2:" + port));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port), 5000);
      s.setSoTimeout(5000);
      assertThat(readName(s)).isEqualTo("A");
    }
  }

  @Test
  void reload_groupReplaced_listenerSwitchedAndOldGroupDeleted() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    Launcher launcher = start(config(a, port, a));
    Socket established = open(port);
    resources.add(established);
    assertThat(readName(established)).isEqualTo("A");
    String next = config(b, port, b).replace("name: web", "name: api").replace("targetGroup: web", "targetGroup: api")
        .replace("healthChecks: false", "healthChecks: false\n");

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(next));

    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.applied()).hasSize(3);
    assertThat(r.applied().get(0)).startsWith("targetGroups[api]: create (TCP:");
    assertThat(r.applied().get(1)).contains("targetGroup web -> api");
    assertThat(r.applied().get(2)).isEqualTo("targetGroups[web]: delete");
    assertThat(launcher.nlb().targetGroup("web")).isEmpty();
    for (int i = 0; i < 10; i++) {
      assertThat(ask(port)).isEqualTo("B");
    }
    assertThat(echo(established, "old flow")).isEqualTo("old flow");
  }

  @Test
  void reload_groupAttributesAndHealthCheck_modified() throws Exception {
    int port = Loopback.freePort();
    Launcher launcher = start(config(9001, port, 9001));
    String next = config(9001, port, 9001).replace("deregistration_delay.timeout_seconds: \"0\"",
        "deregistration_delay.timeout_seconds: \"5\"").replace("    targetType: ip\n",
        "    targetType: ip\n    healthCheck: {protocol: TCP, intervalSeconds: 5, healthyThreshold: 3}\n");

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(next));

    assertThat(r.ok()).as(r.toString()).isTrue();
    TargetGroup tg = launcher.nlb().targetGroup("web").orElseThrow();
    assertThat(tg.attributes().deregistrationDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(tg.healthCheck().healthyThreshold()).isEqualTo(3);
    assertThat(tg.healthCheck().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(launcher.reloader().reload(LauncherConfig.parseYaml(next)).applied()).isEmpty();
  }

  @Test
  void sighup_handlerInstalled_runsTheAction() throws Exception {
    // In a fresh JVM: signal dispositions are process-wide, and native code of other tests in this
    // JVM may change them. Sent with kill(1), as an operator would.
    String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), SighupChild.class.getName())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (java.io.BufferedReader out = new java.io.BufferedReader(
        new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      String first = out.readLine();
      org.junit.jupiter.api.Assumptions.assumeFalse("UNAVAILABLE".equals(first),
          "SIGHUP not available: this process ignores it (started under nohup?) or the JVM refuses it");
      assertThat(first).isEqualTo("READY");
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).inheritIO().start();
      assertThat(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(kill.exitValue()).isZero();
      assertThat(out.readLine()).as("the handler ran in the child").isEqualTo("HUP");
      assertThat(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
  }

  private static int freePortUnchecked() {
    try {
      return Loopback.freePort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
