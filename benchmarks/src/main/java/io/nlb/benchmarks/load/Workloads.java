package io.nlb.benchmarks.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** The client side of each workload: blocking JDK sockets, the same code for every setup. */
final class Workloads {
  private Workloads() {}

  /** Result of {@link #connectionRate}. */
  record ConnRate(long connections, long errors, double seconds, long p50Nanos, long p99Nanos) {
    double perSecond() {
      return connections / seconds;
    }
  }

  /** Result of {@link #latency}. */
  record Latency(long samples, long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos) {}

  /** Result of {@link #bulk}. */
  record Bulk(long bytes, double seconds) {
    double megabytesPerSecond() {
      return bytes / seconds / 1e6;
    }
  }

  static SocketChannel open(InetSocketAddress to) throws IOException {
    SocketChannel c = SocketChannel.open();
    try {
      c.setOption(StandardSocketOptions.TCP_NODELAY, true);
      c.connect(to);
      return c;
    } catch (IOException e) {
      c.close();
      throw e;
    }
  }

  static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      c.write(b);
    }
  }

  static void readFully(SocketChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new EOFException("closed after " + b.position() + " of " + b.limit() + " bytes");
      }
    }
  }

  /**
   * New connections: {@code threads} loops each open a connection, send {@code size} bytes, read
   * the echo, close (client FIN first), for {@code millis}. Also returns the per-connection time
   * (connect to echo received) percentiles.
   */
  static ConnRate connectionRate(InetSocketAddress to, int threads, long millis, int size) throws InterruptedException {
    long[] counts = new long[threads];
    long[] errors = new long[threads];
    long[][] samples = new long[threads][];
    int[] sampleCounts = new int[threads];
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    List<Thread> ts = new ArrayList<>();
    long start = System.nanoTime();
    long deadline = start + millis * 1_000_000L;
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        ByteBuffer req = ByteBuffer.allocateDirect(size);
        ByteBuffer resp = ByteBuffer.allocateDirect(size);
        long[] s = new long[1 << 16];
        int n = 0;
        long now;
        while ((now = System.nanoTime()) < deadline) {
          try (SocketChannel c = open(to)) {
            req.clear();
            writeFully(c, req);
            resp.clear();
            readFully(c, resp);
          } catch (IOException e) {
            errors[id]++;
            firstError.compareAndSet(null, e);
            continue;
          }
          counts[id]++;
          if (n == s.length) {
            s = Arrays.copyOf(s, n * 2);
          }
          s[n++] = System.nanoTime() - now;
        }
        samples[id] = s;
        sampleCounts[id] = n;
      }, "connrate-" + t);
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long total = 0;
    long errs = 0;
    int all = 0;
    for (int t = 0; t < threads; t++) {
      total += counts[t];
      errs += errors[t];
      all += sampleCounts[t];
    }
    long[] merged = new long[all];
    int at = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(samples[t], 0, merged, at, sampleCounts[t]);
      at += sampleCounts[t];
    }
    Arrays.sort(merged);
    Throwable e = firstError.get();
    if (e != null) {
      System.err.println("connrate " + to + ": " + errs + " errors, first: " + e);
    }
    return new ConnRate(total, errs, seconds, percentile(merged, 0.50), percentile(merged, 0.99));
  }

  /**
   * Ping-pong on one persistent connection: {@code size} bytes out, the echo back, repeated;
   * {@code warmupMillis} unrecorded, then {@code millis} recorded into a {@code long[]}.
   */
  static Latency latency(InetSocketAddress to, long warmupMillis, long millis, int size) throws IOException {
    try (SocketChannel c = open(to)) {
      ByteBuffer req = ByteBuffer.allocateDirect(size);
      ByteBuffer resp = ByteBuffer.allocateDirect(size);
      long warmEnd = System.nanoTime() + warmupMillis * 1_000_000L;
      while (System.nanoTime() < warmEnd) {
        req.clear();
        writeFully(c, req);
        resp.clear();
        readFully(c, resp);
      }
      long[] s = new long[1 << 20];
      int n = 0;
      long end = System.nanoTime() + millis * 1_000_000L;
      long t0;
      while ((t0 = System.nanoTime()) < end) {
        req.clear();
        writeFully(c, req);
        resp.clear();
        readFully(c, resp);
        if (n == s.length) {
          s = Arrays.copyOf(s, n * 2);
        }
        s[n++] = System.nanoTime() - t0;
      }
      long[] sorted = Arrays.copyOf(s, n);
      Arrays.sort(sorted);
      return new Latency(n, percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 0.999),
          n == 0 ? 0 : sorted[n - 1]);
    }
  }

  /**
   * Streams {@code bytes} to a sink over {@code streams} connections in parallel, half-closes, and
   * waits for each sink's byte count; the time includes that last round trip.
   */
  static Bulk bulk(InetSocketAddress to, long bytes, int streams, int chunk) throws InterruptedException, IOException {
    long per = bytes / streams;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> ts = new ArrayList<>();
    List<SocketChannel> channels = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      channels.add(open(to));
    }
    long start = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      SocketChannel c = channels.get(i);
      Thread th = new Thread(() -> {
        try (c) {
          ByteBuffer b = ByteBuffer.allocateDirect(chunk);
          long left = per;
          while (left > 0) {
            b.clear();
            if (left < chunk) {
              b.limit((int) left);
            }
            left -= b.remaining();
            writeFully(c, b);
          }
          c.shutdownOutput();
          ByteBuffer count = ByteBuffer.allocate(8);
          readFully(c, count);
          long got = count.getLong(0);
          if (got != per) {
            throw new IOException("sink received " + got + " of " + per + " bytes");
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bulk-" + i);
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Throwable e = failure.get();
    if (e != null) {
      throw new IOException("bulk " + to + ": " + e, e);
    }
    return new Bulk(per * streams, seconds);
  }

  /**
   * Opens {@code n} connections and proves each is relayed end to end with a one-byte echo. The
   * caller holds and closes them.
   */
  static List<SocketChannel> openIdle(InetSocketAddress to, int n) throws IOException {
    List<SocketChannel> open = new ArrayList<>(n);
    ByteBuffer one = ByteBuffer.allocateDirect(1);
    try {
      for (int i = 0; i < n; i++) {
        SocketChannel c = open(to);
        open.add(c);
        one.clear();
        writeFully(c, one);
        one.clear();
        readFully(c, one);
      }
    } catch (IOException e) {
      closeAll(open);
      throw new IOException("opened " + open.size() + " of " + n + " idle connections to " + to + ": " + e, e);
    }
    return open;
  }

  static void closeAll(List<SocketChannel> channels) {
    for (SocketChannel c : channels) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
