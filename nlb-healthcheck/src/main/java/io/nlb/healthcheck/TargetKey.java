package io.nlb.healthcheck;

import io.nlb.core.RegisteredTarget;
import io.nlb.core.Target;

/**
 * A target within its group: its id (instance id, IP address or ALB ARN) and its port. The key
 * under which a {@link Target} as {@code describeTargetHealth} shows it meets the {@link
 * RegisteredTarget} of {@code registeredTargets}.
 *
 * @param id the target's id
 * @param port its port, the group's when it was registered without one
 */
record TargetKey(String id, int port) {
  static TargetKey of(RegisteredTarget r) {
    return new TargetKey(r.id(), r.port());
  }

  /** The key of {@code t}; {@code defaultPort} when it names none (the group's port). */
  static TargetKey of(Target t, int defaultPort) {
    return new TargetKey(t.id(), t.port().orElse(defaultPort));
  }
}
