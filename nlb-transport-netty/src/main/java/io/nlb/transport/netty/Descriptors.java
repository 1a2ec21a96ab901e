package io.nlb.transport.netty;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

  private static final Path PROC_LIMITS = Path.of("/proc/self/limits");
  private static final String OPEN_FILES = "Max open files";

  private Descriptors() {}

  /**
   * The process's descriptor limit, or -1 when the platform does not tell. On Linux it is read
   * from {@code /proc/self/limits}: the platform MXBean tells the same, but its first use loads
   * about 100 classes (the management and container-metrics support) that nothing else in the
   * transport needs, resident from the start.
   */
  static long maxFileDescriptors() {
    long fromProc = softOpenFilesLimit(PROC_LIMITS);
    if (fromProc != -1) {
      return fromProc;
    }
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

  /**
   * The soft limit on the "Max open files" line of a {@code /proc/<pid>/limits} file; -1 when the
   * file cannot be read, has no such line, or says "unlimited".
   */
  static long softOpenFilesLimit(Path limits) {
    try {
      for (String line : Files.readAllLines(limits, StandardCharsets.US_ASCII)) {
        if (line.startsWith(OPEN_FILES)) {
          String[] columns = line.substring(OPEN_FILES.length()).trim().split("\\s+");
          return columns.length > 0 && !columns[0].equals("unlimited") ? Long.parseLong(columns[0]) : -1;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or an unexpected format: the caller asks the platform MXBean
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
