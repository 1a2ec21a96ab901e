package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ErrorCode;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.NlbException;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.metrics.Metric;
import io.nlb.tls.CipherSuite;
import io.nlb.tls.SecurityPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS listeners end to end on loopback, once per I/O mode: termination and offload to plaintext
 * targets (seed 001), re-encryption to TLS targets, the two negotiation error metrics, certificate
 * hot swap, SNI, access logs, and TLS passthrough through a TCP listener (seed 003).
 *
 * <p>Listeners use {@code ELBSecurityPolicy-TLS13-1-2-2021-06}, which a stock JDK serves exactly;
 * the default policy (2016-08, with TLS 1.0/1.1) is refused on such a JDK, as one test shows.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsIntegrationTest {
  private static final String POLICY = SecurityPolicy.TLS13_1_2_2021_06.name();
  private Harness h;
  private final TlsTargets targets = new TlsTargets();

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private static ListenerConfig.Builder tls(int port, String group) {
    return ListenerConfig.builder(Protocol.TLS, port).forwardTo(group).certificate(TlsTargets.A).sslPolicy(POLICY);
  }

  private long metric(LoadBalancer lb, Metric m) {
    return h.value(lb, "zone-a", m);
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void offload_tlsListenerToTwoPlainTargets_bothAnswer_underThePolicy(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort(); // stands in for 443
    TargetGroup g = h.group("web", Protocol.TCP);
    TlsTargets.Target t1 = targets.plain("t1");
    TlsTargets.Target t2 = targets.plain("t2");
    g.registerTargets(Target.ip("127.0.0.1", t1.port), Target.ip("127.0.0.1", t2.port));
    LoadBalancer lb = h.lb("offload", Harness.zoneA(), tls(port, "web").build());
    SSLContext client = TlsTargets.trusting(TlsTargets.A);

    Set<String> answeredBy = new HashSet<>();
    long bytes = 0;
    for (int i = 0; i < 40 && answeredBy.size() < 2; i++) {
      String[] protocols = i % 2 == 0 ? new String[0] : new String[] {"TLSv1.2"};
      try (SSLSocket s = TlsTargets.connect(client, port, null, protocols)) {
        String answer = TlsTargets.ask(s, "hello " + i);
        assertThat(answer).matches("t[12]:hello " + i);
        answeredBy.add(answer.substring(0, 2));
        String protocol = s.getSession().getProtocol();
        assertThat(protocol).isEqualTo(i % 2 == 0 ? "TLSv1.3" : "TLSv1.2");
        assertThat(SecurityPolicy.TLS13_1_2_2021_06.jsseCipherSuites()).contains(s.getSession().getCipherSuite());
        assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
            .isEqualTo("CN=a.example");
      }
    }

    assertThat(answeredBy).containsExactlyInAnyOrder("t1", "t2");
    await().atMost(Duration.ofSeconds(10)).until(() -> metric(lb, Metric.ACTIVE_FLOW_COUNT_TLS) == 0);
    assertThat(metric(lb, Metric.NEW_FLOW_COUNT_TLS)).isEqualTo(metric(lb, Metric.NEW_FLOW_COUNT)).isGreaterThanOrEqualTo(2);
    assertThat(metric(lb, Metric.NEW_FLOW_COUNT_TCP)).isZero();
    assertThat(metric(lb, Metric.PROCESSED_BYTES_TLS)).isEqualTo(metric(lb, Metric.PROCESSED_BYTES)).isPositive();
    assertThat(metric(lb, Metric.PROCESSED_BYTES_TCP)).isZero();
    assertThat(metric(lb, Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT)).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void failedClientHandshake_countedOnce_noTargetConnection_noReset(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("web", Protocol.TCP);
    TlsTargets.Target t1 = targets.plain("t1");
    g.registerTargets(Target.ip("127.0.0.1", t1.port));
    LoadBalancer lb = h.lb("bad-hello", Harness.zoneA(), tls(port, "web").build());

    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // The load balancer closes the connection; whatever it sends is not an answer from a target.
      try {
        s.getInputStream().readAllBytes();
      } catch (IOException e) {
        // a reset is fine too
      }
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> metric(lb, Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT) == 1);
    assertThat(t1.accepted).hasValue(0);
    assertThat(metric(lb, Metric.NEW_FLOW_COUNT)).isZero();
    assertThat(metric(lb, Metric.TCP_CLIENT_RESET_COUNT)).isZero();
    assertThat(h.transport.activeTcpFlows()).isZero();
    // A connection that sends nothing is not a negotiation.
    new Socket("127.0.0.1", port).close();
    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A), port, null)) {
      assertThat(TlsTargets.ask(s, "after")).isEqualTo("t1:after");
    }
    assertThat(metric(lb, Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT)).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void tlsGroup_reencryptsToTheTarget(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("secure", Protocol.TLS);
    TlsTargets.Target t = targets.tls("secure-target", TlsTargets.TARGET);
    g.registerTargets(Target.ip("127.0.0.1", t.port));
    LoadBalancer lb = h.lb("reencrypt", Harness.zoneA(), tls(port, "secure").build());

    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A), port, "a.example")) {
      assertThat(TlsTargets.ask(s, "one")).isEqualTo("secure-target:one");
      assertThat(TlsTargets.ask(s, "two")).isEqualTo("secure-target:two");
    }

    assertThat(t.accepted).hasValue(1);
    assertThat(metric(lb, Metric.TARGET_TLS_NEGOTIATION_ERROR_COUNT)).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void tlsGroup_plaintextTarget_countsTargetNegotiationError_resetsClient(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("secure", Protocol.TLS);
    TlsTargets.Target t = targets.rude("HTTP/1.0 400 Bad Request\r\n\r\n");
    g.registerTargets(Target.ip("127.0.0.1", t.port));
    LoadBalancer lb = h.lb("reencrypt-fail", Harness.zoneA(), tls(port, "secure").build());

    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A), port, null)) {
      s.getOutputStream().write("lost\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      int read;
      try {
        read = s.getInputStream().read();
      } catch (IOException e) {
        read = -2; // reset
      }
      assertThat(read).isNegative();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> metric(lb, Metric.TARGET_TLS_NEGOTIATION_ERROR_COUNT) == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> metric(lb, Metric.ACTIVE_FLOW_COUNT) == 0);
    assertThat(t.accepted).hasValue(1);
    assertThat(metric(lb, Metric.CLIENT_TLS_NEGOTIATION_ERROR_COUNT)).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void targetResets_tlsClientSeesAReset_notACleanEndOfStream(IoMode mode) throws Exception {
    Harness.assumeTargetResetsSeen(mode);
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("web", Protocol.TCP);
    try (java.net.ServerSocket target = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Thread resetter = new Thread(() -> {
        try (Socket c = target.accept()) {
          c.getInputStream().read(); // the client's first byte arrived: now reset
          c.setSoLinger(true, 0);
        } catch (IOException e) {
          // the test fails on its own assertions
        }
      }, "resetting-target");
      resetter.setDaemon(true);
      resetter.start();
      g.registerTargets(Target.ip("127.0.0.1", target.getLocalPort()));
      LoadBalancer lb = h.lb("tls-reset", Harness.zoneA(), tls(port, "web").build());
      try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A), port, null)) {
        s.getOutputStream().write('x');
        s.getOutputStream().flush();
        // A reset is abortive: no close_notify, so the client's read fails instead of returning -1.
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(IOException.class);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(lb, Metric.TCP_TARGET_RESET_COUNT) == 1);
      resetter.join(5000);
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void hotSwap_newDefaultCertificate_newConnectionsOnly_liveConnectionKeepsWorking(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("web", Protocol.TCP);
    TlsTargets.Target t1 = targets.plain("t1");
    g.registerTargets(Target.ip("127.0.0.1", t1.port));
    LoadBalancer lb = h.lb("swap", Harness.zoneA(), tls(port, "web").build());
    Listener listener = lb.listeners().get(0);
    SSLContext client = TlsTargets.trusting(TlsTargets.A, TlsTargets.B);

    try (SSLSocket live = TlsTargets.connect(client, port, null)) {
      assertThat(TlsTargets.ask(live, "before")).isEqualTo("t1:before");
      assertThat(subject(live)).isEqualTo("CN=a.example");

      listener.modify(listener.config().toBuilder().certificate(TlsTargets.B).build());

      // The same client context: the client offers to resume the session it has with a.example's
      // certificate. That session lives in the old certificate's server context only, so the new
      // connection gets a full handshake and the new certificate (SessionResumptionTest in nlb-tls).
      try (SSLSocket fresh = TlsTargets.connect(client, port, null)) {
        assertThat(subject(fresh)).isEqualTo("CN=b.example");
        assertThat(TlsTargets.ask(fresh, "new")).isEqualTo("t1:new");
      }
      assertThat(TlsTargets.ask(live, "after")).isEqualTo("t1:after");
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void sni_picksTheMatchingCertificate(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("web", Protocol.TCP);
    TlsTargets.Target t1 = targets.plain("t1");
    g.registerTargets(Target.ip("127.0.0.1", t1.port));
    h.lb("sni", Harness.zoneA(), tls(port, "web").addCertificate(TlsTargets.B).build());

    for (String name : List.of("a.example", "b.example", "a.example")) {
      SSLContext client = TlsTargets.trusting(TlsTargets.A, TlsTargets.B);
      try (SSLSocket s = TlsTargets.connect(client, port, name)) {
        assertThat(subject(s)).isEqualTo("CN=" + name);
        assertThat(TlsTargets.ask(s, name)).isEqualTo("t1:" + name);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void addCertificates_onALiveListener_newHandshakesSelectIt(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("web", Protocol.TCP);
    TlsTargets.Target t1 = targets.plain("t1");
    g.registerTargets(Target.ip("127.0.0.1", t1.port));
    LoadBalancer lb = h.lb("sni-add", Harness.zoneA(), tls(port, "web").build());
    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A, TlsTargets.B), port, "b.example")) {
      assertThat(subject(s)).isEqualTo("CN=a.example"); // no match: the default
    }

    lb.listeners().get(0).addCertificates(TlsTargets.B);

    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A, TlsTargets.B), port, "b.example")) {
      assertThat(subject(s)).isEqualTo("CN=b.example");
      assertThat(TlsTargets.ask(s, "added")).isEqualTo("t1:added");
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void accessLog_enabled_handshakeWritesALine_publishedAfterFiveMinutes(IoMode mode, @TempDir Path bucket) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("web", Protocol.TCP);
    TlsTargets.Target t1 = targets.plain("t1");
    g.registerTargets(Target.ip("127.0.0.1", t1.port));
    LoadBalancer lb = h.lb("logged", Harness.zoneA(), tls(port, "web").build());
    lb.modifyAttributes(Map.of("access_logs.s3.enabled", "true", "access_logs.s3.bucket", bucket.toString(),
        "access_logs.s3.prefix", "nlb"));

    String client;
    String cipher;
    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A), port, null)) {
      assertThat(TlsTargets.ask(s, "logged")).isEqualTo("t1:logged");
      client = "127.0.0.1:" + s.getLocalPort();
      cipher = CipherSuite.find(s.getSession().getCipherSuite()).opensslName();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> metric(lb, Metric.ACTIVE_FLOW_COUNT) == 0);

    // The entry is queued when the client connection closes; every 5 minutes of the scheduler's
    // time publish what has arrived.
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      h.scheduler.advance(Duration.ofMinutes(5));
      return !logLines(bucket).isEmpty();
    });
    List<String> lines = logLines(bucket);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("tls 2.0 ").contains(" " + client + " ").contains(" " + cipher + " ").contains(" tlsv13 ")
        .contains(lb.listeners().get(0).resourceId());
    try (Stream<Path> files = Files.walk(bucket)) {
      assertThat(files.filter(Files::isRegularFile).map(Path::toString).collect(Collectors.toList()))
          .allMatch(f -> f.contains("/nlb/AWSLogs/000000000000/elasticloadbalancing/local/") && f.endsWith(".log.gz"));
    }

    // Disabling closes the log; later connections are not logged.
    lb.modifyAttributes(Map.of("access_logs.s3.enabled", "false"));
    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.A), port, null)) {
      assertThat(TlsTargets.ask(s, "unlogged")).isEqualTo("t1:unlogged");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> metric(lb, Metric.ACTIVE_FLOW_COUNT) == 0);
    h.scheduler.advance(Duration.ofMinutes(10));
    assertThat(logLines(bucket)).hasSize(1);
  }

  private static List<String> logLines(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> gz = files.filter(p -> p.toString().endsWith(".log.gz")).collect(Collectors.toList());
      List<String> out = new java.util.ArrayList<>();
      for (Path p : gz) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(p)),
            StandardCharsets.UTF_8))) {
          r.lines().forEach(out::add);
        }
      }
      return out;
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void passthrough_tcpListener_relaysTheTlsSessionUntouched(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    TargetGroup g = h.group("tls-targets", Protocol.TCP);
    TlsTargets.Target t = targets.tls("terminating", TlsTargets.TARGET);
    g.registerTargets(Target.ip("127.0.0.1", t.port));
    LoadBalancer lb = h.lb("passthrough", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo("tls-targets").build());

    try (SSLSocket s = TlsTargets.connect(TlsTargets.trusting(TlsTargets.TARGET), port, null)) {
      // The certificate is the target's: the load balancer did not terminate.
      assertThat(subject(s)).isEqualTo("CN=target.example");
      assertThat(TlsTargets.ask(s, "through")).isEqualTo("terminating:through");
    }
    assertThat(metric(lb, Metric.NEW_FLOW_COUNT_TCP)).isEqualTo(1);
    assertThat(metric(lb, Metric.NEW_FLOW_COUNT_TLS)).isZero();
  }

  @Test
  void defaultPolicy_notServedExactlyByTheJdk_listenerRefusedWithTheReason() throws Exception {
    h = new Harness(IoMode.NIO);
    int port = Harness.freePort();
    h.group("web", Protocol.TCP);
    LoadBalancer lb = h.lb("plain", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, Harness.freePort()).forwardTo("web").build());
    ListenerConfig defaultPolicy = ListenerConfig.builder(Protocol.TLS, port).forwardTo("web").certificate(TlsTargets.A).build();
    org.junit.jupiter.api.Assumptions.assumeFalse(io.nlb.tls.PolicySupport.check(SecurityPolicy.DEFAULT, io.nlb.tls.TlsProvider.JDK).exact(),
        "this JVM enables TLS 1.0/1.1, so the default policy is served exactly");

    assertThatThrownBy(() -> lb.createListener(defaultPolicy))
        .isInstanceOfSatisfying(NlbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_FAILURE))
        .hasMessageContaining("listener[TLS:" + port + "]")
        .hasMessageContaining("ELBSecurityPolicy-2016-08")
        .hasMessageContaining("fix:");
    assertThat(h.transport.bindings(lb)).noneMatch(b -> b.endsWith(":" + port));
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void proxyHeader_tlsTlvs_carryAlpnServerNameVersionAndCipher(IoMode mode) throws Exception {
    h = new Harness(mode);
    int port = Harness.freePort();
    java.net.ServerSocket decoding = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread t = new Thread(() -> {
      try (decoding; java.net.Socket s = decoding.accept()) {
        s.setSoTimeout(5000);
        java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
        io.nlb.proxyprotocol.ProxyHeader header = io.nlb.proxyprotocol.ProxyHeaders.read(in).first();
        io.nlb.proxyprotocol.ProxySsl ssl = java.util.Objects.requireNonNull(header.ssl());
        byte[] alpn = java.util.Objects.requireNonNull(header.alpn());
        String report = new String(alpn, StandardCharsets.US_ASCII) + " " + header.authority() + " " + ssl.client() + " "
            + ssl.version() + " " + ssl.cipher();
        seen.add(report);
        s.getOutputStream().write((report + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        in.read(); // until the client closes
      } catch (IOException | RuntimeException e) {
        seen.add("error " + e);
      }
    }, "pp2-tls-target");
    t.setDaemon(true);
    t.start();
    TargetGroup g = h.group("pp2", Protocol.TCP, io.nlb.core.TargetGroupAttributes.builder()
        .proxyProtocolV2(true).proxyProtocolV2TlsTlvs(true).build());
    g.registerTargets(Target.ip("127.0.0.1", decoding.getLocalPort()));
    h.lb("tlvs", Harness.zoneA(), tls(port, "pp2").alpnPolicy(io.nlb.core.AlpnPolicy.HTTP2_PREFERRED).build());

    SSLSocket s = (SSLSocket) TlsTargets.trusting(TlsTargets.A).getSocketFactory().createSocket();
    try (s) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new javax.net.ssl.SNIHostName("a.example")));
      p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      s.setSSLParameters(p);
      s.startHandshake();
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();

      assertThat(line).as("target saw %s", seen).isEqualTo("h2 a.example 1 " + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite());
    }
  }

  private static String subject(SSLSocket s) throws Exception {
    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }
}
