package io.nlb.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Small loopback helpers shared by the examples: a free listener port and a one-line TCP client.
 * Not API; the examples keep their load-balancer code in plain sight and their plumbing here.
 */
final class Loopback {
  private Loopback() {}

  /**
   * A port free for TCP and UDP on both zone addresses, 127.0.0.1 and 127.0.0.2, when probed.
   * Listener ports must be 1-65535 (the load balancer has no "any port"), so the examples probe.
   * The port is taken below the kernel's usual ephemeral range (32768-60999 on Linux) so that the
   * many client source ports the examples use never collide with it. A small race remains:
   * another process could take the port between the probe and the bind.
   */
  static int freePort() {
    return freePort("127.0.0.1", "127.0.0.2");
  }

  /** A port free for TCP and UDP on every one of {@code hosts} when probed; see {@link #freePort()}. */
  static int freePort(String... hosts) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 200; i++) {
      int port = random.nextInt(20_000, 32_000);
      boolean free = true;
      for (String host : hosts) {
        free &= free(host, port);
      }
      if (free) {
        return port;
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000 on " + String.join(", ", hosts));
  }

  private static boolean free(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      return false;
    }
    try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(host, port))) {
      return d.isBound();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Opens a TCP connection to {@code host:port}, sends one line and returns the one-line answer.
   *
   * @throws IOException when the connection is refused or reset, or no line comes back
   */
  static String ask(String host, int port, String line) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2_000);
      s.setSoTimeout(3_000);
      return exchange(s, line);
    }
  }

  /** Sends one line on an open connection and reads the one-line answer. */
  static String exchange(Socket s, String line) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    String answer = in.readLine();
    if (answer == null) {
      throw new IOException("connection closed without an answer");
    }
    return answer;
  }
}
