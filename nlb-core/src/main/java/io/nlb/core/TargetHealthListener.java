package io.nlb.core;

/**
 * Told about every change of a target's health reported through {@link
 * TargetGroup#reportHealth(Target, TargetHealth)} — by the health-check engine, or by a test
 * simulating it. Registered with {@link Nlb#addTargetHealthListener}.
 *
 * <pre>{@code
 * nlb.addTargetHealthListener((target, previous, current) ->
 *     log.info("{}: {} -> {}", target, previous, current));   // web/10.0.1.5:8080: healthy -> unhealthy (...)
 * }</pre>
 *
 * <p>Only reported health changes are announced: a report equal to the current health is not a
 * transition; draining and {@code unused} follow from registration and are not reported here.
 *
 * <p>Threading: called on the thread that reported the health, <em>after</em> the control-plane
 * lock has been released and the new routing snapshot has been published, so a listener may call
 * back into the {@link Nlb}. Reports from different threads may be delivered concurrently;
 * reports from one thread (the health-check engine serializes reports per target) arrive in
 * order. A listener must be quick and must not throw; an exception is caught and ignored so that
 * other listeners still run.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface TargetHealthListener {
  /**
   * The health of {@code target} changed.
   *
   * @param target the registration whose health changed
   * @param previous the health before the report
   * @param current the health now in force (also {@link RegisteredTarget#health()})
   */
  void onTransition(RegisteredTarget target, TargetHealth previous, TargetHealth current);
}
