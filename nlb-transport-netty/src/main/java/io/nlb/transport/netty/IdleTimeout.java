package io.nlb.transport.netty;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The idle timeout of one TCP flow (the listener's {@code tcp.idle_timeout.seconds}): from the
 * moment the target connected, the flow's handlers note every read as activity ({@link #touch},
 * from {@link RelaySide} and, for bytes read before the relay starts, {@link RouteAndConnect}), and
 * it resets both connections once the flow has been idle that long (an LB reset). It is not a
 * handler of its own: two pipeline entries per flow would cost more memory than the call.
 * Keepalives count as activity where the I/O mode shows them ({@link KeepaliveIdle}); a TLS
 * listener that sees one starts keepalives on both connections, as the guide says.
 *
 * <p>Time is the event loop's ticker. Checks are due as rarely as the timeout allows (no timer per
 * read), and held by the event loop's {@link IdleWheel}, of which this handler is the list node: an
 * idle flow holds no scheduled task of its own. Sharable only between the two connections of its
 * flow, which share one event loop.
 */
final class IdleTimeout extends IdleWheel.Node {
  private final TcpFlow flow;
  private final long idleNanos;
  /** The wheel of the flow's event loop; its clock is the loop's (a mock one in tests). */
  private final IdleWheel wheel;
  private long lastActivity;
  /** Counts keepalives; made at the first check (most flows end before). */
  private @Nullable KeepaliveIdle keepalive;
  private boolean cancelled;

  IdleTimeout(TcpFlow flow, long idleNanos) {
    this.flow = flow;
    this.idleNanos = idleNanos;
    this.wheel = flow.ep.transport.idleWheels.of(flow.loop);
  }

  /** Starts the clock: the target has just connected. */
  void start() {
    long now = wheel.now();
    lastActivity = now;
    wheel.add(this, now + KeepaliveIdle.firstCheckNanos(idleNanos, flow.tls != null,
        flow.ep.transport.io.acksVisible()));
  }

  /** Bytes moved: the timeout starts over. */
  void touch() {
    lastActivity = wheel.now();
  }

  /** The flow ended: no more checks. */
  void cancel() {
    cancelled = true;
    wheel.remove(this);
  }

  /** The check that was due has come ({@code now}, on the event loop). */
  @Override
  void expired(long now) {
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
    wheel.add(this, now + wait);
  }
}
