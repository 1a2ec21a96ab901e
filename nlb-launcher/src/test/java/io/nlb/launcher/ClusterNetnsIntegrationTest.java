package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.testing.etcd.EtcdProcess;
import io.nlb.cluster.ClusterNode;
import io.nlb.cluster.ClusterSettings;
import io.nlb.cluster.LiveNode;
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
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three launcher processes, each in its own network namespace, sharing one etcd: the issue's
 * acceptance for shared state. The test makes the namespaces, veth pairs (198.51.100.0/24 between
 * this namespace and each node's), node addresses (also 198.51.100.0/24, on each namespace's loopback, a
 * host route here to each node's own) and removes them all afterwards; nothing leaves them. etcd
 * and the targets listen on this namespace's end of the first veth pair.
 *
 * <p>Checks: a target registered through one node (its file reloaded with SIGHUP, which writes the
 * shared configuration) carries new flows on all three nodes within 2 s; a node killed with
 * SIGKILL leaves the live members (and so the DNS answer) within its lease time.
 *
 * <p>Needs root and {@code ip}; skipped otherwise, with the reason.
 */
@Timeout(240)
@SuppressWarnings("NullAway") // fields set in @BeforeEach
class ClusterNetnsIntegrationTest {
  private static final int NODES = 3;
  private static final Duration LEASE = Duration.ofSeconds(2);

  @TempDir Path dir;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> hostRoutes = new ArrayList<>();
  private final List<Process> nodes = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private @Nullable EtcdProcess etcd;
  /** A block of 32 addresses in each range, chosen by this JVM's PID so that concurrent runs do not collide. */
  private int base;
  private String tag = "";

  private static @Nullable String ipBinary() {
    for (String p : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ipBinary());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ip " + String.join(" ", args) + ": " + out.strip());
    }
  }

  private String rootSide(int i) {
    return "198.51.100." + (base + 4 * i + 1);
  }

  private String nodeSide(int i) {
    return "198.51.100." + (base + 4 * i + 2);
  }

  private String nodeAddress(int i) {
    // Not 192.0.2.0/24: documentation range or not, a machine may sit on it (this one's eth0 does),
    // and a host route to a node would take that address from the real network.
    return "198.51.100." + (base + 16 + i);
  }

  /** Whether an interface of this namespace already has an address in 198.51.100.0/24. */
  private static boolean hostUses198_51_100() throws java.net.SocketException {
    for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (java.net.InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
        byte[] b = a.getAddress();
        if (b.length == 4 && (b[0] & 0xff) == 198 && (b[1] & 0xff) == 51 && (b[2] & 0xff) == 100) {
          return true;
        }
      }
    }
    return false;
  }

  @BeforeEach
  void network() throws Exception {
    Assumptions.assumeTrue(isRoot(), "needs root to create network namespaces (runs as " + System.getProperty("user.name") + ")");
    Assumptions.assumeTrue(ipBinary() != null, "needs the ip command (iproute2)");
    Assumptions.assumeTrue(EtcdProcess.binary().isPresent(), EtcdProcess.MISSING);
    Assumptions.assumeFalse(hostUses198_51_100(), "an interface here is on 198.51.100.0/24, which the test's veths and nodes use");
    long pid = ProcessHandle.current().pid();
    base = (int) (pid % 7) * 32;
    tag = Long.toString(pid % 100000);
    for (int i = 0; i < NODES; i++) {
      String ns = "nlbc" + tag + "n" + i;
      String here = "nc" + tag + "h" + i;
      String there = "nc" + tag + "t" + i;
      ip("netns", "add", ns);
      namespaces.add(ns);
      ip("link", "add", here, "type", "veth", "peer", "name", there);
      ip("link", "set", there, "netns", ns);
      ip("addr", "add", rootSide(i) + "/30", "dev", here);
      ip("link", "set", here, "up");
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "addr", "add", nodeSide(i) + "/30", "dev", there);
      ip("-n", ns, "link", "set", there, "up");
      // Every node runs every zone of the shared configuration, so each namespace has all node addresses.
      for (int j = 0; j < NODES; j++) {
        ip("-n", ns, "addr", "add", nodeAddress(j) + "/32", "dev", "lo");
      }
      ip("-n", ns, "route", "add", "default", "via", rootSide(i));
      ip("route", "add", nodeAddress(i) + "/32", "via", nodeSide(i));
      hostRoutes.add(nodeAddress(i) + "/32");
    }
    etcd = EtcdProcess.start(Files.createDirectories(dir.resolve("etcd")), rootSide(0));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : nodes) {
      ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
      p.waitFor(10, TimeUnit.SECONDS);
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (etcd != null) {
      etcd.close();
    }
    for (String r : hostRoutes) {
      try {
        ip("route", "del", r);
      } catch (IOException e) {
        // gone with its veth
      }
    }
    for (String ns : namespaces) {
      ip("netns", "del", ns); // takes its veth pair with it
    }
  }

  /** A target that sends its one-letter name on each connection, then echoes. */
  private int target(String name) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(rootSide(0)), 0), 100);
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
            while (in.read(buf) > 0) {
              // drain until the client closes
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

  private String config(int node, int listenerPort, int groupPort, int... targets) {
    StringBuilder ts = new StringBuilder();
    for (int t : targets) {
      ts.append("          - {id: ").append(rootSide(0)).append(", port: ").append(t).append("}\n");
    }
    return """
        transport: {ioMode: NIO, threads: 1}
        healthChecks: false
        cluster:
          endpoints: [%s]
          keyPrefix: /nlb/netns
          nodeName: node-%d
          leaseTtlSeconds: %d
          requestTimeoutMillis: 1000
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
          - name: multi
            attributes:
              load_balancing.cross_zone.enabled: "true"
            zones:
              - {name: zone-a, addresses: [%s], targetRanges: [198.51.100.0/24]}
              - {name: zone-b, addresses: [%s]}
              - {name: zone-c, addresses: [%s]}
            listeners:
              - {protocol: TCP, port: %d, targetGroup: web}
        """.formatted(etcd.endpoint(), node, LEASE.toSeconds(), groupPort, ts.toString().stripTrailing(), nodeAddress(0),
        nodeAddress(1), nodeAddress(2), listenerPort);
  }

  private Process startNode(int i, Path file) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(ipBinary(), "netns", "exec", namespaces.get(i), java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Launcher.class.getName(), "run", file.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("node-" + i + ".log").toFile()).start();
    nodes.add(p);
    return p;
  }

  /** Which target a new connection through {@code node} reaches ("" when none answers). */
  private String ask(int node, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(nodeAddress(node)), port), 1000);
      s.setSoTimeout(1000);
      int c = s.getInputStream().read();
      return c < 0 ? "" : String.valueOf((char) c);
    } catch (IOException e) {
      return "";
    }
  }

  private String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < NODES; i++) {
      Path log = dir.resolve("node-" + i + ".log");
      if (Files.exists(log)) {
        b.append("--- node-").append(i).append('\n').append(Files.readString(log));
      }
    }
    return b.toString();
  }

  @Test
  void threeNodesInNamespaces_targetRegisteredThroughOneServesOnAllWithin2s_killedNodeLeavesWithinItsLease() throws Exception {
    int a = target("A");
    int b = target("B");
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      Path f = dir.resolve("node-" + i + ".yaml");
      Files.writeString(f, config(i, port, a, a));
      files.add(f);
    }
    for (int i = 0; i < NODES; i++) {
      startNode(i, files.get(i));
    }
    ClusterNode observer = ClusterNode.builder(new ClusterSettings(List.of(etcd.endpoint()), "/nlb/netns", "observer", LEASE,
        Duration.ofSeconds(1))).tick(Duration.ofMillis(200)).start();
    resources.add(observer);
    Set<String> expected = Set.of("node-0", "node-1", "node-2", "observer");
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> observer.members().keySet().equals(expected));
      for (int i = 0; i < NODES; i++) {
        int n = i;
        await().atMost(Duration.ofSeconds(10)).until(() -> ask(n, port).equals("A"));
      }
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("nodes did not come up; members " + observer.members().keySet() + "\n" + logs(), e);
    }

    // Register B through node 0: its file changes and it gets SIGHUP; the reload writes to etcd.
    Files.writeString(files.get(0), config(0, port, a, a, b));
    long t0 = System.nanoTime();
    new ProcessBuilder("kill", "-HUP", Long.toString(nodes.get(0).pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    for (int i = 0; i < NODES; i++) {
      int n = i;
      Set<String> seen = new HashSet<>();
      await().atMost(Duration.ofMillis(2000).minusNanos(System.nanoTime() - t0)).pollInterval(Duration.ofMillis(20)).until(() -> {
        seen.add(ask(n, port));
        return seen.contains("B");
      });
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("B carries traffic on all three nodes").isLessThan(Duration.ofSeconds(2));
    for (int i = 0; i < NODES; i++) {
      assertThat(observer.liveNodes()).filteredOn(n -> n.member().equals("node-2")).extracting(LiveNode::address)
          .contains(nodeAddress(i));
    }

    // SIGKILL node 2: its lease expires and it leaves the live members, hence the DNS answer.
    long killed = System.nanoTime();
    ProcessHandle.of(nodes.get(2).pid()).ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(LEASE.plusSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> !observer.members().containsKey("node-2"));
    Duration gone = Duration.ofNanos(System.nanoTime() - killed);
    // The lease runs out 2 s after the last keep-alive; etcd checks expiry every 500 ms and a busy
    // machine adds a little: far inside the acceptance bound (lease time plus one 60 s DNS TTL).
    assertThat(gone).as("within the lease, give or take etcd's expiry check").isLessThan(LEASE.plusSeconds(3));
    assertThat(observer.liveNodes()).extracting(LiveNode::member).doesNotContain("node-2").contains("node-0", "node-1");
    assertThat(ask(0, port)).as("the other nodes still serve").isIn("A", "B");
  }
}
