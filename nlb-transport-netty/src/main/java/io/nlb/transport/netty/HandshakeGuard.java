package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * First handler of every connection of a TLS listener: makes a client earn its memory.
 *
 * <ul>
 *   <li>When the connection is accepted it reserves {@link MemoryBudget#BASE} bytes of the
 *       transport's {@link MemoryBudget}; when the budget is exhausted the new handshake is refused
 *       (reset at once, {@code RejectedFlowCount_MemoryBudget}), and established flows are left
 *       alone.
 *   <li>Until the handshake completes, every read is granted before its buffer is allocated: the
 *       connection's reservation grows to cover the bytes read so far plus one read (at most
 *       {@link MemoryBudget#BASE}), and a {@link CappedRecvAllocator} keeps the read buffer within
 *       the grant. A connection that would pass its per-connection bound, or that the budget cannot
 *       grow, is reset and counted in {@code RejectedFlowCount_MemoryBudget}.
 *   <li>For the life of the connection, each TLS record header is checked as it arrives ({@link
 *       TlsRecordCheck}): a record announcing more than TLS allows resets the connection at once,
 *       before its body is buffered ({@code ClientTLSNegotiationErrorCount} during the handshake).
 * </ul>
 *
 * <p>The flow tells the guard when the handshake has completed ({@link #handshakeDone}); the
 * reservation is returned then, or when the connection closes. Each refusal is logged through the
 * transport's {@link CauseLog}: one line when it starts, then at most one line per interval with a
 * count. One instance per connection, confined to its event loop.
 */
final class HandshakeGuard extends ChannelDuplexHandler {
  static final String CAUSE_REFUSED = "new TLS handshakes refused: the handshake memory budget is exhausted";
  static final String CAUSE_TOO_BIG = "TLS handshakes closed: more bytes than the handshake memory budget grants";
  static final String CAUSE_RECORD = "TLS connections reset: a record header announced more than TLS allows";

  /** The room left in a reservation below which the next read first grows it. */
  static final int MIN_ROOM = 1024;

  private final Endpoint ep;
  private final MemoryBudget budget;
  private final TlsRecordCheck records = new TlsRecordCheck();
  private long reserved;
  private long received;
  private boolean done;
  private boolean failed;

  private HandshakeGuard(Endpoint ep) {
    this.ep = ep;
    this.budget = ep.transport.memory;
  }

  /** Adds a guard first in the pipeline of {@code ch}, a connection of a TLS listener. */
  static void install(Endpoint ep, Channel ch) {
    ch.pipeline().addFirst("nlb-handshake-guard", new HandshakeGuard(ep));
  }

  /** The handshake of the connection of {@code ch} completed: its reservation is returned. */
  static void handshakeDone(Channel ch) {
    HandshakeGuard g = ch.pipeline().get(HandshakeGuard.class);
    if (g != null) {
      g.done();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    if (!budget.admit()) {
      failed = true;
      done = true;
      ep.metrics.rejectedMemoryBudget.increment();
      ep.transport.causes.record(CAUSE_REFUSED, ep, null);
      TcpFlow.reset(ch);
      return;
    }
    reserved = MemoryBudget.BASE;
    CappedRecvAllocator.install(ch.config(), this::maxRead);
  }

  /** The most the next read may take: within the reservation until the handshake is done. */
  private int maxRead() {
    if (done) {
      return Integer.MAX_VALUE;
    }
    return (int) Math.max(1, Math.min(MemoryBudget.BASE, reserved - received));
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (failed) {
      return;
    }
    if (!done && reserved - received < MIN_ROOM) {
      // Grow by one read before it is allocated. A normal ClientHello and the rest of the client's
      // handshake fit in the base reservation, so only clients sending more ever get here.
      long grown = Math.min(reserved + MemoryBudget.BASE, budget.perConnection);
      if (grown <= reserved || !budget.grow(grown - reserved)) {
        if (reserved - received <= 0) {
          refuse(ctx);
          return;
        }
      } else {
        reserved = grown;
      }
    }
    ctx.read();
  }

  /** Grows the reservation to {@code need}; on refusal resets the connection and returns false. */
  private boolean grantUpTo(ChannelHandlerContext ctx, long need) {
    if (need > reserved) {
      if (need > budget.perConnection || !budget.grow(need - reserved)) {
        refuse(ctx);
        return false;
      }
      reserved = need;
    }
    return true;
  }

  /**
   * A client that shuts down its output before its handshake completes can never complete it:
   * closed at once (with AUTO_READ off and half-closure allowed, it would otherwise wait for the
   * handshake timeout, holding its reservation).
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!done && evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      done = true;
      releaseReservation();
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void refuse(ChannelHandlerContext ctx) {
    failed = true;
    ep.metrics.rejectedMemoryBudget.increment();
    ep.transport.causes.record(CAUSE_TOO_BIG, ep, null);
    releaseReservation();
    TcpFlow.reset(ctx.channel());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed || !(msg instanceof ByteBuf b)) {
      if (failed) {
        ReferenceCountUtil.release(msg);
      } else {
        ctx.fireChannelRead(msg);
      }
      return;
    }
    int n = b.readableBytes();
    boolean forwardedBefore = received > 0;
    if (!done) {
      received += n;
      // epoll may read at the end of input without a read() having been asked for
      if (received > budget.perConnection || (received > reserved && !grantUpTo(ctx, received))) {
        b.release();
        if (!failed) {
          refuse(ctx);
        }
        return;
      }
    }
    if (records.check(b) == TlsRecordCheck.TOO_LONG) {
      b.release();
      failed = true;
      if (!done && !forwardedBefore) {
        // Nothing reached the TLS handlers, which count a failed negotiation only when they saw bytes.
        ep.metrics.clientTlsErrors.increment();
      }
      ep.transport.causes.record(CAUSE_RECORD, ep, null);
      releaseReservation();
      TcpFlow.reset(ctx.channel());
      return;
    }
    ctx.fireChannelRead(b);
  }

  private void done() {
    if (!done) {
      done = true;
      releaseReservation();
    }
  }

  private void releaseReservation() {
    long r = reserved;
    reserved = 0;
    budget.release(r);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    done = true;
    releaseReservation();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    done = true;
    releaseReservation();
  }

  /** Bytes this connection has reserved now (tests). */
  long reserved() {
    return reserved;
  }
}
