package io.nlb.core;

import io.nlb.common.WireNames;
import java.util.List;

/**
 * Why a target is not {@link TargetHealthState#HEALTHY}: the reason codes of the elbv2 API with
 * their descriptions. Codes that begin with {@code Elb} originate on the load balancer, codes that
 * begin with {@code Target} on the target.
 *
 * <p>Some codes have several descriptions (for instance {@link #TARGET_NOT_IN_USE} says either
 * that no listener uses the group or that the target's zone is not enabled); {@link
 * #descriptions()} lists them all and {@link TargetHealth#description()} carries the one that
 * applies.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum TargetHealthReason {
  /** The target is being registered. */
  ELB_REGISTRATION_IN_PROGRESS(
      "Elb.RegistrationInProgress", TargetHealthState.INITIAL, "Target registration is in progress"),
  /** The first health checks have not finished yet. */
  ELB_INITIAL_HEALTH_CHECKING(
      "Elb.InitialHealthChecking", TargetHealthState.INITIAL, "Initial health checks in progress"),
  /** The target failed its health checks. */
  TARGET_FAILED_HEALTH_CHECKS(
      "Target.FailedHealthChecks", TargetHealthState.UNHEALTHY, "Health checks failed"),
  /** The target is not registered with the group. */
  TARGET_NOT_REGISTERED(
      "Target.NotRegistered", TargetHealthState.UNUSED, "Target is not registered to the target group"),
  /**
   * The group is not used by any listener, or the target's zone is not enabled, or (a library
   * addition) no zone's target range contains the target's address.
   */
  TARGET_NOT_IN_USE(
      "Target.NotInUse",
      TargetHealthState.UNUSED,
      "Target group is not configured to receive traffic from the load balancer",
      "Target is in an Availability Zone that is not enabled for the load balancer",
      "Target is in no enabled Availability Zone: no zone's target range contains its address"),
  /** The target is stopped, terminated or otherwise invalid (for instance, unresolvable). */
  TARGET_INVALID_STATE(
      "Target.InvalidState",
      TargetHealthState.UNUSED,
      "Target is in the stopped state",
      "Target is in the terminated state",
      "Target is in the terminated or stopped state",
      "Target is in an invalid state"),
  /** The target's address belongs to a load balancer. */
  TARGET_IP_UNUSABLE(
      "Target.IpUnusable",
      TargetHealthState.UNUSED,
      "The IP address cannot be used as a target, as it is in use by a load balancer"),
  /** The target is deregistering and its connections are draining. */
  TARGET_DEREGISTRATION_IN_PROGRESS(
      "Target.DeregistrationInProgress",
      TargetHealthState.DRAINING,
      "Target deregistration is in progress"),
  /** Health checks failed because of an error inside the load balancer. */
  ELB_INTERNAL_ERROR(
      "Elb.InternalError",
      TargetHealthState.UNAVAILABLE,
      "Health checks failed due to an internal error");

  private final String code;
  private final TargetHealthState state;
  private final List<String> descriptions;

  TargetHealthReason(String code, TargetHealthState state, String... descriptions) {
    this.code = code;
    this.state = state;
    this.descriptions = List.of(descriptions);
  }

  /** {@return the wire code, for example {@code Target.FailedHealthChecks}} */
  public String code() {
    return code;
  }

  /** {@return the state this reason is reported with} */
  public TargetHealthState state() {
    return state;
  }

  /** {@return every description the API uses for this code; the first is the general one} */
  public List<String> descriptions() {
    return descriptions;
  }

  /** {@return the general description (the first of {@link #descriptions()})} */
  public String description() {
    return descriptions.get(0);
  }

  /**
   * Looks a reason up by its wire code.
   *
   * @param code the error code
   * @return the {@code TargetHealthReason}
   */
  public static TargetHealthReason ofCode(String code) {
    return WireNames.lookup(values(), code, TargetHealthReason::code)
        .orElseThrow(() -> Check.invalid("reasonCode", code, "one of the documented reason codes"));
  }

  @Override
  public String toString() {
    return code;
  }
}
