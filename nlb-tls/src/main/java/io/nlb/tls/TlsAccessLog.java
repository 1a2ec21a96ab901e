package io.nlb.tls;

import io.nlb.common.Problems;
import io.nlb.core.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS access log of one load balancer node: takes entries from event loops without blocking,
 * and publishes one file per 5-minute interval through an {@link AccessLogSink}.
 *
 * <pre>{@code
 * AccessLogSink sink = DirectoryAccessLogSink.fromAttributes(attrs, "123456789012", "local", "net/my-nlb/abc");
 * try (TlsAccessLog log = TlsAccessLog.start(sink, scheduler, 65536)) { // the Nlb's Scheduler
 *   TlsTermination tls = TlsTermination.builder(listener, TlsProvider.JDK)
 *       .accessLog(log, "net/my-nlb/abc", "listener/net/my-nlb/abc/def").build();
 * }
 * }</pre>
 *
 * <p>{@link #accept} only offers the formatted line to a bounded queue; a full queue drops the
 * entry and counts it ({@link #dropped()}). One daemon writer thread drains the queue, groups lines
 * by the 5-minute interval of the entry's arrival (by the injected clock) and hands a finished
 * interval to the sink when a line of a later interval arrives, when {@link #rotate()} is called,
 * or at {@link #close()}, which writes everything queued before it returns. Started with a
 * {@link Scheduler}, the log also publishes on its own at every 5-minute boundary of the
 * scheduler's time, so a quiet interval's file appears on time without a later entry; the
 * scheduler's task only queues a marker and never waits for the file to be written.
 *
 * <p>Thread-safe.
 *
 * @since 0.1
 */
public final class TlsAccessLog implements Consumer<TlsAccessLogEntry>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TlsAccessLog.class);
  /** The publication interval. */
  public static final Duration INTERVAL = Duration.ofMinutes(5);
  private static final Object CLOSE = new Object();

  private final AccessLogSink sink;
  private final Clock clock;
  // Unbounded so that markers (rotation, close) always fit; entries are bounded by lineCount.
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger lineCount = new AtomicInteger();
  private final int capacity;
  private final @Nullable Scheduler scheduler;
  private Scheduler.@Nullable Cancellable nextTick;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;
  private final List<String> pending = new ArrayList<>();
  private Instant pendingEnd = Instant.EPOCH;

  private record Line(Instant intervalEnd, String text) {}

  private record Rotate(java.util.concurrent.CountDownLatch done) {}

  /** Publishes the pending interval if it ends at or before {@code boundary}. */
  private record Tick(Instant boundary) {}

  private TlsAccessLog(AccessLogSink sink, Clock clock, int capacity, @Nullable Scheduler scheduler) {
    this.sink = sink;
    this.clock = clock;
    this.capacity = capacity;
    this.scheduler = scheduler;
    this.writer = new Thread(this::run, "nlb-tls-access-log");
    writer.setDaemon(true);
  }

  /**
   * Starts a log writing to {@code sink}, keeping at most {@code capacity} entries in memory. Files
   * are published when a later interval's entry arrives, on {@link #rotate()} and at {@link
   * #close()}; prefer {@link #start(AccessLogSink, Scheduler, int)}, which also publishes on time.
   *
   * @param sink the sink
   * @param clock the clock
   * @param capacity the capacity
   * @return the {@code TlsAccessLog}
   */
  public static TlsAccessLog start(AccessLogSink sink, Clock clock, int capacity) {
    if (capacity < 1) {
      throw Problems.invalid("capacity", capacity, "at least 1");
    }
    TlsAccessLog l = new TlsAccessLog(sink, clock, capacity, null);
    l.writer.start();
    return l;
  }

  /**
   * Starts a log on {@code scheduler}'s time that publishes every interval at its 5-minute
   * boundary ({@code 00:05}, {@code 00:10}, ... of {@link Scheduler#now()}), whether or not a later
   * entry arrives. {@link #close()} cancels the timer.
   *
   * @param scheduler the load balancer's scheduler ({@link Scheduler#system()}, or a {@link
   *     io.nlb.core.ManualScheduler} in tests)
   * @param sink the sink
   * @param capacity the capacity
   * @return the {@code TlsAccessLog}
   */
  public static TlsAccessLog start(AccessLogSink sink, Scheduler scheduler, int capacity) {
    if (capacity < 1) {
      throw Problems.invalid("capacity", capacity, "at least 1");
    }
    TlsAccessLog l = new TlsAccessLog(sink, SchedulerClock.of(scheduler), capacity, scheduler);
    l.writer.start();
    l.scheduleTick(intervalEnd(scheduler.now()));
    return l;
  }

  private void scheduleTick(Instant boundary) {
    Scheduler s = scheduler;
    if (s == null || closed) {
      return;
    }
    Duration delay = Duration.between(s.now(), boundary);
    Scheduler.Cancellable c = s.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> {
      if (!closed) {
        queue.add(new Tick(boundary));
        scheduleTick(boundary.plus(INTERVAL));
      }
    });
    synchronized (this) {
      nextTick = c;
    }
  }

  /** The end of the 5-minute interval {@code t} falls in. */
  static Instant intervalEnd(Instant t) {
    long step = INTERVAL.getSeconds();
    return Instant.ofEpochSecond((Math.floorDiv(t.getEpochSecond(), step) + 1) * step);
  }

  /** Queues an entry; never blocks. Dropped (and counted) if the queue is full or the log closed. */
  @Override
  public void accept(TlsAccessLogEntry entry) {
    if (closed || lineCount.incrementAndGet() > capacity) {
      if (!closed) {
        lineCount.decrementAndGet();
      }
      dropped.incrementAndGet();
      return;
    }
    queue.add(new Line(intervalEnd(clock.instant()), entry.format()));
  }

  /** {@return entries dropped because the queue was full or the log closed} */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Publishes the current interval if it has ended by the clock (a timer calls this every few
   * seconds; tests call it after advancing a manual clock). Waits until the writer has done so.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  public void rotate() throws InterruptedException {
    Rotate r = new Rotate(new java.util.concurrent.CountDownLatch(1));
    queue.put(r);
    r.done().await();
  }

  /** Writes every queued entry, publishes the open interval and stops the writer. */
  @Override
  public void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    Scheduler.Cancellable c;
    synchronized (this) {
      c = nextTick;
      nextTick = null;
    }
    if (c != null) {
      c.cancel();
    }
    queue.put(CLOSE);
    writer.join(TimeUnit.SECONDS.toMillis(30));
  }

  private void run() {
    try {
      while (true) {
        Object o = queue.take();
        if (o == CLOSE) {
          flush();
          return;
        }
        if (o instanceof Rotate r) {
          if (!pending.isEmpty() && !clock.instant().isBefore(pendingEnd)) {
            flush();
          }
          r.done().countDown();
          continue;
        }
        if (o instanceof Tick t) {
          if (!pending.isEmpty() && !pendingEnd.isAfter(t.boundary())) {
            flush();
          }
          continue;
        }
        Line line = (Line) o;
        lineCount.decrementAndGet();
        if (!pending.isEmpty() && !line.intervalEnd().equals(pendingEnd)) {
          flush();
        }
        pendingEnd = line.intervalEnd();
        pending.add(line.text());
      }
    } catch (InterruptedException e) {
      flush();
      Thread.currentThread().interrupt();
    }
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    try {
      sink.write(pendingEnd, List.copyOf(pending));
    } catch (Exception e) {
      log.warn("access log: cannot write {} entries for the interval ending {}", pending.size(), pendingEnd, e);
    }
    pending.clear();
  }
}
