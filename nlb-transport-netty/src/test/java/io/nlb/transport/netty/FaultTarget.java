package io.nlb.transport.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking test target whose behaviour each connection picks with its first byte, so that a
 * faulty connection and a well-behaved one can go through the same listener to the same target:
 *
 * <ul>
 *   <li>{@code E}: echo until EOF, then close the output (a clean half-close);
 *   <li>{@code S}: silent: accept and never answer (reads and discards until the connection ends);
 *   <li>{@code T}: trickle {@link #TRICKLE} bytes in 10-byte writes 2 ms apart, then EOF;
 *   <li>{@code B}: slow reader: reads only while {@link #readGate} is open, counts what it read;
 *   <li>{@code R}: send {@link #RESET_AFTER} bytes, then reset the connection (RST);
 *   <li>{@code H}: send {@link #HALF} bytes, close its output (FIN) and go on reading until EOF,
 *       counting what arrives after its FIN.
 * </ul>
 */
@org.jspecify.annotations.NullUnmarked
final class FaultTarget implements AutoCloseable {
  static final int TRICKLE = 2000;
  static final int RESET_AFTER = 1000;
  static final int HALF = 100_000;

  final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-target");
    t.setDaemon(true);
    return t;
  });
  final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final AtomicInteger accepted = new AtomicInteger();
  /** Connections whose read ended with an error (a reset from the load balancer). */
  final AtomicInteger sawReset = new AtomicInteger();
  /** Bytes read by {@code B} connections. */
  final AtomicLong slowRead = new AtomicLong();
  /** Bytes that {@code H} connections read after closing their output. */
  final AtomicLong afterHalfClose = new AtomicLong();
  final AtomicInteger halfClosedEof = new AtomicInteger();
  volatile boolean readGate = true;
  final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();

  FaultTarget(String host) throws IOException {
    this(host, 0);
  }

  FaultTarget(String host, int port) throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 128);
    pool.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      sockets.add(s);
      accepted.incrementAndGet();
      peers.add((InetSocketAddress) s.getRemoteSocketAddress());
      pool.execute(() -> serve(s));
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      int mode = in.read();
      switch (mode) {
        case 'E' -> {
          byte[] buf = new byte[8192];
          int n;
          while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
          }
          s.shutdownOutput();
        }
        case 'S' -> drain(in);
        case 'T' -> {
          for (int i = 0; i < TRICKLE; i += 10) {
            out.write(pattern(i, 10));
            out.flush();
            TimeUnit.MILLISECONDS.sleep(2);
          }
          s.shutdownOutput();
          drain(in);
        }
        case 'B' -> {
          byte[] buf = new byte[16384];
          int n;
          while (true) {
            while (!readGate) {
              TimeUnit.MILLISECONDS.sleep(5);
            }
            n = in.read(buf);
            if (n < 0) {
              break;
            }
            slowRead.addAndGet(n);
          }
          s.shutdownOutput();
        }
        case 'R' -> {
          out.write(pattern(0, RESET_AFTER));
          out.flush();
          s.setSoLinger(true, 0);
        }
        case 'H' -> {
          out.write(pattern(0, HALF));
          out.flush();
          s.shutdownOutput();
          byte[] buf = new byte[8192];
          int n;
          while ((n = in.read(buf)) >= 0) {
            afterHalfClose.addAndGet(n);
          }
          halfClosedEof.incrementAndGet();
        }
        default -> drain(in);
      }
    } catch (SocketException e) {
      sawReset.incrementAndGet();
    } catch (IOException e) {
      sawReset.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[8192];
    while (in.read(buf) >= 0) {
      // discard
    }
  }

  /** Bytes {@code offset..offset+n} of a repeating pattern (for checking data arrives intact). */
  static byte[] pattern(int offset, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ((offset + i) * 31 + 7);
    }
    return b;
  }

  /** Stops listening; open connections go on. */
  void stopListening() throws IOException {
    server.close();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    pool.shutdownNow();
  }
}
