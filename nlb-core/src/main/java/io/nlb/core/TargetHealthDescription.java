package io.nlb.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One row of describe-target-health: the target (with its effective port and zone), the port its
 * health is checked on, and its health.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class TargetHealthDescription {
  private final Target target;
  private final @Nullable String healthCheckPort;
  private final TargetHealth health;

  TargetHealthDescription(Target target, @Nullable String healthCheckPort, TargetHealth health) {
    this.target = target;
    this.healthCheckPort = healthCheckPort;
    this.health = health;
  }

  /** {@return the target, with its effective port and (when known) its zone} */
  public Target target() {
    return target;
  }

  /** {@return the port health checks go to; empty for targets that are not registered} */
  public java.util.Optional<String> healthCheckPort() {
    return java.util.Optional.ofNullable(healthCheckPort);
  }

  /** {@return the health} */
  public TargetHealth health() {
    return health;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TargetHealthDescription)) {
      return false;
    }
    TargetHealthDescription d = (TargetHealthDescription) o;
    return target.equals(d.target) && Objects.equals(healthCheckPort, d.healthCheckPort) && health.equals(d.health);
  }

  @Override
  public int hashCode() {
    return Objects.hash(target, healthCheckPort, health);
  }

  @Override
  public String toString() {
    return target + " " + health;
  }
}
