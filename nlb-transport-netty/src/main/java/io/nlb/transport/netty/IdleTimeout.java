package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The idle timeout of one TCP flow (the listener's {@code tcp.idle_timeout.seconds}): in both of
 * the flow's pipelines (name {@code nlb-idle}, just before the relay side) from the moment the
 * target connected, it notes every read as activity and resets both connections once the flow has
 * been idle that long (an LB reset). A splicing flow reports its reads through {@link #touch}.
 * Keepalives count as activity where the I/O mode shows them ({@link KeepaliveIdle}); a TLS
 * listener that sees one starts keepalives on both connections, as the guide says.
 *
 * <p>Time is the event loop's {@link Ticker}. Checks are scheduled on the flow's event loop, as rarely as the timeout allows (no timer per
 * read). Sharable only between the two connections of its flow, which share one event loop.
 */
@ChannelHandler.Sharable
final class IdleTimeout extends ChannelInboundHandlerAdapter {
  static final String NAME = "nlb-idle";

  private final TcpFlow flow;
  private final long idleNanos;
  private final Runnable check = this::check;
  /** The event loop's clock (a mock one in tests). */
  private final Ticker ticker;
  private long lastActivity;
  private @Nullable ScheduledFuture<?> next;
  /** Counts keepalives; made at the first check (most flows end before). */
  private @Nullable KeepaliveIdle keepalive;
  private boolean cancelled;

  IdleTimeout(TcpFlow flow, long idleNanos) {
    this.flow = flow;
    this.idleNanos = idleNanos;
    this.ticker = flow.loop.ticker();
  }

  /** Starts the clock: the target has just connected. */
  void start() {
    lastActivity = ticker.nanoTime();
    next = flow.loop.schedule(check, KeepaliveIdle.firstCheckNanos(idleNanos, flow.tls != null,
        flow.ep.transport.io.acksVisible()), TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivity = ticker.nanoTime();
    ctx.fireChannelRead(msg);
  }

  /** Bytes moved without passing this handler (splice). */
  void touch() {
    lastActivity = ticker.nanoTime();
  }

  /** The flow ended: no more checks. */
  void cancel() {
    cancelled = true;
    ScheduledFuture<?> n = next;
    if (n != null) {
      n.cancel(false);
    }
  }

  private void check() {
    TcpFlow f = flow;
    if (f.finished || cancelled) {
      return;
    }
    Channel t = f.target;
    KeepaliveIdle k = keepalive;
    if (k == null) {
      IoTransport io = f.ep.transport.io;
      k = new KeepaliveIdle(idleNanos, f.tls != null, io.ackAge(f.client), t == null ? KeepaliveIdle.UNKNOWN : io.ackAge(t));
      keepalive = k;
    }
    long now = ticker.nanoTime();
    long wait = k.check(now, lastActivity);
    if (wait <= 0) {
      TcpFlow.log.debug("nlb flow {}: idle for {} ms (keepalives seen: {}), resetting both sides", f.describe(),
          TimeUnit.NANOSECONDS.toMillis(now - lastActivity), k.keepaliveSeen());
      f.end(TcpFlow.End.LB_RESET);
      return;
    }
    if (k.startKeepalives() && t != null) {
      // Guide, "Connection idle timeout": a TLS listener that sees a keepalive from either side
      // sends keepalives on both connections every 20 seconds.
      int seconds = (int) TimeUnit.NANOSECONDS.toSeconds(KeepaliveIdle.KEEPALIVE_INTERVAL_NANOS);
      try {
        f.ep.transport.io.keepalive(f.client, seconds);
        f.ep.transport.io.keepalive(t, seconds);
      } catch (RuntimeException e) {
        TcpFlow.log.debug("nlb flow {}: cannot start keepalives: {}", f.describe(), String.valueOf(e));
      }
    }
    next = f.loop.schedule(check, wait, TimeUnit.NANOSECONDS);
  }
}
