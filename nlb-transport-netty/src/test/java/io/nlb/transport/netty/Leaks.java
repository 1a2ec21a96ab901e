package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects what Netty's leak detector (PARANOID in tests) reports for ByteBufs, so that tests can
 * assert that nothing leaked instead of only logging it.
 */
final class Leaks {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private Leaks() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    try {
      Class<?> c = Class.forName("io.netty.buffer.AbstractByteBuf");
      Field f = c.getDeclaredField("leakDetector");
      f.setAccessible(true);
      ResourceLeakDetector<?> d = (ResourceLeakDetector<?>) f.get(null);
      d.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
      installed = true;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot hook the ByteBuf leak detector", e);
    }
  }

  /** How many leaks were reported so far; pass it to {@link #since}. */
  static int mark() {
    return LEAKS.size();
  }

  /** Collects garbage, lets the detector process its queue, and returns the leaks reported after {@code mark}. */
  static List<String> since(int mark) {
    List<String> all = collect();
    return all.subList(Math.min(mark, all.size()), all.size());
  }

  /** Collects garbage and lets the detector process its queue; returns the leaks reported so far. */
  static List<String> collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      // Allocations drive the detector: each tracked allocation drains its reference queue.
      ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
      b.release();
      ByteBuf u = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
      u.release();
    }
    return List.copyOf(LEAKS);
  }
}
