package io.nlb.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The targets every setup forwards to: NIO servers on 127.0.0.1, served by a fixed number of
 * selector threads shared by all ports (so a direct client hitting one port and a proxy spreading
 * over two get the same server capacity).
 *
 * <ul>
 *   <li><b>echo</b>: writes back whatever it reads; closes when the client half-closes.
 *   <li><b>sink</b>: discards what it reads; when the client half-closes it answers with the byte
 *       count as an 8-byte big-endian long and closes, so the client knows everything arrived.
 * </ul>
 */
final class TargetServer {
  private static final int ECHO = 0;
  private static final int SINK = 1;

  private TargetServer() {}

  static void run(List<Integer> echoPorts, List<Integer> sinkPorts, int threads) throws IOException, InterruptedException {
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      workers.add(new Worker(Selector.open()));
    }
    for (int kind = ECHO; kind <= SINK; kind++) {
      for (int port : kind == ECHO ? echoPorts : sinkPorts) {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 8192);
        server.configureBlocking(false);
        // Every worker accepts on every port; a worker that loses the race gets null and moves on.
        for (Worker w : workers) {
          server.register(w.selector, SelectionKey.OP_ACCEPT, kind);
        }
      }
    }
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      Thread t = new Thread(workers.get(i), "target-" + i);
      t.start();
      started.add(t);
    }
    System.out.println("target ready: echo " + echoPorts + " sink " + sinkPorts + " threads " + threads);
    System.out.flush();
    for (Thread t : started) {
      t.join();
    }
  }

  /** Per-connection state; the read buffer belongs to the worker, so idle connections cost little. */
  private static final class Conn {
    final int kind;
    @Nullable ByteBuffer pending;
    boolean closeAfterFlush;
    long received;

    Conn(int kind) {
      this.kind = kind;
    }
  }

  private static final class Worker implements Runnable {
    final Selector selector;
    final ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);

    Worker(Selector selector) {
      this.selector = selector;
    }

    @Override
    public void run() {
      try {
        while (true) {
          selector.select();
          Iterator<SelectionKey> it = selector.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (!key.isValid()) {
              continue;
            }
            if (key.isAcceptable()) {
              accept(key);
            } else {
              try {
                handle(key);
              } catch (IOException e) {
                close(key);
              }
            }
          }
        }
      } catch (IOException e) {
        e.printStackTrace();
      }
    }

    void accept(SelectionKey key) throws IOException {
      for (int i = 0; i < 64; i++) {
        SocketChannel c;
        try {
          c = ((ServerSocketChannel) key.channel()).accept();
        } catch (IOException e) {
          return; // e.g. EMFILE: leave it in the backlog
        }
        if (c == null) {
          return;
        }
        c.configureBlocking(false);
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.register(selector, SelectionKey.OP_READ, new Conn((Integer) key.attachment()));
      }
    }

    void handle(SelectionKey key) throws IOException {
      SocketChannel c = (SocketChannel) key.channel();
      Conn conn = (Conn) key.attachment();
      if (key.isWritable()) {
        ByteBuffer p = conn.pending;
        if (p != null) {
          c.write(p);
          if (p.hasRemaining()) {
            return;
          }
          conn.pending = null;
        }
        if (conn.closeAfterFlush) {
          close(key);
          return;
        }
        key.interestOps(SelectionKey.OP_READ);
        return;
      }
      if (!key.isReadable()) {
        return;
      }
      buf.clear();
      int n = c.read(buf);
      if (n < 0) {
        if (conn.kind == SINK) {
          ByteBuffer count = ByteBuffer.allocate(8).putLong(0, conn.received);
          conn.pending = count;
          c.write(count);
          if (count.hasRemaining()) {
            conn.closeAfterFlush = true;
            key.interestOps(SelectionKey.OP_WRITE);
            return;
          }
        }
        close(key);
        return;
      }
      if (conn.kind == SINK) {
        conn.received += n;
        return;
      }
      buf.flip();
      c.write(buf);
      if (buf.hasRemaining()) {
        ByteBuffer rest = ByteBuffer.allocate(buf.remaining());
        rest.put(buf).flip();
        conn.pending = rest;
        key.interestOps(SelectionKey.OP_WRITE);
      }
    }

    static void close(SelectionKey key) {
      key.cancel();
      try {
        key.channel().close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }
}
