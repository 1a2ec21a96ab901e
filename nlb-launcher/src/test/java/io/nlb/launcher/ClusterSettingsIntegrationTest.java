package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.LoadBalancer;
import io.nlb.core.RouteDecision;
import io.nlb.core.routing.FlowKey;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code identity}, {@code node} and {@code dns} keys: two launchers from one file in one JVM
 * (sharing their node addresses with SO_REUSEPORT) present one load balancer and route every flow
 * alike; {@code node.zones} binds only those zones; {@code dns} answers for the load balancer's
 * name, asked with {@code dig}.
 */
@Timeout(120)
class ClusterSettingsIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()))) {
      return d.getLocalPort();
    }
  }

  private static String file(String extra, int udpPort, int tcpPort) {
    StringBuilder targets = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      targets.append("      - {id: 10.0.1.").append(i).append("}\n");
      targets.append("      - {id: 10.0.2.").append(i).append("}\n");
    }
    return extra + """
        transport: {ioMode: NIO, threads: 1}
        healthChecks: false
        targetGroups:
          - name: udp
            protocol: UDP
            port: 53
            targetType: ip
            targets:
        %s  - name: sticky
            protocol: TCP
            port: 80
            targetType: ip
            attributes: {stickiness.enabled: "true", stickiness.type: source_ip}
            targets:
        %sloadBalancers:
          - name: shared
            zones:
              - {name: zone-a, addresses: [127.0.0.1], targetRanges: [10.0.1.0/24]}
              - {name: zone-b, addresses: [127.0.0.2], targetRanges: [10.0.2.0/24]}
            attributes: {load_balancing.cross_zone.enabled: "true"}
            listeners:
              - {protocol: UDP, port: %d, targetGroup: udp}
              - {protocol: TCP, port: %d, targetGroup: sticky}
        """.formatted(targets, targets, udpPort, tcpPort);
  }

  private Launcher start(String yaml) {
    Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml));
    resources.add(l);
    return l;
  }

  @Test
  void twoLaunchers_sameFile_oneLoadBalancerAndTheSameTargetForEveryFlow() throws Exception {
    int udp = freePort();
    int tcp = freePort();
    String yaml = file("identity: {name: prod-eu-1}\nnode: {reusePort: true}\n", udp, tcp);
    LoadBalancer a = start(yaml).loadBalancers().get(0);
    LoadBalancer b = start(yaml).loadBalancers().get(0);
    assertThat(b.resourceId()).isEqualTo(a.resourceId());
    assertThat(b.dnsName()).isEqualTo(a.dnsName());
    assertThat(b.listeners().get(0).resourceId()).isEqualTo(a.listeners().get(0).resourceId());
    assertThat(b.routingSnapshot().flowHashSeed()).isEqualTo(a.routingSnapshot().flowHashSeed());
    for (String zone : List.of("zone-a", "zone-b")) {
      InetSocketAddress udpNode = new InetSocketAddress(zone.equals("zone-a") ? "127.0.0.1" : "127.0.0.2", udp);
      InetSocketAddress tcpNode = new InetSocketAddress(udpNode.getAddress(), tcp);
      for (int i = 0; i < 10_000; i++) {
        InetSocketAddress client = new InetSocketAddress("198.51." + (i >> 8 & 0xff) + "." + (i & 0xff), 1024 + (i * 7) % 60000);
        FlowKey flow = FlowKey.udp(client, udpNode);
        RouteDecision da = a.whatIf(zone, flow);
        assertThat(da.address()).isPresent();
        assertThat(b.whatIf(zone, flow).address()).as("%s %s", zone, flow).isEqualTo(da.address());
        if (i % 10 == 0) {
          // Sticky: any connection of the client, on either launcher.
          RouteDecision sa = a.whatIf(zone, FlowKey.tcp(client, tcpNode, i));
          FlowKey other = FlowKey.tcp(new InetSocketAddress(client.getAddress(), 2000 + i % 50000), tcpNode, ~i);
          assertThat(b.whatIf(zone, other).address()).as("sticky %s", client).isEqualTo(sa.address());
        }
      }
    }
  }

  @Test
  void identity_seedFromTheFile_usedByTheControlPlane() throws Exception {
    LoadBalancer lb = start(file("identity: {name: x, flowHashSeed: -42}\n", freePort(), freePort())).loadBalancers().get(0);
    assertThat(lb.routingSnapshot().flowHashSeed()).isEqualTo(-42L);
  }

  @Test
  void nodeZones_bindsOnlyThoseZones() throws Exception {
    Launcher l = start(file("node: {zones: [zone-b]}\n", freePort(), freePort()));
    assertThat(l.transport().bindings(l.loadBalancers().get(0)))
        .isNotEmpty()
        .allSatisfy(binding -> assertThat(binding).contains("zone-b").contains("127.0.0.2"));
    // Routing still knows both zones, so it is the same as in the process that runs zone-a.
    assertThat(l.loadBalancers().get(0).routingSnapshot().zones()).hasSize(2);
  }

  @Test
  void badKeys_areReportedWithPathValueAndExpectation() {
    assertThatThrownBy(() -> LauncherConfig.parseYaml(file(
        "identity: {name: \"\", flowHashSeed: abc}\nnode: {zones: [zone-x], reusePort: maybe}\ndns: {address: example.org, port: 70000}\n",
        5300, 5301)))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "identity.name: \"\" (expected: 1-256 characters)",
            "identity.flowHashSeed: \"abc\" (expected: a whole number from -9223372036854775808 to 9223372036854775807)",
            "node.zones[0]: \"zone-x\" (expected: a zone of a load balancer in the file, one of [zone-a, zone-b])",
            "node.reusePort: \"maybe\" (expected: true or false)",
            "dns.port: 70000 (expected: 0-65535)",
            "dns.address: \"example.org\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)"));
  }

  @Test
  void dnsAddress_malformedIpv4OrHostName_isRefused() {
    for (String bad : List.of("1.2.3.4.5", "256.0.0.1", "localhost")) {
      assertThatThrownBy(() -> LauncherConfig.parseYaml(file("dns: {address: \"" + bad + "\", port: 53}\n", 5300, 5301)))
          .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).containsExactly(
              "dns.address: \"" + bad + "\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)"));
    }
    assertThat(LauncherConfig.parseYaml(file("dns: {address: \"::1\", port: 53}\n", 5300, 5301)).cluster().dns())
        .isEqualTo(new InetSocketAddress("::1", 53));
  }

  @Test
  void dns_answersTheLoadBalancersNameWithItsOwnNodes() throws Exception {
    Launcher l = start(file("node: {zones: [zone-a]}\ndns: {port: 0}\n", freePort(), freePort()));
    int port = l.dnsServer().orElseThrow().address().getPort();
    String name = l.loadBalancers().get(0).dnsName();
    Process p = new ProcessBuilder("dig", "@127.0.0.1", "-p", String.valueOf(port), "+time=5", "+tries=3", "+noall", "+answer",
        name, "A").redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(45, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().replaceAll("\\s+", " ");
      // zone-b's node runs in another process: this one's directory has it as gone.
      assertThat(out).isEqualTo(name + ". 60 IN A 127.0.0.1");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void reload_changingNode_isRefused() throws Exception {
    int udp = freePort();
    int tcp = freePort();
    Launcher l = start(file("node: {zones: [zone-a]}\n", udp, tcp));
    ConfigReloader.Result r = l.reloader().reload(LauncherConfig.parseYaml(file("node: {zones: [zone-b]}\n", udp, tcp)));
    assertThat(r.ok()).isFalse();
    assertThat(r.toString()).contains("identity/node/dns: ").contains("needs a restart");
  }
}
