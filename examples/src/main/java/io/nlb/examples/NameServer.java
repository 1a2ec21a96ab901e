package io.nlb.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A tiny TCP target for the examples: reads one line per connection and answers with its name,
 * then closes. A connection that sends nothing (a TCP health check) is simply closed. With an
 * {@code SSLServerSocketFactory} it terminates TLS itself, as the targets of a TLS passthrough
 * listener do. One accepting thread, one short-lived thread per connection; fine for examples.
 */
final class NameServer implements AutoCloseable {
  private final String name;
  private final ServerSocket server;
  private final ExecutorService workers;
  private final AtomicInteger answered = new AtomicInteger();

  private NameServer(String name, ServerSocket server) {
    this.name = name;
    this.server = server;
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "target-" + name);
      t.setDaemon(true);
      return t;
    });
    Thread acceptor = new Thread(this::acceptLoop, "target-" + name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A plain TCP server named {@code name} on {@code host} and a port the kernel picks. */
  static NameServer start(String name, String host) {
    return start(name, host, ServerSocketFactory.getDefault());
  }

  /** A plain TCP server named {@code name} on {@code host:port}. */
  static NameServer start(String name, String host, int port) {
    return start(name, new InetSocketAddress(host, port), ServerSocketFactory.getDefault());
  }

  /** A server made by {@code factory} (plain or TLS) on {@code host} and a port the kernel picks. */
  static NameServer start(String name, String host, ServerSocketFactory factory) {
    return start(name, new InetSocketAddress(host, 0), factory);
  }

  private static NameServer start(String name, InetSocketAddress address, ServerSocketFactory factory) {
    String host = address.getHostString();
    try {
      ServerSocket s = factory.createServerSocket();
      s.bind(address, 200);
      return new NameServer(name, s);
    } catch (IOException e) {
      throw new UncheckedIOException("target " + name + " cannot bind " + host, e);
    }
  }

  String name() {
    return name;
  }

  String host() {
    return server.getInetAddress().getHostAddress();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections answered so far (health checks, which send nothing, are not counted). */
  int answered() {
    return answered.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        workers.execute(() -> serve(s));
      } catch (IOException e) {
        // Closed: the target is stopping.
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(5_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      if (in.readLine() == null) {
        return;
      }
      OutputStream out = s.getOutputStream();
      out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      answered.incrementAndGet();
    } catch (IOException e) {
      // A reset or a failed TLS handshake from a health check; nothing to answer.
    }
  }

  /** Stops accepting: new connections to the port are refused. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // Already closed.
    }
    workers.shutdown();
  }

  @Override
  public String toString() {
    return name + " " + host() + ":" + port();
  }
}
