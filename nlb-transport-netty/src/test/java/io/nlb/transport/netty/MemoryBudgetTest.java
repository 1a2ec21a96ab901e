package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  @Test
  void admit_untilHandshakeLimit_thenRefused_releaseAdmitsAgain() {
    MemoryBudget b = new MemoryBudget(16 * 4096, 1 << 30, 32 * 1024);
    for (int i = 0; i < 16; i++) {
      assertThat(b.admit()).isTrue();
    }
    assertThat(b.admit()).isFalse();
    assertThat(b.refusals()).isEqualTo(1);
    b.release(4096);
    assertThat(b.admit()).isTrue();
    assertThat(b.handshakeBytes()).isEqualTo(16 * 4096);
  }

  @Test
  void grow_stopsAtThreeQuarters_lastQuarterStaysForNewHandshakes() {
    MemoryBudget b = new MemoryBudget(64 * 1024, 1 << 30, 32 * 1024);
    assertThat(b.admit()).isTrue();
    assertThat(b.grow(44 * 1024)).isTrue(); // 48 KiB held: three quarters
    assertThat(b.grow(1)).isFalse();
    for (int i = 0; i < 4; i++) {
      assertThat(b.admit()).as("new handshake %d", i).isTrue();
    }
    assertThat(b.admit()).isFalse();
  }

  @Test
  void fullFlowBuffers_countInTheTotal_newHandshakesRefused_chargesNeverRefused() {
    MemoryBudget b = new MemoryBudget(64 * 1024, 1024 * 1024, 32 * 1024);
    b.chargeFlowBuffer(1024 * 1024);
    assertThat(b.admit()).isFalse();
    b.chargeFlowBuffer(1024 * 1024); // a flow is never refused
    assertThat(b.totalBytes()).isEqualTo(2 * 1024 * 1024);
    b.releaseFlowBuffer(1024 * 1024);
    b.releaseFlowBuffer(1024 * 1024);
    assertThat(b.admit()).isTrue();
  }

  @Test
  void builder_rejectsBudgetsOutOfRange_namingFieldValueAndRange() {
    assertThatThrownBy(() -> NettyTransport.builder().handshakeMemoryBudget(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handshakeMemoryBudget: 1000 (expected: 65536 or more bytes)");
    assertThatThrownBy(() -> NettyTransport.builder().maxHandshakeBytesPerConnection(4096))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxHandshakeBytesPerConnection: 4096 (expected: 20480-16777216)");
  }

  @Test
  void forDirectMemory_quarterForHandshakes_threeQuartersTotal() {
    MemoryBudget b = MemoryBudget.forDirectMemory(64L << 20, 0, 32 * 1024);
    assertThat(b.handshakeLimit).isEqualTo(16L << 20);
    assertThat(b.totalLimit).isEqualTo(48L << 20);
    assertThat(MemoryBudget.forDirectMemory(64L << 20, 1 << 20, 32 * 1024).handshakeLimit).isEqualTo(1 << 20);
  }
}
