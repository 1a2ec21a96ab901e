package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link UdpFlowLimit}: which budget sizes the UDP flow table, and what the table-full cause says about it. */
class UdpFlowLimitTest {
  private static final long GIB = 1L << 30;

  @Test
  void derived_notIoUring_theDescriptorBudget() {
    UdpFlowLimit l = UdpFlowLimit.of(0, 20_000, IoMode.EPOLL, 64 * GIB >> 10);
    assertThat(l.maxFlows()).isEqualTo(Descriptors.udpFlowBudget(20_000));
    assertThat(l.tableFullCause()).contains("maxUdpFlows " + l.maxFlows() + ", derived from ulimit -n 20000");
  }

  @Test
  void derived_ioUring_theSmallerOfDescriptorsAndReadSlots() {
    UdpFlowLimit memory = UdpFlowLimit.of(0, 1_000_000, IoMode.IO_URING, GIB);
    assertThat(memory.maxFlows()).isEqualTo(4096).isLessThan(Descriptors.udpFlowBudget(1_000_000));
    assertThat(memory.tableFullCause()).contains("maxUdpFlows 4096, derived from io_uring read slots")
        .contains(String.valueOf(GIB));
    UdpFlowLimit fds = UdpFlowLimit.of(0, 1_000, IoMode.IO_URING, 64 * GIB);
    assertThat(fds.maxFlows()).isEqualTo(Descriptors.udpFlowBudget(1_000)).isLessThan(4096);
    assertThat(fds.tableFullCause()).contains("derived from ulimit -n 1000");
  }

  @Test
  void configured_isKept_evenAboveBothBudgets_andTheCauseSaysNoDerivation() {
    UdpFlowLimit l = UdpFlowLimit.of(50_000, 1_000, IoMode.IO_URING, GIB);
    assertThat(l.maxFlows()).isEqualTo(50_000);
    assertThat(l.tableFullCause()).contains("(maxUdpFlows 50000)").doesNotContain("derived");
  }
}
