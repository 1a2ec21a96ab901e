package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two launcher processes started from one file share one node address with {@code SO_REUSEPORT}
 * ({@code node.reusePort}). The process carrying half of 10,000 UDP flows is killed (SIGKILL, by
 * PID); every flow's next datagram reaches the same target through the other process. Sticky
 * clients ({@code source_ip}) reach the same target through either process, and after the kill.
 */
@Timeout(300)
class ReusePortFailoverIntegrationTest {
  private static final int FLOWS = 10_000;
  private static final int STICKY_CLIENTS = 40;
  private static final int CONNECTIONS_PER_CLIENT = 8;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Process> children = new ArrayList<>();
  private Path dir = Path.of("");

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** A UDP target answering every datagram with its name. */
  private int udpTarget(String name) throws IOException {
    DatagramSocket s = UdpNameTarget.start(InetAddress.getLoopbackAddress(), name);
    resources.add(s);
    return s.getLocalPort();
  }


  /** A TCP target that answers each connection with its name, then closes. */
  private int tcpTarget(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    resources.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return;
        }
      }
    }, "tcp-target-" + name);
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()))) {
      return d.getLocalPort();
    }
  }

  /** One launcher process on {@code file}; returns it once its status page is up, with the page's port. */
  private Child start(Path file, String name) throws IOException {
    Path log = dir.resolve(name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), Launcher.class.getName(), "run", file.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(p);
    Pattern status = Pattern.compile("status page on http://[^0-9]*[0-9.]+:(\\d+)/");
    int[] port = new int[1];
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      assertThat(p.isAlive()).as("%s exited: %s", name, Files.exists(log) ? Files.readString(log) : "").isTrue();
      Matcher m = status.matcher(Files.exists(log) ? Files.readString(log) : "");
      if (m.find()) {
        port[0] = Integer.parseInt(m.group(1));
        return true;
      }
      return false;
    });
    return new Child(p, port[0]);
  }

  private record Child(Process process, int statusPort) {
    /** The UDP flows it carries, from its status page. */
    int activeUdpFlows() throws IOException {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), statusPort)) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /status.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String page = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"activeUdpFlows\"\\s*:\\s*(\\d+)").matcher(page);
        assertThat(m.find()).as(page).isTrue();
        return Integer.parseInt(m.group(1));
      }
    }
  }

  /** The source of flow {@code i}: its own loopback address, one port. */
  private static InetSocketAddress source(int i) {
    return new InetSocketAddress("127.2." + (i / 250) + "." + (1 + i % 250), 41000);
  }

  /** Sends one datagram on each flow and returns the name of the target that answered each. */
  private static String[] sendOnEveryFlow(int port) throws IOException {
    String[] out = new String[FLOWS];
    InetSocketAddress node = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    int batch = 200;
    for (int from = 0; from < FLOWS; from += batch) {
      DatagramSocket[] sockets = new DatagramSocket[batch];
      try {
        for (int k = 0; k < batch; k++) {
          DatagramSocket s = new DatagramSocket(null);
          s.setReuseAddress(true);
          s.bind(source(from + k));
          s.setSoTimeout(2000);
          sockets[k] = s;
        }
        for (int attempt = 0; attempt < 5; attempt++) {
          for (int k = 0; k < batch; k++) {
            if (out[from + k] == null) {
              byte[] ping = ("flow-" + (from + k)).getBytes(StandardCharsets.US_ASCII);
              sockets[k].send(new DatagramPacket(ping, ping.length, node));
            }
          }
          for (int k = 0; k < batch; k++) {
            if (out[from + k] == null) {
              byte[] buf = new byte[64];
              DatagramPacket p = new DatagramPacket(buf, buf.length);
              try {
                sockets[k].receive(p);
                out[from + k] = new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
              } catch (SocketTimeoutException e) {
                // sent again in the next attempt
              }
            }
          }
        }
      } finally {
        for (DatagramSocket s : sockets) {
          if (s != null) {
            s.close();
          }
        }
      }
    }
    return out;
  }

  /** Each sticky client's target over several connections; fails if one client reached two. */
  private static Map<String, String> stickyTargets(int port) throws IOException {
    Map<String, String> out = new HashMap<>();
    for (int c = 0; c < STICKY_CLIENTS; c++) {
      InetAddress client = InetAddress.getByName("127.3.0." + (1 + c));
      Set<String> reached = new HashSet<>();
      for (int k = 0; k < CONNECTIONS_PER_CLIENT; k++) {
        try (Socket s = new Socket()) {
          s.bind(new InetSocketAddress(client, 0));
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
          s.setSoTimeout(5000);
          reached.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
      }
      assertThat(reached).as("targets reached by sticky client %s", client).hasSize(1);
      out.put(client.getHostAddress(), reached.iterator().next());
    }
    return out;
  }

  @Test
  void processDies_everyUdpFlowAndStickyClientKeepsItsTargetThroughTheOtherProcess(@TempDir Path tmp) throws Exception {
    dir = tmp;
    int udpPort = freePort();
    int tcpPort = freePort();
    StringBuilder udpTargets = new StringBuilder();
    StringBuilder tcpTargets = new StringBuilder();
    for (int i = 1; i <= 6; i++) {
      udpTargets.append("      - {id: 127.0.0.1, port: ").append(udpTarget("u" + i)).append("}\n");
      tcpTargets.append("      - {id: 127.0.0.1, port: ").append(tcpTarget("t" + i)).append("}\n");
    }
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, """
        identity: {name: reuseport-test}
        node: {reusePort: true}
        transport: {ioMode: NIO, threads: 1, maxUdpFlows: 15000}
        healthChecks: false
        status: {port: 0}
        targetGroups:
          - name: udp
            protocol: UDP
            port: 9000
            targetType: ip
            targets:
        %s  - name: sticky
            protocol: TCP
            port: 9000
            targetType: ip
            attributes: {stickiness.enabled: "true", stickiness.type: source_ip}
            targets:
        %sloadBalancers:
          - name: shared
            zones:
              - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
            listeners:
              - {protocol: UDP, port: %d, targetGroup: udp}
              - {protocol: TCP, port: %d, targetGroup: sticky}
        """.formatted(udpTargets, tcpTargets, udpPort, tcpPort));
    Child a = start(file, "a");
    Child b = start(file, "b");

    String[] before = sendOnEveryFlow(udpPort);
    assertThat(before).doesNotContainNull();
    assertThat(new HashSet<>(List.of(before))).as("flows spread over the targets").hasSize(6);
    int onA = a.activeUdpFlows();
    int onB = b.activeUdpFlows();
    assertThat(onA).as("flows carried by process a").isPositive();
    assertThat(onB).as("flows carried by process b").isPositive();
    assertThat(onA + onB).isEqualTo(FLOWS);
    Map<String, String> stickyBefore = stickyTargets(tcpPort);

    a.process().destroyForcibly(); // SIGKILL to that PID
    assertThat(a.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    String[] after = sendOnEveryFlow(udpPort);
    int moved = 0;
    for (int i = 0; i < FLOWS; i++) {
      if (!before[i].equals(after[i])) {
        moved++;
      }
    }
    assertThat(moved).as("flows that reached another target after process a died").isZero();
    assertThat(b.activeUdpFlows()).as("process b now carries every flow").isEqualTo(FLOWS);
    assertThat(stickyTargets(tcpPort)).isEqualTo(stickyBefore);
  }
}
