package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * The zero-copy relay side ({@link NettyTransportBuilder#zeroCopy}, epoll, plain TCP listeners):
 * once the target connection is up and the PROXY header written, each side is spliced to the other
 * ({@code splice(2)} through a pipe, the bytes never enter the JVM). Bytes and activity are counted
 * by a {@link ReadCounter} on each channel, which sees every splice; backpressure waits until the
 * other side has written out what was spliced to it; at the end of input the bytes left in the
 * socket are read directly before the FIN is passed on (see {@link #drain}).
 *
 * <p>A flow is never closed inside Netty's splice loop, which may still use the descriptors: it
 * ends from a task ({@link TcpFlow#endSoon}). One instance per connection, confined to the flow's
 * event loop.
 */
final class SpliceRelay extends RelaySide {
  /** The buffer size for {@link #drain}. */
  private static final int DRAIN_CHUNK = 64 * 1024;

  /** Resumes reading this side once what was spliced from it has been written out. */
  private final ChannelFutureListener resume = this::resume;
  private final ChannelFutureListener spliceFailed = this::spliceFailed;
  private final Runnable readTask = this::readOwn;

  SpliceRelay(TcpFlow flow, boolean client) {
    super(flow, client);
    if (client) {
      // Before the client connection reads anything.
      EpollSupport.prepareSplice(flow.client, new ReadCounter(this::bytesRead));
    }
  }

  @Override
  void prepare(Channel target) {
    EpollSupport.prepareSplice(target, new ReadCounter(this::bytesRead));
  }

  @Override
  void start(Channel t) {
    // Spliced bytes follow the PROXY header and the early bytes in the target's outbound buffer.
    TcpFlow f = flow;
    if (!f.clientEof) {
      EpollSupport.spliceTo(f.client, t, f.client.newPromise().addListener(spliceFailed));
    }
    EpollSupport.spliceTo(t, f.client, t.newPromise().addListener(f.targetSide instanceof SpliceRelay s
        ? s.spliceFailed : spliceFailed));
    super.start(t);
  }

  @Override
  boolean countsBufferedBytes() {
    return false; // the ReadCounter counts every read
  }

  /** Every read from this side's socket, spliced or not (see {@link ReadCounter}). */
  private void bytesRead(int n) {
    TcpFlow f = flow;
    f.touch();
    f.ep.metrics.tcpBytes(n);
    // The bytes just spliced reach the target's socket before the reset (see endSoon).
    if (client && f.connected && !f.finished && f.pendingEnd == null && f.mustResetOnClientData()) {
      f.endSoon(TcpFlow.End.LB_RESET);
    }
  }

  /**
   * Reads this side again once {@code peer} has written out everything spliced to it (while it has
   * not, the pipe between them is full or filling, and another read would spin).
   */
  @Override
  void readMore(Channel own, Channel peer) {
    ChannelOutboundBuffer out = peer.unsafe().outboundBuffer();
    if (out == null || out.isEmpty()) {
      flow.loop.execute(readTask);
    } else {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(resume);
    }
  }

  private void resume(ChannelFuture f) {
    if (f.isSuccess()) {
      flow.loop.execute(readTask);
    }
  }

  /**
   * Zero copy reads are asked for from a task: a read() issued while Netty is in a splice read of
   * that channel is undone when the read ends (it clears EPOLLIN whenever AUTO_READ is off).
   */
  private void readOwn() {
    TcpFlow f = flow;
    Channel own = own();
    if (!f.finished && f.pendingEnd == null && !(client ? f.clientEof : f.targetEof) && own != null) {
      own.read();
    }
  }

  /**
   * A splice from this side failed. When its destination closed, the channel events that follow
   * end the flow; otherwise reading its source failed (a reset), which Netty reports through this
   * promise only.
   */
  private void spliceFailed(ChannelFuture future) {
    TcpFlow f = flow;
    Channel t = f.target;
    if (future.isSuccess() || f.finished || t == null) {
      return;
    }
    Throwable cause = future.cause();
    Channel destination = client ? t : f.client;
    if (cause instanceof ClosedChannelException || !destination.isOpen()) {
      return;
    }
    TcpFlow.log.debug("nlb flow {} -> {}: splice failed: {}", f.describe(), f.registered, String.valueOf(cause));
    f.endSoon(cause instanceof IOException ? (client ? TcpFlow.End.CLIENT_RESET : TcpFlow.End.TARGET_RESET)
        : TcpFlow.End.LB_RESET);
  }

  @Override
  boolean beforeEof(Channel own, Channel peer) {
    return (client || flow.connected) ? drain(own, peer) : true;
  }

  /**
   * At the end of input of {@code from}: Netty splices one more round when the FIN is seen, then
   * shuts the input down, so bytes sent before the FIN may still be in the socket. They are read
   * here, directly, and written to {@code to} ahead of the FIN that follows. Bounded by the
   * socket's receive buffer (no more bytes can arrive after the FIN). Returns false when the flow
   * ended.
   */
  private boolean drain(Channel from, Channel to) {
    TcpFlow f = flow;
    for (;;) {
      ByteBuf b = to.alloc().directBuffer(DRAIN_CHUNK);
      int n;
      try {
        n = EpollSupport.readDirect(from, b);
      } catch (IOException e) {
        b.release();
        TcpFlow.log.debug("nlb flow {} -> {}: reading after the end of input failed", f.describe(), f.registered, e);
        f.endSoon(client ? TcpFlow.End.CLIENT_RESET : TcpFlow.End.TARGET_RESET);
        return false;
      }
      if (n <= 0) {
        b.release();
        return true;
      }
      bytesRead(n);
      if (client && f.pendingEnd != null) {
        b.release();
        return false;
      }
      to.write(b, to.voidPromise());
    }
  }
}
