package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The receive buffer allocator of one connection whose reads must stay within a grant: each read
 * buffer is at most {@code cap.getAsInt()} bytes (asked before every allocation), otherwise the
 * size the channel's own allocator would pick. Used by {@link HandshakeGuard} while a TLS client
 * has not completed its handshake; afterwards the cap is {@link Integer#MAX_VALUE} and reads size
 * themselves as usual. Wraps the channel's allocator handle, so every I/O mode's handle (epoll and
 * io_uring wrap this one again) keeps its behaviour. Confined to the channel's event loop.
 */
final class CappedRecvAllocator implements RecvByteBufAllocator {
  private final RecvByteBufAllocator delegate;
  private final IntSupplier cap;

  CappedRecvAllocator(RecvByteBufAllocator delegate, IntSupplier cap) {
    this.delegate = delegate;
    this.cap = cap;
  }

  /**
   * Installs a capped allocator on {@code config} (before the channel's first read); false when
   * the channel's allocator handle is not an extended one and cannot be wrapped.
   */
  static boolean install(io.netty.channel.ChannelConfig config, IntSupplier cap) {
    RecvByteBufAllocator current = config.getRecvByteBufAllocator();
    if (!(current.newHandle() instanceof ExtendedHandle)) {
      return false;
    }
    config.setRecvByteBufAllocator(new CappedRecvAllocator(current, cap));
    return true;
  }

  @Override
  public Handle newHandle() {
    return new CappedHandle((ExtendedHandle) delegate.newHandle(), cap);
  }

  private static final class CappedHandle extends DelegatingHandle implements ExtendedHandle {
    private final ExtendedHandle inner;
    private final IntSupplier cap;

    CappedHandle(ExtendedHandle inner, IntSupplier cap) {
      super(inner);
      this.inner = inner;
      this.cap = cap;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      int max = cap.getAsInt();
      if (max >= inner.guess()) {
        return inner.allocate(alloc);
      }
      return alloc.ioBuffer(Math.max(1, max));
    }

    @Override
    public int guess() {
      return Math.max(1, Math.min(inner.guess(), cap.getAsInt()));
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return inner.continueReading(maybeMoreDataSupplier);
    }
  }
}
