package io.nlb.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.IpAddressType;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.directory.Attribute;
import javax.naming.directory.InitialDirContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DNS server on loopback, asked by {@code dig} (Debian package dnsutils) and by the JDK's DNS
 * resolver (JNDI {@code dns://}): answers, TTL, DNS failover, fail-open, zonal shift, a gone node,
 * per-zone names, negative answers and the TCP fallback.
 */
@Timeout(180)
class DnsServerIntegrationTest {
  private final ManualScheduler time = new ManualScheduler();
  private final Set<String> gone = ConcurrentHashMap.newKeySet();
  private Nlb nlb;
  private DnsServer server;
  private LoadBalancer lb;
  private TargetGroup web;
  private String name;

  private static final List<Target> A = List.of(Target.ip("10.0.1.5"), Target.ip("10.0.1.6"));
  private static final List<Target> B = List.of(Target.ip("10.0.2.5"), Target.ip("10.0.2.6"));
  private static final List<Target> C = List.of(Target.ip("10.0.3.5"), Target.ip("10.0.3.6"));

  @BeforeEach
  void start() {
    nlb = Nlb.builder().scheduler(time).identity("dns-test").build();
    web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build());
    lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("edge")
        .ipAddressType(IpAddressType.DUALSTACK)
        .zone(Zone.builder("zone-a").address("127.0.0.1").address("::1").targetRange("10.0.1.0/24").build())
        .zone(Zone.builder("zone-b").address("127.0.0.2").address("2001:db8::2").targetRange("10.0.2.0/24").build())
        .zone(Zone.builder("zone-c").address("127.0.0.3").address("2001:db8::3").targetRange("10.0.3.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
    web.registerTargets(A);
    web.registerTargets(B);
    web.registerTargets(C);
    health(A, true);
    health(B, true);
    health(C, true);
    name = lb.dnsName();
    server = DnsServer.builder(NodeDirectory.of(nlb, (l, zone) -> !gone.contains(zone)), "elb.local")
        .address(new InetSocketAddress("127.0.0.1", 0))
        .build();
  }

  @AfterEach
  void stop() {
    server.close();
    nlb.close();
  }

  private void health(List<Target> targets, boolean healthy) {
    for (Target t : targets) {
      web.reportHealth(t, healthy ? TargetHealth.healthy() : TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
    }
  }

  // ------------------------------------------------------------------ dig

  /** Runs dig against the server; returns its standard output. */
  private String dig(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(server.address().getPort()),
        "+time=5", "+tries=3")); // generous: the CI machine may be loaded
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("dig: not found (expected: the dnsutils package installed; CI installs it in .ci/run)", e);
    }
    try {
      assertThat(p.waitFor(45, TimeUnit.SECONDS)).as("dig finished").isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).as("dig reached the server").doesNotContain("timed out").doesNotContain("no servers could be reached");
      return out;
    } finally {
      p.destroyForcibly();
    }
  }

  /** The answer section as "name ttl class type data" lines, whitespace collapsed. */
  private List<String> answers(String qname, String type, String... extra) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("+noall", "+answer"));
    args.addAll(List.of(extra));
    args.add(qname);
    args.add(type);
    List<String> out = new ArrayList<>();
    for (String line : dig(args.toArray(String[]::new)).split("\n")) {
      if (!line.isBlank() && !line.startsWith(";")) {
        out.add(line.trim().replaceAll("\\s+", " "));
      }
    }
    return out;
  }

  private List<String> addresses(String qname, String type, String... extra) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (String line : answers(qname, type, extra)) {
      out.add(line.substring(line.lastIndexOf(' ') + 1));
    }
    return out;
  }

  @Test
  void dig_allZonesHealthy_answersEveryNodeAuthoritativelyWithTtl60() throws Exception {
    assertThat(answers(name, "A")).containsExactly(
        name + ". 60 IN A 127.0.0.1", name + ". 60 IN A 127.0.0.2", name + ". 60 IN A 127.0.0.3");
    assertThat(answers(name, "AAAA")).containsExactly(
        name + ". 60 IN AAAA ::1", name + ". 60 IN AAAA 2001:db8::2", name + ". 60 IN AAAA 2001:db8::3");
    String full = dig(name, "A");
    assertThat(full).contains("status: NOERROR").containsPattern("flags: qr aa[ ;]");
    // Names are case-insensitive; the question is echoed as asked.
    assertThat(addresses(name.toUpperCase(java.util.Locale.ROOT), "A")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
  }

  @Test
  void dig_zoneBelowDnsFailoverThreshold_leavesTheAnswer() throws Exception {
    health(B, false);
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.3");
    health(B, true);
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
  }

  @Test
  void dig_dnsFailoverPercentage_zoneWithHalfItsTargetsLeaves() throws Exception {
    web.modifyAttributes(java.util.Map.of("target_group_health.dns_failover.minimum_healthy_targets.percentage", "100"));
    health(List.of(C.get(0)), false);
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.2");
  }

  @Test
  void dig_everyZoneUnhealthy_failsOpenWithEveryNode() throws Exception {
    health(A, false);
    health(B, false);
    health(C, false);
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
  }

  @Test
  void dig_zonalShift_movesTheZoneOutEvenWhenTheOthersFailOpen() throws Exception {
    lb.startZonalShift("zone-b", Duration.ofMinutes(30), "test");
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.3");
    health(A, false);
    health(C, false);
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.3");
    lb.cancelZonalShift();
    health(A, true);
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.2");
  }

  @Test
  void dig_nodeGone_leavesTheAnswerAndItsZoneName() throws Exception {
    gone.add("zone-c");
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.2");
    assertThat(addresses("zone-c." + name, "A")).isEmpty();
    assertThat(dig("zone-c." + name, "A")).contains("status: NOERROR");
    // The gone node does not come back through fail-open.
    health(A, false);
    health(B, false);
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.2");
  }

  @Test
  void dig_perZoneNames_answerTheirNodeWhateverItsHealth() throws Exception {
    health(B, false);
    assertThat(answers("zone-b." + name, "A")).containsExactly("zone-b." + name + ". 60 IN A 127.0.0.2");
    assertThat(addresses("zone-a." + name, "AAAA")).containsExactly("::1");
    assertThat(dig("zone-x." + name, "A")).contains("status: NXDOMAIN");
  }

  @Test
  void dig_unknownNameInTheZone_isNxdomainWithTheSoa() throws Exception {
    String out = dig("nope-0123456789abcdef.elb.local", "A");
    assertThat(out).contains("status: NXDOMAIN").containsPattern("flags: qr aa[ ;]")
        .containsPattern("elb\\.local\\.\\s+60\\s+IN\\s+SOA\\s+ns\\.elb\\.local\\. hostmaster\\.elb\\.local\\. 1 3600 600 86400 60");
  }

  @Test
  void dig_otherTypeOfAKnownName_isNoDataWithTheSoa() throws Exception {
    String out = dig(name, "TXT");
    assertThat(out).contains("status: NOERROR").contains("ANSWER: 0").contains("AUTHORITY: 1");
  }

  @Test
  void dig_apex_answersSoaAndNs() throws Exception {
    assertThat(answers("elb.local", "SOA")).singleElement().asString()
        .isEqualTo("elb.local. 60 IN SOA ns.elb.local. hostmaster.elb.local. 1 3600 600 86400 60");
    assertThat(answers("elb.local", "NS")).containsExactly("elb.local. 60 IN NS ns.elb.local.");
  }

  @Test
  void dig_nameOutsideTheZone_isRefused() throws Exception {
    String out = dig("example.com", "A");
    assertThat(out).contains("status: REFUSED").doesNotContainPattern("flags: qr aa");
  }

  @Test
  void dig_overTcp_answersTheSame() throws Exception {
    assertThat(addresses(name, "A", "+tcp")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
    assertThat(dig("+tcp", "example.com", "A")).contains("status: REFUSED");
  }

  @Test
  void dig_answerLargerThan512Bytes_isTruncatedOverUdpAndWholeOverTcp() throws Exception {
    String many = manyZones();
    String udpOnly = dig("+ignore", many, "A");
    assertThat(udpOnly).contains("flags: qr aa tc").contains("ANSWER: 0");
    // Without +ignore, dig retries over TCP, as any resolver does.
    List<String> all = addresses(many, "A");
    assertThat(all).hasSize(14).contains("127.0.1.1", "127.0.1.14");
  }

  /** A load balancer with 14 zones: its 14 A records do not fit in 512 bytes. */
  private String manyZones() {
    nlb.createTargetGroup(TargetGroupConfig.builder("web2", Protocol.TCP, 8080).targetType(TargetType.IP).build());
    LoadBalancerConfig.Builder big = LoadBalancerConfig.builder("many-zones-with-a-long-name")
        .listener(ListenerConfig.builder(Protocol.TCP, 81).forwardTo("web2").build());
    for (int i = 1; i <= 14; i++) {
      big.zone(Zone.builder("z" + i).address("127.0.1." + i).targetRange("10.1." + i + ".0/24").build());
    }
    return nlb.createLoadBalancer(big.build()).dnsName();
  }

  // ------------------------------------------------------------------ the JDK's resolver

  // The DNS provider only (dns:// against our own server): DNS attributes are strings, nothing is
  // deserialized, which is what BanJNDI guards against.
  @SuppressWarnings("BanJNDI")
  private List<String> jdk(String qname, String type) throws Exception {
    Hashtable<String, String> env = new Hashtable<>();
    env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
    env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + server.address().getPort());
    env.put("com.sun.jndi.dns.timeout.initial", "3000");
    env.put("com.sun.jndi.dns.timeout.retries", "3");
    InitialDirContext ctx = new InitialDirContext(env);
    try {
      Attribute a = ctx.getAttributes(qname, new String[] {type}).get(type);
      List<String> out = new ArrayList<>();
      if (a != null) {
        NamingEnumeration<?> values = a.getAll();
        while (values.hasMore()) {
          out.add(String.valueOf(values.next()));
        }
      }
      return out;
    } finally {
      ctx.close();
    }
  }

  @Test
  void jdkResolver_followsFailoverAndZonalShift() throws Exception {
    assertThat(jdk(name, "A")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
    health(A, false);
    assertThat(jdk(name, "A")).containsExactly("127.0.0.2", "127.0.0.3");
    lb.startZonalShift("zone-c", Duration.ofMinutes(5), "test");
    assertThat(jdk(name, "A")).containsExactly("127.0.0.2");
    assertThat(jdk("zone-a." + name, "A")).containsExactly("127.0.0.1");
    assertThat(jdk(name, "AAAA")).containsExactly("2001:db8::2");
  }

  @Test
  void jdkResolver_unknownName_isNameNotFound() {
    assertThatThrownBy(() -> jdk("nope.elb.local", "A")).isInstanceOf(NameNotFoundException.class);
  }

  @Test
  void jdkResolver_truncatedAnswer_retriesOverTcp() throws Exception {
    String many = manyZones();
    assertThat(jdk(many, "A")).hasSize(14);
  }

  @Test
  void garbage_overUdpAndTcp_isDroppedAndTheServerKeepsAnswering() throws Exception {
    try (java.net.DatagramSocket udp = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      byte[] junk = {1, 2, 3, 4, 5};
      udp.send(new java.net.DatagramPacket(junk, junk.length, server.address()));
    }
    try (java.net.Socket tcp = new java.net.Socket(server.address().getAddress(), server.address().getPort())) {
      tcp.setSoTimeout(5000);
      // A length prefix of 12 and 12 bytes that claim 65535 questions.
      tcp.getOutputStream().write(new byte[] {0, 12, 0, 1, 1, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0});
      assertThat(tcp.getInputStream().read()).as("the server closes the connection").isEqualTo(-1);
    }
    assertThat(addresses(name, "A")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
    assertThat(addresses(name, "A", "+tcp")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
  }

  @Test
  void builder_badZone_namesFieldValueAndExpectation() {
    assertThatThrownBy(() -> DnsServer.builder(NodeDirectory.of(nlb), "Not A Zone"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dns.zone: \"Not A Zone\" (expected: a lower-case DNS domain such as elb.local)");
  }

  @Test
  void builder_portTaken_failsWithTheAddress() {
    assertThatThrownBy(() -> DnsServer.builder(NodeDirectory.of(nlb), "elb.local").address(server.address()).build())
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageStartingWith("dns.address: ");
  }
}
