package io.nlb.healthcheck;

import io.nlb.core.HealthCheck;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetHealthState;
import io.nlb.core.spi.CheckOutcome;

/**
 * The health lifecycle of one target as seen by one checker: a pure state machine fed with check
 * outcomes and the settings in force for each check. No I/O, no clock, no scheduling — the {@link
 * HealthCheckEngine} feeds it, and tests drive it directly.
 *
 * <h2>Transitions</h2>
 *
 * <table>
 *   <caption>States, the reasons they carry, and what moves them</caption>
 *   <tr><th>from</th><th>event</th><th>to</th></tr>
 *   <tr><td>{@code initial} ({@code Elb.RegistrationInProgress})</td><td>{@link #checkStarted()}</td>
 *       <td>{@code initial} ({@code Elb.InitialHealthChecking})</td></tr>
 *   <tr><td>{@code initial}</td><td>one {@link CheckOutcome#SUCCESS}</td><td>{@code healthy}</td></tr>
 *   <tr><td>{@code initial}, {@code healthy}, {@code unavailable}</td><td>{@code unhealthyThreshold}
 *       consecutive failures or timeouts</td><td>{@code unhealthy} ({@code Target.FailedHealthChecks})</td></tr>
 *   <tr><td>{@code unhealthy}, {@code unavailable}</td><td>{@code healthyThreshold} consecutive
 *       successes</td><td>{@code healthy}</td></tr>
 *   <tr><td>any but {@code unavailable}</td><td>{@code unhealthyThreshold} consecutive {@link
 *       CheckOutcome#ERROR}s</td><td>{@code unavailable} ({@code Elb.InternalError})</td></tr>
 *   <tr><td>{@code healthy}</td><td>{@value #PASSIVE_FAILURE_THRESHOLD} consecutive passive
 *       failures</td><td>{@code unhealthy} ({@code Target.FailedHealthChecks})</td></tr>
 * </table>
 *
 * <p><b>Counting.</b> A success ends a run of failures and a failure ends a run of successes; an
 * error ends neither (the target was not asked) but is itself ended by any success or failure.
 * Thresholds are read from the settings passed with each outcome, so a change of settings applies
 * from the next check. The running count is kept across a change and compared with {@code >=}:
 * when a threshold is lowered to or below the current run, the <em>next</em> outcome of the same
 * kind completes the transition (nothing happens at the moment of the change, which is not a
 * check); when it is raised, the run simply has further to go.
 *
 * <p><b>Passive checks.</b> The data plane reports connection outcomes ({@link
 * #passiveFailure()}, {@link #passiveSuccess()}). {@value #PASSIVE_FAILURE_THRESHOLD} consecutive
 * connection failures or resets, with no successful connection in between, take a {@code healthy}
 * target out of service at once — usually long before {@code unhealthyThreshold} active checks
 * (at least 2 × 5 s) would. The number is fixed, like the service's passive checks, which cannot
 * be configured: 3 rather than 2 so that a single retransmitted SYN and a reset do not remove a
 * target that then needs {@code healthyThreshold} intervals to return. Passive signals never make
 * a target healthy and are ignored in other states; only active checks bring a target back.
 *
 * <pre>{@code
 * TargetHealthStateMachine m = new TargetHealthStateMachine();
 * m.checkStarted();                                  // initial (Elb.InitialHealthChecking)
 * m.record(CheckOutcome.SUCCESS, settings);          // healthy
 * m.record(CheckOutcome.TIMEOUT, settings);
 * m.record(CheckOutcome.FAILURE, settings);          // unhealthy with unhealthyThreshold 2
 * }</pre>
 *
 * <p>Not thread-safe: one owner feeds it (the engine serializes the events of one target).
 *
 * @since 0.1
 */
public final class TargetHealthStateMachine {
  /** Consecutive passive failures that take a healthy target out of service; not configurable. */
  public static final int PASSIVE_FAILURE_THRESHOLD = 3;

  private static final TargetHealth REGISTRATION = TargetHealth.of(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  private static final TargetHealth INITIAL_CHECKING = TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);
  private static final TargetHealth FAILED = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  private static final TargetHealth INTERNAL_ERROR = TargetHealth.of(TargetHealthReason.ELB_INTERNAL_ERROR);

  private TargetHealth health;
  private int successes;
  private int failures;
  private int errors;
  private int passiveFailures;

