package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.testing.etcd.EtcdProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.cluster.ClusterNode;
import io.nlb.cluster.ClusterSettings;
import io.nlb.cluster.ClusterState;
import io.nlb.cluster.LiveNode;
import io.nlb.core.RegisteredTarget;
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
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher in cluster mode against a real etcd: it seeds or follows the shared configuration,
 * applies a change another node makes, publishes itself, and keeps its flows while etcd is killed.
 */
@Timeout(90)
@SuppressWarnings("NullAway") // fields set in @BeforeEach
class ClusterLauncherIntegrationTest {
  @TempDir Path dir;
  @Nullable EtcdProcess etcd;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeEach
  void startEtcd() throws Exception {
    Assumptions.assumeTrue(EtcdProcess.binary().isPresent(), EtcdProcess.MISSING);
    etcd = EtcdProcess.start(Files.createDirectories(dir.resolve("etcd")));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  /** A target that sends its one-letter name on each connection, then echoes. */
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
    return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
  }

  private String config(String node, int listenerPort, int groupPort, int... targets) {
    StringBuilder ts = new StringBuilder();
    for (int t : targets) {
      ts.append("          - {id: 127.0.0.1, port: ").append(t).append("}\n");
    }
    return """
        transport: {ioMode: NIO}
        healthChecks: false
        status: {port: 0}
        cluster:
          endpoints: [%s]
          keyPrefix: /nlb/it
          nodeName: %s
          leaseTtlSeconds: 1
          requestTimeoutMillis: 800
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
        """.formatted(etcd.endpoint(), node, groupPort, ts.toString().stripTrailing(), listenerPort);
  }

