package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.transport.netty.IoMode;
import io.nlb.transport.netty.NettyTransport;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code transport.udpSocketPerEventLoop} reaches the transport: with two event loops on a native
 * I/O mode, a UDP listener binds two sockets on its port by default and one with the key false, as
 * the kernel lists them in {@code /proc/net/udp}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpSocketPerEventLoopIntegrationTest {
  @ParameterizedTest
  @CsvSource({"'', 2", "', udpSocketPerEventLoop: true', 2", "', udpSocketPerEventLoop: false', 1"})
  void udpListener_socketsOnItsPort_followTheKey(String key, int expected) throws Exception {
    Assumptions.assumeTrue(NettyTransport.isAvailable(IoMode.EPOLL), "needs the epoll transport");
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "needs /proc/net/udp");
    int port;
    try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      port = d.getLocalPort();
    }
    String yaml = """
        transport: {ioMode: EPOLL, threads: 2%s}
        healthChecks: false
        targetGroups:
          - {name: dns, protocol: UDP, port: 53, targetType: ip, targets: [{id: 127.0.0.1}]}
        loadBalancers:
          - name: lb
            zones:
              - {name: zone-a, addresses: [127.0.0.1]}
            listeners:
              - {protocol: UDP, port: %d, targetGroup: dns}
        """.formatted(key, port);
    try (Launcher launcher = Launcher.start(LauncherConfig.parseYaml(yaml))) {
      assertThat(launcher).isNotNull();
      assertThat(udpSockets(port)).as("UDP sockets on port %d", port).isEqualTo(expected);
    }
  }

  /**
   * The UDP sockets the kernel has bound to {@code port}, any address; the native transports open
   * IPv6 sockets (listed in {@code udp6}) for IPv4 addresses too.
   */
  private static long udpSockets(int port) throws Exception {
    String hex = String.format(Locale.ROOT, ":%04X", port);
    List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/net/udp")));
    if (Files.isReadable(Path.of("/proc/net/udp6"))) {
      lines.addAll(Files.readAllLines(Path.of("/proc/net/udp6")));
    }
    return lines.stream().map(l -> l.trim().split("\\s+")).filter(f -> f.length > 3 && f[1].endsWith(hex)).count();
  }
}
