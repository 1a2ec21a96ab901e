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
import java.net.DatagramPacket;
import java.net.DatagramSocket;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * Three launcher processes, each in its own network namespace, sharing one etcd: the issue's
 * acceptance for shared state. The test makes the namespaces, veth pairs (198.51.100.0/24 between
 * this namespace and each node's), node addresses (also 198.51.100.0/24, on each namespace's loopback, a
 * host route here to each node's own) and removes them all afterwards; nothing leaves them. etcd
 * and the targets listen on this namespace's end of the first veth pair.
 *
 * <p>Checks: a target registered through one node (its file reloaded with SIGHUP, which writes the
 * shared configuration; and through its AWS API endpoint) carries new flows on all three nodes
 * within 2 s; a node killed with
 * SIGKILL leaves the live members within its lease time and, with one zone per node, the {@code
 * dig} answer of every node's DNS server, and its client reconnects through the name; with the
 * node address behind a route of three next hops (a router), the node carrying 1000 UDP flows is
 * killed and its next hop removed, and every flow reaches the same target through another node,
 * while a {@code source_ip}-sticky client gets one target through each node; etcd frozen with
 * SIGSTOP for 30 s drops no flow (a long-lived TCP flow, 30 UDP flows, new connections), and a
 * change made after it returns reaches all nodes.
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
  private final List<String> links = new ArrayList<>();
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
    ipOut(args);
  }

  private String ipOut(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ipBinary());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ip " + String.join(" ", args) + ": " + out.strip());
    }
    return out;
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
      links.add(here);
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
    for (String link : links) {
      // Now, not with the namespace: the kernel frees a deleted namespace's devices later, and the
      // next test must not find this end still holding its address.
      ip("link", "del", link);
    }
    for (String ns : namespaces) {
      ip("netns", "del", ns);
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
            int n;
            while ((n = in.read(buf)) > 0) {
              out.write(buf, 0, n); // echo until the client closes
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

  /**
   * YAML added to every node's file by the test that sets it: {@code extraGroups} under {@code
   * targetGroups}, {@code extraListeners} under the load balancer's {@code listeners} (both indented
   * as list items there), {@code perNode} at the top level with {@code %d} for the node's index, {@code
   * %z} for its zone's letter and {@code %n} for its node address.
   */
  private String extraGroups = "";
  private String extraListeners = "";
  private String perNode = "";

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
        nodeAddress(1), nodeAddress(2), listenerPort)
        .replace("\nloadBalancers:\n", "\n" + extraGroups + "loadBalancers:\n") + extraListeners + perNode.replace("%d", Integer.toString(node))
        .replace("%z", String.valueOf((char) ('a' + node))).replace("%n", nodeAddress(node));
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

  private @Nullable ClusterNode observer;

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  /** Starts the three nodes (file targets {@code targets} behind TCP {@code port}) and an observer member; waits until all serve. */
  private List<Path> startCluster(int port, int... targets) throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      Path f = dir.resolve("node-" + i + ".yaml");
      Files.writeString(f, config(i, port, targets[0], targets));
      files.add(f);
    }
    for (int i = 0; i < NODES; i++) {
      startNode(i, files.get(i));
    }
    ClusterNode o = ClusterNode.builder(new ClusterSettings(List.of(etcd.endpoint()), "/nlb/netns", "observer", LEASE,
        Duration.ofSeconds(1))).tick(Duration.ofMillis(200)).start();
    resources.add(o);
    observer = o;
    Set<String> expected = Set.of("node-0", "node-1", "node-2", "observer");
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> o.members().keySet().equals(expected));
      for (int i = 0; i < NODES; i++) {
        int n = i;
        await().atMost(Duration.ofSeconds(10)).until(() -> ask(n, port).length() == 1);
      }
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("nodes did not come up; members " + o.members().keySet() + "\n" + logs(), e);
    }
    return files;
  }

  @Test
  void threeNodesInNamespaces_targetRegisteredThroughOneServesOnAllWithin2s_killedNodeLeavesWithinItsLease() throws Exception {
    int a = target("A");
    int b = target("B");
    int port = freePort();
    int apiPort = freePort();
    // Each node serves the AWS API on its node address, every subnet naming one of the file's zones.
    perNode = """
        awsApi:
          address: "%%n"
          port: %d
          region: us-east-2
          accessKeys:
            - {id: %s, secret: "%s"}
          subnets:
            - {id: subnet-0aaaa, zone: zone-a}
            - {id: subnet-0bbbb, zone: zone-b}
            - {id: subnet-0cccc, zone: zone-c}
        """.formatted(apiPort, API_KEY, API_SECRET);
    List<Path> files = startCluster(port, a, a);
    // Register B through node 0: its file changes and it gets SIGHUP; the reload writes to etcd.
    long t0 = System.nanoTime();
    reload(files.get(0), config(0, port, a, a, b));
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

    // The same through node 1's AWS API: a load balancer, group and listener of the API's own, then
    // B registered; every node carries it within 2 s of the call, and lists it under one ARN.
    try (ElasticLoadBalancingV2Client api = apiClient(1, apiPort)) {
      String tg = api.createTargetGroup(r -> r.name("api-web").protocol(ProtocolEnum.TCP).port(b).targetType(TargetTypeEnum.IP))
          .targetGroups().get(0).targetGroupArn();
      String lb = api.createLoadBalancer(r -> r.name("api-lb").type(LoadBalancerTypeEnum.NETWORK)
          .subnets("subnet-0aaaa", "subnet-0bbbb", "subnet-0cccc")).loadBalancers().get(0).loadBalancerArn();
      api.modifyLoadBalancerAttributes(r -> r.loadBalancerArn(lb).attributes(
          LoadBalancerAttribute.builder().key("load_balancing.cross_zone.enabled").value("true").build()));
      int apiListener = freePort();
      api.createListener(r -> r.loadBalancerArn(lb).protocol(ProtocolEnum.TCP).port(apiListener)
          .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg).build()));
      long t1 = System.nanoTime();
      api.registerTargets(r -> r.targetGroupArn(tg).targets(TargetDescription.builder().id(rootSide(0)).build()));
      for (int i = 0; i < NODES; i++) {
        int n = i;
        await().atMost(Duration.ofMillis(2000).minusNanos(System.nanoTime() - t1)).pollInterval(Duration.ofMillis(20))
            .until(() -> ask(n, apiListener).equals("B"));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - t1)).as("registered through node 1's API, B serves on all three")
          .isLessThan(Duration.ofSeconds(2));
      for (int i = 0; i < NODES; i++) {
        try (ElasticLoadBalancingV2Client other = apiClient(i, apiPort)) {
          assertThat(other.describeTargetGroups(r -> r.names("api-web")).targetGroups().get(0).targetGroupArn()).isEqualTo(tg);
        }
      }
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

  private static final String API_KEY = "AKIDNLBNETNSTEST0001";
  private static final String API_SECRET = "netns/test/secret+EXAMPLE0123456789";

  /** The AWS SDK's elbv2 client for node {@code i}'s endpoint. */
  private ElasticLoadBalancingV2Client apiClient(int i, int port) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(java.net.URI.create("http://" + nodeAddress(i) + ":" + port))
        .region(Region.of("us-east-2"))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(API_KEY, API_SECRET)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(x -> x.maxAttempts(1)))
        .build();
  }

  /** Rewrites node 0's file and sends it SIGHUP (by PID): the reload writes the shared configuration. */
  private void reload(Path file, String yaml) throws IOException, InterruptedException {
    Files.writeString(file, yaml);
    new ProcessBuilder("kill", "-HUP", Long.toString(nodes.get(0).pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
  }

  /** A UDP target that answers every datagram with its one-letter name. */
  private int udpTarget(String name) throws IOException {
    DatagramSocket s = UdpNameTarget.start(InetAddress.getByName(rootSide(0)), name);
    resources.add(s);
    return s.getLocalPort();
  }


  /** A UDP client flow: one socket bound to this namespace's first address, so its source stays the same on every path. */
  private DatagramSocket udpFlow() throws IOException {
    DatagramSocket c = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(rootSide(0)), 0));
    c.setSoTimeout(300);
    resources.add(c);
    return c;
  }

  /** Which UDP target answers a datagram of flow {@code c} to {@code address:port} ("" when none, after 3 tries). */
  private static String udpAsk(DatagramSocket c, String address, int port) throws IOException {
    InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(address), port);
    byte[] buf = new byte[16];
    for (int attempt = 0; attempt < 3; attempt++) {
      c.send(new DatagramPacket(new byte[] {'?'}, 1, to));
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        c.receive(in);
        return new String(buf, 0, in.getLength(), StandardCharsets.US_ASCII);
      } catch (java.net.SocketTimeoutException e) {
        // lost or not routed yet: again
      }
    }
    return "";
  }

  /** The UDP group "udp" (targets on {@code ports}) and, with source_ip stickiness, "sticky" (same targets), and their listeners. */
  private void udpGroups(int udpPort, int stickyPort, int... ports) {
    StringBuilder ts = new StringBuilder();
    for (int p : ports) {
      ts.append("      - {id: ").append(rootSide(0)).append(", port: ").append(p).append("}\n");
    }
    extraGroups = """
          - name: udp
            protocol: UDP
            port: %d
            targetType: ip
            targets:
        %s  - name: sticky
            protocol: UDP
            port: %d
            targetType: ip
            attributes:
              stickiness.enabled: "true"
              stickiness.type: source_ip
            targets:
        %s""".formatted(ports[0], ts, ports[0], ts);
    extraListeners = "      - {protocol: UDP, port: " + udpPort + ", targetGroup: udp}\n"
        + "      - {protocol: UDP, port: " + stickyPort + ", targetGroup: sticky}\n";
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket probe = new DatagramSocket(0)) {
      return probe.getLocalPort();
    }
  }

  @Test
  void udpOverSeveralNextHops_carrierKilled_everyFlowReachesItsTargetThroughAnotherNode_stickyClientSameTargetThroughAny()
      throws Exception {
    int a = target("A");
    int udpPort = freeUdpPort();
    int stickyPort = freeUdpPort();
    udpGroups(udpPort, stickyPort, udpTarget("A"), udpTarget("B"), udpTarget("C"));
    int port = freePort();
    startCluster(port, a);
    String vip = nodeAddress(0); // every node's namespace owns it on its loopback
    ip("route", "replace", vip + "/32", "nexthop", "via", nodeSide(0), "nexthop", "via", nodeSide(1), "nexthop", "via", nodeSide(2));

    // A sticky client reaches the same target through every node (the path pinned to one node at a time).
    Set<String> sticky = new HashSet<>();
    for (int i = 0; i < NODES; i++) {
      ip("route", "replace", vip + "/32", "via", nodeSide(i));
      for (int f = 0; f < 5; f++) {
        try (DatagramSocket c = udpFlow()) {
          String t = udpAsk(c, vip, stickyPort);
          assertThat(t).as("sticky flow %d through node %d", f, i).isNotEmpty();
          sticky.add(t);
        }
      }
    }
    assertThat(sticky).as("one target for the sticky client, whichever node and source port").hasSize(1);
    ip("route", "replace", vip + "/32", "nexthop", "via", nodeSide(0), "nexthop", "via", nodeSide(1), "nexthop", "via", nodeSide(2));

    // Many flows over the multipath route; the kernel hashes them all onto one next hop (L3 policy).
    int flows = 1000;
    List<DatagramSocket> clients = new ArrayList<>();
    List<String> before = new ArrayList<>();
    for (int f = 0; f < flows; f++) {
      DatagramSocket c = udpFlow();
      clients.add(c);
      before.add(udpAsk(c, vip, udpPort));
    }
    assertThat(before).as("every flow answered").doesNotContain("");
    assertThat(new HashSet<>(before)).as("flows spread over the targets").hasSize(3);
    String route = ipOut("route", "get", vip, "from", rootSide(0));
    int carrier = -1;
    for (int i = 0; i < NODES; i++) {
      if (route.contains("via " + nodeSide(i) + " ")) {
        carrier = i;
      }
    }
    assertThat(carrier).as("the next hop of %s", route.strip()).isNotNegative();

    // The carrier dies; the router (here: this namespace's route) drops its next hop.
    ProcessHandle.of(nodes.get(carrier).pid()).ifPresent(ProcessHandle::destroyForcibly);
    nodes.get(carrier).waitFor(10, TimeUnit.SECONDS);
    List<String> hops = new ArrayList<>(List.of("route", "replace", vip + "/32"));
    for (int i = 0; i < NODES; i++) {
      if (i != carrier) {
        hops.addAll(List.of("nexthop", "via", nodeSide(i)));
      }
    }
    ip(hops.toArray(String[]::new));
    int moved = 0;
    for (int f = 0; f < flows; f++) {
      String after = udpAsk(clients.get(f), vip, udpPort);
      if (after.equals(before.get(f))) {
        moved++;
      }
    }
    assertThat(moved).as("flows that reached the same target through another node").isEqualTo(flows);
  }

  @Test
  void etcdFrozen30s_noFlowDropped_changeAfterItReturnsReachesAllNodes() throws Exception {
    int a = target("A");
    int b = target("B");
    int udpPort = freeUdpPort();
    int stickyPort = freeUdpPort();
    udpGroups(udpPort, stickyPort, udpTarget("X"), udpTarget("Y"));
    int port = freePort();
    List<Path> files = startCluster(port, a);
    Socket established = new Socket();
    resources.add(established);
    established.connect(new InetSocketAddress(InetAddress.getByName(nodeAddress(1)), port), 1000);
    established.setSoTimeout(2000);
    assertThat(established.getInputStream().read()).isEqualTo('A');
    List<DatagramSocket> udp = new ArrayList<>();
    List<String> udpTargets = new ArrayList<>();
    for (int f = 0; f < 30; f++) {
      DatagramSocket c = udpFlow();
      udp.add(c);
      udpTargets.add(udpAsk(c, nodeAddress(f % NODES), udpPort));
    }
    assertThat(udpTargets).doesNotContain("");

    etcd.pause();
    try {
      int[] round = {0};
      await("flows while etcd is frozen").during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofSeconds(1)).until(() -> {
            String ping = "p" + round[0]++;
            established.getOutputStream().write(ping.getBytes(StandardCharsets.US_ASCII));
            byte[] back = established.getInputStream().readNBytes(ping.length());
            boolean ok = new String(back, StandardCharsets.US_ASCII).equals(ping);
            for (int f = 0; f < udp.size(); f++) {
              ok &= udpAsk(udp.get(f), nodeAddress(f % NODES), udpPort).equals(udpTargets.get(f));
            }
            for (int i = 0; i < NODES; i++) {
              ok &= ask(i, port).equals("A");
            }
            return ok;
          });
    } finally {
      etcd.resume();
    }

    // A change once etcd answers again reaches every node.
    await().atMost(Duration.ofSeconds(10)).until(() -> observer.clusterStatus().connected());
    reload(files.get(0), config(0, port, a, a, b));
    for (int i = 0; i < NODES; i++) {
      int n = i;
      Set<String> seen = new HashSet<>();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
        seen.add(ask(n, port));
        return seen.contains("B");
      });
    }
    established.getOutputStream().write("end".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(established.getInputStream().readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("end");
  }

  private static @Nullable String digBinary() {
    for (String p : List.of("/usr/bin/dig", "/bin/dig", "/usr/local/bin/dig")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  /** The A records {@code dig} gets for {@code name} from the DNS server at {@code server:port}. */
  private static Set<String> dig(String server, int port, String name) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(digBinary(), "@" + server, "-p", Integer.toString(port), name, "A", "+short", "+time=1", "+tries=1")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    Set<String> a = new HashSet<>();
    for (String line : out.split("\n")) {
      if (line.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
        a.add(line.strip());
      }
    }
    return a;
  }

  @Test
  void nodeKilled_leavesTheDnsAnswerWithinItsLease_itsClientsReconnectThroughTheName() throws Exception {
    Assumptions.assumeTrue(digBinary() != null, "needs dig (dnsutils) to query the DNS server");
    int a = target("A");
    int port = freePort();
    int dnsPort = freeUdpPort();
    perNode = "node: {zones: [zone-%z]}\ndns: {port: " + dnsPort + ", address: \"%n\"}\n";
    startCluster(port, a);
    String name = observer.liveNodes().get(0).dnsName();
    Set<String> all = Set.of(nodeAddress(0), nodeAddress(1), nodeAddress(2));
    await().atMost(Duration.ofSeconds(10)).until(() -> dig(nodeAddress(0), dnsPort, name).equals(all));
    assertThat(dig(nodeAddress(1), dnsPort, name)).as("every node answers alike").isEqualTo(all);

    Socket flow = new Socket();
    resources.add(flow);
    flow.connect(new InetSocketAddress(InetAddress.getByName(nodeAddress(2)), port), 1000);
    flow.setSoTimeout(2000);
    assertThat(flow.getInputStream().read()).isEqualTo('A');

    long killed = System.nanoTime();
    ProcessHandle.of(nodes.get(2).pid()).ifPresent(ProcessHandle::destroyForcibly);
    Set<String> rest = Set.of(nodeAddress(0), nodeAddress(1));
    await().atMost(LEASE.plusSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> dig(nodeAddress(0), dnsPort, name).equals(rest));
    Duration gone = Duration.ofNanos(System.nanoTime() - killed);
    assertThat(gone).as("out of the answer within the lease (the bound is the lease plus one TTL)").isLessThan(LEASE.plusSeconds(3));
    assertThat(dig(nodeAddress(1), dnsPort, name)).isEqualTo(rest);

    // The client of the dead node sees its flow end, asks the name again and reconnects elsewhere.
    assertThatFlowEnded(flow);
    String again = dig(nodeAddress(0), dnsPort, name).iterator().next();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(again), port), 1000);
      s.setSoTimeout(2000);
      assertThat(s.getInputStream().read()).as("reconnected through %s", again).isEqualTo('A');
    }
  }

  /** The flow's node is gone: a write then a read fails or sees the end (its namespace answers with a reset). */
  private static void assertThatFlowEnded(Socket flow) {
    boolean ended;
    try {
      flow.getOutputStream().write('x');
      flow.getOutputStream().flush();
      ended = flow.getInputStream().read() < 0;
    } catch (IOException e) {
      ended = true;
    }
    assertThat(ended).as("the flow through the killed node ended").isTrue();
  }
}
