// The attacks of issue #19, against a load balancer already running on loopback, with a normal
// client probing TLS, TCP and UDP during and after each attack. A single-file program: run it with
// `java benchmarks/attacks/Attacks.java ...` (JDK 17+, nothing to build). See README.md beside it.
//
//   java Attacks.java targets TCP_PORT UDP_PORT
//       echo targets for the load balancer: TCP and UDP, on 127.0.0.1, until killed
//   java Attacks.java attack --tls PORT --tcp PORT --udp PORT [--host 127.0.0.1]
//       [--attacks tls-records,tls-stall,udp-flood] [--connections 1500] [--datagrams 100000]
//       [--hold-seconds 10] [--after-seconds 5]
//       runs each attack in turn and prints one tab-separated row per attack
//
// Every address must be a loopback address: the program refuses any other.

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
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public class Attacks {
  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("targets")) {
      targets(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      return;
    }
    if (args.length == 0 || !args[0].equals("attack")) {
      System.err.println("usage: Attacks targets TCP_PORT UDP_PORT | Attacks attack --tls PORT --tcp PORT --udp PORT [...]");
      System.exit(2);
    }
    Map<String, String> o = new HashMap<>(Map.of("host", "127.0.0.1", "attacks", "tls-records,tls-stall,udp-flood",
        "connections", "1500", "datagrams", "100000", "hold-seconds", "10", "after-seconds", "5"));
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    InetAddress host = InetAddress.getByName(o.get("host"));
    if (!host.isLoopbackAddress()) {
      System.err.println("host: " + o.get("host") + " (expected: a loopback address)");
      System.exit(2);
    }
    Probe probe = new Probe(host, Integer.parseInt(o.get("tls")), Integer.parseInt(o.get("tcp")),
        Integer.parseInt(o.get("udp")));
    int connections = Integer.parseInt(o.get("connections"));
    int datagrams = Integer.parseInt(o.get("datagrams"));
    long holdMillis = Long.parseLong(o.get("hold-seconds")) * 1000;
    long afterMillis = Long.parseLong(o.get("after-seconds")) * 1000;
    System.out.println("attack\tsize\tattack_s\tprobes_during_ok\tprobes_during\tprobes_after_ok\tprobes_after\tworst_probe_ms");
    for (String attack : o.get("attacks").split(",")) {
      probe.reset();
      Thread prober = new Thread(probe, "probe");
      prober.start();
      long t0 = System.nanoTime();
      String size;
      List<Socket> held = new ArrayList<>();
      switch (attack) {
        case "tls-records" -> {
          // a record header claiming 65,535 bytes, then 65,000 bytes, per connection
          byte[] body = new byte[65_000];
          for (int i = 0; i < connections; i++) {
            held.add(raw(host, probe.tls, new byte[] {22, 3, 1, (byte) 0xFF, (byte) 0xFF}, body));
          }
          size = connections + " connections x 65,005 B";
        }
        case "tls-stall" -> {
          // a ClientHello fragmented over records of legal length, announcing 60,000 bytes: 16,000 sent, then nothing
          byte[] body = new byte[16_000];
          body[0] = 1;
          body[2] = (byte) 0xEA;
          body[3] = 0x60;
          for (int i = 0; i < connections; i++) {
            held.add(raw(host, probe.tls, new byte[] {22, 3, 1, (byte) (16_000 >> 8), (byte) 16_000}, body));
          }
          size = connections + " connections x 16,005 B";
        }
        case "udp-flood" -> {
          byte[] junk = new byte[64];
          for (int i = 0; i < datagrams; i++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
              s.send(new DatagramPacket(junk, junk.length, new InetSocketAddress(host, probe.udp)));
            }
          }
          size = datagrams + " datagrams from fresh ports";
        }
        default -> throw new IllegalArgumentException("attacks: " + attack + " (expected: tls-records, tls-stall, udp-flood)");
      }
      Thread.sleep(holdMillis);
      for (Socket s : held) {
        s.close();
      }
      double attackSeconds = (System.nanoTime() - t0) / 1e9;
      long[] during = probe.snapshot();
      Thread.sleep(afterMillis);
      probe.stop = true;
      prober.join();
      long[] all = probe.snapshot();
      System.out.printf("%s\t%s\t%.1f\t%d\t%d\t%d\t%d\t%d%n", attack, size, attackSeconds, during[0], during[1],
          all[0] - during[0], all[1] - during[1], all[2]);
    }
  }

  private static Socket raw(InetAddress host, int port, byte[] header, byte[] body) {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), 2000);
      OutputStream out = s.getOutputStream();
      out.write(header);
      out.write(body);
    } catch (IOException e) {
      // refused or reset: the load balancer defends itself
    }
    return s;
  }

  /** A normal client: a TLS exchange (new handshake each time), a TCP exchange and a UDP exchange, in a loop. */
  static final class Probe implements Runnable {
    final InetAddress host;
    final int tls;
    final int tcp;
    final int udp;
    final AtomicLong ok = new AtomicLong();
    final AtomicLong total = new AtomicLong();
    final AtomicLong worstMillis = new AtomicLong();
    volatile boolean stop;
    private final SSLContext trustAll;

    Probe(InetAddress host, int tls, int tcp, int udp) throws Exception {
      this.host = host;
      this.tls = tls;
      this.tcp = tcp;
      this.udp = udp;
      trustAll = SSLContext.getInstance("TLS");
      trustAll.init(null, new TrustManager[] {new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] c, String a) {}
        public void checkServerTrusted(X509Certificate[] c, String a) {}
        public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
      }}, null);
    }

    void reset() {
      stop = false;
      ok.set(0);
      total.set(0);
      worstMillis.set(0);
    }

    long[] snapshot() {
      return new long[] {ok.get(), total.get(), worstMillis.get()};
    }

    @Override
    public void run() {
      while (!stop) {
        try {
          check(this::tlsOnce);
          check(this::tcpOnce);
          check(this::udpOnce);
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    interface Exchange {
      void run() throws IOException;
    }

    private void check(Exchange e) {
      long t0 = System.nanoTime();
      total.incrementAndGet();
      try {
        e.run();
        ok.incrementAndGet();
      } catch (IOException ex) {
        // counted as failed
      }
      worstMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
    }

    private void tlsOnce() throws IOException {
      try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket()) {
        s.connect(new InetSocketAddress(host, tls), 3000);
        s.setSoTimeout(3000);
        s.startHandshake();
        echo(s);
      }
    }

    private void tcpOnce() throws IOException {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, tcp), 3000);
        s.setSoTimeout(3000);
        echo(s);
      }
    }

    private static void echo(Socket s) throws IOException {
      byte[] msg = "probe\n".getBytes(StandardCharsets.US_ASCII);
      s.getOutputStream().write(msg);
      s.getOutputStream().flush();
      byte[] got = s.getInputStream().readNBytes(msg.length);
      if (got.length != msg.length) {
        throw new IOException("short answer");
      }
    }

    private void udpOnce() throws IOException {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
        s.setSoTimeout(3000);
        byte[] msg = "probe".getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(msg, msg.length, new InetSocketAddress(host, udp)));
        s.receive(new DatagramPacket(new byte[64], 64));
      }
    }
  }

  /** TCP and UDP echo servers on 127.0.0.1, a thread per TCP connection (enough for a probe). */
  static void targets(int tcpPort, int udpPort) throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    ServerSocket server = new ServerSocket(tcpPort, 512, lo);
    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, udpPort));
    Thread u = new Thread(() -> {
      byte[] buf = new byte[65_535];
      while (true) {
        try {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          udp.receive(p);
          udp.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
        } catch (IOException e) {
          return;
        }
      }
    }, "udp-echo");
    u.setDaemon(true);
    u.start();
    System.out.println("targets ready tcp " + tcpPort + " udp " + udpPort);
    System.out.flush();
    while (true) {
      Socket s = server.accept();
      Thread t = new Thread(() -> {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException e) {
          // client gone
        }
      });
      t.setDaemon(true);
      t.start();
    }
  }
}