  /** A machine for a newly registered target: {@code initial} ({@code Elb.RegistrationInProgress}). */
  public TargetHealthStateMachine() {
    this.health = REGISTRATION;
  }

  /**
   * A machine resuming from {@code current} (for instance the health the core holds for a target
   * that was out of use for a while). States other than {@code initial}, {@code healthy}, {@code
   * unhealthy} and {@code unavailable} start as a new registration.
   *
   * @param current the value after the change
   */
  public TargetHealthStateMachine(TargetHealth current) {
    switch (current.state()) {
      case INITIAL:
      case HEALTHY:
      case UNHEALTHY:
      case UNAVAILABLE:
        this.health = current;
        break;
      default:
        this.health = REGISTRATION;
    }
  }

  /** {@return the current health} */
  public TargetHealth health() {
    return health;
  }

  /** {@return the current run of consecutive successes} */
  public int consecutiveSuccesses() {
    return successes;
  }

  /** {@return the current run of consecutive failures (timeouts included)} */
  public int consecutiveFailures() {
    return failures;
  }

  /** {@return the current run of consecutive passive failures} */
  public int consecutivePassiveFailures() {
    return passiveFailures;
  }

  /**
   * The first check is about to start: {@code Elb.RegistrationInProgress} becomes {@code
   * Elb.InitialHealthChecking}.
   *
   * @return whether the health changed
   */
  public boolean checkStarted() {
    if (health.equals(REGISTRATION)) {
      return moveTo(INITIAL_CHECKING);
    }
    return false;
  }

  /**
   * Counts the outcome of one active check under {@code settings} (only the thresholds are read).
   *
   * @param outcome the outcome
   * @param settings the health check settings
   * @return whether the health changed
   */
  public boolean record(CheckOutcome outcome, HealthCheck settings) {
    return record(outcome, settings.healthyThreshold(), settings.unhealthyThreshold());
  }

  /**
   * Counts the outcome of one active check with explicit thresholds (each 2-10).
   *
   * @param outcome the outcome
   * @param healthyThreshold the healthy threshold
   * @param unhealthyThreshold the unhealthy threshold
   * @return whether the health changed
   */
  public boolean record(CheckOutcome outcome, int healthyThreshold, int unhealthyThreshold) {
    if (outcome == CheckOutcome.ERROR) {
      errors = saturatedIncrement(errors);
      if (health.state() != TargetHealthState.UNAVAILABLE && errors >= unhealthyThreshold) {
        return moveTo(INTERNAL_ERROR);
      }
      return false;
    }
    // A check that ran moves the machine out of registration even if checkStarted was skipped.
    boolean changed = checkStarted();
    errors = 0;
    if (outcome == CheckOutcome.SUCCESS) {
      failures = 0;
      successes = saturatedIncrement(successes);
      switch (health.state()) {
        case INITIAL:
          return moveTo(TargetHealth.healthy()) || changed;
        case UNHEALTHY:
        case UNAVAILABLE:
          return (successes >= healthyThreshold && moveTo(TargetHealth.healthy())) || changed;
        default:
          return changed;
      }
    }
    successes = 0;
    failures = saturatedIncrement(failures);
    if (health.state() != TargetHealthState.UNHEALTHY && failures >= unhealthyThreshold) {
      return moveTo(FAILED) || changed;
    }
    return changed;
  }

  /**
   * A connection to the target failed or was reset (passive check).
   *
   * @return whether the health changed (a healthy target taken out of service)
   */
  public boolean passiveFailure() {
    if (health.state() != TargetHealthState.HEALTHY) {
      return false;
    }
    passiveFailures++;
    if (passiveFailures >= PASSIVE_FAILURE_THRESHOLD) {
      // Coming back takes healthyThreshold fresh active successes.
      successes = 0;
      return moveTo(FAILED);
    }
    return false;
  }

  /** A connection to the target succeeded (passive check): the passive failure run ends. */
  public void passiveSuccess() {
    passiveFailures = 0;
  }

  private boolean moveTo(TargetHealth next) {
    if (next.equals(health)) {
      return false;
    }
    health = next;
    passiveFailures = 0;
    return true;
  }

  private static int saturatedIncrement(int n) {
    return n == Integer.MAX_VALUE ? n : n + 1;
  }

  @Override
  public String toString() {
    return health + " successes=" + successes + " failures=" + failures + " errors=" + errors + " passive=" + passiveFailures;
  }
}
