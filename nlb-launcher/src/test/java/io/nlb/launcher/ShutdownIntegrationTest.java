package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stop's grace period ({@code transport.shutdownTimeoutSeconds}). */
@Timeout(60)
class ShutdownIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void shutdownTimeout_parsedAndBounded() {
    assertThat(LauncherConfig.parseYaml("transport: {shutdownTimeoutSeconds: 5}").transport().shutdownTimeout())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(LauncherConfig.parseYaml("transport: {threads: 1}").transport().shutdownTimeout())
        .isEqualTo(LauncherConfig.DEFAULT_SHUTDOWN_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> LauncherConfig.parseYaml("transport: {shutdownTimeoutSeconds: 3601}"))
        .hasMessage("transport.shutdownTimeoutSeconds: 3601 (expected: 0-3600)");
  }

  @Test
  void close_openFlowPastGracePeriod_resetWithinIt() throws Exception {
    ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(target);
    List<Socket> accepted = new ArrayList<>();
    Thread t = new Thread(() -> {
      try {
        accepted.add(target.accept()); // holds the connection open, says nothing
      } catch (IOException e) {
        // closed
      }
    });
    t.setDaemon(true);
    t.start();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Launcher l = Launcher.start(LauncherConfig.parseYaml("""
        transport: {ioMode: NIO, threads: 1, shutdownTimeoutSeconds: 1}
        healthChecks: false
        targetGroups:
          - {name: web, protocol: TCP, port: %d, targetType: ip, targets: [{id: 127.0.0.1, port: %d}]}
        loadBalancers:
          - name: local
            zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
            listeners: [{protocol: TCP, port: %d, targetGroup: web}]
        """.formatted(target.getLocalPort(), target.getLocalPort(), port)));
    resources.add(l);
    Socket client = new Socket();
    resources.add(client);
    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    client.setSoTimeout(10_000);
    await().atMost(Duration.ofSeconds(10)).until(() -> l.transport().activeTcpFlows() == 1);

    long start = System.nanoTime();
    l.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(8));
    try {
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    } catch (SocketException reset) {
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
    }
    for (Socket s : accepted) {
      s.close();
    }
  }
}
