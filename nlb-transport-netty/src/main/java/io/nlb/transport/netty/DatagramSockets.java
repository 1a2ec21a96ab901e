package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How the UDP sockets of the data plane read: the listener sockets and every flow's socket towards
 * its target.
 *
 * <p>Every datagram is read whole: a read slot is {@value #SLOT} bytes, more than the largest UDP
 * payload over IPv4 or IPv6 (65,507 and 65,527 bytes), so no datagram is ever cut. Netty's default
 * for datagram channels (a fixed 2,048-byte buffer) cut longer datagrams silently.
 *
 * <p>On epoll a listener socket, which receives from every client, reads up to {@value #BATCH}
 * datagrams with one {@code recvmmsg} call: one buffer of {@code BATCH} slots, each datagram a
 * slice of it (UDP GRO stays off, see {@link EpollSupport#datagramOptions}). {@code BATCH} slots
 * make {@value #BATCH_BYTES} bytes: no more than the largest buffer Netty's adaptive allocator
 * pools on a small heap, so a read never allocates outside the pool. io_uring reads one datagram
 * per {@code IORING_OP_RECVMSG}: Netty 4.2.18 can submit one per slot together ({@code
 * IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE}), but the ring already needs no system call per
 * read, and with four echo clients that took as many {@code io_uring_enter} calls per datagram
 * (1.10 against 1.09) while the RECVMSGs that find nothing cost about 220 more bytes allocated per
 * round trip (docs/performance.md). NIO reads one datagram per call. A flow's socket towards its target is
 * connected and hears one sender: it reads one datagram per call into one slot, through Netty's
 * connected path, which reuses the socket's addresses instead of decoding the sender's per datagram.
 *
 * <p>On epoll (always level-triggered in Netty 4.2) a read that filled less than it offered found
 * the socket drained, so the read loop ends there instead of calling the socket once more to be
 * told {@code EAGAIN}; a datagram arriving later wakes the loop again. For a flow's socket every
 * read is such a read (a datagram is smaller than the slot): one datagram per wake-up, which is what
 * request and answer traffic has. io_uring ends its loop from the kernel's {@code
 * IORING_CQE_F_SOCK_NONEMPTY} flag by itself.
 *
 * <p>Stateless; the allocator's handles are per channel (Netty's contract).
 */
final class DatagramSockets {
  /** Bytes per read slot: more than any UDP payload. */
  static final int SLOT = 65_536;
  /** Datagrams per {@code recvmmsg} call of a listener socket on epoll. */
  static final int BATCH = 4;
  static final int BATCH_BYTES = SLOT * BATCH;
  /**
   * Datagrams read per wake-up of a socket at most, before the loop serves other channels. A
   * listener's datagrams hold their read buffers until they are flushed upstream at the end of the
   * read loop: on epoll at most four buffers of 256 KiB (1 MiB) per listener socket.
   */
  static final int MAX_PER_READ = 16;

  private DatagramSockets() {}

  /**
   * The most UDP flows whose read slots fit in a quarter of {@code maxDirectMemory} (the JVM's
   * default heap size when not positive), for io_uring, where every flow's socket holds a slot of
   * {@value #SLOT} bytes for as long as it lives, idle or not: Netty 4.2.18's io_uring datagram
   * channel keeps one {@code IORING_OP_RECVMSG} in flight per socket with its buffer attached.
   * Without this bound a flood of datagrams from new source ports would take the direct memory
   * every other read needs (65,536 flows hold 4 GiB). Between {@link Descriptors#MIN_UDP_FLOWS}
   * and {@link Descriptors#MAX_UDP_FLOWS}.
   */
  static int ioUringFlowBudget(long maxDirectMemory) {
    long max = maxDirectMemory > 0 ? maxDirectMemory : Runtime.getRuntime().maxMemory();
    long flows = max / 4 / SLOT;
    return (int) Math.max(Descriptors.MIN_UDP_FLOWS, Math.min(Descriptors.MAX_UDP_FLOWS, flows));
  }

  /**
   * Sets the read options of a listener socket of {@code io}'s mode, before it reads: from {@link
   * UdpListener#handlerAdded}.
   */
  static void listener(Channel ch, IoTransport io) {
    switch (io.mode) {
      case EPOLL:
        EpollSupport.datagramOptions(ch, SLOT);
        ch.config().setRecvByteBufAllocator(new Reads(BATCH_BYTES, true));
        break;
      default:
        ch.config().setRecvByteBufAllocator(new Reads(SLOT, false));
        break;
    }
  }

  /**
   * Sets the read options of a flow's connected socket towards its target, before it reads: from
   * {@link UdpFlow#handlerAdded}.
   */
  static void flow(Channel ch, IoTransport io) {
    ch.config().setRecvByteBufAllocator(new Reads(SLOT, io.mode == IoMode.EPOLL));
  }

  /**
   * A fixed read buffer of {@code bufferSize} bytes, up to {@link #MAX_PER_READ} datagrams per
   * wake-up; with {@code stopWhenDrained}, the loop also ends after a read that filled less than
   * it offered (see the class comment).
   */
  static final class Reads extends DefaultMaxMessagesRecvByteBufAllocator {
    private final int bufferSize;
    private final boolean stopWhenDrained;

    Reads(int bufferSize, boolean stopWhenDrained) {
      super(MAX_PER_READ);
      this.bufferSize = bufferSize;
      this.stopWhenDrained = stopWhenDrained;
    }

    int bufferSize() {
      return bufferSize;
    }

    @Override
    public Handle newHandle() {
      return new MaxMessageHandle() {
        @Override
        public int guess() {
          return bufferSize;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
          return super.continueReading(maybeMoreDataSupplier)
              && (!stopWhenDrained || lastBytesRead() >= attemptedBytesRead());
        }
      };
    }
  }
}
