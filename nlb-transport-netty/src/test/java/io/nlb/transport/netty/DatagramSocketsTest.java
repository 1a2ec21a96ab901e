package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.UncheckedBooleanSupplier;
import org.junit.jupiter.api.Test;

/** The read-loop decisions of {@link DatagramSockets.Reads}, and the io_uring flow budget. */
class DatagramSocketsTest {
  private static RecvByteBufAllocator.ExtendedHandle handle(boolean stopWhenDrained) {
    EmbeddedChannel ch = new EmbeddedChannel();
    RecvByteBufAllocator.ExtendedHandle h =
        (RecvByteBufAllocator.ExtendedHandle) new DatagramSockets.Reads(DatagramSockets.BATCH_BYTES, stopWhenDrained).newHandle();
    h.reset(ch.config());
    ch.finishAndReleaseAll();
    return h;
  }

  @Test
  void read_fillsEverySlot_loopGoesOn() {
    RecvByteBufAllocator.ExtendedHandle h = handle(true);
    h.attemptedBytesRead(DatagramSockets.BATCH_BYTES);
    h.lastBytesRead(DatagramSockets.BATCH_BYTES);
    h.incMessagesRead(DatagramSockets.BATCH);
    assertThat(h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isTrue();
  }

  @Test
  void read_fillsFewerSlotsThanOffered_socketDrained_loopEnds() {
    RecvByteBufAllocator.ExtendedHandle h = handle(true);
    h.attemptedBytesRead(DatagramSockets.BATCH_BYTES);
    h.lastBytesRead(DatagramSockets.SLOT); // one datagram of four slots
    h.incMessagesRead(1);
    assertThat(h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();
  }

  @Test
  void withoutStopWhenDrained_shortReadGoesOn_untilTheMessageBound() {
    RecvByteBufAllocator.ExtendedHandle h = handle(false);
    h.attemptedBytesRead(DatagramSockets.BATCH_BYTES);
    h.lastBytesRead(DatagramSockets.SLOT);
    h.incMessagesRead(1);
    assertThat(h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isTrue();
    h.incMessagesRead(DatagramSockets.MAX_PER_READ);
    assertThat(h.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();
  }

  @Test
  void buffer_holdsEverySlot_andASlotHoldsTheLargestUdpPayload() {
    assertThat(handle(true).guess()).isEqualTo(DatagramSockets.SLOT * DatagramSockets.BATCH);
    assertThat(DatagramSockets.SLOT).isGreaterThan(65_527); // IPv6 without jumbograms; IPv4 65,507
  }

  @Test
  void ioUringFlowBudget_slotsInAQuarterOfDirectMemory_bounded() {
    assertThat(DatagramSockets.ioUringFlowBudget(1L << 30)).isEqualTo(4096); // 256 MiB of 64 KiB slots
    assertThat(DatagramSockets.ioUringFlowBudget(64L << 20)).isEqualTo(256);
    assertThat(DatagramSockets.ioUringFlowBudget(1L << 20)).isEqualTo(Descriptors.MIN_UDP_FLOWS);
    assertThat(DatagramSockets.ioUringFlowBudget(64L << 30)).isEqualTo(Descriptors.MAX_UDP_FLOWS);
    assertThat(DatagramSockets.ioUringFlowBudget(-1))
        .isEqualTo(DatagramSockets.ioUringFlowBudget(Runtime.getRuntime().maxMemory()));
  }

  @Test
  void transportDefaultOnIoUring_boundedByDirectMemoryToo_explicitValueKept() {
    org.junit.jupiter.api.Assumptions.assumeTrue(NettyTransport.isAvailable(IoMode.IO_URING), "io_uring not available");
    long fds = Descriptors.maxFileDescriptors();
    int expected = Math.min(Descriptors.udpFlowBudget(fds),
        DatagramSockets.ioUringFlowBudget(io.netty.util.internal.PlatformDependent.maxDirectMemory()));
    NettyTransport t = NettyTransport.builder().ioMode(IoMode.IO_URING).threads(1).build();
    NettyTransport explicit = NettyTransport.builder().ioMode(IoMode.IO_URING).threads(1).maxUdpFlows(100_000).build();
    try {
      assertThat(t.maxUdpFlows).isEqualTo(expected);
      assertThat(explicit.maxUdpFlows).isEqualTo(100_000);
    } finally {
      t.close();
      explicit.close();
    }
  }
}
