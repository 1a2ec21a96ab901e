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
    System.out.println("attack\tsize\tattack_s\ttls_during\ttcp_during\tudp_during\ttls_after\ttcp_after\tudp_after"
        + "\tworst_probe_ms");
    // The probe's UDP flow exists before any attack starts, as a client's flow that was there first.
    probe.udpOnce();
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
      long[] during = probe.mark();
      Thread.sleep(afterMillis);
      probe.stop = true;
      prober.join();
      long[] all = probe.snapshot();
      StringBuilder row = new StringBuilder(attack).append('\t').append(size).append('\t')
          .append(String.format("%.1f", attackSeconds));
      for (int p = 0; p < 3; p++) {
        row.append('\t').append(during[2 * p]).append('/').append(during[2 * p + 1]);
      }
      for (int p = 0; p < 3; p++) {
        row.append('\t').append(all[2 * p] - during[2 * p]).append('/').append(all[2 * p + 1] - during[2 * p + 1]);
      }
      System.out.println(row.append('\t').append(all[6]));
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

  /**
   * A normal client: a TLS exchange (a new connection and handshake each time), a TCP exchange (a
   * new connection each time) and a UDP exchange (one socket for the whole run: a flow that exists
   * before the attack; a lost datagram is sent again, up to 3 times), in a loop.
   */
  static final class Probe implements Runnable {
    final InetAddress host;
    final int tls;
    final int tcp;
    final int udp;
    /** ok and total for TLS, TCP, UDP. */
    final AtomicLong[] counts = new AtomicLong[6];
    final AtomicLong worstMillis = new AtomicLong();
    volatile boolean stop;
    private final SSLContext trustAll;
    private final DatagramSocket udpSocket;

    Probe(InetAddress host, int tls, int tcp, int udp) throws Exception {
      this.host = host;
      this.tls = tls;
      this.tcp = tcp;
      this.udp = udp;
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new AtomicLong();
      }
      udpSocket = new DatagramSocket(new InetSocketAddress(host, 0));
      udpSocket.setSoTimeout(1000);
      trustAll = SSLContext.getInstance("TLS");
      trustAll.init(null, new TrustManager[] {new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] c, String a) {}
        public void checkServerTrusted(X509Certificate[] c, String a) {}
        public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
      }}, null);
    }

    void reset() {
      stop = false;
      for (AtomicLong c : counts) {
        c.set(0);
      }
      worstMillis.set(0);
    }

    private volatile boolean markRequested;
    private volatile long[] marked;

    /** The counts at the probe's next check boundary (so that no check is split across two rows). */
    long[] mark() throws InterruptedException {
      marked = null;
      markRequested = true;
      while (marked == null) {
        Thread.sleep(10);
      }
      return marked;
    }

    long[] snapshot() {
      long[] out = new long[7];
      for (int i = 0; i < 6; i++) {
        out[i] = counts[i].get();
      }
      out[6] = worstMillis.get();
      return out;
    }

    @Override
    public void run() {
      while (!stop) {
        if (markRequested) {
          markRequested = false;
          marked = snapshot();
        }
        try {
          check(0, this::tlsOnce);
          check(1, this::tcpOnce);
          check(2, this::udpOnce);
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    interface Exchange {
      void run() throws IOException;
    }

    private void check(int protocol, Exchange e) {
      long t0 = System.nanoTime();
      boolean ok = false;
      try {
        e.run();
        ok = true;
      } catch (IOException ex) {
        // counted as failed
      }
      if (ok) {
        counts[2 * protocol].incrementAndGet();
      }
      counts[2 * protocol + 1].incrementAndGet();
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

    void udpOnce() throws IOException {
      byte[] msg = "probe".getBytes(StandardCharsets.US_ASCII);
      for (int attempt = 1; ; attempt++) {
        udpSocket.send(new DatagramPacket(msg, msg.length, new InetSocketAddress(host, udp)));
        try {
          udpSocket.receive(new DatagramPacket(new byte[64], 64));
          return;
        } catch (java.net.SocketTimeoutException e) {
          if (attempt == 3) {
            throw e;
          }
        }
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
