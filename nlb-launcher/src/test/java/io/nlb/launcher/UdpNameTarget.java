package io.nlb.launcher;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A UDP target for tests that answers every datagram with its name, on a daemon thread until its socket is closed. */
final class UdpNameTarget {
  private UdpNameTarget() {}

  /**
   * Binds a free port on {@code address} and starts answering.
   *
   * @return the bound socket; closing it stops the target
   */
  static DatagramSocket start(InetAddress address, String name) throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, 0));
    byte[] answer = name.getBytes(StandardCharsets.US_ASCII);
    Thread t = new Thread(() -> {
      byte[] buf = new byte[512];
      while (!s.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          s.receive(p);
          s.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
        } catch (IOException e) {
          return;
        }
      }
    }, "udp-target-" + name);
    t.setDaemon(true);
    t.start();
    return s;
  }
}
