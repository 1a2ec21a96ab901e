package io.nlb.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.spi.CheckOutcome;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.ProbeRequest;
import io.nlb.core.spi.ProbeResult;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's {@link HealthProbe}: every check is a channel on the transport's event loops,
 * opened with a {@link Bootstrap}; HTTPS adds an {@link SslHandler} after the preamble. Only the
 * status line of an HTTP answer matters, so a small handler reads up to it instead of a full HTTP
 * codec (which would also wait for the header block, where the probe can already decide).
 *
 * <p>One timer per check, on the check's event loop, bounds connect, handshake and status line
 * together, as the request's timeout means; it follows real time (it bounds real I/O), unlike the
 * engine's schedule.
 */
final class NettyHealthProbe implements HealthProbe, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NettyHealthProbe.class);
  /** Longest status line waited for; a target sending more without CRLF fails. */
  static final int MAX_STATUS_LINE = 8192;

  private final EventLoopGroup group;
  private final IoTransport io;
  private final Set<Check> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  NettyHealthProbe(EventLoopGroup group, IoTransport io) {
    this.group = group;
    this.io = io;
  }

  @Override
  public void check(ProbeRequest request, Consumer<ProbeResult> onResult) {
    Check c = new Check(request, onResult);
    if (closed) {
      c.finish(CheckOutcome.ERROR, "probe closed");
      return;
    }
    if (request.address().isUnresolved()) {
      c.finish(CheckOutcome.ERROR, "unresolved address " + request.address());
      return;
    }
    if (request.protocol() == HealthCheckProtocol.HTTPS && TrustAll.CONTEXT == null) {
      c.finish(CheckOutcome.ERROR, "no TLS context");
      return;
    }
    inFlight.add(c);
    if (closed) { // close() may have missed it
      c.finish(CheckOutcome.ERROR, "probe closed");
      return;
    }
    long timeoutMillis = Math.max(1, request.timeout().toMillis());
    ChannelFuture f;
    try {
      f = new Bootstrap().group(group).channel(io.socketChannel)
          .option(ChannelOption.TCP_NODELAY, true)
          // Our own timer fires first and names the phase; this only keeps the socket bounded.
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis + 1000))
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              c.started(ch, timeoutMillis);
              ch.pipeline().addLast("probe", new ProbeHandler(c));
            }
          })
          .connect(request.address());
    } catch (RuntimeException e) {
      c.finish(CheckOutcome.ERROR, "probe failed to start: " + describe(e));
      return;
    }
    f.addListener((ChannelFutureListener) future -> {
      if (!future.isSuccess()) {
        c.connectFailed(future.cause());
      }
    });
  }

  /** Ends every check in flight with {@link CheckOutcome#ERROR} and refuses new ones. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (Check c : inFlight) {
      c.finish(CheckOutcome.ERROR, "probe closed");
    }
  }

  /** Checks started and not yet finished. */
  int inFlightCount() {
    return inFlight.size();
  }

  /**
   * The HTTPS checks' client context, made when the first HTTPS check starts (on the caller of
   * {@link #check}, before the check reaches an event loop): a process with no HTTPS check loads no
   * TLS classes for it (about 400 JDK and Netty classes, and their start-up allocation, seen in the
   * launcher's resident memory at start). The class initialisation makes it once per JVM.
   */
  private static final class TrustAll {
    static final @Nullable SslContext CONTEXT = trustAllContext();

    private TrustAll() {}
  }

  private static @Nullable SslContext trustAllContext() {
    try {
      // Health checks validate nothing: the target's certificate is not what they check. TLS 1.2
      // only, as the service: a target that speaks only TLS 1.3 fails its checks.
      return SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols("TLSv1.2").build();
    } catch (SSLException | RuntimeException e) {
      log.warn("no TLS 1.2 client context; HTTPS health checks will report Elb.InternalError", e);
      return null;
    }
  }

  /** The HTTP/1.1 request bytes: {@code GET <path>}, {@code Host}, {@code Connection: close}. */
  static byte[] httpRequest(ProbeRequest r) {
    String s = "GET " + r.path() + " HTTP/1.1\r\nHost: " + r.host()
        + "\r\nUser-Agent: nlb-healthcheck\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The status code of {@code HTTP/1.x SP 3DIGIT [SP reason]}, or -1 when malformed. */
  static int parseStatus(String line) {
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

  static String describe(Throwable e) {
    Throwable t = e;
    // Netty wraps handshake failures (DecoderException); the cause says what went wrong.
    Throwable cause;
    while ((cause = t.getCause()) != null && cause != t && (t.getMessage() == null || t instanceof DecoderException)) {
      t = cause;
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  /** One check: finished exactly once, from whichever thread gets there first. */
  private final class Check {
    final ProbeRequest request;
    final Consumer<ProbeResult> onResult;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile @Nullable Channel channel;
    private volatile @Nullable ScheduledFuture<?> timer;
    /** What the check waits for now, for the timeout's detail. Written on the event loop. */
    volatile String phase = "connect";

    Check(ProbeRequest request, Consumer<ProbeResult> onResult) {
      this.request = request;
      this.onResult = onResult;
    }

    /** On the event loop, when the channel is registered, before it connects. */
    void started(Channel ch, long timeoutMillis) {
      channel = ch;
      if (done.get()) { // finished (probe closed) before registration: nothing else will close it
        ch.close();
        return;
      }
      timer = ch.eventLoop().schedule(() -> finish(CheckOutcome.TIMEOUT,
          "timed out after " + request.timeout().toMillis() + " ms waiting for " + phase), timeoutMillis, TimeUnit.MILLISECONDS);
      if (done.get()) { // finished meanwhile, before the timer was visible to finish()
        ch.close();
        ScheduledFuture<?> t = timer;
        if (t != null) {
          t.cancel(false);
        }
      }
    }

    void connectFailed(Throwable cause) {
      if (cause instanceof ConnectTimeoutException) {
        finish(CheckOutcome.TIMEOUT, "timed out after " + request.timeout().toMillis() + " ms waiting for connect");
      } else if (cause instanceof IOException) {
        finish(CheckOutcome.FAILURE, describe(cause));
      } else {
        // For instance an unsupported address type or a rejected registration: the load balancer's
        // problem, not the target's.
        finish(CheckOutcome.ERROR, closed || cause instanceof RejectedExecutionException ? "probe closed" : describe(cause));
      }
    }

    void finish(CheckOutcome outcome, String detail) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      inFlight.remove(this);
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
      Channel ch = channel;
      if (ch != null) {
        ch.close();
      }
      try {
        onResult.accept(ProbeResult.of(outcome, detail));
      } catch (RuntimeException e) {
        log.warn("health-check result consumer failed for {}", request, e);
      }
    }
  }

  /** Writes the preamble, starts TLS and the request as the protocol says, and reads the status line. */
  private final class ProbeHandler extends ChannelInboundHandlerAdapter {
    private final Check check;
    private byte[] head = new byte[256];
    private int headLength;
    private boolean handshaking;

    ProbeHandler(Check check) {
      this.check = check;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ProbeRequest r = check.request;
      ByteBuf preamble = r.preambleLength() == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.preamble());
      switch (r.protocol()) {
        case TCP:
          if (r.preambleLength() == 0) {
            check.finish(CheckOutcome.SUCCESS, "connected");
          } else {
            check.phase = "preamble";
            ctx.writeAndFlush(preamble).addListener((ChannelFutureListener) f -> {
              if (f.isSuccess()) {
                check.finish(CheckOutcome.SUCCESS, "connected");
              } else {
                check.finish(CheckOutcome.FAILURE, describe(f.cause()));
              }
            });
          }
          break;
        case HTTP:
          check.phase = "status line";
          ctx.writeAndFlush(Unpooled.wrappedBuffer(preamble, Unpooled.wrappedBuffer(httpRequest(r))))
              .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
          break;
        default: {
          check.phase = "TLS handshake";
          handshaking = true;
          if (preamble.isReadable()) {
            // Written before the SslHandler exists, so it goes out in the clear, ahead of the ClientHello.
            ctx.writeAndFlush(preamble).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
          }
          SslContext ctxTls = Objects.requireNonNull(TrustAll.CONTEXT);
          SslHandler ssl = ctxTls.newHandler(ctx.alloc(), r.address().getHostString(), r.address().getPort());
          ssl.setHandshakeTimeoutMillis(0); // the check's own timer bounds it
          ctx.pipeline().addBefore(ctx.name(), "tls", ssl);
          ssl.handshakeFuture().addListener(f -> {
            handshaking = false;
            if (f.isSuccess()) {
              check.phase = "status line";
              ctx.writeAndFlush(Unpooled.wrappedBuffer(httpRequest(r))).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            } else {
              Throwable cause = f.cause();
              check.finish(CheckOutcome.FAILURE, cause instanceof ClosedChannelException
                  ? "connection closed during the TLS handshake" : "TLS handshake failed: " + describe(cause));
            }
          });
        }
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      ByteBuf in = (ByteBuf) msg;
      try {
        if (check.request.protocol() == HealthCheckProtocol.TCP) {
          return;
        }
        int n = Math.min(in.readableBytes(), MAX_STATUS_LINE - headLength);
        if (headLength + n > head.length) {
          head = Arrays.copyOf(head, Math.min(MAX_STATUS_LINE, Math.max(head.length * 2, headLength + n)));
        }
        int from = Math.max(1, headLength);
        in.readBytes(head, headLength, n);
        headLength += n;
        for (int i = from; i < headLength; i++) {
          if (head[i - 1] == '\r' && head[i] == '\n') {
            statusLine(new String(head, 0, i - 1, StandardCharsets.ISO_8859_1));
            return;
          }
        }
        if (headLength >= MAX_STATUS_LINE) {
          check.finish(CheckOutcome.FAILURE, "no status line in the first " + MAX_STATUS_LINE + " bytes");
        }
      } finally {
        in.release();
      }
    }

    private void statusLine(String line) {
      int status = parseStatus(line);
      ProbeRequest r = check.request;
      if (status < 0) {
        check.finish(CheckOutcome.FAILURE, "malformed status line: " + abbreviate(line));
      } else if (r.matcher().matches(status)) {
        check.finish(CheckOutcome.SUCCESS, "HTTP " + status);
      } else {
        check.finish(CheckOutcome.FAILURE, "HTTP " + status + " (expected: " + r.matcher() + ")");
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      check.finish(CheckOutcome.FAILURE, handshaking ? "connection closed during the TLS handshake"
          : check.request.protocol() == HealthCheckProtocol.TCP ? "connection closed" : "connection closed before the status line");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      check.finish(CheckOutcome.FAILURE, (handshaking ? "TLS handshake failed: " : "") + describe(cause));
    }
  }
}
