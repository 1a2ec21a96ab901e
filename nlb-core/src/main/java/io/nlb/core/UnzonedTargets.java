package io.nlb.core;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, once per registration, about a target that is in no zone of its load balancer: no zone
 * was given, and no zone's target range contains its address. Such a target gets no traffic and
 * is reported {@code Target.NotInUse}; without this line, a user who built zones with {@link
 * Zone#of} and no target range saw every connection reset and nothing logged. Confined to the
 * control-plane lock of the load balancer that owns it.
 */
final class UnzonedTargets {
  private static final Logger log = LoggerFactory.getLogger(UnzonedTargets.class);

  private final String loadBalancer;
  /** Registrations already warned about (registration ids are never reused). */
  private final Set<Long> warned = new HashSet<>();
  private @Nullable String lastWarning;
  private int warnings;

  UnzonedTargets(String loadBalancer) {
    this.loadBalancer = loadBalancer;
  }

  /** Called for a registration whose zone could not be found among {@code zones}. */
  void warnOnce(RegisteredTarget r, List<Zone> zones) {
    if (!warned.add(r.registrationId())) {
      return;
    }
    String message = message(loadBalancer, r, zones);
    lastWarning = message;
    warnings++;
    log.warn(message);
  }

  static String message(String loadBalancer, RegisteredTarget r, List<Zone> zones) {
    InetSocketAddress a = r.address();
    String address = a == null ? r.target().id() : Addresses.toLiteral(a.getAddress());
    StringBuilder ranges = new StringBuilder();
    for (Zone z : zones) {
      if (ranges.length() > 0) {
        ranges.append(", ");
      }
      ranges.append(z.name()).append(' ').append(z.targetRanges());
    }
    return "nlb load balancer " + loadBalancer + ": target " + r + " gets no traffic (Target.NotInUse): no zone's target"
        + " range contains " + address + " (zones: " + ranges + "). Add a range that contains it to a zone"
        + " (Zone.Builder#targetRange) or register the target with its zone (Target#withZone)";
  }

  /** The last warning logged, for tests. */
  @Nullable String lastWarning() {
    return lastWarning;
  }

  /** How many warnings were logged, for tests. */
  int warnings() {
    return warnings;
  }
}
