package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DescriptorsTest {
  @Test
  void udpFlowBudget_halfOfWhatTheReserveLeaves_bounded() {
    assertThat(Descriptors.udpFlowBudget(4096)).isEqualTo(1536);
    assertThat(Descriptors.udpFlowBudget(1024)).isEqualTo(384);
    assertThat(Descriptors.udpFlowBudget(256)).isEqualTo(Descriptors.MIN_UDP_FLOWS);
    assertThat(Descriptors.udpFlowBudget(1 << 20)).isEqualTo(65_536);
    assertThat(Descriptors.udpFlowBudget(-1)).isEqualTo(65_536);
  }

  @Test
  void transportDefault_derivedFromThisProcessLimit() {
    long max = Descriptors.maxFileDescriptors();
    assertThat(max).as("a Unix JVM tells its descriptor limit").isPositive();
    NettyTransport t = NettyTransport.builder().ioMode(IoMode.NIO).threads(1).build();
    try {
      assertThat(t.maxUdpFlows).isEqualTo(Descriptors.udpFlowBudget(max));
      assertThat(t.liveness().isLive()).isTrue();
      assertThat(t.liveness().eventLoops()).isEqualTo(1);
    } finally {
      t.close();
    }
  }
}
