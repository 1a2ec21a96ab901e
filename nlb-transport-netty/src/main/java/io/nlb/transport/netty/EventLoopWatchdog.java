package io.nlb.transport.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.nlb.core.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices event loops that stop running tasks, typically because code of the embedding
 * application (or a handler) blocks one of them. Every tick it posts a heartbeat task to each
 * loop whose previous heartbeat has run; a heartbeat still waiting after the threshold is a stall,
 * logged once at WARN with the loop's thread name and stack trace (what blocks it), and logged at
 * INFO when the loop runs its heartbeat again.
 *
 * <p>Ticks run on an injected {@link Scheduler}, so tests drive time by hand. Thread-safe: ticks
 * are serialized by the scheduler; heartbeats only write volatile fields.
 */
final class EventLoopWatchdog {
  private static final Logger log = LoggerFactory.getLogger(EventLoopWatchdog.class);

  private final Scheduler scheduler;
  private final long thresholdNanos;
  private final Duration period;
  private final List<Loop> loops = new ArrayList<>();
  private final AtomicLong stalls = new AtomicLong();
  /** Receives each message this watchdog logs at WARN (a test hook); may be null. */
  private final @Nullable Consumer<String> warnHook;
  private volatile boolean closed;
  private volatile Scheduler.@Nullable Cancellable next;
  /** The thread ticks run on when no scheduler was given; shut down by {@link #close()}. */
  private @Nullable ScheduledThreadPoolExecutor ownThread;

  /**
   * Starts a watchdog over the loops of {@code group}, or returns null when {@code threshold} is
   * zero (off). Without a {@code scheduler}, ticks run on a daemon thread of its own on the system
   * clock.
   */
  static @Nullable EventLoopWatchdog start(EventExecutorGroup group, Duration threshold, @Nullable Scheduler scheduler,
      @Nullable Consumer<String> warnHook) {
    if (threshold.isZero()) {
      return null;
    }
    ScheduledThreadPoolExecutor own = null;
    Scheduler sched = scheduler;
    if (sched == null) {
      own = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "nlb-event-loop-watchdog");
        t.setDaemon(true);
        return t;
      });
      own.setRemoveOnCancelPolicy(true);
      sched = systemScheduler(own);
    }
    EventLoopWatchdog w = new EventLoopWatchdog(group, threshold, sched, warnHook);
    w.ownThread = own;
    w.start();
    return w;
  }

  private static Scheduler systemScheduler(ScheduledThreadPoolExecutor ex) {
    return new Scheduler() {
      @Override
      public java.time.Instant now() {
        return java.time.Instant.now();
      }

      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Cancellable schedule(Duration delay, Runnable task) {
        java.util.concurrent.ScheduledFuture<?> f = ex.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }
    };
  }

  EventLoopWatchdog(EventExecutorGroup group, Duration threshold, Scheduler scheduler, @Nullable Consumer<String> warnHook) {
    this.scheduler = scheduler;
    this.thresholdNanos = threshold.toNanos();
    // A stall is seen between one and 1.5 thresholds after it starts.
    this.period = Duration.ofNanos(Math.max(1_000_000L, thresholdNanos / 2));
    this.warnHook = warnHook;
    for (EventExecutor e : group) {
      loops.add(new Loop(e));
    }
  }

  /** The tick period: half the threshold. */
  Duration period() {
    return period;
  }

  void start() {
    schedule();
  }

  private void schedule() {
    if (!closed) {
      next = scheduler.schedule(period, this::tickAndReschedule);
    }
  }

  private void tickAndReschedule() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.warn("nlb transport: event loop watchdog tick failed", e);
    }
    schedule();
  }

  /** Stalls seen so far (each counted once, when first seen). */
  long stalls() {
    return stalls.get();
  }

  /** Checks every loop and posts new heartbeats. Called by the scheduler. */
  void tick() {
    long now = scheduler.nanoTime();
    for (Loop l : loops) {
      if (l.executor.isShuttingDown()) {
        continue;
      }
      if (l.pending) {
        long waited = now - l.postedAt;
        if (!l.stalled && waited >= thresholdNanos) {
          l.stalled = true;
          l.stalledAt = l.postedAt;
          stalls.incrementAndGet();
          warn(l, waited);
        }
        continue;
      }
      if (l.stalled) {
        l.stalled = false;
        log.info("nlb transport: event loop {} runs tasks again after a stall of at least {} ms", l.threadName(),
            Duration.ofNanos(now - l.stalledAt).toMillis());
      }
      l.pending = true;
      l.postedAt = now;
      try {
        l.executor.execute(l.heartbeat);
      } catch (RejectedExecutionException e) {
        l.pending = false; // shutting down
      }
    }
  }

  private void warn(Loop l, long waitedNanos) {
    Thread t = l.thread;
    StringBuilder sb = new StringBuilder(512);
    sb.append("nlb transport: event loop ").append(l.threadName()).append(" has not run a task for ")
        .append(Duration.ofNanos(waitedNanos).toMillis()).append(" ms (threshold ")
        .append(Duration.ofNanos(thresholdNanos).toMillis())
        .append(" ms): code running on it blocks every connection it serves. Move blocking work off the event loop.");
    if (t != null) {
      sb.append(" Its stack:");
      for (StackTraceElement e : t.getStackTrace()) {
        sb.append("\n\tat ").append(e);
      }
    }
    String msg = sb.toString();
    log.warn(msg);
    Consumer<String> hook = warnHook;
    if (hook != null) {
      hook.accept(msg);
    }
  }

  void close() {
    closed = true;
    Scheduler.Cancellable c = next;
    if (c != null) {
      c.cancel();
    }
    ScheduledThreadPoolExecutor own = ownThread;
    if (own != null) {
      own.shutdownNow();
    }
  }

  private static final class Loop {
    final EventExecutor executor;
    final Runnable heartbeat;
    /** The loop's thread, learned from its first heartbeat. */
    volatile @Nullable Thread thread;
    volatile boolean pending;
    /** Written and read by ticks only. */
    long postedAt;
    long stalledAt;
    boolean stalled;

    Loop(EventExecutor executor) {
      this.executor = executor;
      this.heartbeat = () -> {
        thread = Thread.currentThread();
        pending = false;
      };
    }

    String threadName() {
      Thread t = thread;
      return t == null ? "(not started)" : t.getName();
    }
  }
}
