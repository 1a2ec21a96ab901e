package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.spi.CheckOutcome;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.ProbeRequest;
import io.nlb.core.spi.ProbeResult;
import io.nlb.proxyprotocol.ProxyHeader;
import io.nlb.proxyprotocol.ProxyHeaders;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transport's health probe against loopback targets (blocking {@link ServerSocket}s), once per
 * I/O mode: TCP, HTTP and HTTPS checks, the preamble, timeouts with their phase, and what a closed
 * probe answers. Timeouts are shortened with {@link ProbeRequest#withTimeout}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@NullUnmarked
class NettyHealthProbeIntegrationTest {
  static final Duration SHORT = Duration.ofMillis(400);
  static final String NODE = "127.0.0.2:80";

  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private NettyTransport transport;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : resources) {
      c.close();
    }
    if (transport != null) {
      transport.close();
    }
  }

  HealthProbe probe(IoMode mode) {
    transport = NettyTransport.builder().ioMode(mode).threads(1).shutdownTimeout(Duration.ofSeconds(1)).build();
    return transport.healthProbe().orElseThrow();
  }

  static ProbeRequest request(HealthCheck settings, int port) {
    return ProbeRequest.of(settings, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), NODE);
  }

  static HealthCheck http(String matcher) {
    return HealthCheck.builder().protocol(HealthCheckProtocol.HTTP).path("/health").matcher(matcher).build();
  }

  static HealthCheck https(String matcher) {
    return HealthCheck.builder().protocol(HealthCheckProtocol.HTTPS).path("/health").matcher(matcher).build();
  }

  static ProbeResult run(HealthProbe probe, ProbeRequest r) throws Exception {
    CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    AtomicInteger calls = new AtomicInteger();
    probe.check(r, x -> {
      calls.incrementAndGet();
      result.complete(x);
    });
    ProbeResult x = result.get(10, TimeUnit.SECONDS);
    // Exactly once: a late timer or close must not report a second time.
    Thread.sleep(50);
    assertThat(calls).hasValue(1);
    return x;
  }

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  // ------------------------------------------------------------------ TCP

  @ParameterizedTest
  @MethodSource("modes")
  void tcp_listeningServer_successConnected(IoMode mode) throws Exception {
    ServerSocket server = server();
    acceptLoop(server, s -> {});
    ProbeResult r = run(probe(mode), request(HealthCheck.defaults(), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.SUCCESS, "connected"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tcp_nobodyListening_failureRefused(IoMode mode) throws Exception {
    ServerSocket s = server();
    int port = s.getLocalPort();
    resources.add(HealthCheckEngineIntegrationTest.killed(s));
    ProbeResult r = run(probe(mode), request(HealthCheck.defaults(), port));
    assertThat(r.outcome()).isEqualTo(CheckOutcome.FAILURE);
    assertThat(r.detail()).containsIgnoringCase("refused");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void tcp_withPreamble_targetReadsItThenSuccess(IoMode mode) throws Exception {
    ServerSocket server = server();
    List<String> seen = new CopyOnWriteArrayList<>();
    acceptLoop(server, s -> {
      try (s) {
        s.setSoTimeout(5000);
        seen.add(new String(s.getInputStream().readNBytes(3), StandardCharsets.US_ASCII));
      } catch (IOException e) {
        seen.add("error " + e);
      }
    });
    ProbeResult r = run(probe(mode), request(HealthCheck.defaults(), server.getLocalPort())
        .withPreamble("abc".getBytes(StandardCharsets.US_ASCII)));
    assertThat(r.outcome()).isEqualTo(CheckOutcome.SUCCESS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
    assertThat(seen).containsExactly("abc");
  }

  // ------------------------------------------------------------------ HTTP

  @ParameterizedTest
  @MethodSource("modes")
  void http_200_successAndRequestCarriesNodeHostAndClose(IoMode mode) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    ServerSocket server = httpServer(new AtomicInteger(200), seen);
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.SUCCESS, "HTTP 200"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
    assertThat(seen.get(0)).startsWith("GET /health HTTP/1.1\r\nHost: 127.0.0.2:80\r\n").contains("Connection: close\r\n");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_500_failureNamesStatusAndMatcher(IoMode mode) throws Exception {
    ServerSocket server = httpServer(new AtomicInteger(500), new CopyOnWriteArrayList<>());
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.FAILURE, "HTTP 500 (expected: 200)"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_statusInMatcherRange_success(IoMode mode) throws Exception {
    ServerSocket server = httpServer(new AtomicInteger(204), new CopyOnWriteArrayList<>());
    ProbeResult r = run(probe(mode), request(http("200-299"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.SUCCESS, "HTTP 204"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_statusLineThenSilence_successWithoutWaitingForHeaders(IoMode mode) throws Exception {
    ServerSocket server = rawServer("HTTP/1.1 200 OK\r\nX-Partial: ", true);
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()).withTimeout(Duration.ofSeconds(5)));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.SUCCESS, "HTTP 200"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_statusLineSplitAcrossWrites_success(IoMode mode) throws Exception {
    ServerSocket server = server();
    acceptLoop(server, s -> {
      try (s) {
        s.setSoTimeout(5000);
        readRequestHead(s.getInputStream());
        OutputStream out = s.getOutputStream();
        for (String part : new String[] {"HTTP/1.1 2", "00 OK\r", "\nContent-Length: 0\r\n\r\n"}) {
          out.write(part.getBytes(StandardCharsets.US_ASCII));
          out.flush();
          Thread.sleep(30);
        }
      } catch (IOException | InterruptedException e) {
        // the probe may close first
      }
    });
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.SUCCESS, "HTTP 200"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_serverHangs_timeoutWaitingForStatusLine(IoMode mode) throws Exception {
    ServerSocket server = server();
    holdConnections(server);
    long t0 = System.nanoTime();
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()).withTimeout(SHORT));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(SHORT.minusMillis(20));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.TIMEOUT, "timed out after 400 ms waiting for status line"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_closedBeforeStatusLine_failure(IoMode mode) throws Exception {
    ServerSocket server = rawServer("", false);
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.FAILURE, "connection closed before the status line"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_malformedStatusLine_failure(IoMode mode) throws Exception {
    ServerSocket server = rawServer("SSH-2.0-OpenSSH_9.6\r\n", false);
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.FAILURE, "malformed status line: SSH-2.0-OpenSSH_9.6"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_noLineEndInFirst8192Bytes_failure(IoMode mode) throws Exception {
    ServerSocket server = rawServer("x".repeat(NettyHealthProbe.MAX_STATUS_LINE + 100), true);
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()).withTimeout(Duration.ofSeconds(5)));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.FAILURE, "no status line in the first 8192 bytes"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void http_proxyPreamble_targetReadsLocalHeaderThenRequest(IoMode mode) throws Exception {
    ServerSocket server = server();
    List<String> seen = new CopyOnWriteArrayList<>();
    acceptLoop(server, s -> {
      try (s) {
        s.setSoTimeout(5000);
        InputStream in = new BufferedInputStream(s.getInputStream());
        ProxyHeader h = ProxyHeaders.read(in).first();
        seen.add(h.command() + " " + h.source() + " " + readRequestHead(in).split("\r\n")[0]);
        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException | RuntimeException e) {
        seen.add("error " + e);
      }
    });
    byte[] local = io.nlb.proxyprotocol.ProxyV2Encoder.create().encodeLocal();
    ProbeResult r = run(probe(mode), request(http("200"), server.getLocalPort()).withPreamble(local));
    assertThat(r.outcome()).isEqualTo(CheckOutcome.SUCCESS);
    assertThat(seen).containsExactly("LOCAL null GET /health HTTP/1.1");
  }

  // ------------------------------------------------------------------ HTTPS

  @ParameterizedTest
  @MethodSource("modes")
  void https_selfSignedCertificate_successWithoutValidation(IoMode mode) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    ServerSocket server = httpsServer(new AtomicInteger(200), seen, false);
    ProbeResult r = run(probe(mode), request(https("200"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.SUCCESS, "HTTP 200"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
    assertThat(seen.get(0)).startsWith("TLSv1.2 GET /health HTTP/1.1\r\nHost: 127.0.0.2:80\r\n").contains("Connection: close\r\n");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void https_503_failure(IoMode mode) throws Exception {
    ServerSocket server = httpsServer(new AtomicInteger(503), new CopyOnWriteArrayList<>(), false);
    ProbeResult r = run(probe(mode), request(https("200"), server.getLocalPort()));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.FAILURE, "HTTP 503 (expected: 200)"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void https_targetSupportingOnlyTls13_failure(IoMode mode) throws Exception {
    ServerSocket server = httpsServer(new AtomicInteger(200), new CopyOnWriteArrayList<>(), true);
    ProbeResult r = run(probe(mode), request(https("200"), server.getLocalPort()));
    assertThat(r.outcome()).isEqualTo(CheckOutcome.FAILURE);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void https_plainHttpTarget_failureInHandshake(IoMode mode) throws Exception {
    ServerSocket server = server();
    acceptLoop(server, s -> {
      try (s) {
        s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getInputStream().read(new byte[512]);
      } catch (IOException e) {
        // the probe gives up first
      }
    });
    ProbeResult r = run(probe(mode), request(https("200"), server.getLocalPort()));
    assertThat(r.outcome()).isEqualTo(CheckOutcome.FAILURE);
    assertThat(r.detail()).startsWith("TLS handshake failed: ");
  }

  @ParameterizedTest
  @MethodSource("modes")
  void https_serverNeverAnswersHandshake_timeoutWaitingForHandshake(IoMode mode) throws Exception {
    ServerSocket server = server();
    holdConnections(server);
    ProbeResult r = run(probe(mode), request(https("200"), server.getLocalPort()).withTimeout(SHORT));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.TIMEOUT, "timed out after 400 ms waiting for TLS handshake"));
  }

  // ------------------------------------------------------------------ lifecycle

  @ParameterizedTest
  @MethodSource("modes")
  void close_checkInFlight_errorProbeClosed(IoMode mode) throws Exception {
    ServerSocket server = server();
    holdConnections(server);
    HealthProbe probe = probe(mode);
    CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    probe.check(request(http("200"), server.getLocalPort()).withTimeout(Duration.ofSeconds(30)), result::complete);
    NettyHealthProbe netty = (NettyHealthProbe) probe;
    await().atMost(Duration.ofSeconds(5)).until(() -> netty.inFlightCount() == 1);
    transport.close();
    assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(ProbeResult.of(CheckOutcome.ERROR, "probe closed"));
    assertThat(netty.inFlightCount()).isZero();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void check_afterTransportClosed_errorAtOnce(IoMode mode) throws Exception {
    HealthProbe probe = probe(mode);
    transport.close();
    ProbeResult r = run(probe, request(HealthCheck.defaults(), 9));
    assertThat(r).isEqualTo(ProbeResult.of(CheckOutcome.ERROR, "probe closed"));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void check_unresolvedAddress_error(IoMode mode) throws Exception {
    ProbeRequest r = ProbeRequest.of(HealthCheck.defaults(), InetSocketAddress.createUnresolved("target.invalid", 80), NODE);
    assertThat(run(probe(mode), r).outcome()).isEqualTo(CheckOutcome.ERROR);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void manyChecks_allComplete_noneLeftInFlight(IoMode mode) throws Exception {
    ServerSocket server = httpServer(new AtomicInteger(200), new CopyOnWriteArrayList<>());
    HealthProbe probe = probe(mode);
    List<CompletableFuture<ProbeResult>> results = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      CompletableFuture<ProbeResult> f = new CompletableFuture<>();
      probe.check(request(http("200"), server.getLocalPort()), f::complete);
      results.add(f);
    }
    for (CompletableFuture<ProbeResult> f : results) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(ProbeResult.of(CheckOutcome.SUCCESS, "HTTP 200"));
    }
    assertThat(((NettyHealthProbe) probe).inFlightCount()).isZero();
  }

  // ------------------------------------------------------------------ targets

  ServerSocket server() throws IOException {
    ServerSocket s = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    resources.add(s);
    return s;
  }

  /** Accepts and holds every connection without reading or answering. */
  void holdConnections(ServerSocket server) {
    List<Socket> held = new CopyOnWriteArrayList<>();
    acceptLoop(server, held::add);
    resources.add(() -> {
      for (Socket s : held) {
        s.close();
      }
    });
  }

  /** Answers every connection with {@code bytes} after the request head; then closes, or holds the connection. */
  ServerSocket rawServer(String bytes, boolean hold) throws IOException {
    ServerSocket server = server();
    List<Socket> held = new CopyOnWriteArrayList<>();
    resources.add(() -> {
      for (Socket s : held) {
        s.close();
      }
    });
    acceptLoop(server, s -> {
      try {
        s.setSoTimeout(5000);
        readRequestHead(s.getInputStream());
        s.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        if (hold) {
          held.add(s);
        } else {
          s.close();
        }
      } catch (IOException e) {
        // the probe gave up first
      }
    });
    return server;
  }

  ServerSocket httpServer(AtomicInteger status, List<String> seen) throws IOException {
    ServerSocket server = server();
    acceptLoop(server, s -> answer(s, status, seen, ""));
    return server;
  }

  ServerSocket httpsServer(AtomicInteger status, List<String> seen, boolean tls13Only) throws Exception {
    SSLContext ctx = TlsTargets.serving(TlsTargets.TARGET);
    SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 100, InetAddress.getLoopbackAddress());
    if (tls13Only) {
      server.setEnabledProtocols(new String[] {"TLSv1.3"});
    }
    resources.add(server);
    acceptLoop(server, s -> {
      javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) s;
      try {
        tls.setSoTimeout(5000);
        tls.startHandshake();
        answer(s, status, seen, tls.getSession().getProtocol() + " ");
      } catch (IOException e) {
        seen.add("error " + e);
        try {
          s.close();
        } catch (IOException ignored) {
          // closing after a failed handshake
        }
      }
    });
    return server;
  }

  private static void answer(Socket s, AtomicInteger status, List<String> seen, String prefix) {
    try (s) {
      s.setSoTimeout(5000);
      seen.add(prefix + readRequestHead(s.getInputStream()));
      OutputStream out = s.getOutputStream();
      out.write(("HTTP/1.1 " + status.get() + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      seen.add("error " + e);
    }
  }

  static String readRequestHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }

  interface SocketHandler {
    void handle(Socket s);
  }

  void acceptLoop(ServerSocket server, SocketHandler handler) {
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread worker = new Thread(() -> handler.handle(s), "test-target-conn");
          worker.setDaemon(true);
          worker.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "test-target");
    t.setDaemon(true);
    t.start();
  }
}
