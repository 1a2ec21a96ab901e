package io.nlb.healthcheck;

import io.nlb.core.RegisteredTarget;
import io.nlb.core.Scheduler;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * flush {@code reportDelay} later, which reports everything queued by ids, with one {@link
 * io.nlb.core.Nlb#reportHealth(String, Map)} command per group (so thousands of targets turning
 * healthy together cost a few routing republications), then runs {@code afterFlush} (the
 * host-count gauges), then calls every listener for every transition of a registration the core
 * still holds, in order per target, on the scheduler thread.
 *
 * <p>Thread-safe.
 */
final class HealthReporter {
  private static final Logger log = LoggerFactory.getLogger(HealthReporter.class);

  private final Scheduler scheduler;
  private final Duration reportDelay;
  private final List<TargetHealthListener> listeners;
  private final Runnable afterFlush;
  private final Core core;
  private final ConcurrentLinkedQueue<Transition> transitions = new ConcurrentLinkedQueue<>();
  private final Object lock = new Object();
  private boolean flushScheduled;
  private boolean closed;

  /** Where reports go: {@link io.nlb.core.Nlb#reportHealth(String, Map)}. */
  @FunctionalInterface
  interface Core {
    Map<Long, RegisteredTarget> report(String groupResourceId, Map<Long, TargetHealth> healths);
  }

  HealthReporter(Scheduler scheduler, Duration reportDelay, List<TargetHealthListener> listeners, Core core, Runnable afterFlush) {
    this.core = core;
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
    Map<String, Map<Long, TargetHealth>> byGroup = new LinkedHashMap<>();
    for (Transition tr : batch) {
      byGroup.computeIfAbsent(tr.tracked.groupResourceId, g -> new LinkedHashMap<>()).put(tr.tracked.registrationId, tr.current);
    }
    Map<Long, RegisteredTarget> reported = new HashMap<>();
    for (Map.Entry<String, Map<Long, TargetHealth>> e : byGroup.entrySet()) {
      try {
        reported.putAll(core.report(e.getKey(), e.getValue()));
      } catch (RuntimeException ex) {
        // The Nlb closed, or a state it cannot take: routing keeps the health it had.
        log.debug("health of group {} not reported: {}", e.getKey(), ex.toString());
      }
    }
    try {
      afterFlush.run();
    } catch (RuntimeException e) {
      log.debug("host counts not published: {}", e.toString());
    }
    for (Transition tr : batch) {
      // A registration the core no longer holds (deregistered or its group deleted meanwhile) has
      // no handle to name; its transition is not announced.
      RegisteredTarget target = reported.get(tr.tracked.registrationId);
      if (target == null) {
        continue;
      }
      for (TargetHealthListener l : listeners) {
        try {
          l.onTransition(target, tr.previous, tr.current);
        } catch (RuntimeException ex) {
          log.warn("health listener failed for {}", target, ex);
        }
      }
    }
  }

  private record Transition(TrackedTarget tracked, TargetHealth previous, TargetHealth current) {}
}
