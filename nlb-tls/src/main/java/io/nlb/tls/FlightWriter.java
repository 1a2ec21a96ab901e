package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits just before (socket side of) the server's {@code SslHandler} while the handshake runs and
 * hands each flight to the socket as one buffer. The JDK's engine wraps a flight record by record
 * (TLS 1.3: ServerHello, ChangeCipherSpec, then the encrypted rest; TLS 1.2 resumption: ticket,
 * ChangeCipherSpec, Finished), and the SslHandler writes each record as its own buffer before one
 * flush; here the buffers written between two flushes are joined, so every flight is one write and
 * one socket buffer entry. BoringSSL already hands over a flight in one piece; then this handler
 * only passes it on. It removes itself at the first flush after the handshake finished (which for
 * TLS 1.3 carries the session ticket), so application data never passes through it.
 *
 * <p>Not thread-safe: one per connection, used on its event loop.
 */
final class FlightWriter extends ChannelOutboundHandlerAdapter {
  private final List<ByteBuf> buffers = new ArrayList<>(4);
  private final List<ChannelPromise> promises = new ArrayList<>(4);
  private final Future<?> handshake;

  FlightWriter(Future<?> handshake) {
    this.handshake = handshake;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      buffers.add(b);
      promises.add(promise);
    } else {
      writeHeld(ctx);
      ctx.write(msg, promise);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    writeHeld(ctx);
    ctx.flush();
    if (handshake.isDone() && ctx.pipeline().context(this) != null) {
      ctx.pipeline().remove(this);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    writeHeld(ctx); // unflushed: the channel's outbound buffer fails and releases them on close
    ctx.close(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    writeHeld(ctx);
  }

  /** Writes what was held since the last flush: as it is when one buffer, joined when more. */
  private void writeHeld(ChannelHandlerContext ctx) {
    int n = buffers.size();
    if (n == 0) {
      return;
    }
    if (n == 1) {
      ByteBuf b = buffers.get(0);
      ChannelPromise p = promises.get(0);
      buffers.clear();
      promises.clear();
      ctx.write(b, p);
      return;
    }
    int total = 0;
    for (ByteBuf b : buffers) {
      total += b.readableBytes();
    }
    ByteBuf joined = ctx.alloc().ioBuffer(total);
    for (ByteBuf b : buffers) {
      joined.writeBytes(b);
      b.release();
    }
    List<ChannelPromise> waiting = new ArrayList<>(promises);
    buffers.clear();
    promises.clear();
    ctx.write(joined).addListener(f -> {
      for (ChannelPromise p : waiting) {
        if (p.isVoid()) {
          continue;
        }
        if (f.isSuccess()) {
          p.trySuccess();
        } else {
          p.tryFailure(f.cause());
        }
      }
    });
  }
}
