package io.nlb.core.routing;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Counts the bytes the current thread allocates over many calls of a hot-path operation, after
 * warming it up so that the JIT has compiled it as in production, less the cost of reading the
 * counter itself.
 */
public final class AllocationMeter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @SuppressWarnings("UnusedVariable") // written so that the JIT cannot drop the calls
  private static volatile long blackhole;

  private AllocationMeter() {}

  /** Bytes allocated by {@code calls} calls of {@code call} after three warm-up rounds. */
  public static long allocatedBytes(LongSupplier call, int calls) {
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
