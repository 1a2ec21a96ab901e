package io.nlb.transport.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A blocking plaintext echo target on loopback for the connection storms: echoes until the load
 * balancer's FIN, then closes. Its threads are named with the test's prefix, so that throwable
 * counts leave them out.
 */
final class EchoTarget implements AutoCloseable {
  private final ServerSocket server;
  private final ExecutorService threads;

  EchoTarget(String threadPrefix) throws IOException {
    server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
    threads = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, threadPrefix + "target");
      t.setDaemon(true);
      return t;
    });
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          threads.execute(() -> echo(s));
        } catch (IOException e) {
          return;
        }
      }
    }, threadPrefix + "accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private static void echo(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // the load balancer reset it: nothing to echo any more
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
