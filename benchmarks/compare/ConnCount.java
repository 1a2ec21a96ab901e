import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed amount of TCP work against one port, for counting system calls and bytes allocated per
 * unit of work (conn-costs.sh): {@code conn PORT N THREADS} opens N connections (64 bytes out,
 * the echo back, close; THREADS at a time), {@code rtt PORT N} makes N round trips of 64 bytes on
 * one connection. Run with {@code java ConnCount.java ...} (no build needed).
 */
public final class ConnCount {
  public static void main(String[] a) throws Exception {
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", Integer.parseInt(a[1]));
    long n = Long.parseLong(a[2]);
    AtomicLong errors = new AtomicLong();
    long t0 = System.nanoTime();
    if (a[0].equals("rtt")) {
      try (SocketChannel c = SocketChannel.open(to)) {
        for (long i = 0; i < n; i++) {
          echo(c);
        }
      }
    } else {
      AtomicLong left = new AtomicLong(n);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < Integer.parseInt(a[3]); t++) {
        Thread th = new Thread(() -> {
          while (left.getAndDecrement() > 0) {
            try (SocketChannel c = SocketChannel.open(to)) {
              echo(c);
            } catch (IOException e) {
              errors.incrementAndGet();
            }
          }
        });
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) {
        th.join();
      }
    }
    System.out.printf("%s %d in %.2f s, errors %d%n", a[0], n, (System.nanoTime() - t0) / 1e9, errors.get());
  }

  private static void echo(SocketChannel c) throws IOException {
    c.socket().setTcpNoDelay(true);
    ByteBuffer b = ByteBuffer.allocate(64);
    while (b.hasRemaining()) {
      c.write(b);
    }
    b.clear();
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new IOException("closed before the echo");
      }
    }
  }
}
