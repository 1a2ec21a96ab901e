package io.nlb.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The launcher's read-only status endpoint: a small Netty HTTP server with its own one-thread
 * event loop group, on {@link StatusSettings}'s address (127.0.0.1 unless the file names another):
 *
 * <ul>
 *   <li>{@code GET /status.json}: load balancers (name, resource id, state, DNS records, zones,
 *       listeners with their bindings), target groups with each target's health, and the last
 *       complete metrics period;
 *   <li>{@code GET /}: the same as a small HTML page;
 *   <li>{@code GET /metrics}: every metric recorded so far in the Prometheus text format, through
 *       the Micrometer binding ({@code nlb-metrics-micrometer}: meter names and labels are listed
 *       in {@code MicrometerMetricsRecorder});
 *   <li>{@code GET /healthz}: {@code 200 ok} while the launcher can serve; {@code 503} with one
 *       line per problem when an event loop of the transport is dead or a listener's socket is
 *       not accepting ({@link io.nlb.transport.netty.NettyTransport#liveness()}).
 * </ul>
 *
 * <p>{@code HEAD} is answered like {@code GET} without the body; any other method gets 405. The
 * page changes nothing and shows no secrets: no certificates or keys, only names, addresses,
 * states and counts. It has no authentication, so bind it to an address only trusted clients
 * reach; binding beyond loopback logs a warning.
 *
 * <h2>Cannot be starved</h2>
 *
 * A client cannot hold the endpoint: sockets are non-blocking, so a connection that sends one
 * byte and waits costs a slot, not the thread. A request must arrive whole within {@link
 * #REQUEST_TIMEOUT} (and a keep-alive connection's next request within the same time), or the
 * connection is closed; the request line and headers together are limited to {@link
 * #MAX_HEADER_BYTES}, a body to {@link #MAX_BODY_BYTES} (413); at most {@link #MAX_CONNECTIONS}
 * connections are open at once (more are closed on accept). {@code /healthz} is answered on the
 * event loop; the pages, which read the control plane and the metric store, are built on a
 * separate thread, so a slow page never delays {@code /healthz}.
 *
 * <p>Thread-safe; {@link #close} is idempotent.
 */
public final class StatusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
  private static final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** How long a client has to send a whole request (and, on a kept-alive connection, the next). */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** The request line plus headers, at most. */
  public static final int MAX_HEADER_BYTES = 8192;
  /** A request body, at most (the endpoint reads none; a larger one gets 413). */
  public static final int MAX_BODY_BYTES = 4096;
  /** Open connections, at most; more are closed as they are accepted. */
  public static final int MAX_CONNECTIONS = 64;
  /** Page requests waiting for the page thread, at most; more get 503. */
  private static final int MAX_QUEUED_PAGES = 32;

  private final Launcher launcher;
  private final EventLoopGroup group;
  private final Channel channel;
  private final ThreadPoolExecutor pages;
  private final AtomicInteger connections;

  private StatusServer(Launcher launcher, EventLoopGroup group, Channel channel, ThreadPoolExecutor pages, AtomicInteger connections) {
    this.launcher = launcher;
    this.group = group;
    this.channel = channel;
    this.pages = pages;
    this.connections = connections;
  }

  /** Binds and starts serving. */
  static StatusServer start(Launcher launcher, StatusSettings settings) throws IOException {
    return start(launcher, settings, REQUEST_TIMEOUT);
  }

  /** Binds and starts serving, with another request timeout (tests). */
  static StatusServer start(Launcher launcher, StatusSettings settings, Duration requestTimeout) throws IOException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("nlb-status", true), NioIoHandler.newFactory());
    ThreadPoolExecutor pages = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_QUEUED_PAGES), r -> {
      Thread t = new Thread(r, "nlb-status-pages");
      t.setDaemon(true);
      return t;
    });
    AtomicInteger connections = new AtomicInteger();
    @Nullable StatusServer[] self = new StatusServer[1];
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 16)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            int open = connections.incrementAndGet();
            ch.closeFuture().addListener(f -> connections.decrementAndGet());
            StatusServer server = self[0];
            if (server == null) {
              ch.close(); // accepted in the instant between bind and start's return
              return;
            }
            if (open > MAX_CONNECTIONS) {
              log.debug("status page: {} connections open, closing {}", open - 1, ch.remoteAddress());
              ch.close();
              return;
            }
            ch.pipeline().addLast(new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192))
                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                .addLast(new Http(server, requestTimeout));
          }
        });
    ChannelFuture bound = b.bind(new InetSocketAddress(settings.address(), settings.port())).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      pages.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      Throwable cause = bound.cause();
      throw new IOException(cause == null ? "bind failed" : cause.getMessage(), cause);
    }
    StatusServer s = new StatusServer(launcher, group, bound.channel(), pages, connections);
    self[0] = s;
    if (!settings.address().isLoopbackAddress()) {
      log.warn("status page bound on {}, beyond loopback: it has no authentication; anyone who reaches that address reads it",
          s.address());
    }
    return s;
  }

  /** {@return where it listens, e.g. {@code 127.0.0.1:8081}} */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Connections open now (tests and the status page itself). */
  int openConnections() {
    return connections.get();
  }

  private record Page(int code, String type, byte[] body) {
    static Page text(int code, String body) {
      return new Page(code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** What a path answers; runs on the page thread, except {@code /healthz}. */
  private Page page(String path) throws IOException {
    return switch (path) {
      case "/status.json" -> new Page(200, "application/json", (json.writeValueAsString(status()) + "\n").getBytes(StandardCharsets.UTF_8));
      case "/" -> new Page(200, "text/html; charset=utf-8", StatusPage.html(status()).getBytes(StandardCharsets.UTF_8));
      case "/metrics" -> new Page(200, PROMETHEUS_TEXT, launcher.scrape().getBytes(StandardCharsets.UTF_8));
      default -> Page.text(404, "not found (expected: /, /status.json, /metrics or /healthz)\n");
    };
  }

  /** 200 {@code ok}, or 503 with one line per problem ({@link Launcher#livenessProblems()}). */
  private Page healthz() {
    List<String> problems;
    try {
      problems = launcher.livenessProblems();
    } catch (RuntimeException e) {
      problems = List.of("liveness check failed: " + e);
    }
    if (problems.isEmpty()) {
      return Page.text(200, "ok\n");
    }
    return Page.text(503, "unavailable:\n- " + String.join("\n- ", problems) + "\n");
  }

  private static final Set<String> PATHS = Set.of("/", "/status.json", "/healthz", "/metrics");
  /** The content type of the Prometheus text exposition format. */
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** One per connection: checks the request, answers it, and enforces the request deadline. */
  private static final class Http extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final StatusServer server;
    private final Duration timeout;
    private @Nullable ScheduledFuture<?> deadline;

    Http(StatusServer server, Duration timeout) {
      this.server = server;
      this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      arm(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      disarm();
    }

    private void arm(ChannelHandlerContext ctx) {
      disarm();
      deadline = ctx.executor().schedule(() -> {
        log.debug("status page: no whole request from {} within {}; closing", ctx.channel().remoteAddress(), timeout);
        ctx.close();
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void disarm() {
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
        deadline = null;
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      disarm();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (!request.decoderResult().isSuccess()) {
        Throwable cause = request.decoderResult().cause();
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
            : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG : HttpResponseStatus.BAD_REQUEST;
        respond(ctx, false, false, Page.text(status.code(), status.reasonPhrase() + "\n"), null);
        return;
      }
      HttpMethod method = request.method();
      boolean head = HttpMethod.HEAD.equals(method);
      if (!head && !HttpMethod.GET.equals(method)) {
        respond(ctx, keepAlive, false, Page.text(405, "method not allowed (expected: GET or HEAD)\n"), "GET, HEAD");
        return;
      }
      String path = new QueryStringDecoder(request.uri()).path();
      if (path.equals("/healthz")) {
        respond(ctx, keepAlive, head, server.healthz(), null);
        return;
      }
      if (!PATHS.contains(path)) {
        respond(ctx, keepAlive, head, Page.text(404, "not found (expected: /, /status.json, /metrics or /healthz)\n"), null);
        return;
      }
      try {
        server.pages.execute(() -> {
          Page page;
          try {
            page = server.page(path);
          } catch (IOException | RuntimeException e) {
            log.warn("status page: {} {}: {}", method, path, e.toString());
            page = Page.text(500, "internal error\n");
          }
          Page answer = page;
          ctx.executor().execute(() -> respond(ctx, keepAlive, head, answer, null));
        });
      } catch (RejectedExecutionException e) {
        respond(ctx, false, head, Page.text(503, "busy (expected: fewer concurrent page requests)\n"), null);
      }
    }

    private void respond(ChannelHandlerContext ctx, boolean keepAlive, boolean head, Page page, @Nullable String allow) {
      if (!ctx.channel().isActive()) {
        return;
      }
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(page.code()),
          head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(page.body()));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, page.type())
          .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, page.body().length);
      if (allow != null) {
        r.headers().set(HttpHeaderNames.ALLOW, allow);
      }
      HttpUtil.setKeepAlive(r, keepAlive);
      ChannelFuture f = ctx.writeAndFlush(r);
      if (keepAlive) {
        arm(ctx);
      } else {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("status page: {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** The status document; see {@link StatusPage#document}. */
  ObjectNode status() {
    return StatusPage.document(launcher);
  }

  /** Stops serving at once. Idempotent. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    pages.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
