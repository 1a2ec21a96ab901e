package io.nlb.core.routing;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Counts the bytes the current thread allocates over many calls of a hot-path operation, after
 * warming it up so that the JIT has compiled it as in production, less the cost of reading the
 * counter itself. The measurement is repeated and the smallest figure kept: a one-off event of the
 * JIT (an on-stack replacement, a deoptimization) may allocate a few bytes in one window, while an
 * allocation per call shows in every window, at least once per call.
 */
public final class AllocationMeter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @SuppressWarnings("UnusedVariable") // written so that the JIT cannot drop the calls
  private static volatile long blackhole;

  private AllocationMeter() {}

  /** The fewest bytes allocated by {@code calls} calls of {@code call} in five windows after warm-up. */
  public static long allocatedBytes(LongSupplier call, int calls) {
    long best = Long.MAX_VALUE;
    for (int window = 0; window < 5 && best > 0; window++) {
      best = Math.min(best, window(call, calls));
    }
    return best;
  }

  private static long window(LongSupplier call, int calls) {
    long sink = 0;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < calls; i++) {
        sink += call.getAsLong();
      }
    }
    long tid = Thread.currentThread().getId();
    long probeBefore = THREADS.getThreadAllocatedBytes(tid);
    long probeAfter = THREADS.getThreadAllocatedBytes(tid);
    long probeCost = probeAfter - probeBefore;

    long before = THREADS.getThreadAllocatedBytes(tid);
    for (int i = 0; i < calls; i++) {
      sink += call.getAsLong();
    }
    long after = THREADS.getThreadAllocatedBytes(tid);

    blackhole = sink;
    return after - before - probeCost;
  }
}
