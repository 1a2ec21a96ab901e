package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.transport.netty.FaultsResourceIntegrationTest.Child;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attacks of issue #19 against a load balancer in a child JVM ({@link AttacksChild}) whose
 * resources are as small as the attack needs to exhaust them: direct memory ({@code
 * -XX:MaxDirectMemorySize=16m}) for the TLS flood, file descriptors ({@code ulimit -n 512}) for the
 * UDP flood. During and after each attack a normal TLS, TCP and UDP client is served, the child
 * reports its event loops alive and its listeners accepting ({@link NettyTransport#liveness()}), and
 * its log (standard error, slf4j-simple) grows by a bounded number of lines. Children are ended by
 * PID.
 */
@NullUnmarked
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AttacksChildIntegrationTest {
  private final Targets targets = new Targets();
  private final List<Socket> sockets = new ArrayList<>();
  private final List<DatagramSocket> datagramSockets = new ArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    datagramSockets.forEach(DatagramSocket::close);
    targets.close();
  }

  /** The child's ports and process. */
  private static final class Lb implements AutoCloseable {
    final Child child;
    final int tls = Harness.freePort();
    final int tcp = Harness.freePort();
    final int udp = Harness.freePort();
    final String ready;

    Lb(String jvmOptions, int fdLimit, IoMode mode, int tcpTarget, int udpTarget) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String cmd = "ulimit -n " + fdLimit + " && exec " + quote(java) + " " + jvmOptions
          + " -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=info"
          + " -cp " + quote(FaultsResourceIntegrationTest.jarredClassPath()) + " " + AttacksChild.class.getName()
          + " " + mode.name() + " " + tcpTarget + " " + udpTarget + " " + tls + " " + tcp + " " + udp;
      Path err = Files.createTempFile("attacks-child", ".err");
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd);
      pb.redirectError(err.toFile());
      child = new Child(pb.start(), err);
      ready = child.firstLine();
    }

    /** Asks the child for its liveness line. */
    String liveness() throws IOException {
      OutputStream in = child.process.getOutputStream();
      in.write("liveness\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      return child.out.readLine();
    }

    /**
     * Lines of the child's log, stack frames not counted: a stall the watchdog reports (a loaded
     * machine can pause the child's JIT-compiling event loop) comes with its stack, once per stall.
     */
    long logLines() throws IOException {
      return child.stderr().lines().filter(l -> !l.startsWith("\t")).count();
    }

    @Override
    public void close() throws IOException {
      child.close();
    }

    private static String quote(String s) {
      return "'" + s.replace("'", "'\\''") + "'";
    }
  }

  /** The child made its own certificate (TlsTargets makes them per JVM): the client trusts any. */
  private static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  private SSLSocket tlsClient(int port) throws Exception {
    SSLSocket s = TlsTargets.connect(trustAll(), port, null);
    sockets.add(s);
    return s;
  }

  private Socket tcp(int port) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(5000);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
  }

  private DatagramSocket udp() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    s.setSoTimeout(3000);
    datagramSockets.add(s);
    return s;
  }

  /**
   * One request and its answer, as a UDP client does it: a flood fills the listener socket's
   * receive buffer, where the kernel drops datagrams of every sender alike, so a lost datagram is
   * sent again (up to 5 times, 1 s apart).
   */
  private static String exchange(DatagramSocket s, int port, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    int timeout = s.getSoTimeout();
    s.setSoTimeout(1000);
    try {
      for (int attempt = 1; ; attempt++) {
        s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        try {
          s.receive(in);
          return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
        } catch (java.net.SocketTimeoutException e) {
          if (attempt == 5) {
            throw e;
          }
        }
      }
    } finally {
      s.setSoTimeout(timeout);
    }
  }

  /** A raw connection announcing a TLS record of {@code length} and sending {@code body}. */
  private Socket record(int port, int length, byte[] body) {
    Socket s = new Socket();
    sockets.add(s);
    try {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.getOutputStream().write(new byte[] {22, 3, 1, (byte) (length >> 8), (byte) length});
      s.getOutputStream().write(body);
    } catch (IOException e) {
      // refused or reset: the listener defends itself
    }
    return s;
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void tlsFlood_recordsOf64KiB_andStallingHandshakes_in16MiBOfDirectMemory_everyoneElseServed(IoMode mode)
      throws Exception {
    Targets.Echo echo = targets.echo("127.0.0.1");
    Targets.Udp udpTarget = targets.udp("127.0.0.1", "U");
    try (Lb lb = new Lb("-Xmx128m -XX:MaxDirectMemorySize=16m", 4096, mode, echo.port(), udpTarget.port())) {
      assertThat(lb.ready).startsWith("READY");
      SSLSocket normal = tlsClient(lb.tls);
      assertThat(TlsTargets.ask(normal, "before")).isEqualTo("before");
      long linesBefore = lb.logLines();

      // The reported attack: record headers claiming 65,535 bytes, then 60,000 bytes, 600 times
      // (36 MB, more than twice the child's direct memory) ...
      byte[] big = new byte[60_000];
      for (int i = 0; i < 600; i++) {
        record(lb.tls, 65_535, big);
      }
      // ... and handshakes within TLS's limits that stall holding 16,000 bytes each (4.8 MB).
      byte[] fragment = new byte[16_000];
      fragment[0] = 1;
      fragment[2] = (byte) 0xEA;
      fragment[3] = 0x60;
      for (int i = 0; i < 300; i++) {
        record(lb.tls, 16_000, fragment);
      }
      assertThat(TlsTargets.ask(normal, "during")).isEqualTo("during");
      assertThat(TlsTargets.ask(tlsClient(lb.tls), "new during")).isEqualTo("new during");
      assertThat(roundTrip(tcp(lb.tcp), "tcp during")).isEqualTo("tcp during");
      assertThat(exchange(udp(), lb.udp, "udp during")).isEqualTo("U|udp during");
      assertThat(lb.liveness()).as(lb.child.stderr()).startsWith("LIVENESS true");

      for (Socket s : sockets) {
        if (!(s instanceof SSLSocket)) {
          s.close();
        }
      }
      assertThat(TlsTargets.ask(tlsClient(lb.tls), "new after")).isEqualTo("new after");
      assertThat(TlsTargets.ask(normal, "after")).isEqualTo("after");
      assertThat(lb.liveness()).startsWith("LIVENESS true");
      String log = lb.child.stderr();
      assertThat(log).doesNotContain("OutOfMemoryError").doesNotContain("Exception");
      assertThat(lb.logLines() - linesBefore).as(log).isLessThanOrEqualTo(6);
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void udpFloodFromFreshPorts_underUlimit512_tcpStillAccepts_existingFlowsGoOn(IoMode mode) throws Exception {
    Targets.Echo echo = targets.echo("127.0.0.1");
    Targets.Udp udpTarget = targets.udp("127.0.0.1", "U");
    try (Lb lb = new Lb("-Xmx64m", 512, mode, echo.port(), udpTarget.port())) {
      // (512 - 256 kept for accepting) / 2
      assertThat(lb.ready).isEqualTo("READY maxUdpFlows=128");
      DatagramSocket existing = udp();
      assertThat(exchange(existing, lb.udp, "before")).isEqualTo("U|before");
      Socket open = tcp(lb.tcp);
      assertThat(roundTrip(open, "open")).isEqualTo("open");
      long linesBefore = lb.logLines();

      byte[] junk = new byte[16];
      for (int i = 0; i < 5_000; i++) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
          s.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", lb.udp)));
        }
        if (i % 1_000 == 999) {
          assertThat(exchange(existing, lb.udp, "during " + i)).isEqualTo("U|during " + i);
        }
      }
      // TCP keeps what it needs: 40 new flows (80 descriptors) while the table is full.
      for (int i = 0; i < 40; i++) {
        assertThat(roundTrip(tcp(lb.tcp), "tcp " + i)).isEqualTo("tcp " + i);
      }
      assertThat(roundTrip(open, "still")).isEqualTo("still");
      assertThat(exchange(existing, lb.udp, "after")).isEqualTo("U|after");
      assertThat(lb.liveness()).as(lb.child.stderr()).startsWith("LIVENESS true");
      // The flood's flows expire (3 s idle); new clients get flows again.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
        try {
          DatagramSocket fresh = udp();
          byte[] b = "fresh".getBytes(StandardCharsets.US_ASCII);
          fresh.setSoTimeout(300);
          fresh.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", lb.udp)));
          DatagramPacket in = new DatagramPacket(new byte[64], 64);
          fresh.receive(in);
          return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII).equals("U|fresh");
        } catch (IOException e) {
          return false;
        }
      });
      String log = lb.child.stderr();
      assertThat(log).contains("UDP flow table full").doesNotContain("Exception");
      assertThat(lb.logLines() - linesBefore).as(log).isLessThanOrEqualTo(6);
    }
  }
}
