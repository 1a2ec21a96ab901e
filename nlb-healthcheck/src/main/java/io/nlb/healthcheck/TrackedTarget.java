package io.nlb.healthcheck;

import io.nlb.core.HealthCheck;
import io.nlb.core.Scheduler;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetSet;
import io.nlb.core.spi.ProbeResult;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One checked registration: a {@link NodeChecker} per checking node, each with its own {@link
 * TargetHealthStateMachine}, and the combined health ({@link Consensus#combine}). Every field is
 * guarded by this object's monitor; a change of the combined health goes to the {@link
 * HealthReporter} while it is held, so the transitions of one target are queued in order.
 */
final class TrackedTarget {
  final long registrationId;
  final String groupResourceId;
  final @Nullable String zone;
  final List<NodeChecker> nodes;
  private final HealthReporter reporter;
  private HealthCheck settings;
  /** The group's use and the registration as the last target set showed them. */
  private TargetSet.Use use;
  private TargetSet.Member member;
  private TargetHealth health;
  private boolean removed;

  TrackedTarget(DesiredTargets.Entry e, HealthReporter reporter) {
    this.registrationId = e.member().registrationId();
    this.groupResourceId = e.groupResourceId();
    this.zone = e.zone();
    this.settings = e.healthCheck();
    this.use = e.use();
    this.member = e.member();
    this.reporter = reporter;
    // Resume from the health the core held when the set was built (normalized by the state machine).
    this.health = new TargetHealthStateMachine(e.member().health()).health();
    List<NodeChecker> n = new ArrayList<>(e.nodes().size());
    for (CheckNode node : e.nodes()) {
      n.add(new NodeChecker(this, node, new TargetHealthStateMachine(health)));
    }
    this.nodes = List.copyOf(n);
  }

  synchronized TargetHealth health() {
    return health;
  }

  synchronized HealthCheck settings() {
    return settings;
  }

  /** Takes the settings, addresses and flags of {@code e}, a newer target set's entry for this target. */
  synchronized void update(DesiredTargets.Entry e) {
    settings = e.healthCheck();
    use = e.use();
    member = e.member();
  }

  synchronized TargetSet.Use use() {
    return use;
  }

  synchronized TargetSet.Member member() {
    return member;
  }

  synchronized boolean isRemoved() {
    return removed;
  }

  /** Whether the checking nodes are {@code wanted}, in order. */
  boolean hasNodes(List<CheckNode> wanted) {
    if (wanted.size() != nodes.size()) {
      return false;
    }
    for (int i = 0; i < wanted.size(); i++) {
      if (!wanted.get(i).equals(nodes.get(i).node)) {
        return false;
      }
    }
    return true;
  }

  /** Stops every chain of checks: pending timers are cancelled, results still in flight are dropped. */
  synchronized void remove() {
    removed = true;
    for (NodeChecker c : nodes) {
      Scheduler.Cancellable next = c.next;
      if (next != null) {
        next.cancel();
      }
      c.next = null;
    }
  }

  /** Checks completed over every node. */
  synchronized long completedChecks() {
    long n = 0;
    for (NodeChecker c : nodes) {
      n += c.completed;
    }
    return n;
  }

  /** A passive signal from the data plane, applied to every node's view. */
  synchronized void passive(boolean failure) {
    if (removed) {
      return;
    }
    for (NodeChecker c : nodes) {
      if (failure) {
        c.machine.passiveFailure();
      } else {
        c.machine.passiveSuccess();
      }
    }
    if (failure) {
      combine();
    }
  }

  /** Recomputes the combined health from the nodes' views and reports a change. Locked. */
  void combine() {
    List<TargetHealth> views = new ArrayList<>(nodes.size());
    for (NodeChecker c : nodes) {
      views.add(c.machine.health());
    }
    TargetHealth next = Consensus.combine(views, health);
    if (!next.equals(health)) {
      TargetHealth previous = health;
      health = next;
      reporter.enqueue(this, previous, next);
    }
  }

  @Override
  public synchronized String toString() {
    return "registration " + registrationId + " (" + member.target() + ")";
  }

  /** The checks of one registration from one node. Guarded by {@code owner}'s monitor. */
  static final class NodeChecker {
    final TrackedTarget owner;
    final CheckNode node;
    final TargetHealthStateMachine machine;
    Scheduler.@Nullable Cancellable next;
    boolean inFlight;
    long startNanos;
    long completed;
    @Nullable ProbeResult lastResult;

    NodeChecker(TrackedTarget owner, CheckNode node, TargetHealthStateMachine machine) {
      this.owner = owner;
      this.node = node;
      this.machine = machine;
    }
  }
}
