package io.nlb.healthcheck;

import io.nlb.core.NlbException;
import io.nlb.core.Scheduler;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands health transitions to the core in batches and to the engine's listeners one by one. A
 * transition is queued when a target's combined health changes; the first one queued schedules a
 * flush {@code reportDelay} later, which reports everything queued with one {@link
 * TargetGroup#reportHealth(Map)} per group (so thousands of targets turning healthy together cost a
 * few routing republications), then runs {@code afterFlush} (the host-count gauges), then calls
 * every listener for every transition, in order per target, on the scheduler thread.
 *
 * <p>Thread-safe.
 */
final class HealthReporter {
  private static final Logger log = LoggerFactory.getLogger(HealthReporter.class);

  private final Scheduler scheduler;
  private final Duration reportDelay;
  private final List<TargetHealthListener> listeners;
  private final Runnable afterFlush;
  private final ConcurrentLinkedQueue<Transition> transitions = new ConcurrentLinkedQueue<>();
  private final Object lock = new Object();
  private boolean flushScheduled;
  private boolean closed;

  HealthReporter(Scheduler scheduler, Duration reportDelay, List<TargetHealthListener> listeners, Runnable afterFlush) {
    this.scheduler = scheduler;
    this.reportDelay = reportDelay;
    this.listeners = new CopyOnWriteArrayList<>(listeners);
    this.afterFlush = afterFlush;
  }

  void addListener(TargetHealthListener l) {
    listeners.add(l);
  }

  void removeListener(TargetHealthListener l) {
    listeners.remove(l);
  }

  /** Queues a transition of {@code t}; called with {@code t} locked, so one target's stay in order. */
  void enqueue(TrackedTarget t, TargetHealth previous, TargetHealth current) {
    transitions.add(new Transition(t, previous, current));
    synchronized (lock) {
      if (!flushScheduled && !closed) {
        flushScheduled = true;
        scheduler.schedule(reportDelay, this::flush);
      }
    }
  }

  /** No flush is scheduled after this; one already scheduled still runs. */
  void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  private void flush() {
    synchronized (lock) {
      flushScheduled = false;
    }
    List<Transition> batch = new ArrayList<>();
    Transition x;
    while ((x = transitions.poll()) != null) {
      batch.add(x);
    }
    Map<TargetGroup, Map<Target, TargetHealth>> byGroup = new LinkedHashMap<>();
    for (Transition tr : batch) {
      byGroup.computeIfAbsent(tr.tracked.group, g -> new LinkedHashMap<>()).put(tr.tracked.member().target(), tr.current);
    }
    for (Map.Entry<TargetGroup, Map<Target, TargetHealth>> e : byGroup.entrySet()) {
      commit(e.getKey(), e.getValue());
    }
    try {
      afterFlush.run();
    } catch (RuntimeException e) {
      log.debug("host counts not published: {}", e.toString());
    }
    for (Transition tr : batch) {
      for (TargetHealthListener l : listeners) {
        try {
          l.onTransition(tr.tracked.target, tr.previous, tr.current);
        } catch (RuntimeException ex) {
          log.warn("health listener failed for {}", tr.tracked.target, ex);
        }
      }
    }
  }

  private static void commit(TargetGroup group, Map<Target, TargetHealth> healths) {
    try {
      group.reportHealth(healths);
    } catch (NlbException | IllegalStateException ex) {
      // Deregistered or deleted meanwhile, or the Nlb closed: report one by one what still can be.
      for (Map.Entry<Target, TargetHealth> one : healths.entrySet()) {
        try {
          group.reportHealth(one.getKey(), one.getValue());
        } catch (NlbException | IllegalStateException ignored) {
          log.debug("health of {} not reported: {}", one.getKey(), ignored.getMessage());
        }
      }
    }
  }

  private record Transition(TrackedTarget tracked, TargetHealth previous, TargetHealth current) {}
}
