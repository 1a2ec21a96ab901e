package io.nlb.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link Nlb#apply} in progress holds back until it is bound: side effects on existing
 * flows (it may still be taken back), and the publication of each load balancer it changed, so
 * that routing moves from the old state to the new one in one step per load balancer.
 *
 * <p>Control plane only; outside an apply every method lets the effect through at once.
 */
final class ApplyBatch {
  /** Effects held back until the apply is bound; null outside an apply. */
  private @Nullable List<Runnable> heldBack;
  /** The load balancers whose bindings the apply changed, with the binding its steps wait for. */
  private @Nullable Map<LoadBalancer, CompletableFuture<Void>> deferredRebind;
  /** The load balancers whose routing the apply changed. */
  private @Nullable Set<LoadBalancer> deferredRepublish;

  /**
   * Runs {@code effect} now, or once the apply in progress is bound; a command.
   *
   * @return whether it ran now
   */
  boolean afterBinding(Runnable effect) {
    List<Runnable> h = heldBack;
    if (h == null) {
      effect.run();
      return true;
    }
    h.add(effect);
    return false;
  }

  /** Starts holding effects back ({@link #afterBinding}) and publications; returns where effects go. */
  List<Runnable> holdBack() {
    List<Runnable> h = new ArrayList<>();
    heldBack = h;
    deferredRebind = new LinkedHashMap<>();
    deferredRepublish = new LinkedHashSet<>();
    return h;
  }

  /** During an apply, notes that {@code lb} must be republished at its end; false outside one. */
  boolean deferPublish(LoadBalancer lb) {
    Set<LoadBalancer> d = deferredRepublish;
    if (d == null) {
      return false;
    }
    d.add(lb);
    return true;
  }

  /** During an apply, notes that {@code lb} must be re-bound at its end and returns that binding; null outside one. */
  @Nullable CompletionStage<Void> deferRebind(LoadBalancer lb) {
    Map<LoadBalancer, CompletableFuture<Void>> d = deferredRebind;
    if (d == null) {
      return null;
    }
    return d.computeIfAbsent(lb, x -> new CompletableFuture<>());
  }

  /**
   * Stops holding back; when {@code publish}, publishes (and binds) each load balancer the apply
   * changed, once. Without it (a refused apply being taken back) the notes are dropped.
   */
  void release(boolean publish) {
    Map<LoadBalancer, CompletableFuture<Void>> rebind = deferredRebind;
    Set<LoadBalancer> republish = deferredRepublish;
    deferredRebind = null;
    deferredRepublish = null;
    if (!publish || rebind == null || republish == null) {
      heldBack = null;
      return;
    }
    // The flow events of these publications (FlowResets) still wait for the apply's binding:
    // heldBack is cleared only once they are queued.
    try {
      rebind.forEach((lb, f) -> lb.routing.rebindNow().whenComplete((v, e) -> {
        if (e == null) {
          f.complete(null);
        } else {
          f.completeExceptionally(e);
        }
      }));
      for (LoadBalancer lb : republish) {
        if (!rebind.containsKey(lb)) {
          lb.routing.republish();
        }
      }
    } finally {
      heldBack = null;
    }
  }
}
