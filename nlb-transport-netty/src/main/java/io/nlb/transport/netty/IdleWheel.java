package io.nlb.transport.netty;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The idle timeouts of the TCP flows of one event loop: a hashed timing wheel (Varghese and
 * Lauck, "Hashed and Hierarchical Timing Wheels", 1987) with one scheduled task for the whole loop
 * instead of one per flow. A flow's {@link IdleTimeout} is its own list node (no entry object, no
 * future, no task per flow); adding and removing are O(1) and allocate nothing, where a scheduled
 * task per flow costs a future, a lambda and a priority-queue insertion and removal per connection.
 *
 * <p>Time is cut into ticks of {@link #tickNanos}; a timeout due at {@code d} sits in the bucket of
 * the first tick at or after {@code d} and is looked at when that tick has passed, so it fires at
 * most one tick late and never early. A bucket holds timeouts of every round (a deadline further
 * out than the wheel's span shares the bucket with nearer ones); a look at a bucket skips those not
 * yet due. The tick task runs only while the wheel holds a timeout.
 *
 * <p>Confined to its event loop (every method is called on it), except {@link PerLoop}, which is
 * thread-safe.
 */
final class IdleWheel {
  /** The number of buckets (a power of two); with one-second ticks, a span of 8.5 minutes. */
  static final int BUCKETS = 512;
  private static final int MASK = BUCKETS - 1;
  /** The tick of listeners' idle timeouts (60 s or more): the timeout fires at most this late. */
  static final long DEFAULT_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final EventLoop loop;
  private final Ticker ticker;
  final long tickNanos;
  private final long origin;
  private final @Nullable Node[] heads = new Node[BUCKETS];
  private final Runnable tickTask = this::tick;
  /** The last tick whose bucket has been looked at. */
  private long done;
  private int size;
  private boolean scheduled;
  /** The next timeout of the bucket being looked at (kept valid when that one is removed meanwhile). */
  private @Nullable Node cursor;

  IdleWheel(EventLoop loop, long tickNanos) {
    if (tickNanos <= 0) {
      throw new IllegalArgumentException("tickNanos: " + tickNanos + " (expected: > 0)");
    }
    this.loop = loop;
    this.ticker = loop.ticker();
    this.tickNanos = tickNanos;
    this.origin = ticker.nanoTime();
  }

  /** The clock of this wheel (its event loop's). */
  long now() {
    return ticker.nanoTime();
  }

  /** The number of timeouts held. */
  int size() {
    return size;
  }

  /** Adds {@code t}, not held by any wheel, to be looked at once {@code deadline} has passed. */
  void add(Node t, long deadline) {
    long d = deadline - origin;
    long tick = d <= 0 ? 0 : (d + tickNanos - 1) / tickNanos;
    if (tick <= done) {
      tick = done + 1;
    }
    int b = (int) (tick & MASK);
    Node head = heads[b];
    t.wheelDeadline = deadline;
    t.wheelBucket = b;
    t.wheelPrev = null;
    t.wheelNext = head;
    if (head != null) {
      head.wheelPrev = t;
    }
    heads[b] = t;
    size++;
    if (!scheduled) {
      schedule();
    }
  }

  /** Removes {@code t} if this wheel holds it. */
  void remove(Node t) {
    int b = t.wheelBucket;
    if (b < 0) {
      return;
    }
    Node prev = t.wheelPrev;
    Node next = t.wheelNext;
    if (prev == null) {
      heads[b] = next;
    } else {
      prev.wheelNext = next;
    }
    if (next != null) {
      next.wheelPrev = prev;
    }
    if (cursor == t) {
      cursor = next;
    }
    t.wheelPrev = null;
    t.wheelNext = null;
    t.wheelBucket = -1;
    size--;
  }

  private void schedule() {
    scheduled = true;
    long next = origin + (done + 1) * tickNanos;
    loop.schedule(tickTask, Math.max(0, next - ticker.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Looks at the buckets of every tick that passed since the last look. */
  void tick() {
    scheduled = false;
    long now = ticker.nanoTime();
    long current = (now - origin) / tickNanos;
    long from = done + 1;
    // After a long stall, each bucket once is every timeout once.
    if (current - from >= BUCKETS) {
      from = current - BUCKETS + 1;
    }
    // Set first: a timeout that re-adds itself goes to a later tick, not back into this look.
    done = Math.max(done, current);
    for (long i = from; i <= current; i++) {
      int b = (int) (i & MASK);
      Node t = heads[b];
      while (t != null) {
        cursor = t.wheelNext;
        if (t.wheelDeadline - now <= 0) {
          remove(t);
          t.expired(now);
        }
        t = cursor;
      }
      cursor = null;
    }
    if (size > 0 && !scheduled) {
      schedule();
    }
  }

  /**
   * What a wheel holds: its own list links (no entry object per timeout). Confined to the wheel's
   * event loop.
   */
  abstract static class Node {
    @Nullable Node wheelPrev;
    @Nullable Node wheelNext;
    /** The bucket holding this node, or -1 when no wheel holds it. */
    int wheelBucket = -1;
    long wheelDeadline;

    /** Whether a wheel holds this node. */
    final boolean held() {
      return wheelBucket >= 0;
    }

    /**
     * The deadline has passed ({@code now}, the wheel's clock); the node is no longer held and may
     * add itself again.
     */
    abstract void expired(long now);
  }

  /**
   * The wheels of one transport, one per event loop, made on first use. Thread-safe; a flow looks
   * its wheel up once, when its target has connected.
   */
  static final class PerLoop {
    private final ConcurrentHashMap<EventLoop, IdleWheel> wheels = new ConcurrentHashMap<>();
    private final long tickNanos;

    /**
     * @param overrideNanos the transport's idle timeout override, or a negative value when the
     *     listeners' own (60 s or more) apply: a short override gets ticks of an eighth of it
     */
    PerLoop(long overrideNanos) {
      this.tickNanos = overrideNanos > 0
          ? Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(DEFAULT_TICK_NANOS, overrideNanos / 8))
          : DEFAULT_TICK_NANOS;
    }

    /** The wheel of {@code loop}. */
    IdleWheel of(EventLoop loop) {
      IdleWheel w = wheels.get(loop);
      return w != null ? w : wheels.computeIfAbsent(loop, l -> new IdleWheel(l, tickNanos));
    }
  }
}
