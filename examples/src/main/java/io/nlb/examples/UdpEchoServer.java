package io.nlb.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A tiny UDP target for the examples: answers every datagram with {@code "<name> <sender address>
 * <payload>"}, so a client sees which target answered and what source address the target saw.
 */
final class UdpEchoServer implements AutoCloseable {
  private final String name;
  private final DatagramSocket socket;

  private UdpEchoServer(String name, DatagramSocket socket) {
    this.name = name;
    this.socket = socket;
    Thread t = new Thread(this::loop, "udp-target-" + name);
    t.setDaemon(true);
    t.start();
  }

  /** A server named {@code name} on {@code host:port} (0: the kernel picks). */
  static UdpEchoServer start(String name, String host, int port) {
    try {
      return new UdpEchoServer(name, new DatagramSocket(new InetSocketAddress(host, port)));
    } catch (SocketException e) {
      throw new UncheckedIOException("UDP target " + name + " cannot bind " + host + ":" + port, e);
    }
  }

  String host() {
    return socket.getLocalAddress().getHostAddress();
  }

  int port() {
    return socket.getLocalPort();
  }

  private void loop() {
    byte[] buffer = new byte[2048];
    while (!socket.isClosed()) {
      try {
        DatagramPacket in = new DatagramPacket(buffer, buffer.length);
        socket.receive(in);
        String payload = new String(in.getData(), in.getOffset(), in.getLength(), StandardCharsets.UTF_8);
        byte[] answer = (name + " " + in.getAddress().getHostAddress() + " " + payload).getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
      } catch (IOException e) {
        // Closed: the target is stopping.
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }

  @Override
  public String toString() {
    return name + " " + host() + ":" + port() + "/udp";
  }
}
