package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.nlb.core.routing.IpProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link NettyTransport#liveness()} reports and how handler errors are kept from being fatal
 * or noisy: the thread of each event loop (learned from a task run on it), the count of handler
 * errors, and the once-a-second tick of the transport's {@link CauseLog}. Thread-safe.
 */
final class DataPlaneHealth {
  private static final Logger log = LoggerFactory.getLogger(DataPlaneHealth.class);

  private final EventLoopGroup group;
  private final CauseLog causes;
  private final LongAdder handlerErrors = new LongAdder();
  private final Map<EventExecutor, Thread> loopThreads = new ConcurrentHashMap<>();
  private final @Nullable ScheduledFuture<?> ticks;

  DataPlaneHealth(EventLoopGroup group, CauseLog causes) {
    this.group = group;
    this.causes = causes;
    for (EventExecutor e : group) {
      try {
        e.execute(() -> loopThreads.put(e, Thread.currentThread()));
      } catch (RejectedExecutionException ex) {
        // a shared group that is shutting down: liveness reports it
      }
    }
    ScheduledFuture<?> t = null;
    try {
      t = group.next().scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    } catch (RejectedExecutionException ex) {
      // a shared group that is shutting down
    }
    ticks = t;
  }

  private void tick() {
    try {
      causes.tick();
    } catch (RuntimeException e) {
      log.debug("nlb transport: cause log tick failed", e);
    }
  }

  /** Counts and logs (once per cause and interval) a handler error that closed its connection. */
  void handlerError(Object where, String what, Throwable cause) {
    handlerErrors.increment();
    causes.record(what + " (" + cause.getClass().getName() + "): the connection is closed, the event loop goes on",
        where, cause);
  }

  /** The liveness now, over the given endpoints (TCP ones count as listener sockets). */
  /** The liveness of the data plane; once {@code closed}, its one problem is that. */
  Liveness liveness(Iterable<Endpoint> endpoints, boolean closed) {
    List<String> problems = new ArrayList<>();
    if (closed) {
      problems.add("transport: closed");
    }
    int loops = 0;
    int alive = 0;
    for (EventExecutor e : group) {
      if (alive(e)) {
        alive++;
      } else if (!closed) {
        Thread t = loopThreads.get(e);
        problems.add("event loop " + loops + ": " + (e.isTerminated() ? "terminated" : e.isShuttingDown() ? "shutting down"
            : "thread " + (t == null ? "gone" : t.getName()) + " died"));
      }
      loops++;
    }
    int listeners = 0;
    int accepting = 0;
    for (Endpoint ep : endpoints) {
      if (ep.protocol != IpProtocol.TCP || ep.closing) {
        continue; // a socket closed on purpose (listener removed, transport closing) is no problem
      }
      listeners++;
      List<Channel> sockets = ep.channels;
      String why = sockets.isEmpty() ? "socket not bound" : null;
      for (int i = 0; i < sockets.size() && why == null; i++) {
        Channel ch = sockets.get(i);
        why = !ch.isActive() ? "socket closed"
            : !alive(ch.eventLoop()) ? "its event loop stopped"
            : !ch.config().isAutoRead() ? "accepting paused after failed accepts (file descriptors?)" : null;
      }
      if (why == null) {
        accepting++;
      } else if (!closed) {
        problems.add(ep + ": not accepting (" + why + ")");
      }
    }
    return new Liveness(loops, alive, listeners, accepting, handlerErrors.sum(), List.copyOf(problems));
  }

  private boolean alive(EventExecutor e) {
    Thread t = loopThreads.get(e);
    return !e.isShuttingDown() && (t == null || t.isAlive());
  }

  void close() {
    ScheduledFuture<?> t = ticks;
    if (t != null) {
      t.cancel(false);
    }
  }
}
