package io.nlb.awsapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback plumbing for the tests: free ports, and small TCP and UDP servers that answer with their name. */
final class Loop {
  private Loop() {}

  /** A port free for TCP and UDP on 127.0.0.1 when probed, below the ephemeral range. */
  static int freePort() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 200; i++) {
      int port = random.nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
          DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
        return port;
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000 on 127.0.0.1");
  }

  /** A TCP server on 127.0.0.1 that reads one line per connection and answers "name:line". */
  static final class TcpTarget implements AutoCloseable {
    final ServerSocket server;
    private final Thread thread;

    TcpTarget(String name) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            s.setSoTimeout(5_000);
            String line = readLine(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
          } catch (IOException e) {
            // closed, or a probe that sent nothing
          }
        }
      }, "tcp-target-" + name);
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** A UDP server on 127.0.0.1 that answers each datagram with "name:payload". */
  static final class UdpTarget implements AutoCloseable {
    final DatagramSocket socket;

    UdpTarget(String name) throws IOException {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread t = new Thread(() -> {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
          try {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            byte[] answer = (name + ":" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
          } catch (IOException e) {
            // closed
          }
        }
      }, "udp-target-" + name);
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  /** Sends one line over TCP and returns the answer line. */
  static String tcpRequest(int port, String line) throws IOException {
    return tcpRequest("127.0.0.1", port, line);
  }

  /** Sends one line over TCP to {@code host} (an address literal) and returns the answer line. */
  static String tcpRequest(String host, int port, String line) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 2_000);
      s.setSoTimeout(5_000);
      s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      return readLine(s.getInputStream());
    }
  }

  /** Sends one datagram and returns the answer. */
  static String udpRequest(int port, String payload) throws IOException {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(2_000);
      byte[] b = payload.getBytes(StandardCharsets.UTF_8);
      s.send(new DatagramPacket(b, b.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
      byte[] buf = new byte[2048];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      sb.append((char) c);
    }
    return sb.toString();
  }
}
