package io.nlb.core;

import io.nlb.core.spi.Transport;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The routing of one {@link LoadBalancer}: builds its snapshot, publishes it (the snapshot field,
 * then the route slots, then the flow resets its difference implies), and asks the transport to
 * bind what the new snapshot needs. During an {@link Nlb#apply} publication waits for the end of
 * the apply's steps ({@link ApplyBatch}).
 *
 * <p>Control plane only, except {@link #current()}, a volatile read.
 */
final class Publication {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoadBalancer.class);

  private final Nlb nlb;
  private final LoadBalancer lb;
  private final SnapshotBuilder snapshots;
  private volatile @Nullable RoutingSnapshot snapshot;

  Publication(Nlb nlb, LoadBalancer lb) {
    this.nlb = nlb;
    this.lb = lb;
    this.snapshots = new SnapshotBuilder(nlb, lb);
  }

  /** The snapshot published last, or null before the first. */
  @Nullable RoutingSnapshot current() {
    return snapshot;
  }

  /**
   * Publishes {@code s}: the snapshot field, then every route slot; then tells the transport, as one
   * event, what the difference from the previous snapshot means for open flows. During an apply the
   * event waits until the apply is bound ({@link ApplyBatch#afterBinding}), since it may still be taken back.
   */
  void publish(RoutingSnapshot s) {
    RoutingSnapshot previous = snapshot;
    snapshot = s;
    lb.slots.publish(s);
    FlowResets resets = FlowResets.between(previous, s);
    Transport t = nlb.transport;
    if (t != null && !resets.isEmpty()) {
      nlb.batch.afterBinding(() -> t.resetFlows(lb, resets));
    }
  }

  /** Rebuilds and publishes the snapshot (no binding change). */
  void republish() {
    if (lb.state() == LoadBalancerState.DELETED || nlb.batch.deferPublish(lb)) {
      return;
    }
    publish(buildSnapshot());
    nlb.dispatcher.targetSetChanged();
  }

  /**
   * Rebuilds and publishes the snapshot, then asks the transport to bind what it needs, so that
   * routing exists before any new socket accepts. A command; returns the binding, which the
   * submitting thread awaits outside the control plane ({@link Dispatcher#commit}).
   */
  CompletionStage<Void> rebind() {
    CompletionStage<Void> deferred = nlb.batch.deferRebind(lb);
    return deferred != null ? deferred : rebindNow();
  }

  /** {@link #rebind()}, never deferred. */
  CompletionStage<Void> rebindNow() {
    RoutingSnapshot previous = snapshot;
    RoutingSnapshot next = buildSnapshot();
    publish(next);
    nlb.dispatcher.targetSetChanged();
    Transport t = nlb.transport;
    if (t == null || lb.state() == LoadBalancerState.FAILED || lb.state() == LoadBalancerState.DELETED) {
      return Change.BOUND;
    }
    try {
      return t.apply(lb, lb.slots, previous, next);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Re-binds after a change was taken back; nobody waits, so a failure is only logged. */
  void rebindAfterUndo() {
    rebind().whenComplete((v, e) -> {
      if (e != null) {
        LOG.warn("loadBalancer[{}]: re-binding after a refused change failed: {}", lb.name(), e.toString());
      }
    });
  }

  /**
   * Republishes after the health of {@code changed} (targets of {@code tg}) changed, rebuilding only
   * the node routes that hold one of them ({@link SnapshotBuilder#rebuildForHealth}). A command.
   */
  void republishHealth(TargetGroup tg, List<RegisteredTarget> changed) {
    RoutingSnapshot prev = snapshot;
    if (prev == null) {
      republish();
      return;
    }
    if (lb.state() == LoadBalancerState.DELETED || nlb.batch.deferPublish(lb)) {
      return;
    }
    publish(snapshots.rebuildForHealth(prev, tg, changed));
  }

  RoutingSnapshot buildSnapshot() {
    return snapshots.build();
  }

  /** The targets of {@code tg} that the node of {@code zone} may route to, in stable order. */
  List<RegisteredTarget> scope(TargetGroup tg, String zone) {
    return snapshots.scope(tg, zone, false);
  }

  boolean enabled(String zone) {
    for (Zone z : lb.zonesUnlocked()) {
      if (z.name().equals(zone)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a registration can receive traffic at all (running, and not this load balancer's own listener). */
  boolean usable(RegisteredTarget r) {
    return r.instanceState() == InstanceResolver.State.RUNNING && !ipUnusable(r);
  }

  /**
   * A target whose address and port are one of this load balancer's own lb.listenersMutable() would loop
   * traffic into itself; it is {@code unused} with {@code Target.IpUnusable}.
   */
  boolean ipUnusable(RegisteredTarget r) {
    InetSocketAddress a = r.address();
    if (a == null) {
      return false;
    }
    for (Zone z : lb.zonesUnlocked()) {
      if (z.addresses().contains(a.getAddress())) {
        for (Listener l : lb.listenersMutable()) {
          if (l.configUnlocked().port() == a.getPort()) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
