package io.nlb.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A target's health as describe-target-health reports it: a state, and unless the target is
 * healthy, a reason code and a description.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class TargetHealth {
  private static final TargetHealth HEALTHY = new TargetHealth(TargetHealthState.HEALTHY, null, null);

  private final TargetHealthState state;
  private final @Nullable TargetHealthReason reason;
  private final @Nullable String description;

  private TargetHealth(TargetHealthState state, @Nullable TargetHealthReason reason, @Nullable String description) {
    this.state = state;
    this.reason = reason;
    this.description = description;
  }

  /** {@return the healthy state (no reason)} */
  public static TargetHealth healthy() {
    return HEALTHY;
  }

  /**
   * {@return the state {@code reason} belongs to, with the reason's general description}
   *
   * @param reason the reason
   */
  public static TargetHealth of(TargetHealthReason reason) {
    return new TargetHealth(reason.state(), reason, reason.description());
  }

  /**
   * {@return the state {@code reason} belongs to, with one of the reason's documented descriptions}
   *
   * @param reason the reason
   * @param description the description
   * @throws IllegalArgumentException when {@code description} is not one of the reason's
   */
  public static TargetHealth of(TargetHealthReason reason, String description) {
    if (!reason.descriptions().contains(description)) {
      throw Check.invalid("description", description, "one of " + reason.descriptions());
    }
    return new TargetHealth(reason.state(), reason, description);
  }

  /** {@return the state} */
  public TargetHealthState state() {
    return state;
  }

  /** {@return the reason code; empty when healthy} */
  public java.util.Optional<TargetHealthReason> reason() {
    return java.util.Optional.ofNullable(reason);
  }

  /** {@return the description; empty when healthy} */
  public java.util.Optional<String> description() {
    return java.util.Optional.ofNullable(description);
  }

  /** {@return whether the state is {@link TargetHealthState#HEALTHY}} */
  public boolean isHealthy() {
    return state == TargetHealthState.HEALTHY;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TargetHealth)) {
      return false;
    }
    TargetHealth h = (TargetHealth) o;
    return state == h.state && reason == h.reason && Objects.equals(description, h.description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(state, reason, description);
  }

  /** {@code healthy}, or {@code unhealthy (Target.FailedHealthChecks: Health checks failed)}. */
  @Override
  public String toString() {
    return reason == null ? state.toString() : state + " (" + reason.code() + ": " + description + ")";
  }
}
