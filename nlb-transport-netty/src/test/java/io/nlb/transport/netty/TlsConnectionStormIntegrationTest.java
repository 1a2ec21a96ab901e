package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.tls.SecurityPolicy;
import io.nlb.tls.TlsProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConnectionStormIntegrationTest} for TLS listeners: a storm of short TLS connections
 * (handshake, 64 bytes echoed by a plaintext target, the client closes first) must not construct a
 * {@link Throwable} per connection on the load balancer's threads, on every I/O mode, with the
 * JDK's engine and with BoringSSL's (the AUTO provider runs TLS 1.2 and AES-128-first TLS 1.3
 * clients there), whether the client sends its close_notify or just closes its socket, as many
 * browsers and {@code curl} do. Both engines build an {@code SSLException}, stack trace included,
 * when their input is closed without a close_notify.
 */
@NullUnmarked
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsConnectionStormIntegrationTest {
  private static final int WARMUP = 40;
  private static final int CONNECTIONS = 100;
  private static final String TEST_THREADS = "tls-storm-";
  private static final String POLICY = SecurityPolicy.TLS13_1_2_2021_06.name();
  private static final String JDK = "inside the JDK's TLS engine";

  /** How a client ends its connection. */
  enum Close {
    /**
     * {@code SSLSocket.shutdownOutput()} (close_notify and FIN), then reads to the end of the stream
     * before closing: a client that does not race its close against the load balancer's last bytes
     * (a TLS 1.2 engine answers a close_notify at once; written to a socket its client has closed
     * meanwhile, it is answered with a reset, which the transports report as an exception).
     */
    CLOSE_NOTIFY,
    /** The TCP socket is closed under the TLS one: FIN without a close_notify. */
    SOCKET_ONLY
  }

  private Harness h;
  private EchoTarget target;

  @AfterEach
  void tearDown() throws IOException {
    if (h != null) {
      h.close();
    }
    if (target != null) {
      target.close();
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    Harness.modes().forEach(mode -> {
      for (Close close : Close.values()) {
        out.add(Arguments.of(mode, TlsProvider.JDK, "TLSv1.3", close));
        out.add(Arguments.of(mode, TlsProvider.JDK, "TLSv1.2", close));
        // AUTO runs these two on BoringSSL under this policy (OpenSslSubset).
        out.add(Arguments.of(mode, TlsProvider.AUTO, "TLSv1.3", close));
        out.add(Arguments.of(mode, TlsProvider.AUTO, "TLSv1.2", close));
      }
    });
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2} {3}")
  @MethodSource("cases")
  void tlsStorm_clientClosesFirst_noThrowablePerConnection(IoMode mode, TlsProvider provider, String protocol, Close close)
      throws Exception {
    Assumptions.assumeTrue(provider.isAvailable(), "netty-tcnative/BoringSSL is not available here");
    h = new Harness(mode, b -> b.tlsProvider(provider));
    target = new EchoTarget(TEST_THREADS);
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", target.port()));
    int port = Harness.freePort();
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TLS, port).forwardTo(g).certificate(TlsTargets.A)
        .sslPolicy(POLICY).build());
    SSLContext client = TlsTargets.trusting(TlsTargets.A);
    Thread.currentThread().setName(TEST_THREADS + "client");

    storm(client, port, protocol, close, WARMUP);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == 0);

    Throwables.Count c = Throwables.during(TEST_THREADS, e -> ConnectionStormIntegrationTest.knownInsideNetty(mode, e)
        ? ConnectionStormIntegrationTest.NETTY : insideJdkEngine(e) ? JDK : null, () -> {
      storm(client, port, protocol, close, CONNECTIONS);
      await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == 0);
    });
    assertThat(c.counted()).as("throwables constructed by the load balancer during %d TLS connections on %s:%s", CONNECTIONS,
        mode, c.report()).isLessThanOrEqualTo(CONNECTIONS / 50);
    assertThat(c.known(ConnectionStormIntegrationTest.NETTY))
        .as("throwables Netty's native transports built inside the relay's TLS connections on %s", mode)
        .isLessThanOrEqualTo(CONNECTIONS / 50);
    if (provider == TlsProvider.AUTO) {
      // BoringSSL's engine has none of the JDK's.
      assertThat(c.known(JDK)).as("throwables of the JDK's TLS engine on the BoringSSL path").isZero();
    }
  }

  /**
   * The JDK's TLS engine (17) builds and catches exceptions each time it disposes of an AES-GCM
   * record cipher, at every key change and at the close, by finishing the cipher with nothing to
   * finish: four to seven per connection, inside the engine, whatever the caller does. Counted apart;
   * the AUTO provider runs browsers' and TLS 1.2 clients' handshakes on BoringSSL, which has none.
   */
  private static boolean insideJdkEngine(RecordedEvent e) {
    if (e.getStackTrace() == null) {
      return false;
    }
    for (RecordedFrame f : e.getStackTrace().getFrames()) {
      if (f.getMethod().getType().getName().startsWith("sun.security.ssl.SSLCipher$") && f.getMethod().getName().equals("dispose")) {
        return true;
      }
    }
    return false;
  }

  private static void storm(SSLContext ctx, int port, String protocol, Close close, int connections) throws IOException {
    byte[] request = new byte[64];
    Arrays.fill(request, (byte) 'x');
    for (int i = 0; i < connections; i++) {
      Socket plain = new Socket();
      try {
        plain.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        plain.setSoTimeout(5000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {protocol});
        // The order browsers send; the JDK's own puts AES-256 first.
        p.setCipherSuites(Stream.concat(Stream.of("TLS_AES_128_GCM_SHA256"), Arrays.stream(p.getCipherSuites())
            .filter(cs -> !cs.equals("TLS_AES_128_GCM_SHA256"))).toArray(String[]::new));
        s.setSSLParameters(p);
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        assertThat(s.getInputStream().readNBytes(request.length)).isEqualTo(request);
        if (close == Close.CLOSE_NOTIFY) {
          s.shutdownOutput();
          assertThat(s.getInputStream().read()).isEqualTo(-1);
          s.close();
        } else {
          plain.close();
          s.close(); // finds its socket closed: no close_notify, nothing left for the finalizer
        }
      } finally {
        plain.close();
      }
    }
  }

}
