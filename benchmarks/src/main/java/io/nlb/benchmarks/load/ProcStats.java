package io.nlb.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's resident memory and CPU time from {@code /proc} (Linux only). */
final class ProcStats {
  /** USER_HZ; 100 on every Linux we run on (sysconf(_SC_CLK_TCK) is not reachable from Java). */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** {@code VmRSS} in KiB, or -1 when the process is gone or {@code pid <= 0}. */
  static long rssKib(long pid) {
    return statusField(pid, "VmRSS:");
  }

  /** {@code VmHWM} (peak resident set) in KiB, or -1. */
  static long hwmKib(long pid) {
    return statusField(pid, "VmHWM:");
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
