package io.nlb.transport.netty;

import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of one TCP flow, counting TCP keepalives where the platform shows them, and
 * the keepalives a TLS listener starts sending once it has seen one. Guide, "Connection idle
 * timeout": keepalive packets from clients or targets reset the idle timeout; a TLS listener
 * that receives one from either side sends keepalives on both connections every 20 seconds.
 *
 * <p>A keepalive is a segment without new data, so the flow never reads it. What the kernel
 * shows is when each socket last received an ACK ({@code TCP_INFO}'s {@code tcpi_last_ack_recv},
 * epoll only; see {@link AckAge}). An ACK counts as keepalive traffic when it arrived more than
 * {@link #ACK_SLACK_NANOS} after the flow's last data (sooner, it acknowledges that data). Once this
 * flow sends keepalives itself, the peers' answers to them are ACKs too: the kernel sends a probe
 * only after {@link #KEEPALIVE_INTERVAL_NANOS} without receiving anything, so an ACK that comes
 * sooner than that after the socket's previous one is the peer's own traffic, and a later one is
 * taken for an answer and not counted.
 *
 * <p>Pure and confined to the flow's event loop: the flow passes the time and its last data
 * activity, the ACK ages come from the two {@link AckAge} sources it was made with.
 */
final class KeepaliveIdle {
  /**
   * How long ago one socket last received an ACK. Implementations read the kernel; tests supply
   * values.
   */
  @FunctionalInterface
  interface AckAge {
    /** Milliseconds since the socket last received an ACK, or a negative value when unknown. */
    long millis();
  }

  /** For sockets whose ACKs the platform does not show (NIO, io_uring). */
  static final AckAge UNKNOWN = () -> -1;

  /** The interval of the keepalives a TLS listener sends (guide: every 20 seconds). */
  static final long KEEPALIVE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(20);
  /** How often a TLS flow whose ACKs are visible looks at them, so that it starts keepalives in time. */
  static final long POLL_NANOS = KEEPALIVE_INTERVAL_NANOS / 2;
  /** ACKs this soon after the flow's last data acknowledge that data. */
  static final long ACK_SLACK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final long idleNanos;
  private final boolean tls;
  private final Side client;
  private final Side target;
  private final boolean visible;
  /** The last keepalive counted, in {@code System.nanoTime()} time; valid when {@link #seen}. */
  private long lastKeepalive;
  private boolean seen;
  private boolean sending;
  private boolean startSending;

  KeepaliveIdle(long idleNanos, boolean tls, AckAge client, AckAge target) {
    this.idleNanos = idleNanos;
    this.tls = tls;
    this.client = new Side(client);
    this.target = new Side(target);
    this.visible = client != UNKNOWN || target != UNKNOWN;
  }

  /** When the flow should first look: a TLS flow whose ACKs are visible polls; others wait for the timeout. */
  static long firstCheckNanos(long idleNanos, boolean tls, boolean acksVisible) {
    return tls && acksVisible ? Math.min(idleNanos, POLL_NANOS) : idleNanos;
  }

  /**
   * Looks at the flow at {@code now}, its last data having moved at {@code lastData} (both {@code
   * System.nanoTime()} values).
   *
   * @return nanoseconds until the next look; 0 when the flow has been idle for the timeout and
   *     must be reset
   */
  long check(long now, long lastData) {
    client.look(now, lastData);
    target.look(now, lastData);
    long activity = seen && lastKeepalive - lastData > 0 ? lastKeepalive : lastData;
    long left = activity + idleNanos - now;
    if (left <= 0) {
      return 0;
    }
    if (tls && seen && !sending) {
      sending = true;
      startSending = true;
    }
    return tls && visible ? Math.min(left, POLL_NANOS) : left;
  }

  /** True once, after the {@link #check} that saw the first keepalive of a TLS flow: start sending. */
  boolean startKeepalives() {
    boolean s = startSending;
    startSending = false;
    return s;
  }

  /** Whether a keepalive has been counted. */
  boolean keepaliveSeen() {
    return seen;
  }

  private final class Side {
    private final AckAge age;
    /** The last ACK seen at an earlier look; valid when {@link #known}. */
    private long lastAck;
    private boolean known;

    Side(AckAge age) {
      this.age = age;
    }

    void look(long now, long lastData) {
      long ms = age.millis();
      if (ms < 0) {
        return;
      }
      long ackAt = now - TimeUnit.MILLISECONDS.toNanos(ms);
      // Kernel times are in milliseconds: a difference below one is the same ACK.
      if (known && ackAt - lastAck < TimeUnit.MILLISECONDS.toNanos(1)) {
        return;
      }
      boolean afterData = ackAt - lastData > ACK_SLACK_NANOS;
      long previous = known && lastAck - lastData > 0 ? lastAck : lastData;
      boolean notAnAnswer = !sending || ackAt - previous < KEEPALIVE_INTERVAL_NANOS - ACK_SLACK_NANOS;
      if (afterData && notAnAnswer && (!seen || ackAt - lastKeepalive > 0)) {
        lastKeepalive = ackAt;
        seen = true;
      }
      lastAck = ackAt;
      known = true;
    }
  }
}
