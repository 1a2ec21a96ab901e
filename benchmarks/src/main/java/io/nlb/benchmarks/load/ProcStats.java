package io.nlb.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's resident memory and CPU time from {@code /proc} (Linux only). Both include the
 * process's direct children, so that a proxy made of a master and worker processes (nginx) is
 * measured whole; a single-process proxy (HAProxy, the JVM) has none.
 */
final class ProcStats {
  /** USER_HZ; 100 on every Linux we run on (sysconf(_SC_CLK_TCK) is not reachable from Java). */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** {@code VmRSS} in KiB, or -1 when the process is gone or {@code pid <= 0}. */
  static long rssKib(long pid) {
    return withChildren(pid, "VmRSS:");
  }

  private static long withChildren(long pid, String field) {
    long kib = statusField(pid, field);
    if (kib < 0) {
      return kib;
    }
    for (long child : children(pid)) {
      kib += Math.max(0, statusField(child, field));
    }
    return kib;
  }

  /** The direct children of {@code pid}, from {@code /proc/PID/task/*}{@code /children}. */
  static java.util.List<Long> children(long pid) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        for (String c : Files.readString(task.resolve("children")).trim().split("\\s+")) {
          if (!c.isEmpty()) {
            out.add(Long.parseLong(c));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or no children file: no children counted
    }
    return out;
  }

  /** {@code VmHWM} (peak resident set) in KiB, or -1. */
  static long hwmKib(long pid) {
    return withChildren(pid, "VmHWM:");
  }

  private static long statusField(long pid, String field) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** User + system CPU seconds of all the process's threads, or -1. */
  static double cpuSeconds(long pid) {
    double own = ownCpuSeconds(pid);
    if (own < 0) {
      return own;
    }
    for (long child : children(pid)) {
      own += Math.max(0, ownCpuSeconds(child));
    }
    return own;
  }

  private static double ownCpuSeconds(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces; fields after the closing parenthesis start at 3.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      return (utime + stime) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The 1-minute load average, or -1. */
  static double loadAverage1() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
