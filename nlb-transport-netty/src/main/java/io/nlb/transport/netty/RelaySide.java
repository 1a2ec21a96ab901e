package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * One half of a TCP flow's relay pair: the handler of one connection (the client's, named {@code
 * nlb-client}, or the target's, {@code nlb-target}) that writes what it reads to the other
 * connection and turns its connection's events into the flow's endings. The two subclasses differ
 * only in how bytes move: {@link CopyRelay} through buffers, {@link SpliceRelay} with {@code
 * splice(2)}.
 *
 * <p>Backpressure: both channels have {@code AUTO_READ} off. After each batch of reads the other
 * side is flushed and the next read is asked for ({@link #readMore}) only while the other side can
 * take it, or later when its writability returns. Half-close: the end of input of this side shuts
 * down the other side's output once everything written to it has been flushed.
 *
 * <p>One instance per connection, confined to the flow's event loop.
 */
abstract class RelaySide extends ChannelInboundHandlerAdapter {
  final TcpFlow flow;
  /** Whether this is the client connection's side. */
  final boolean client;

  RelaySide(TcpFlow flow, boolean client) {
    this.flow = flow;
    this.client = client;
  }

  /** This side's channel (null only for the target side before it is made). */
  final @Nullable Channel own() {
    return client ? flow.client : flow.target;
  }

  /** The other side's channel. */
  final @Nullable Channel peer() {
    return client ? flow.target : flow.client;
  }

  private boolean ownEof() {
    return client ? flow.clientEof : flow.targetEof;
  }

  private boolean peerEof() {
    return client ? flow.targetEof : flow.clientEof;
  }

  /** Prepares the target connection's channel before it is registered (the target side only). */
  void prepare(Channel target) {}

  /**
   * The target connection {@code t} is ready and this (client) side has taken its place in the
   * client's pipeline: starts moving bytes both ways.
   */
  void start(Channel t) {
    if (flow.clientEof) {
      flow.shutdownOutputWhenFlushed((DuplexChannel) t, true);
    } else {
      flow.client.read();
    }
    t.read();
  }

  /** Whether bytes read into buffers are counted here as {@code ProcessedBytes_TCP}. */
  abstract boolean countsBufferedBytes();

  /** Asks for the next read of this side, after a batch was flushed to {@code peer}. */
  abstract void readMore(Channel own, Channel peer);

  /**
   * At the end of input of this side, before the other side's output is shut down; false when the
   * flow ended meanwhile.
   */
  boolean beforeEof(Channel own, Channel peer) {
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    TcpFlow f = flow;
    Channel p = peer();
    if (f.finished || f.pendingEnd != null || p == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (client && f.mustResetOnClientData()) {
      ReferenceCountUtil.release(msg);
      f.end(TcpFlow.End.LB_RESET);
      return;
    }
    f.touch();
    if (countsBufferedBytes()) {
      f.ep.metrics.tcpBytes(((ByteBuf) msg).readableBytes());
    }
    p.write(msg, p.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    TcpFlow f = flow;
    f.readBatchDone(ctx.channel());
    Channel p = peer();
    if (f.finished || f.pendingEnd != null || p == null || (client && !f.connected)) {
      return;
    }
    p.flush();
    if (ownEof()) {
      return;
    }
    readMore(ctx.channel(), p);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    TcpFlow f = flow;
    f.ep.bufferWatch.writabilityChanged(ctx.channel());
    Channel p = peer();
    if (!f.finished && f.connected && p != null && ctx.channel().isWritable() && !peerEof()) {
      p.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    TcpFlow f = flow;
    if (evt instanceof ChannelInputShutdownEvent) {
      endOfInput(ctx.channel());
    } else if (client && evt instanceof SslHandshakeCompletionEvent e) {
      if (e.isSuccess()) {
        HandshakeGuard.handshakeDone(f.client);
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** The end of this side's input: shuts down the other side's output once it is flushed. */
  private void endOfInput(Channel own) {
    TcpFlow f = flow;
    if (client) {
      f.clientEof = true;
    } else {
      f.targetEof = true;
    }
    Channel p = peer();
    if (!f.finished && f.pendingEnd == null && p != null && (!client || f.connected) && beforeEof(own, p)) {
      f.shutdownOutputWhenFlushed((DuplexChannel) p, client);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    TcpFlow f = flow;
    f.ep.bufferWatch.inactive(ctx.channel());
    if (f.finished) {
      return;
    }
    if (f.quietLastFin() && !ownEof() && (client ? f.clientOutputShut : f.targetOutputShut)) {
      // Closed by Netty at the peer's FIN after ours (half-closure is off then, see
      // TcpFlow#outputShut); a reset would have come as an exception first and ended the flow.
      endOfInput(ctx.channel());
      return;
    }
    if (client) {
      f.end(TcpFlow.End.CLIENT_RESET);
    } else if (f.connected) {
      f.end(TcpFlow.End.TARGET_RESET);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    TcpFlow f = flow;
    if (f.finished) {
      return;
    }
    if (client ? cause instanceof IOException || cause.getCause() instanceof SSLException : cause instanceof IOException) {
      if (client) {
        TcpFlow.log.debug("nlb flow {}: client connection failed", f.describe(), cause);
      } else {
        TcpFlow.log.debug("nlb flow {} -> {}: target connection failed", f.describe(), f.registered, cause);
      }
      f.end(client ? TcpFlow.End.CLIENT_RESET : TcpFlow.End.TARGET_RESET);
    } else {
      // An Error (a direct buffer that could not be allocated, say) included: this connection
      // ends, the event loop goes on; counted in Liveness, logged once per cause and interval.
      f.ep.transport.handlerError(f.ep, client ? "unexpected error on a client connection"
          : "unexpected error on a target connection", cause);
      f.end(TcpFlow.End.LB_RESET);
    }
  }
}