  private Launcher start(String yaml) {
    Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml));
    resources.add(l);
    return l;
  }

  /** Another member of the cluster with no data plane: what another node's API writes through. */
  private ClusterNode otherNode() throws InterruptedException {
    ClusterNode n = ClusterNode.builder(new ClusterSettings(List.of(etcd.endpoint()), "/nlb/it", "api-node", Duration.ofSeconds(1),
        Duration.ofMillis(800))).tick(Duration.ofMillis(100)).start();
    resources.add(n);
    return n;
  }

  private static List<Integer> activePorts(Launcher l) {
    return l.nlb().targetGroup("web").orElseThrow().registeredTargets().stream().filter(r -> !r.isDraining())
        .map(RegisteredTarget::port).sorted().toList();
  }

  private static ClusterState.Version addTarget(ClusterNode node, int port) {
    return node.update(doc -> {
      ArrayNode targets = (ArrayNode) doc.withArray("targetGroups").get(0).withArray("targets");
      targets.addObject().put("id", "127.0.0.1").put("port", port);
      return doc;
    });
  }

  @Test
  void clusterMode_fileSeedsEtcd_changeFromAnotherNodeIsAppliedWithin2s_andTheNodeIsListed() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    Launcher launcher = start(config("node-1", port, a, a));
    ClusterNode api = otherNode();

    assertThat(launcher.cluster()).isPresent();
    JsonNode shared = api.current().document();
    assertThat(shared.path("targetGroups").get(0).path("name").asText()).isEqualTo("web");
    assertThat(shared.has("cluster")).as("only targetGroups and loadBalancers are shared").isFalse();

    long t0 = System.nanoTime();
    addTarget(api, b);
    await().atMost(Duration.ofSeconds(2)).until(() -> activePorts(launcher).size() == 2);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    assertThat(activePorts(launcher)).containsExactlyInAnyOrder(a, b);

    await().atMost(Duration.ofSeconds(5)).until(() -> api.liveNodes().stream().anyMatch(n -> n.member().equals("node-1")));
    LiveNode published = api.liveNodes().stream().filter(n -> n.member().equals("node-1")).findFirst().orElseThrow();
    assertThat(published.loadBalancer()).isEqualTo("local");
    assertThat(published.zone()).isEqualTo("zone-a");
    assertThat(published.address()).isEqualTo("127.0.0.1");
    assertThat(published.dnsName()).isEqualTo(launcher.nlb().loadBalancer("local").orElseThrow().dnsName());
    assertThat(published.serving()).isTrue();

    ObjectNode status = launcher.statusServer().orElseThrow().status();
    assertThat(status.path("cluster").path("connected").asBoolean()).isTrue();
    assertThat(status.path("cluster").path("node").asText()).isEqualTo("node-1");

    launcher.close();
    await().atMost(Duration.ofMillis(900)).until(() -> api.liveNodes().stream().noneMatch(n -> n.member().equals("node-1")));
  }

  @Test
  void etcdKilled_flowsStayUp_statusSaysSo_changesResumeWhenItReturns() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int c = echoTarget("C");
    int port = Loopback.freePort();
    Launcher launcher = start(config("node-1", port, a, a));
    ClusterNode api = otherNode();
    Socket established = open(port);
    resources.add(established);
    assertThat(readName(established)).isEqualTo("A");

    etcd.kill();
    await().atMost(Duration.ofSeconds(5)).until(() -> !launcher.cluster().orElseThrow().clusterStatus().connected());
    ObjectNode status = launcher.statusServer().orElseThrow().status();
    assertThat(status.path("cluster").path("connected").asBoolean()).isFalse();
    assertThat(status.path("cluster").path("summary").asText()).contains("serving with the last configuration");

    // Longer than the lease: the node must not drop anything because the store is away. The
    // established flow echoes and a new one is routed at every poll, throughout.
    int[] round = {0};
    await("flows while etcd is down").during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          String ping = "ping" + round[0]++;
          try (Socket fresh = open(port)) {
            return echo(established, ping).equals(ping) && readName(fresh).equals("A");
          }
        });
    assertThat(activePorts(launcher)).containsExactly(a);

    etcd.restart();
    await().atMost(Duration.ofSeconds(10)).until(() -> launcher.cluster().orElseThrow().clusterStatus().connected()
        && api.clusterStatus().connected());
    addTarget(api, b);
    addTarget(api, c);
    await().atMost(Duration.ofSeconds(3)).until(() -> activePorts(launcher).size() == 3);
    assertThat(activePorts(launcher)).containsExactlyInAnyOrder(a, b, c);
    assertThat(echo(established, "after")).isEqualTo("after");
  }

  @Test
  void secondNodeWithAnotherFile_runsTheSharedConfigurationInstead() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    // The cluster's configuration already exists (written by another node).
    ClusterNode api = otherNode();
    LauncherConfig seed = LauncherConfig.parseYaml(config("seed", port, a, a, b));
    api.update(doc -> seed.sharedDocument());

    Launcher launcher = start(config("node-2", port, a, a));
    assertThat(activePorts(launcher)).as("etcd's document wins over the file").containsExactlyInAnyOrder(a, b);
  }

  @Test
  void fileReload_inClusterMode_writesTheFileToTheCluster() throws Exception {
    int a = echoTarget("A");
    int b = echoTarget("B");
    int port = Loopback.freePort();
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config("node-1", port, a, a));
    Launcher launcher = Launcher.start(LauncherConfig.read(file));
    resources.add(launcher);
    ClusterNode api = otherNode();

    Files.writeString(file, config("node-1", port, a, a, b));
    ConfigReloader.Result r = launcher.reloader().reload(file);

    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.applied()).singleElement().asString().startsWith("cluster: configuration revision ");
    await().atMost(Duration.ofSeconds(2)).until(() -> activePorts(launcher).size() == 2);
    await().atMost(Duration.ofSeconds(2))
        .until(() -> api.current().document().path("targetGroups").get(0).path("targets").size() == 2);
  }

  @Test
  void invalidSharedChange_refusedBeforeItIsWritten() throws Exception {
    int a = echoTarget("A");
    int port = Loopback.freePort();
    Launcher launcher = start(config("node-1", port, a, a));
    ClusterNode node = launcher.cluster().orElseThrow();
    long before = node.current().revision();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.update(doc -> {
      ((ObjectNode) doc.withArray("targetGroups").get(0)).put("port", 70000);
      return doc;
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("targetGroups[0]: targetGroup[web].port: 70000 (expected: 1-65535)");
    assertThat(node.current().revision()).isEqualTo(before);
  }
}
