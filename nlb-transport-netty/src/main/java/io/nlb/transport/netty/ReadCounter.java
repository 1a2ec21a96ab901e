package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * A {@link RecvByteBufAllocator} that reports every read from its channel's socket to a {@link
 * Sink}, whether the bytes were read into a buffer or spliced into a pipe. Zero-copy flows need it:
 * spliced bytes never reach the pipeline, but Netty's splice loop reports each {@code splice(2)}
 * result through {@link RecvByteBufAllocator.Handle#lastBytesRead(int)}, so the flow still counts
 * every byte and sees every read as activity. One instance per channel; used on its event loop
 * only.
 */
final class ReadCounter implements RecvByteBufAllocator {
  /**
   * The largest splice Netty attempts in one read (it stops earlier when the pipe is full or the
   * socket is empty); larger than the adaptive guess, which only grows slowly from 2 KiB.
   */
  static final int SPLICE_GUESS = 1 << 20;

  private static final AdaptiveRecvByteBufAllocator ADAPTIVE = new AdaptiveRecvByteBufAllocator();

  /** Receives the size of each read; called on the channel's event loop. */
  interface Sink {
    void read(int bytes);
  }

  private final Sink sink;

  ReadCounter(Sink sink) {
    this.sink = sink;
  }

  @Override
  public Handle newHandle() {
    return new Counting((ExtendedHandle) ADAPTIVE.newHandle(), sink);
  }

  private static final class Counting implements ExtendedHandle {
    private final ExtendedHandle delegate;
    private final Sink sink;

    Counting(ExtendedHandle delegate, Sink sink) {
      this.delegate = delegate;
      this.sink = sink;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return delegate.allocate(alloc);
    }

    @Override
    public int guess() {
      return Math.max(delegate.guess(), SPLICE_GUESS);
    }

    @Override
    public void reset(ChannelConfig config) {
      delegate.reset(config);
    }

    @Override
    public void incMessagesRead(int numMessages) {
      delegate.incMessagesRead(numMessages);
    }

    @Override
    public void lastBytesRead(int bytes) {
      delegate.lastBytesRead(bytes);
      if (bytes > 0) {
        sink.read(bytes);
      }
    }

    @Override
    public int lastBytesRead() {
      return delegate.lastBytesRead();
    }

    @Override
    public void attemptedBytesRead(int bytes) {
      delegate.attemptedBytesRead(bytes);
    }

    @Override
    public int attemptedBytesRead() {
      return delegate.attemptedBytesRead();
    }

    @Override
    public boolean continueReading() {
      return delegate.continueReading();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return delegate.continueReading(maybeMoreDataSupplier);
    }

    @Override
    public void readComplete() {
      delegate.readComplete();
    }
  }
}
