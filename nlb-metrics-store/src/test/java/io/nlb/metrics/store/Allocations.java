package io.nlb.metrics.store;

import java.lang.management.ManagementFactory;

/** Measures the bytes the current thread allocates, net of the measurement's own allocation. */
final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /** Bytes allocated by the current thread while running {@code action}. */
  static long allocatedBy(Runnable action) {
    long threadId = Thread.currentThread().getId();
    long a = THREADS.getThreadAllocatedBytes(threadId);
    long b = THREADS.getThreadAllocatedBytes(threadId);
    long overhead = b - a;
    long start = THREADS.getThreadAllocatedBytes(threadId);
    action.run();
    long end = THREADS.getThreadAllocatedBytes(threadId);
    return end - start - overhead;
  }

  /**
   * The least bytes allocated over {@code runs} runs of {@code action}. A JIT event inside one run
   * (a deoptimisation re-materialises scalar-replaced objects, ~1.5 KB) is not the action's
   * allocation; an allocation per operation shows in every run.
   */
  static long leastAllocatedBy(Runnable action, int runs) {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      least = Math.min(least, allocatedBy(action));
    }
    return least;
  }
}
