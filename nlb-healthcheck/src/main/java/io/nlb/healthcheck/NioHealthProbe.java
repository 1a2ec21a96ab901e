package io.nlb.healthcheck;

import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.spi.CheckOutcome;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.ProbeRequest;
import io.nlb.core.spi.ProbeResult;
import java.io.IOException;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's built-in probe until the transport supplies one: one selector thread drives every check with non-blocking sockets and
 * an {@link SSLEngine} for HTTPS. Deadlines are kept in a priority queue on that thread and read
 * from {@link System#nanoTime()}: they bound real I/O, so they follow real time, unlike the
 * engine's schedule, which follows the injected scheduler.
 */
final class NioHealthProbe implements HealthProbe, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NioHealthProbe.class);
  /** Longest status line we wait for; a target sending more without CRLF fails. */
  private static final int MAX_STATUS_LINE = 8192;

  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Session> pending = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Session> deadlines = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
  private final @Nullable SSLContext tls;
  private volatile boolean closed;

  NioHealthProbe() {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException("health-check selector: " + e, e);
    }
    tls = trustAllContext();
    thread = new Thread(this::loop, "nlb-healthcheck-io");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void check(ProbeRequest request, Consumer<ProbeResult> onResult) {
    if (closed) {
      onResult.accept(ProbeResult.of(CheckOutcome.ERROR, "probe closed"));
      return;
    }
    if (request.protocol() == HealthCheckProtocol.HTTPS && tls == null) {
      onResult.accept(ProbeResult.of(CheckOutcome.ERROR, "no TLS context"));
      return;
    }
    pending.add(new Session(request, onResult));
    selector.wakeup();
  }

  @Override
  public void close() {
    closed = true;
    selector.wakeup();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------ the selector thread

  private void loop() {
    try {
      while (!closed) {
        long now = System.nanoTime();
        expire(now);
        Session head = deadlines.peek();
        long waitMillis = head == null ? 0 : Math.max(1, (head.deadline - now + 999_999) / 1_000_000);
        selector.select(waitMillis);
        for (SelectionKey key : selector.selectedKeys()) {
          Session s = (Session) key.attachment();
          if (key.isValid()) {
            s.ready(key.readyOps());
          }
        }
        selector.selectedKeys().clear();
        Session s;
        while ((s = pending.poll()) != null) {
          s.start();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error("health-check selector loop failed; pending checks report ERROR", e);
    } finally {
      closed = true;
      Session s;
      while ((s = pending.poll()) != null) {
        s.finish(CheckOutcome.ERROR, "probe closed");
      }
      while ((s = deadlines.poll()) != null) {
        s.finish(CheckOutcome.ERROR, "probe closed");
      }
      try {
        selector.close();
      } catch (IOException e) {
        log.debug("closing the health-check selector", e);
      }
    }
  }

  private void expire(long now) {
    Session s;
    while ((s = deadlines.peek()) != null && s.deadline - now <= 0) {
      deadlines.poll();
      s.finish(CheckOutcome.TIMEOUT, s.timeoutDetail());
    }
  }

  private static @Nullable SSLContext trustAllContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLSv1.2");
      ctx.init(null, new TrustManager[] {new TrustAll()}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      log.warn("no TLS 1.2 context; HTTPS health checks will report Elb.InternalError", e);
      return null;
    }
  }

  /** Health checks validate nothing: the target's certificate is not what they check. */
  @SuppressWarnings("TrustAllCertificates")
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** One check in flight; touched only by the selector thread after {@link #start()}. */
  private final class Session {
    final ProbeRequest request;
    final Consumer<ProbeResult> onResult;
    long deadline;
    @Nullable SocketChannel channel;
    @Nullable SelectionKey key;
    boolean done;
    boolean connected;
    /** Plain bytes still to write on the socket (preamble, then the HTTP request without TLS). */
    ByteBuffer plainOut = ByteBuffer.allocate(0);
    /** Received response bytes (decrypted for HTTPS), in write mode. */
    ByteBuffer response = ByteBuffer.allocate(0);
    // TLS
    @Nullable SSLEngine engine;
    ByteBuffer appOut = ByteBuffer.allocate(0);
    ByteBuffer netOut = ByteBuffer.allocate(0);
    ByteBuffer netIn = ByteBuffer.allocate(0);

    Session(ProbeRequest request, Consumer<ProbeResult> onResult) {
      this.request = request;
      this.onResult = onResult;
    }

    void start() {
      deadline = System.nanoTime() + request.timeout().toNanos();
      deadlines.add(this);
      try {
        SocketChannel ch = SocketChannel.open();
        channel = ch;
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (request.address().isUnresolved()) {
          finish(CheckOutcome.ERROR, "unresolved address " + request.address());
          return;
        }
        if (ch.connect(request.address())) {
          key = ch.register(selector, 0, this);
          connected();
        } else {
          key = ch.register(selector, SelectionKey.OP_CONNECT, this);
        }
      } catch (IOException e) {
        finish(CheckOutcome.FAILURE, describe(e));
      } catch (RuntimeException e) {
        // For instance UnsupportedAddressTypeException: the load balancer's problem, not the target's.
        finish(CheckOutcome.ERROR, describe(e));
      }
    }

    void ready(int ops) {
      if (done) {
        return;
      }
      try {
        if (!connected) {
          if ((ops & SelectionKey.OP_CONNECT) != 0 && channel().finishConnect()) {
            connected();
          }
          return;
        }
        advance();
      } catch (IOException e) {
        finish(CheckOutcome.FAILURE, describe(e));
      } catch (RuntimeException e) {
        finish(CheckOutcome.FAILURE, describe(e));
      }
    }

    private void connected() throws IOException {
      connected = true;
      byte[] pre = request.preamble();
      switch (request.protocol()) {
        case TCP:
          plainOut = ByteBuffer.wrap(pre);
          break;
        case HTTP: {
          byte[] req = httpRequest(request);
          plainOut = ByteBuffer.allocate(pre.length + req.length).put(pre).put(req).flip();
          response = ByteBuffer.allocate(512);
          break;
        }
        default: {
          plainOut = ByteBuffer.wrap(pre);
          SSLContext ctx = tls;
          if (ctx == null) {
            finish(CheckOutcome.ERROR, "no TLS context");
            return;
          }
          SSLEngine e = ctx.createSSLEngine(request.address().getHostString(), request.address().getPort());
          e.setUseClientMode(true);
          SSLParameters p = e.getSSLParameters();
          p.setProtocols(new String[] {"TLSv1.2"});
          e.setSSLParameters(p);
          engine = e;
          appOut = ByteBuffer.wrap(httpRequest(request));
          netOut = ByteBuffer.allocate(e.getSession().getPacketBufferSize()).flip();
          netIn = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
          response = ByteBuffer.allocate(e.getSession().getApplicationBufferSize());
          e.beginHandshake();
          break;
        }
      }
      advance();
    }

    /** Moves the check as far as the socket allows, then waits for the next readiness. */
    private void advance() throws IOException {
      SocketChannel ch = channel();
      if (plainOut.hasRemaining()) {
        ch.write(plainOut);
        if (plainOut.hasRemaining()) {
          interest(SelectionKey.OP_WRITE);
          return;
        }
      }
      switch (request.protocol()) {
        case TCP:
          finish(CheckOutcome.SUCCESS, "connected");
          return;
        case HTTP:
          readPlain(ch);
          return;
        default:
          pumpTls(ch);
      }
    }

    private void readPlain(SocketChannel ch) throws IOException {
      while (true) {
        if (!response.hasRemaining()) {
          response = grow(response);
        }
        int n = ch.read(response);
        if (n < 0) {
          if (!statusLine()) {
            finish(CheckOutcome.FAILURE, "connection closed before the status line");
          }
          return;
        }
        if (statusLine()) {
          return;
        }
        if (n == 0) {
          interest(SelectionKey.OP_READ);
          return;
        }
      }
    }

    private void pumpTls(SocketChannel ch) throws IOException {
      SSLEngine e = engine();
      while (!done) {
        if (netOut.hasRemaining()) {
          ch.write(netOut);
          if (netOut.hasRemaining()) {
            interest(SelectionKey.OP_WRITE);
            return;
          }
        }
        HandshakeStatus hs = e.getHandshakeStatus();
        switch (hs) {
          case NEED_TASK: {
            Runnable task;
            while ((task = e.getDelegatedTask()) != null) {
              task.run();
            }
            break;
          }
          case NEED_WRAP:
            wrap(e, ByteBuffer.allocate(0));
            break;
          case NEED_UNWRAP:
          case NEED_UNWRAP_AGAIN:
            if (!unwrap(ch, e, hs == HandshakeStatus.NEED_UNWRAP_AGAIN)) {
              return;
            }
            break;
          default:
            if (appOut.hasRemaining()) {
              wrap(e, appOut);
            } else if (statusLine()) {
              return;
            } else if (!unwrap(ch, e, false)) {
              return;
            }
        }
      }
    }

    private void wrap(SSLEngine e, ByteBuffer src) throws SSLException {
      netOut.clear();
      SSLEngineResult r = e.wrap(src, netOut);
      netOut.flip();
      if (r.getStatus() == SSLEngineResult.Status.CLOSED && !netOut.hasRemaining()) {
        throw new SSLException("TLS closed by the engine during " + r.getHandshakeStatus());
      }
    }

    /** Unwraps what has arrived; false when it must wait for more bytes (interest set). */
    private boolean unwrap(SocketChannel ch, SSLEngine e, boolean again) throws IOException {
      while (true) {
        if (netIn.position() > 0 || again) {
          netIn.flip();
          if (!response.hasRemaining()) {
            response = grow(response);
          }
          SSLEngineResult r = e.unwrap(netIn, response);
          netIn.compact();
          again = false;
          switch (r.getStatus()) {
            case OK:
              if (r.bytesConsumed() > 0 || r.bytesProduced() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
                return true;
              }
              break;
            case BUFFER_OVERFLOW:
              response = grow(response);
              continue;
            case CLOSED:
              if (!statusLine()) {
                finish(CheckOutcome.FAILURE, "TLS closed before the status line");
              }
              return false;
            default: // BUFFER_UNDERFLOW: read more
              if (!netIn.hasRemaining()) {
                netIn = grow(netIn);
              }
          }
        }
        int n = ch.read(netIn);
        if (n < 0) {
          if (!statusLine()) {
            finish(CheckOutcome.FAILURE, "connection closed " + (e.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                ? "before the status line" : "during the TLS handshake"));
          }
          return false;
        }
        if (n == 0) {
          interest(SelectionKey.OP_READ);
          return false;
        }
      }
    }

    /** Completes the check if the status line has arrived; true when the check is done. */
    private boolean statusLine() {
      if (done) {
        return true;
      }
      byte[] a = response.array();
      int end = response.position();
      for (int i = 1; i < end; i++) {
        if (a[i - 1] == '\r' && a[i] == '\n') {
          String line = new String(a, 0, i - 1, StandardCharsets.ISO_8859_1);
          int status = parseStatus(line);
          if (status < 0) {
            finish(CheckOutcome.FAILURE, "malformed status line: " + abbreviate(line));
          } else if (request.matcher().matches(status)) {
            finish(CheckOutcome.SUCCESS, "HTTP " + status);
          } else {
            finish(CheckOutcome.FAILURE, "HTTP " + status + " (expected: " + request.matcher() + ")");
          }
          return true;
        }
      }
      if (end >= MAX_STATUS_LINE) {
        finish(CheckOutcome.FAILURE, "no status line in the first " + MAX_STATUS_LINE + " bytes");
        return true;
      }
      return false;
    }

    private void interest(int ops) {
      SelectionKey k = key;
      if (k != null && k.isValid()) {
        k.interestOps(ops);
      }
    }

    void finish(CheckOutcome outcome, String detail) {
      if (done) {
        return;
      }
      done = true;
      deadlines.remove(this);
      SocketChannel ch = channel;
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          log.debug("closing a health-check connection to {}", request.address(), e);
        }
      }
      try {
        onResult.accept(ProbeResult.of(outcome, detail));
      } catch (RuntimeException e) {
        log.warn("health-check result consumer failed for {}", request, e);
      }
    }

    String timeoutDetail() {
      String phase = !connected ? "connect" : engine != null && engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
          ? "TLS handshake" : request.protocol() == HealthCheckProtocol.TCP ? "preamble" : "status line";
      return "timed out after " + request.timeout().toMillis() + " ms waiting for " + phase;
    }

    private SocketChannel channel() {
      SocketChannel ch = channel;
      if (ch == null) {
        throw new IllegalStateException("not started");
      }
      return ch;
    }

    private SSLEngine engine() {
      SSLEngine e = engine;
      if (e == null) {
        throw new IllegalStateException("no TLS engine");
      }
      return e;
    }
  }

  /** The HTTP/1.1 request bytes: {@code GET <path>}, {@code Host}, {@code Connection: close}. */
  static byte[] httpRequest(ProbeRequest r) {
    String s = "GET " + r.path() + " HTTP/1.1\r\nHost: " + r.host() + "\r\nUser-Agent: nlb-healthcheck\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static int parseStatus(String line) {
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (!line.startsWith("HTTP/") || line.length() < 12 || line.charAt(8) != ' ') {
      return -1;
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      code = code * 10 + (c - '0');
    }
    if (line.length() > 12 && line.charAt(12) != ' ') {
      return -1;
    }
    return code;
  }

  private static ByteBuffer grow(ByteBuffer b) {
    ByteBuffer n = ByteBuffer.allocate(Math.max(256, b.capacity() * 2));
    b.flip();
    n.put(b);
    return n;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
