package io.nlb.transport.netty;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory that connections may hold before they have earned it, over one transport (a process
 * normally has one): bytes read from TLS clients whose handshake has not completed, and the full
 * buffers of established flows. Every TLS connection reserves {@link #BASE} bytes when it is
 * accepted and grows its reservation before each read that could exceed it ({@link
 * HandshakeGuard}), so a read buffer is never allocated for bytes the budget has not granted.
 *
 * <p>Two limits apply. {@link #handshakeLimit} bounds the bytes reserved by handshaking
 * connections; only three quarters of it can be taken by connections growing past their base
 * reservation, so that the last quarter stays for new handshakes (a few large, stalling
 * ClientHellos cannot lock out small, normal ones). {@link #totalLimit} bounds those reservations
 * together with the full flow buffers (each connection whose written bytes reached the high water
 * mark counts with that mark, {@link #chargeFlowBuffer}); when it is reached, new handshakes are
 * refused rather than established flows starved: a flow's buffer is charged, never refused.
 *
 * <p>Thread-safe: event loops reserve and release concurrently (compare-and-set on two counters).
 */
final class MemoryBudget {
  /** What a handshaking connection reserves when it is accepted, and the most one read takes: 4 KiB. */
  static final int BASE = 4096;
  /** The default per-connection bound of bytes read before the handshake completes: 32 KiB. */
  static final int DEFAULT_PER_CONNECTION = 32 * 1024;

  final long handshakeLimit;
  final long totalLimit;
  final int perConnection;
  private final long growthLimit;
  private final AtomicLong handshakes = new AtomicLong();
  private final AtomicLong total = new AtomicLong();
  private final LongAdder refused = new LongAdder();

  MemoryBudget(long handshakeLimit, long totalLimit, int perConnection) {
    this.handshakeLimit = handshakeLimit;
    this.totalLimit = Math.max(totalLimit, handshakeLimit);
    this.perConnection = perConnection;
    this.growthLimit = handshakeLimit - handshakeLimit / 4;
  }

  /**
   * The default budget: a quarter of the process's maximum direct memory for handshakes, three
   * quarters for handshakes and full flow buffers together.
   */
  static MemoryBudget forDirectMemory(long maxDirectMemory, long handshakeLimit, int perConnection) {
    long max = maxDirectMemory > 0 ? maxDirectMemory : Runtime.getRuntime().maxMemory();
    long hs = handshakeLimit > 0 ? handshakeLimit : Math.max(BASE * 16L, max / 4);
    return new MemoryBudget(hs, Math.max(hs, max - max / 4), perConnection);
  }

  /** Reserves {@link #BASE} for a new handshake; false when either limit would be passed. */
  boolean admit() {
    if (reserve(BASE, handshakeLimit)) {
      return true;
    }
    refused.increment();
    return false;
  }

  /**
   * Grows a handshaking connection's reservation by {@code bytes}; false when that would pass
   * three quarters of the handshake limit, or the total limit.
   */
  boolean grow(long bytes) {
    return reserve(bytes, growthLimit);
  }

  private boolean reserve(long bytes, long handshakeBound) {
    for (;;) {
      long h = handshakes.get();
      if (h + bytes > handshakeBound) {
        return false;
      }
      long t = total.get();
      if (t + bytes > totalLimit) {
        return false;
      }
      if (handshakes.compareAndSet(h, h + bytes)) {
        total.addAndGet(bytes);
        return true;
      }
    }
  }

  /** Returns what a handshaking connection reserved. */
  void release(long bytes) {
    if (bytes > 0) {
      handshakes.addAndGet(-bytes);
      total.addAndGet(-bytes);
    }
  }

  /** A flow's connection turned unwritable holding about {@code bytes}: counted, never refused. */
  void chargeFlowBuffer(long bytes) {
    total.addAndGet(bytes);
  }

  /** The connection charged by {@link #chargeFlowBuffer} is writable again, or closed. */
  void releaseFlowBuffer(long bytes) {
    total.addAndGet(-bytes);
  }

  /** Bytes reserved by handshaking connections now. */
  long handshakeBytes() {
    return handshakes.get();
  }

  /** Handshake reservations and full flow buffers now. */
  long totalBytes() {
    return total.get();
  }

  /** New handshakes refused so far ({@link #admit} returned false). */
  long refusals() {
    return refused.sum();
  }
}
