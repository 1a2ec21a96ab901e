package io.nlb.transport.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.ssl.SslHandler;
import io.nlb.core.RouteTarget;
import java.net.BindException;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP flow: the client connection accepted on a node, and the connection to the target it
 * was routed to. This class is the flow's state and its endings; the work is done by small
 * handlers in the two pipelines:
 *
 * <ol>
 *   <li>{@link AcceptGuard}: connection limits, before any flow exists;
 *   <li>TLS listeners: {@link HandshakeGuard}, {@link TlsErrors.Bytes} and the {@link
 *       io.nlb.tls.TlsTermination} handler (installed by {@link RouteAndConnect#install});
 *   <li>{@link RouteAndConnect} ({@code nlb-client}): routes the flow ({@link FlowRouting}),
 *       connects to the target, writes the PROXY header, starts TLS towards TLS groups, keeps the
 *       client bytes that arrive meanwhile, then replaces itself by the client's relay side;
 *   <li>the relay pair, one {@link RelaySide} per connection: {@link CopyRelay} (buffers) or
 *       {@link SpliceRelay} (zero copy, epoll);
 *   <li>the {@link IdleTimeout}, once the target is connected: not a handler; the relay sides
 *       report reads to it, and its event loop's {@link IdleWheel} looks at it when it is due.
 * </ol>
 *
 * <p>Both channels live on one event loop, so every field is confined to that thread except
 * {@link #unhealthy}, which the control plane sets.
 *
 * <p>Half-close: on the end of input from one side, the other side's output is shut down once
 * everything written to it before has been flushed; the flow closes when both directions are done.
 */
final class TcpFlow extends FlowRouting.Choice implements Flow {
  static final Logger log = LoggerFactory.getLogger(TcpFlow.class);

  /**
   * The default per-flow buffer bound ({@link NettyTransportBuilder#flowBufferBytes}): larger than
   * Netty's default so that a loopback relay moves 64 KiB reads without stalling.
   */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

  /**
   * The read-buffer sizing of both connections of every flow: one instance for all of them (it holds
   * only its settings; each channel's handle keeps that channel's state), where Netty makes one per
   * channel. 16 reads per read request, as Netty's socket channels default to.
   */
  static final RecvByteBufAllocator RECV_ALLOCATOR = new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(16);

  /**
   * The settings every relayed connection (the client's, the target's) takes before it reads, none
   * of them a system call: reads on request only (the relay's backpressure), half-closure, the
   * transport's per-flow buffer bound, the shared read sizing and, when one was given, the
   * transport's buffer allocator.
   */
  static void configure(SocketChannelConfig c, NettyTransport t) {
    c.setAutoRead(false);
    c.setAllowHalfClosure(true);
    c.setWriteBufferWaterMark(t.waterMark);
    c.setRecvByteBufAllocator(RECV_ALLOCATOR);
    io.netty.buffer.ByteBufAllocator alloc = t.allocator;
    if (alloc != null) {
      c.setAllocator(alloc);
    }
  }

  /** How a flow ends, for the metric it records. */
  enum End { NORMAL, CLIENT_RESET, TARGET_RESET, LB_RESET }

  final Endpoint ep;
  final SocketChannel client;
  /** The TLS listener this connection was accepted for, or null (TCP). */
  final @Nullable TlsFrontend tls;
  final EventLoop loop;
  /** Whether this flow splices (zero copy); decided when it is accepted, fixed for its life. */
  final boolean splice;
  /** The relay handler of each connection, made when the flow is accepted (splice needs them before any read). */
  final RelaySide clientSide;
  final RelaySide targetSide;

  @Nullable Channel target;
  @Nullable RouteTarget registered;
  /** Set once the target connected; cancelled when the flow ends. */
  @Nullable IdleTimeout idle;
  /** Whether the target connection is ready for client bytes (after its TLS handshake, for TLS groups). */
  boolean connected;
  /** Whether the flow was counted as open (routed). */
  boolean opened;
  boolean finished;
  boolean clientEof;
  boolean targetEof;
  boolean clientOutputShut;
  boolean targetOutputShut;
  /**
   * Zero copy: how the flow ends, decided inside Netty's splice loop, where closing a channel would
   * let the loop go on with closed descriptors; a task ends it right after.
   */
  @Nullable End pendingEnd;
  volatile boolean unhealthy;

  TcpFlow(Endpoint ep, SocketChannel client, @Nullable TlsFrontend tls) {
    this(ep, client, tls, client.eventLoop());
  }

  /** A flow of {@code client}, which is (or is about to be) registered with {@code loop}. */
  TcpFlow(Endpoint ep, SocketChannel client, @Nullable TlsFrontend tls, EventLoop loop) {
    this.ep = ep;
    this.client = client;
    this.tls = tls;
    this.loop = loop;
    this.splice = tls == null && ep.transport.zeroCopy;
    if (splice) {
      clientSide = new SpliceRelay(this, true);
      targetSide = new SpliceRelay(this, false);
    } else {
      clientSide = new CopyRelay(this, true);
      targetSide = new CopyRelay(this, false);
    }
  }

  @Override
  public RouteTarget target() {
    RouteTarget t = registered;
    if (t == null) {
      throw new IllegalStateException("flow not routed yet");
    }
    return t;
  }

  @Override
  public void terminate() {
    try {
      // A lambda made here, not held in a field: few flows are terminated, every flow would hold it.
      loop.execute(() -> end(End.LB_RESET));
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down and closes its channels itself.
    }
  }

  @Override
  public void targetUnhealthy(boolean unhealthy) {
    this.unhealthy = unhealthy;
  }

  /** Whether client bytes must not go on: the target is unhealthy and its node does not fail open. */
  boolean mustResetOnClientData() {
    return unhealthy && !FlowRouting.failsOpen(ep);
  }

  /** Some bytes moved: the idle timeout starts over. */
  void touch() {
    IdleTimeout i = idle;
    if (i != null) {
      i.touch();
    }
  }

  // ------------------------------------------------------------------ half-close

  /**
   * Shuts down the output of {@code ch} (the target's when {@code toTarget}, else the client's) once
   * everything written to it has been flushed, then records that direction as done. When nothing is
   * pending, which is the common case, this happens at once, without an empty write and two
   * listeners to wait for it. A TLS connection (the client's on a TLS listener, the target's towards
   * a TLS group) says close_notify before its FIN: without it a TLS peer sees the end of the stream
   * as a truncation.
   */
  void shutdownOutputWhenFlushed(DuplexChannel ch, boolean toTarget) {
    ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
    if (out != null && out.totalPendingWriteBytes() == 0 && out.isEmpty()) {
      if (toTarget ? targetEof && clientOutputShut : clientEof && targetOutputShut) {
        // The last open direction: both inputs have been read to their end, so closing sends a FIN
        // (not a RST) just as shutting down would, and the flow ends without a shutdown() call, the
        // exception Netty builds for it and its promise. A TLS connection is closed through its
        // pipeline, whose SslHandler sends the close_notify first. A spliced flow is never closed
        // inside Netty's splice loop, which may still use the file descriptor.
        if (splice) {
          endSoon(End.NORMAL);
        } else {
          end(End.NORMAL);
        }
        return;
      }
      shutdownOutputFlushed(ch, toTarget);
      return;
    }
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess() && !finished) {
        shutdownOutputFlushed(ch, toTarget);
      }
    });
  }

  /** {@link #shutdownOutputWhenFlushed} once flushed: close_notify first on a TLS connection. */
  private void shutdownOutputFlushed(DuplexChannel ch, boolean toTarget) {
    SslHandler ssl = tls == null ? null : ch.pipeline().get(SslHandler.class);
    if (ssl != null) {
      closeNotifyThenShutdown(ch, ssl, toTarget);
    } else {
      shutdownOutput(ch, toTarget);
    }
  }

  /**
   * Half-closes a TLS connection: its close_notify, then, once that is written, its FIN. The
   * SslHandler then knows its output closed, so the connection's close later neither writes a second
   * close_notify nor asks the engine to close its input, which both engines answer with an exception
   * (stack trace included) when the peer sent no close_notify of its own. A close_notify that
   * cannot be written means the peer is gone: the flow ends as that side's reset.
   */
  private void closeNotifyThenShutdown(DuplexChannel ch, SslHandler ssl, boolean toTarget) {
    ssl.closeOutbound(ch.newPromise()).addListener((ChannelFutureListener) f -> {
      if (finished) {
        return;
      }
      if (f.isSuccess()) {
        shutdownOutput(ch, toTarget);
      } else {
        end(toTarget ? End.TARGET_RESET : End.CLIENT_RESET);
      }
    });
  }

  private void shutdownOutput(DuplexChannel ch, boolean toTarget) {
    ChannelFuture g = HalfClose.shutdownOutput(ch, ep.transport.io.mode);
    if (g.isDone()) {
      outputShut(toTarget);
    } else {
      g.addListener((ChannelFutureListener) done -> outputShut(toTarget));
    }
  }

  private void outputShut(boolean toTarget) {
    if (toTarget) {
      targetOutputShut = true;
    } else {
      clientOutputShut = true;
    }
    if (quietLastFin()) {
      // This connection's FIN is sent; its peer's FIN, when it comes, is the end of the connection.
      // Without half-closure Netty then closes the channel instead of shutting its input down:
      // that shutdown() fails with ENOTCONN on a connection both sides have finished (Netty builds
      // a NotYetConnectedException, stack trace included), and the interest it clears makes the
      // close's EPOLL_CTL_DEL fail too (another exception). RelaySide#channelInactive takes that
      // close as the end of input.
      Channel ch = toTarget ? target : client;
      if (ch != null && !(toTarget ? targetEof : clientEof)) {
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
      }
    }
    if (!finished && clientEof && targetEof && clientOutputShut && targetOutputShut) {
      end(End.NORMAL);
    }
  }

  /**
   * At the end of each read batch of {@code ch}, from whichever handler reads it: on epoll, keeps
   * the descriptor registered when the batch ended at the end of input ({@link EpollRegistration}).
   */
  void readBatchDone(Channel ch) {
    if (ep.transport.io.mode == IoMode.EPOLL) {
      EpollRegistration.keepAtEndOfInput(ch);
    }
  }

  /**
   * Whether the last FIN of a connection ends it without an input shutdown (see {@link
   * #outputShut}): copying relays, TLS ones included (their close_notify went before their FIN, and
   * the peer's arrives before its FIN); a spliced flow drains its socket at the end of input.
   */
  boolean quietLastFin() {
    return !splice;
  }

  // ------------------------------------------------------------------ endings

  /**
   * Ends the flow from a task, after the current I/O event: inside Netty's splice loop a closed
   * channel would still be spliced from (its descriptor number possibly reused by then). Until
   * then the flow forwards nothing more.
   */
  void endSoon(End how) {
    if (!finished && pendingEnd == null) {
      pendingEnd = how;
      loop.execute(this::endPending);
    }
  }

  private void endPending() {
    End how = pendingEnd;
    if (how != null) {
      end(how);
    }
  }

  /** Refuses the client before a flow was opened: an LB reset, counted. */
  void lbResetClient() {
    finished = true;
    ep.metrics.elbResets.increment();
    reset(client);
  }

  /** Ends the flow once, on its event loop. */
  void end(End how) {
    if (finished) {
      return;
    }
    finished = true;
    Channel t = target;
    if (log.isDebugEnabled()) {
      log.debug("nlb flow {} -> {} ends: {} (client eof {}, target eof {}, client out shut {}, target out shut {})",
          describe(), registered, how, clientEof, targetEof, clientOutputShut, targetOutputShut);
    }
    switch (how) {
      case NORMAL:
        // Netty builds a (stackless) exception on every close() call, also of a closed channel.
        // Nothing waits for these closes: a plain flow, whose pipelines hold no outbound handler,
        // closes past them with the channel's void promise instead of having a promise made for
        // each (the pipeline refuses a void promise for close). A TLS flow goes through the
        // pipeline, so that its SslHandler sends a close_notify first.
        if (client.isOpen()) {
          close(client);
        }
        if (t != null && t.isOpen()) {
          close(t);
        }
        break;
      case CLIENT_RESET:
        ep.metrics.clientResets.increment();
        reset(client);
        if (t != null) {
          reset(t);
        }
        break;
      case TARGET_RESET:
        ep.metrics.targetResets.increment();
        ep.slot.passiveHealth().targetReset(target());
        reset(client);
        if (t != null) {
          reset(t);
        }
        break;
      default:
        ep.metrics.elbResets.increment();
        reset(client);
        if (t != null) {
          if (connected) {
            ep.metrics.elbResets.increment();
          }
          reset(t);
        }
        break;
    }
    IdleTimeout i = idle;
    if (i != null) {
      i.cancel();
    }
    if (opened) {
      ep.metrics.tcpFlowClosed(tls != null);
      ep.transport.flowClosed(this, ep.state, true);
    }
  }

  /** Closes {@code ch} at the end of a flow; see {@link #end}. */
  private void close(Channel ch) {
    if (tls == null) {
      ch.unsafe().close(ch.voidPromise());
    } else {
      ch.close();
    }
  }

  /** Closes with SO_LINGER 0, so that the peer sees a TCP RST. */
  static void reset(Channel ch) {
    if (ch.isOpen()) {
      try {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (RuntimeException e) {
        // The socket is already gone; closing is all that is left.
      }
      // Past the pipeline: a reset is abortive, so a TLS handler must not send close_notify first
      // (a TLS client would read it as a clean end of the stream, not as a reset).
      ch.unsafe().close(ch.voidPromise());
    }
  }

  static boolean isBindFailure(@Nullable Throwable cause) {
    if (cause instanceof BindException) {
      return true;
    }
    String m = cause == null ? null : cause.getMessage();
    return m != null && (m.startsWith("bind(") || m.contains("Cannot assign requested address")
        || m.contains("Address already in use"));
  }

  /** The client connection (tests, diagnostics). */
  Channel clientChannel() {
    return client;
  }

  /** Bytes written to this flow's two connections and not yet taken by their sockets (diagnostics). */
  long bufferedBytes() {
    return pending(client) + (target == null ? 0 : pending(target));
  }

  private static long pending(@Nullable Channel ch) {
    ChannelOutboundBuffer b = ch == null ? null : ch.unsafe().outboundBuffer();
    return b == null ? 0 : b.totalPendingWriteBytes();
  }

  String describe() {
    return ep + " " + client.remoteAddress();
  }
}
