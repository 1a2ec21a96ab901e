package io.nlb.healthcheck;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Makes the running checks match a {@link DesiredTargets} value: targets no longer wanted, or
 * wanted from other nodes, stop (keeping the health the core holds); new ones start from the
 * health the core holds; the settings of the others are replaced (a change applies from their next
 * check). Knows nothing of where the value comes from.
 *
 * <p>Thread-safe; {@link #apply} calls are expected one at a time (the poll, or later the control
 * plane's event stream).
 */
final class Reconciler {
  /** By registration id. */
  private final ConcurrentHashMap<Long, TrackedTarget> tracked = new ConcurrentHashMap<>();
  private final CheckScheduler checks;
  private final HealthReporter reporter;
  private volatile boolean closed;

  Reconciler(CheckScheduler checks, HealthReporter reporter) {
    this.checks = checks;
    this.reporter = reporter;
  }

  /** Brings the checked targets in line with {@code desired}. */
  void apply(DesiredTargets desired) {
    Map<Long, DesiredTargets.Entry> wanted = new HashMap<>();
    for (DesiredTargets.Entry e : desired.entries()) {
      wanted.put(e.member().registrationId(), e);
    }
    for (TrackedTarget t : tracked.values()) {
      DesiredTargets.Entry e = wanted.get(t.registrationId);
      if (e == null || !e.groupResourceId().equals(t.groupResourceId) || !t.hasNodes(e.nodes())) {
        remove(t);
      } else {
        t.update(e);
      }
    }
    for (DesiredTargets.Entry e : wanted.values()) {
      if (!closed && !tracked.containsKey(e.member().registrationId())) {
        TrackedTarget t = new TrackedTarget(e, reporter);
        tracked.put(e.member().registrationId(), t);
        checks.start(t);
      }
    }
  }

  /** The tracked target of the registration numbered {@code registrationId}, or null. */
  @Nullable TrackedTarget get(long registrationId) {
    return tracked.get(registrationId);
  }

  /** Every checked target (a live view). */
  Collection<TrackedTarget> all() {
    return tracked.values();
  }

  int size() {
    return tracked.size();
  }

  /** Stops every chain; later {@link #apply} calls add nothing. */
  void close() {
    closed = true;
    for (TrackedTarget t : tracked.values()) {
      remove(t);
    }
  }

  private void remove(TrackedTarget t) {
    t.remove();
    tracked.remove(t.registrationId, t);
  }
}
