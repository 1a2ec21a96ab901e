package io.nlb.core;

/**
 * Told the {@link TargetSet} of an {@link Nlb}: once when added ({@link
 * Nlb#addTargetSetListener(TargetSetListener)}), then whenever the set may have changed (a
 * registration, a deregistration delay ending, a listener, zone, attribute or health-check setting
 * changed, a load balancer created or deleted, an instance or ALB endpoint re-resolved). Health
 * reports alone do not change it. Several calls may carry the same set.
 *
 * <p>Called on the control plane, or on the thread of the operation that changed something: the
 * listener must not block nor call the {@link Nlb} back; it should keep the value and act on its
 * own thread.
 *
 * <pre>{@code
 * nlb.addTargetSetListener(set -> { latest.set(set); executor.execute(engine::reconcile); });
 * }</pre>
 *
 * @since 0.1
 */
@FunctionalInterface
public interface TargetSetListener {
  /**
   * Receives the target set as it is now.
   *
   * @param targets the targets to check; never null
   */
  void onTargetSet(TargetSet targets);
}
