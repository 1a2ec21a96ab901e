package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.UncheckedBooleanSupplier;
import org.junit.jupiter.api.Test;

/** The read-loop decisions of {@link DatagramSockets.Reads}. */
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
}
