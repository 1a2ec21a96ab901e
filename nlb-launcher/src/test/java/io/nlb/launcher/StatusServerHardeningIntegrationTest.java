package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The status endpoint against clients that hold connections, send too much, or use HEAD. */
@Timeout(60)
class StatusServerHardeningIntegrationTest {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private Launcher launcher;
  private int port;

  @BeforeEach
  void start() {
    launcher = Launcher.start(LauncherConfig.parseYaml("""
        transport: {ioMode: NIO, threads: 1}
        healthChecks: false
        status: {port: 0}
        targetGroups: []
        loadBalancers: []
        """));
    resources.add(launcher);
    port = launcher.statusServer().orElseThrow().address().getPort();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Socket connect(int p) throws IOException {
    Socket s = new Socket();
    resources.add(s);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 5000);
    s.setSoTimeout(5000);
    return s;
  }

  /** Sends {@code request} and reads the answer until the server closes. */
  private String exchange(int p, String request) throws IOException {
    try (Socket s = connect(p)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String get(String method, String path) {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  }

  @Test
  void slowClients_oneByteEachThenSilence_healthzStillAnsweredWithinOneSecond() throws Exception {
    for (int i = 0; i < 8; i++) {
      connect(port).getOutputStream().write('G');
    }
    long start = System.nanoTime();
    String answer = exchange(port, get("GET", "/healthz"));
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok\n");
    assertThat(millis).isLessThan(1000);
    assertThat(exchange(port, get("GET", "/status.json"))).startsWith("HTTP/1.1 200 OK\r\n").contains("\"loadBalancers\"");
  }

  @Test
  void slowClient_noWholeRequestWithinTimeout_closed() throws Exception {
    StatusServer quick = StatusServer.start(launcher, new StatusSettings(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(300));
    resources.add(quick);
    Socket slow = connect(quick.address().getPort());
    slow.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));

    long start = System.nanoTime();
    assertThat(slow.getInputStream().read()).isEqualTo(-1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    await().atMost(Duration.ofSeconds(5)).until(() -> quick.openConnections() == 0);
  }

  @Test
  void keepAlive_secondRequestOnSameConnection_answered() throws Exception {
    Socket s = connect(port);
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    String request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for (int i = 0; i < 2; i++) {
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      byte[] expected = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1);
      assertThat(new String(in.readNBytes(expected.length), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK\r\n");
      String rest = readUntil(in, "ok\n");
      assertThat(rest).containsIgnoringCase("content-length: 3");
    }
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder b = new StringBuilder();
    while (b.indexOf(end) < 0) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  @Test
  void head_answeredLikeGetWithoutBody() throws Exception {
    String get = exchange(port, get("GET", "/status.json"));
    String head = exchange(port, get("HEAD", "/status.json"));

    assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n").containsIgnoringCase("content-type: application/json");
    String length = head.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")).findFirst().orElseThrow();
    assertThat(Integer.parseInt(length.substring(length.indexOf(':') + 1).trim())).isGreaterThan(20);
    assertThat(get).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(exchange(port, get("HEAD", "/healthz"))).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n")
        .containsIgnoringCase("content-length: 3");
  }

  @Test
  void otherMethods_405WithAllow() throws Exception {
    String answer = exchange(port, get("POST", "/healthz"));
    assertThat(answer).startsWith("HTTP/1.1 405 Method Not Allowed\r\n").containsIgnoringCase("allow: GET, HEAD");
  }

  @Test
  void oversizeRequests_refused() throws Exception {
    String bigHeader = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + "a".repeat(StatusServer.MAX_HEADER_BYTES) + "\r\n\r\n";
    assertThat(exchange(port, bigHeader)).startsWith("HTTP/1.1 431 ");

    String longLine = "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    assertThat(exchange(port, longLine)).startsWith("HTTP/1.1 414 ");

    String bigBody = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
        + (StatusServer.MAX_BODY_BYTES + 1) + "\r\n\r\n" + "b".repeat(StatusServer.MAX_BODY_BYTES + 1);
    assertThat(exchange(port, bigBody)).startsWith("HTTP/1.1 413 ");

    assertThat(exchange(port, get("GET", "/healthz"))).startsWith("HTTP/1.1 200 OK\r\n");
  }

  @Test
  void connections_boundedAtMaximum_extraOnesClosed_healthzBackAfterwards() throws Exception {
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < StatusServer.MAX_CONNECTIONS; i++) {
      held.add(connect(port));
    }
    StatusServer s = launcher.statusServer().orElseThrow();
    await().atMost(Duration.ofSeconds(10)).until(() -> s.openConnections() == StatusServer.MAX_CONNECTIONS);
    Socket extra = connect(port);
    try {
      assertThat(extra.getInputStream().read()).isEqualTo(-1);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection over the maximum stayed open", e);
    }
    for (Socket h : held) {
      h.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> s.openConnections() == 0);
    assertThat(exchange(port, get("GET", "/healthz"))).startsWith("HTTP/1.1 200 OK\r\n");
  }
}
