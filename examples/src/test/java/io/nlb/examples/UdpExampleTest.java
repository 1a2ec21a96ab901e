package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class UdpExampleTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void run_udpFlowsStickToOneTarget_andTcpUdpServesBothOnOnePort() throws Exception {
    UdpExample.Result r = UdpExample.run(new PrintStream(OutputStream.nullOutputStream()));

    assertThat(r.udpFlows()).hasSize(16);
    Set<String> targets = new HashSet<>();
    for (Map.Entry<String, List<String>> flow : r.udpFlows().entrySet()) {
      String clientIp = flow.getKey().substring(0, flow.getKey().indexOf(':'));
      String target = flow.getValue().get(0).split(" ")[0];
      targets.add(target);
      // Every datagram of a flow reached the same target, which saw the client's own address.
      assertThat(flow.getValue()).containsExactly(
          target + " " + clientIp + " ping-0", target + " " + clientIp + " ping-1", target + " " + clientIp + " ping-2");
    }
    // 16 flows hashed over two targets: both used (odds of missing one: 3 in 100,000).
    assertThat(targets).containsExactlyInAnyOrder("u1", "u2");

    assertThat(r.tcpAnswer()).isEqualTo("dual-tcp");
    assertThat(r.udpAnswer()).isEqualTo("dual-udp 127.0.0.1 hello");
  }
}
