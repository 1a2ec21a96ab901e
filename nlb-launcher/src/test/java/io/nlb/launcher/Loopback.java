package io.nlb.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Loopback helpers the launcher's tests share: free ports and a target that names itself. */
final class Loopback {
  private Loopback() {}

  /** A port free on 127.0.0.1 now (bound and released). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * A TCP target on 127.0.0.1 that answers each connection with {@code name:} and the first bytes
   * it read, then closes; its server socket is added to {@code resources} for closing.
   *
   * @return its port
   */
  static int answeringTarget(String name, List<AutoCloseable> resources) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    resources.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.setSoTimeout(5000);
          byte[] buf = new byte[256];
          int n = s.getInputStream().read(buf);
          String line = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
          s.getOutputStream().write((name + ":" + line).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          if (server.isClosed()) {
            return;
          }
        }
      }
    }, "target-" + name);
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  /**
   * Sends {@code text} over a new TCP connection to {@code host} (an address literal), half-closes,
   * and returns everything the other side sends before it closes.
   */
  static String request(String host, int port, String text) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 2000);
      s.setSoTimeout(3000);
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
