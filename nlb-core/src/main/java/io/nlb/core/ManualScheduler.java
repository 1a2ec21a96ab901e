package io.nlb.core;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when a test says so. {@link #advance} runs every task
 * that falls due, in time order, on the calling thread — so deregistration delays, zonal-shift
 * expiry and address refreshes happen exactly when the test expects, without sleeping.
 *
 * <pre>{@code
 * ManualScheduler time = new ManualScheduler();
 * Nlb nlb = Nlb.builder().scheduler(time).build();
 * group.deregisterTargets(target);          // draining
 * time.advance(Duration.ofSeconds(300));    // deregistration delay ends: unused
 * }</pre>
 *
 * <p>Thread-safe: methods are synchronized, and tasks run outside the lock.
 *
 * @since 0.1
 */
public final class ManualScheduler implements Scheduler {
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final Instant origin;
  private long nanos;
  private long sequence;

  /** A scheduler whose clock starts at 2024-01-01T00:00:00Z. */
  public ManualScheduler() {
    this(Instant.parse("2024-01-01T00:00:00Z"));
  }

  /**
   * A scheduler whose clock starts at {@code start}.
   *
   * @param start the start
   */
  public ManualScheduler(Instant start) {
    this.origin = start;
  }

  @Override
  public synchronized Instant now() {
    return origin.plusNanos(nanos);
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(nanos + Math.max(0, delay.toNanos()), sequence++, task);
    queue.add(t);
    return () -> {
      synchronized (ManualScheduler.this) {
        queue.remove(t);
      }
    };
  }

  /**
   * Moves time forward by {@code delta}, running every task that falls due on the way.
   *
   * @param delta the delta
   */
  public void advance(Duration delta) {
    if (delta.isNegative()) {
      throw Check.invalid("delta", delta, "a non-negative duration");
    }
    long target;
    synchronized (this) {
      target = nanos + delta.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        Task head = queue.peek();
        if (head == null || head.due > target) {
          nanos = target;
          return;
        }
        next = queue.poll();
        nanos = Math.max(nanos, next.due);
      }
      next.task.run();
    }
  }

  /** Runs the tasks due now without moving time. */
  public void runDueTasks() {
    advance(Duration.ZERO);
  }

  /** {@return how many tasks wait to run} */
  public synchronized int pendingTasks() {
    return queue.size();
  }

  private static final class Task implements Comparable<Task> {
    final long due;
    final long seq;
    final Runnable task;

    Task(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
