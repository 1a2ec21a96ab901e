package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.NlbException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher on loopback: a file forwarding a TCP port to two local targets, and bad files. */
@Timeout(60)
class LauncherIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** A target that answers each connection with its own name, then closes. */
  private int namedTarget(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return;
        }
      }
    }, "target-" + name);
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private static String ask(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static String config(int listenerPort, int a, int b) {
    return """
        transport: {ioMode: NIO}
        healthChecks: false
        targetGroups:
          - name: web
            protocol: TCP
            port: %d
            targetType: ip
            targets:
              - {id: 127.0.0.1, port: %d}
              - {id: 127.0.0.1, port: %d}
        loadBalancers:
          - name: local
            zones:
              - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
            listeners:
              - {protocol: TCP, port: %d, targetGroup: web}
        """.formatted(a, a, b, listenerPort);
  }

  @Test
  void start_twoTargets_connectionsReachBoth() throws Exception {
    int a = namedTarget("A");
    int b = namedTarget("B");
    int port = Loopback.freePort();
    Launcher launcher = Launcher.start(LauncherConfig.parseYaml(config(port, a, b)));
    resources.add(launcher);

    assertThat(launcher.transport().bindings(launcher.loadBalancers().get(0))).isNotEmpty();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 40 && seen.size() < 2; i++) {
      seen.add(ask(port));
    }
    assertThat(seen).containsExactlyInAnyOrder("A", "B");
  }

  @Test
  void run_badFile_exitsTwoAndBindsNothing(@TempDir Path dir) throws Exception {
    int port = Loopback.freePort();
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, config(port, 1, 2).replace("protocol: TCP, port: " + port, "protocol: TCP, port: " + port + ", colour: red"));

    int status = Launcher.run(new String[] {file.toString()}, new CountDownLatch(0));

    assertThat(status).isEqualTo(2);
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // nothing holds the port
    }
  }

  @Test
  void start_refusedByControlPlane_closesWhatItCreated() throws Exception {
    int port = Loopback.freePort();
    // An instance target given as an IP address: only the control plane's registration refuses it.
    String refused = config(port, 9001, 9002).replace("targetType: ip", "targetType: instance");

    assertThatThrownBy(() -> Launcher.start(LauncherConfig.parseYaml(refused))).isInstanceOf(NlbException.class)
        .hasMessageContaining("InvalidTarget");
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }

  @Test
  void start_portTaken_failsAndReleasesEverything() throws Exception {
    ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    resources.add(taken);
    String conflict = config(taken.getLocalPort(), 9001, 9002);

    assertThatThrownBy(() -> Launcher.start(LauncherConfig.parseYaml(conflict))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("loadBalancer[local]");
  }

  @Test
  void sampleFile_parses() throws Exception {
    LauncherConfig c = LauncherConfig.read(Path.of("config/sample.yaml"));
    assertThat(c.loadBalancers()).hasSize(1);
    assertThat(c.groups().get(0).targets()).hasSize(2);
  }
}
