package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * One handshake between a client {@link SslHandler} and a {@link TlsTermination} handler on two
 * {@link EmbeddedChannel}s, recording what the server hands to its socket: each flush, with the
 * buffers written since the one before. The recorder sits first in the server's pipeline, where
 * the socket would be.
 */
final class FlightRecorder extends ChannelOutboundHandlerAdapter {
  /** The buffer sizes written before each flush, one list per flush. */
  final List<List<Integer>> flushes = new ArrayList<>();
  private List<Integer> pending = new ArrayList<>();

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    pending.add(msg instanceof ByteBuf b ? b.readableBytes() : -1);
    super.write(ctx, msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) throws Exception {
    flushes.add(pending);
    pending = new ArrayList<>();
    super.flush(ctx);
  }

  /** {@return the flushes that carried bytes} */
  List<List<Integer>> flights() {
    List<List<Integer>> out = new ArrayList<>();
    for (List<Integer> f : flushes) {
      if (!f.isEmpty()) {
        out.add(f);
      }
    }
    return out;
  }

  /** {@return every byte the server wrote} */
  long bytes() {
    long n = 0;
    for (List<Integer> f : flushes) {
      for (int b : f) {
        n += b;
      }
    }
    return n;
  }

  /** What one handshake showed. */
  record Handshake(boolean success, @Nullable Throwable cause, FlightRecorder server, @Nullable SSLSession serverSession) {}

  /** Runs one handshake of a new client handler from {@code client} (peer nlb.test:443) against {@code tls}. */
  static Handshake handshake(SslContext client, TlsTermination tls) {
    SslHandler clientSsl = client.newHandler(ByteBufAllocator.DEFAULT, "nlb.test", 443);
    FlightRecorder recorder = new FlightRecorder();
    EmbeddedChannel c = ChannelPair.channel(ChannelPair.LISTENER, ChannelPair.CLIENT, clientSsl);
    EmbeddedChannel s = ChannelPair.channel(ChannelPair.CLIENT, ChannelPair.LISTENER, recorder, tls.newHandler());
    try {
      for (int round = 0; round < 20; round++) {
        c.runPendingTasks();
        s.runPendingTasks();
        List<ByteBuf> c2s = drain(c);
        List<ByteBuf> s2c = drain(s);
        if (c2s.isEmpty() && s2c.isEmpty()) {
          break;
        }
        deliver(s, c2s);
        deliver(c, s2c);
      }
      SslHandler serverSsl = s.pipeline().get(SslHandler.class);
      SSLSession session = serverSsl == null ? null : serverSsl.engine().getSession();
      return new Handshake(clientSsl.handshakeFuture().isSuccess(), clientSsl.handshakeFuture().cause(), recorder, session);
    } finally {
      c.finishAndReleaseAll();
      s.finishAndReleaseAll();
    }
  }

  private static List<ByteBuf> drain(EmbeddedChannel ch) {
    List<ByteBuf> out = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      out.add((ByteBuf) o);
    }
    return out;
  }

  private static void deliver(EmbeddedChannel ch, List<ByteBuf> bufs) {
    for (ByteBuf b : bufs) {
      if (!ch.isOpen()) {
        b.release();
        continue;
      }
      ch.pipeline().fireChannelRead(b);
      ch.pipeline().fireChannelReadComplete();
      ch.runPendingTasks();
    }
  }
}
