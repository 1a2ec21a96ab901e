package io.nlb.transport.netty;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The descriptor budget: how many file descriptors UDP flows may hold, derived from the process's
 * descriptor limit ({@code RLIMIT_NOFILE}, {@code ulimit -n}). Each UDP flow holds one descriptor
 * (its connected socket towards the target) for as long as it lives; a flood of datagrams from new
 * source ports opens one flow each, and without a bound derived from the limit it takes the
 * descriptors that TCP accepts and health checks need. A reserve of a quarter of the limit (at
 * least 256) is kept for accepting, target connections and health checks; UDP flows get half of
 * the rest, and never more than 65,536. Stateless; thread-safe.
 */
final class Descriptors {
  /** The most UDP flows whatever the limit (the default of an unlimited process). */
  static final int MAX_UDP_FLOWS = 65_536;
  /** The fewest UDP flows the derived budget allows, however low the limit. */
  static final int MIN_UDP_FLOWS = 16;
  /** The smallest reserve kept for accepting and health checks. */
  static final long MIN_RESERVE = 256;

  private Descriptors() {}

  /** The process's descriptor limit, or -1 when the platform does not tell. */
  static long maxFileDescriptors() {
    try {
      OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.UnixOperatingSystemMXBean u) {
        return u.getMaxFileDescriptorCount();
      }
    } catch (RuntimeException | LinkageError e) {
      // not a HotSpot-style platform bean: no limit known
    }
    return -1;
  }

  /** The descriptors kept out of UDP flows' reach under a limit of {@code maxFds}. */
  static long reserve(long maxFds) {
    return Math.max(MIN_RESERVE, maxFds / 4);
  }

  /** The default {@code maxUdpFlows} under a descriptor limit of {@code maxFds} (-1: unknown). */
  static int udpFlowBudget(long maxFds) {
    if (maxFds <= 0) {
      return MAX_UDP_FLOWS;
    }
    long udp = (maxFds - reserve(maxFds)) / 2;
    return (int) Math.max(MIN_UDP_FLOWS, Math.min(MAX_UDP_FLOWS, udp));
  }
}
