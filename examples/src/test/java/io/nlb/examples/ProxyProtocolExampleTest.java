package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.proxyprotocol.ProxyVersion;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProxyProtocolExampleTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void run_vpcEndpointListenerProxyGroup_targetSeesClientAndEndpointId() throws Exception {
    ProxyProtocolExample.Result r = ProxyProtocolExample.run(new PrintStream(OutputStream.nullOutputStream()));

    ProxyProtocolExample.Seen plain = r.plain();
    // The connection itself comes from the node; only the header names the client.
    assertThat(plain.peer().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(plain.client()).isEqualTo(new InetSocketAddress("127.0.0.9", plain.clientPort()));
    assertThat(plain.destination()).isEqualTo(new InetSocketAddress("127.0.0.1", r.listenerPort()));
    assertThat(plain.vpcEndpointId()).isEqualTo("vpce-08d2bf15fac5001c9");
    assertThat(plain.headers()).singleElement().satisfies(h -> assertThat(h.version()).isEqualTo(ProxyVersion.V2));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void run_clientSendsItsOwnHeader_targetReadsBothInWireOrder() throws Exception {
    ProxyProtocolExample.Result r = ProxyProtocolExample.run(new PrintStream(OutputStream.nullOutputStream()));

    ProxyProtocolExample.Seen stacked = r.stacked();
    assertThat(stacked.headers()).hasSize(2);
    // First the load balancer's v2 header, with the real client and the endpoint id ...
    assertThat(stacked.headers().get(0).version()).isEqualTo(ProxyVersion.V2);
    assertThat(stacked.client()).isEqualTo(new InetSocketAddress("127.0.0.9", stacked.clientPort()));
    assertThat(stacked.vpcEndpointId()).isEqualTo("vpce-08d2bf15fac5001c9");
    // ... then the client's own v1 header, passed on untouched.
    assertThat(stacked.headers().get(1).version()).isEqualTo(ProxyVersion.V1);
    assertThat(stacked.headers().get(1).source()).isEqualTo(new InetSocketAddress("198.51.100.7", 40000));
  }
}
