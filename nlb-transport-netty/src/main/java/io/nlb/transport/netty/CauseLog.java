package io.nlb.transport.netty;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * A log that stays readable under attack: at most one line per cause per interval, each with a
 * count, and never a stack trace per connection or per datagram.
 *
 * <p>The first occurrence of a cause after a quiet spell is written at once ("starts"), with the
 * context of that occurrence (a listener, a client) and, only the first time the cause is ever
 * seen, the stack trace of its error. Further occurrences within the interval are only counted;
 * the first one after the interval writes one line with the count. {@link #tick()}, called
 * periodically, writes the counts a cause gathered when no further occurrence came to write them,
 * and one "stopped" line once a cause has been quiet for a whole interval. A limit of the transport
 * that starts refusing work therefore logs one line when it starts biting, at most one line per
 * interval while it bites, and one line when it stops.
 *
 * <p>Time comes from an injected clock (nanoseconds), so tests drive it by hand. Thread-safe:
 * {@link #record} is called by any event loop; each cause is updated under its own monitor. A
 * call costs a map lookup and a monitor on a path that is already a refusal or an error, and
 * builds no string unless it writes a line.
 */
final class CauseLog {
  /** Where a line goes: the text and, at most once per cause, the error whose stack to show. */
  interface Sink extends BiConsumer<String, @Nullable Throwable> {}

  /** The default interval between two lines of one cause: 10 s. */
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final Sink sink;
  private final LongSupplier nanoClock;
  private final long intervalNanos;
  private final String intervalText;
  private final ConcurrentHashMap<String, Cause> causes = new ConcurrentHashMap<>();

  CauseLog(Sink sink, LongSupplier nanoClock, Duration interval) {
    this.sink = sink;
    this.nanoClock = nanoClock;
    this.intervalNanos = interval.toNanos();
    this.intervalText = interval.toMillis() % 1000 == 0 ? interval.toSeconds() + " s" : interval.toMillis() + " ms";
  }

  /** A log writing to {@code log} at WARN, on the system clock, one line per cause every 10 s. */
  static CauseLog warn(Logger log) {
    return new CauseLog((text, error) -> {
      if (error == null) {
        log.warn(text);
      } else {
        log.warn(text, error);
      }
    }, System::nanoTime, DEFAULT_INTERVAL);
  }

  /**
   * One occurrence of {@code cause} (a fixed text such as "TLS record too long") at {@code context}
   * (shown with {@code String.valueOf} only when a line is written), with an optional error.
   */
  void record(String cause, @Nullable Object context, @Nullable Throwable error) {
    Cause c = causes.get(cause);
    if (c == null) {
      c = causes.computeIfAbsent(cause, Cause::new);
    }
    long now = nanoClock.getAsLong();
    String line = null;
    Throwable stack = null;
    synchronized (c) {
      c.total++;
      c.lastSeen = now;
      if (!c.active) {
        c.active = true;
        c.since = now;
        c.lastLine = now;
        c.pending = 0;
        line = "nlb transport: " + cause + " (starts; " + describe(context, error) + "); further occurrences are"
            + " counted and logged at most once every " + intervalText;
        if (!c.stackShown && error != null) {
          c.stackShown = true;
          stack = error;
        }
      } else if (now - c.lastLine >= intervalNanos) {
        long n = c.pending + 1;
        c.pending = 0;
        c.lastLine = now;
        line = "nlb transport: " + cause + ": " + n + " time(s) since the last line (latest: "
            + describe(context, error) + ")";
      } else {
        c.pending++;
      }
    }
    if (line != null) {
      sink.accept(line, stack);
    }
  }

  /** Writes pending counts and "stopped" lines; call periodically (every second or so). */
  void tick() {
    long now = nanoClock.getAsLong();
    for (Cause c : causes.values()) {
      String line = null;
      synchronized (c) {
        if (!c.active) {
          continue;
        }
        if (c.pending > 0 && now - c.lastLine >= intervalNanos) {
          line = "nlb transport: " + c.name + ": " + c.pending + " time(s) since the last line";
          c.pending = 0;
          c.lastLine = now;
        } else if (c.pending == 0 && now - c.lastSeen >= intervalNanos) {
          c.active = false;
          line = "nlb transport: " + c.name + " (stopped: none for " + intervalText + "; " + c.total
              + " in total since it started " + Duration.ofNanos(now - c.since).toSeconds() + " s ago)";
          c.total = 0;
        }
      }
      if (line != null) {
        sink.accept(line, null);
      }
    }
  }

  /** Whether {@code cause} has occurred and not yet been logged as stopped. */
  boolean active(String cause) {
    Cause c = causes.get(cause);
    if (c == null) {
      return false;
    }
    synchronized (c) {
      return c.active;
    }
  }

  private static String describe(@Nullable Object context, @Nullable Throwable error) {
    String s = String.valueOf(context);
    return error == null ? s : s + ": " + error;
  }

  private static final class Cause {
    final String name;
    boolean active;
    boolean stackShown;
    long since;
    long lastLine;
    long lastSeen;
    long pending;
    long total;

    Cause(String name) {
      this.name = name;
    }
  }
}
