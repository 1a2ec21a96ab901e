package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS listener started from a launcher file on loopback: certificate by PEM path, a TLS 1.2+
 * policy, a plaintext TCP group of two targets, access logs into a directory beside the file.
 */
@Timeout(60)
class LauncherTlsIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** A plaintext target that answers each connection with its own name, then closes. */
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

  private static SSLContext trusting(TestPem pem) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("lb", pem.certificate);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** One TLS connection; returns "answer protocol". */
  private static String ask(SSLContext tls, int port, String host) throws IOException {
    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(5000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(host)));
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.startHandshake();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII) + " " + s.getSession().getProtocol();
    }
  }

  @Test
  void start_tlsListenerFromFile_offloadsToBothTargetsAndLogs(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("tls"));
    TestPem pem = TestPem.write(dir.resolve("tls"), "lb", "lb.example");
    int a = namedTarget("A");
    int b = namedTarget("B");
    int port = Loopback.freePort();
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, """
        transport: {ioMode: NIO, tlsProvider: JDK}
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
            attributes:
              access_logs.s3.enabled: "true"
              access_logs.s3.bucket: logs
            listeners:
              - protocol: TLS
                port: %d
                targetGroup: web
                sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
                certificate: {certificateChain: tls/lb-chain.pem, privateKey: tls/lb-key.pem}
        """.formatted(a, a, b, port));

    Launcher launcher = Launcher.start(LauncherConfig.read(file));
    SSLContext tls = trusting(pem);
    Set<String> seen = new HashSet<>();
    try {
      for (int i = 0; i < 40 && seen.size() < 2; i++) {
        seen.add(ask(tls, port, "lb.example"));
      }
    } finally {
      launcher.close(); // closing the transport flushes the access log
    }

    assertThat(seen).containsExactlyInAnyOrder("A TLSv1.3", "B TLSv1.3");
    try (Stream<Path> files = Files.walk(dir.resolve("logs"))) {
      assertThat(files.map(Path::toString).filter(f -> f.endsWith(".log.gz")))
          .as("an access-log file under the relative bucket directory").isNotEmpty();
    }
  }
}
