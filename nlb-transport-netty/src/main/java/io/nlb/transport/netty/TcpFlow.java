package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.nlb.core.ListenerRoute;
import io.nlb.core.NodeRoute;
import io.nlb.core.Protocol;
import io.nlb.core.RouteTarget;
import io.nlb.core.RouteSlot;
import io.nlb.core.routing.IpProtocol;
import io.nlb.proxyprotocol.ProxiedProtocol;
import io.nlb.proxyprotocol.ProxyV2Encoder;
import io.nlb.proxyprotocol.TransportProtocol;
import io.nlb.tls.TlsNegotiationListener;
import io.nlb.tls.TlsOrigination;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP flow: the client connection accepted on a node, and the connection to the target it
 * was routed to. Both channels live on one event loop, so every field is confined to that thread
 * except {@link #unhealthy}, which the control plane sets.
 *
 * <p>Backpressure: both channels have {@code AUTO_READ} off. A side is read once when the flow
 * starts; after each batch of reads the other side is flushed, and the next read is issued only
 * while the other side is writable, or later when its writability returns. Half-close: on the end
 * of input from one side, the other side's output is shut down once everything written to it
 * before has been flushed; the flow closes when both directions are done.
 *
 * <p>TLS listeners: the {@link io.nlb.tls.TlsTermination} handler sits before {@link Frontend};
 * the flow is routed, counted and connected only when the client's handshake has succeeded
 * ({@link SslHandshakeCompletionEvent}), so a failed handshake opens no target connection and is
 * counted as {@code ClientTLSNegotiationErrorCount} only. TLS target groups: once the target
 * connection is up, the PROXY header (if any) is written in the clear, then a {@link
 * TlsOrigination} handler re-encrypts; client bytes reach the target only after that handshake.
 *
 * <p>Zero copy ({@link NettyTransport.Builder#zeroCopy}, epoll, plain TCP listeners): once the
 * target connection is up and the PROXY header written, each side is spliced to the other
 * ({@code splice(2)} through a pipe, the bytes never enter the JVM). Bytes and activity are counted
 * by a {@link ReadCounter} on each channel, which sees every splice; backpressure waits until the
 * other side has written out what was spliced to it; at the end of input the bytes left in the
 * socket are read directly before the FIN is passed on (see {@link #drain}).
 */
final class TcpFlow implements Flow, ChannelFutureListener {
  private static final Logger log = LoggerFactory.getLogger(TcpFlow.class);

  /**
   * The default per-flow buffer bound ({@link NettyTransport.Builder#flowBufferBytes}): larger than
   * Netty's default so that a loopback relay moves 64 KiB reads without stalling.
   */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

  /** How a flow ends, for the metric it records. */
  private enum End { NORMAL, CLIENT_RESET, TARGET_RESET, LB_RESET }

  /**
   * Counts {@code ClientTLSNegotiationErrorCount} and {@code TargetTLSNegotiationErrorCount} on the
   * zone of the flow whose handler is in the failed channel's pipeline (failures are rare; the
   * lookup keeps the accept path free of allocations for it).
   */
  static final TlsNegotiationListener TLS_ERRORS = new TlsNegotiationListener() {
    @Override
    public void clientNegotiationFailed(Channel client, Throwable cause) {
      Frontend f = client.pipeline().get(Frontend.class);
      if (f != null) {
        f.metrics().clientTlsErrors.increment();
      }
    }

    @Override
    public void clientHandshakeTimedOut(Channel client) {
      Frontend f = client.pipeline().get(Frontend.class);
      if (f != null) {
        f.metrics().rejectedTlsHandshakeTimeout.increment();
      }
    }

    @Override
    public void targetNegotiationFailed(Channel target, Throwable cause) {
      Backend b = target.pipeline().get(Backend.class);
      if (b != null) {
        b.metrics().targetTlsErrors.increment();
      }
    }
  };

  private final Endpoint ep;
  private final SocketChannel client;
  /** The TLS listener this connection was accepted for, or null (TCP). */
  private final @Nullable TlsFrontend tls;
  /** Set when the target group is TLS: re-encrypt towards the target. */
  private @Nullable TlsOrigination origination;
  private final EventLoop loop;
  private final Frontend frontend = new Frontend();
  private final Backend backend = new Backend();
  private final Runnable idleCheck = this::checkIdle;
  private final Runnable terminateTask = () -> end(End.LB_RESET);
  /** Whether this flow splices (zero copy); decided when it is accepted, fixed for its life. */
  private final boolean splice;
  private final @Nullable ReadCounter targetCounter;
  /**
   * Zero copy: how the flow ends, decided inside Netty's splice loop, where closing a channel would
   * let the loop go on with closed descriptors; {@link #pendingEndTask} ends it right after.
   */
  private @Nullable End pendingEnd;

  private @Nullable Channel target;
  private @Nullable RouteTarget registered;
  /** The PROXY v2 encoder when the target group wants a header, else null. */
  private @Nullable ProxyV2Encoder proxyHeader;
  private boolean connected;
  private boolean opened;
  private boolean finished;
  private boolean clientEof;
  private boolean targetEof;
  private boolean clientOutputShut;
  private boolean targetOutputShut;
  private long idleNanos;
  private long lastActivity;
  private @Nullable ScheduledFuture<?> idleFuture;
  /** Counts keepalives in the idle timeout; made at the first idle check (most flows end before). */
  private @Nullable KeepaliveIdle keepalive;
  /**
   * Client data read before the target connection is up. With AUTO_READ off the flow does not ask
   * for it, but epoll reads what is buffered when it sees the client's FIN (EPOLLRDHUP).
   */
  private @Nullable ArrayDeque<ByteBuf> early;
  private volatile boolean unhealthy;

  /** Zero copy: resume reading a side once what was spliced from it has been written out. */
  private final ChannelFutureListener resumeClient = this::resumeClient;
  private final ChannelFutureListener resumeTarget = this::resumeTarget;
  private final ChannelFutureListener clientSpliceFailed = f -> spliceFailed(f, End.CLIENT_RESET);
  private final ChannelFutureListener targetSpliceFailed = f -> spliceFailed(f, End.TARGET_RESET);
  private final Runnable readClient = this::readClient;
  private final Runnable readTarget = this::readTarget;
  private final Runnable pendingEndTask = this::endPending;

  private TcpFlow(Endpoint ep, SocketChannel client, @Nullable TlsFrontend tls) {
    this.ep = ep;
    this.client = client;
    this.tls = tls;
    this.loop = client.eventLoop();
    this.splice = tls == null && ep.transport.zeroCopy;
    if (splice) {
      EpollSupport.prepareSplice(client, new ReadCounter(this::clientBytesRead));
      targetCounter = new ReadCounter(this::targetBytesRead);
    } else {
      targetCounter = null;
    }
  }

  /**
   * Installs a flow on each accepted connection, replacing itself by the flow's handler. Shared by
   * all connections of one endpoint. Not a {@code ChannelInitializer}, which keeps every channel in
   * a concurrent set while it initializes it: one insertion and one removal per connection, on a
   * set shared by the event loops.
   */
  @ChannelHandler.Sharable
  static final class Acceptor extends ChannelInboundHandlerAdapter {
    private final Endpoint ep;

    Acceptor(Endpoint ep) {
      this.ep = ep;
    }

    /** Runs on the event loop once the accepted channel is registered, before channelActive. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      install(ep, ctx);
    }

    /** Replaces the handler of {@code ctx} (an acceptor) by a new flow's handler. */
    static void install(Endpoint ep, ChannelHandlerContext ctx) {
      SocketChannel ch = (SocketChannel) ctx.channel();
      TlsFrontend tls = ep.tls;
      ctx.pipeline().replace(ctx.name(), "nlb-client", new TcpFlow(ep, ch, tls).frontend);
      if (tls != null) {
        ch.pipeline().addFirst(tls.termination.newHandler());
        ch.pipeline().addFirst(ep.tlsBytes);
        HandshakeGuard.install(ep, ch);
      }
    }
  }

  /**
   * First in the pipelines of TLS flows: counts the bytes read from the socket, TLS records as
   * they arrive (overhead and handshake included), as {@code ProcessedBytes_TLS}. Shared by the
   * connections of one endpoint.
   */
  @ChannelHandler.Sharable
  static final class TlsBytes extends ChannelInboundHandlerAdapter {
    private final ZoneMetrics metrics;

    TlsBytes(ZoneMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf b) {
        metrics.tlsBytes(b.readableBytes());
      }
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public RouteTarget target() {
    RouteTarget t = registered;
    if (t == null) {
      throw new IllegalStateException("flow not routed yet");
    }
    return t;
  }

  @Override
  public void terminate() {
    try {
      loop.execute(terminateTask);
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down and closes its channels itself.
    }
  }

  @Override
  public void targetUnhealthy(boolean unhealthy) {
    this.unhealthy = unhealthy;
  }

  // ------------------------------------------------------------------ start

  private void start() {
    if (ep.closing) {
      reset(client);
      return;
    }
    // The one read of the core a new flow makes: its socket's route slot.
    RouteSlot.Route slotRoute = ep.slot.route();
    InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
    InetSocketAddress local = (InetSocketAddress) client.localAddress();
    if (slotRoute == null || remote == null || local == null) {
      lbResetClient();
      return;
    }
    ListenerRoute route = slotRoute.listener();
    NodeRoute node = slotRoute.node();
    long hash = Routes.hash(slotRoute.flowHashSeed(), node, IpProtocol.TCP, remote, local, ThreadLocalRandom.current().nextInt());
    RouteTarget t = node.select(hash);
    InetSocketAddress address = t == null ? null : t.address(hash);
    if (t == null || address == null) {
      lbResetClient();
      return;
    }
    if (route.targetProtocol() == Protocol.TLS) {
      TlsFrontend fe = tls;
      TlsOrigination o = fe == null ? null : fe.origination;
      if (o == null) {
        // The core allows TLS groups behind TLS listeners only, and apply() builds the
        // origination before publishing the snapshot that needs it.
        log.warn("nlb flow {}: {} forwards to the TLS group {} but no TLS origination is set up", describe(),
            route.config().path(), route.targetGroup());
        lbResetClient();
        return;
      }
      origination = o;
    }
    registered = t;
    opened = true;
    ep.metrics.tcpFlowOpened(tls != null);
    ep.transport.flowOpened(this, ep.state, true);
    // The target was chosen from the slot before this flow joined its target's flow set; a
    // drain-with-termination or a health change in between would have missed it. The control plane
    // publishes a route before it tells the transport, so reading the slot again closes the gap.
    if (Routes.lateReset(slotRoute, ep.slot.route(), t)) {
      end(End.LB_RESET);
      return;
    }
    if (Routes.unhealthyNow(ep.slot.route(), t)) {
      unhealthy = true;
    }
    idleNanos = ep.transport.tcpIdleNanos(route);
    if (route.groupAttributes().proxyProtocolV2()) {
      String vpce = route.config().vpcEndpointId().orElse(null);
      proxyHeader = tls != null && route.groupAttributes().proxyProtocolV2TlsTlvs()
          ? ProxyEncoders.withTls(vpce, client) : ProxyEncoders.encoder(vpce);
    }
    InetAddress src = ep.source(route.groupAttributes().preserveClientIp(), remote.getAddress(), address.getAddress());
    InetSocketAddress source = src == null ? null : new InetSocketAddress(src, 0);
    // The channel is made and configured here rather than by a Bootstrap: a Bootstrap per flow
    // costs an options map, reflection to create the channel and an address resolver lookup,
    // and it would set every option (a setsockopt each) whether or not this connection needs it.
    SocketChannel ch;
    try {
      ch = ep.transport.io.newSocketChannel();
    } catch (RuntimeException e) {
      // No socket for the target connection: this process is out of file descriptors (or the
      // platform refused a socket). Not the target's fault, so no passive health signal.
      if (AcceptErrors.isOutOfFiles(e)) {
        ep.outOfFiles(describe(), e);
      } else {
        log.warn("nlb flow {} -> {}: cannot create the target connection's socket", describe(), registered, e);
      }
      end(End.LB_RESET);
      return;
    }
    target = ch;
    SocketChannelConfig c = ch.config();
    c.setAutoRead(false);
    c.setAllowHalfClosure(true);
    c.setWriteBufferWaterMark(ep.transport.waterMark);
    c.setConnectTimeoutMillis(ep.transport.connectTimeoutMillis);
    // TCP_NODELAY: Netty's socket channels of every mode enable it when created.
    if (source != null) {
      // The source is bound before connecting; without SO_REUSEADDR, bind() cannot pick a port
      // that any socket on that address still holds (TIME_WAIT included), and a busy node runs
      // out of ports long before its 4-tuples are exhausted.
      c.setReuseAddress(true);
      ep.transport.io.bindOptions(ch);
    }
    ReadCounter counter = targetCounter;
    if (counter != null) {
      EpollSupport.prepareSplice(ch, counter);
    }
    // Named, so that Netty does not derive a unique name from the class for every connection.
    ch.pipeline().addLast("nlb-target", backend);
    ch.pipeline().addFirst("nlb-buffer-watch", ep.bufferWatch);
    // On this event loop, registration completes before register() returns.
    ChannelFuture reg = loop.register(ch);
    if (reg.isDone()) {
      connectTarget(reg, address, source);
    } else {
      reg.addListener((ChannelFutureListener) r -> connectTarget(r, address, source));
    }
  }

  private void connectTarget(ChannelFuture registration, InetSocketAddress address,
      @Nullable InetSocketAddress source) {
    Channel t = registration.channel();
    if (!registration.isSuccess()) {
      // The event loop is shutting down.
      t.unsafe().closeForcibly();
      end(End.LB_RESET);
      return;
    }
    ChannelFuture f = source == null ? t.connect(address) : t.connect(address, source);
    f.addListener(this);
  }

  /** The target connection's connect outcome (the flow is its own listener: one object less per flow). */
  @Override
  public void operationComplete(ChannelFuture f) {
    connected(f);
  }

  private void connected(ChannelFuture f) {
    if (!loop.inEventLoop()) {
      // A connect that failed before it had a channel (no file descriptor for the socket) completes
      // on Netty's global executor: come back to the flow's loop, which owns its state.
      loop.execute(() -> connected(f));
      return;
    }
    if (finished) {
      reset(f.channel());
      return;
    }
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      if (isBindFailure(cause)) {
        ep.metrics.portAllocationErrors.increment();
        if (ep.warnedBindFailure) {
          log.debug("nlb flow {} -> {}: cannot bind the source address: {}", describe(), registered, String.valueOf(cause));
        } else {
          ep.warnedBindFailure = true;
          log.warn("nlb flow {} -> {}: cannot bind the source address for the target connection: {}. With"
            + " preserve_client_ip.enabled=true the client's address must be local to this host (true on loopback);"
            + " for remote clients disable preserve_client_ip.enabled on the target group (later failures of this"
            + " listener socket are logged at DEBUG and counted in PortAllocationErrorCount)", describe(), registered,
            String.valueOf(cause));
        }
      } else if (AcceptErrors.isOutOfFiles(cause)) {
        // This process is out of file descriptors: not the target's fault, so no passive health signal.
        ep.outOfFiles(describe(), cause);
      } else {
        log.debug("nlb flow {} -> {}: connect failed: {}", describe(), registered, String.valueOf(cause));
        ep.slot.passiveHealth().connectFailed(target());
      }
      end(End.LB_RESET);
      return;
    }
    ep.slot.passiveHealth().connected(target());
    lastActivity = System.nanoTime();
    idleFuture = loop.schedule(idleCheck, KeepaliveIdle.firstCheckNanos(idleNanos, tls != null, ep.transport.io.acksVisible()),
        TimeUnit.NANOSECONDS);
    Channel t = f.channel();
    ProxyV2Encoder header = proxyHeader;
    if (header != null) {
      writeProxyHeader(header, t);
    }
    TlsOrigination o = origination;
    if (o != null) {
      // The PROXY header goes in the clear, before the ClientHello.
      t.flush();
      SslHandler ssl;
      try {
        ssl = o.newHandler(client, t);
      } catch (RuntimeException e) {
        log.warn("nlb flow {} -> {}: cannot start TLS to the target", describe(), registered, e);
        end(End.LB_RESET);
        return;
      }
      t.pipeline().addFirst(ssl);
      t.pipeline().addFirst(ep.tlsBytes);
      ssl.handshakeFuture().addListener(h -> {
        if (finished) {
          return;
        }
        if (h.isSuccess()) {
          relay(t);
        } else {
          // Counted as TargetTLSNegotiationErrorCount by TLS_ERRORS; the client is reset.
          log.debug("nlb flow {} -> {}: TLS handshake with the target failed: {}", describe(), registered,
              String.valueOf(h.cause()));
          end(End.LB_RESET);
        }
      });
      t.read();
      return;
    }
    if (tls != null) {
      t.pipeline().addFirst(ep.tlsBytes);
    }
    relay(t);
  }

  /** The target connection is ready for client bytes (after its TLS handshake, for TLS groups). */
  private void relay(Channel t) {
    connected = true;
    ArrayDeque<ByteBuf> q = early;
    if (q != null) {
      early = null;
      ByteBuf b;
      while ((b = q.poll()) != null) {
        if (tls == null && !splice) {
          ep.metrics.tcpBytes(b.readableBytes());
        }
        t.write(b, t.voidPromise());
      }
      t.flush();
    }
    if (splice) {
      // Spliced bytes follow the PROXY header and the early bytes in the target's outbound buffer.
      if (!clientEof) {
        EpollSupport.spliceTo(client, t, client.newPromise().addListener(clientSpliceFailed));
      }
      EpollSupport.spliceTo(t, client, t.newPromise().addListener(targetSpliceFailed));
    }
    if (clientEof) {
      forwardClientEof(t);
    } else {
      client.read();
    }
    t.read();
  }

  // ------------------------------------------------------------------ zero copy

  /** Every read from the client socket of a zero-copy flow, spliced or not (see {@link ReadCounter}). */
  private void clientBytesRead(int n) {
    lastActivity = System.nanoTime();
    ep.metrics.tcpBytes(n);
    // The bytes just spliced reach the target's socket before the reset (see endSoon).
    if (connected && !finished && unhealthy && pendingEnd == null
        && !Routes.failsOpen(ep.slot)) {
      endSoon(End.LB_RESET);
    }
  }

  /**
   * Ends the flow from a task, after the current I/O event: inside Netty's splice loop a closed
   * channel would still be spliced from (its descriptor number possibly reused by then). Until
   * then the flow forwards nothing more.
   */
  private void endSoon(End how) {
    if (!finished && pendingEnd == null) {
      pendingEnd = how;
      loop.execute(pendingEndTask);
    }
  }

  private void endPending() {
    End how = pendingEnd;
    if (how != null) {
      end(how);
    }
  }

  private void resumeClient(ChannelFuture f) {
    if (f.isSuccess()) {
      loop.execute(readClient);
    }
  }

  private void resumeTarget(ChannelFuture f) {
    if (f.isSuccess()) {
      loop.execute(readTarget);
    }
  }

  /**
   * Zero copy reads are asked for from a task: a read() issued while Netty is in a splice read of
   * that channel is undone when the read ends (it clears EPOLLIN whenever AUTO_READ is off).
   */
  private void readClient() {
    if (!finished && pendingEnd == null && !clientEof) {
      client.read();
    }
  }

  private void readTarget() {
    Channel t = target;
    if (!finished && pendingEnd == null && !targetEof && t != null) {
      t.read();
    }
  }

  /**
   * A splice failed. When its destination closed, the channel events that follow end the flow;
   * otherwise reading its source failed (a reset), which Netty reports through this promise only.
   */
  private void spliceFailed(ChannelFuture f, End sourceFailed) {
    Channel t = target;
    if (f.isSuccess() || finished || t == null) {
      return;
    }
    Throwable cause = f.cause();
    Channel destination = sourceFailed == End.CLIENT_RESET ? t : client;
    if (cause instanceof java.nio.channels.ClosedChannelException || !destination.isOpen()) {
      return;
    }
    log.debug("nlb flow {} -> {}: splice failed: {}", describe(), registered, String.valueOf(cause));
    endSoon(cause instanceof IOException ? sourceFailed : End.LB_RESET);
  }

  private void targetBytesRead(int n) {
    lastActivity = System.nanoTime();
    ep.metrics.tcpBytes(n);
  }

  /**
   * Zero copy: reads {@code from} again once {@code to} has written out everything spliced to it
   * (while it has not, the pipe between them is full or filling, and another read would spin).
   */
  private void readWhenWritten(Channel from, Channel to, ChannelFutureListener resume) {
    io.netty.channel.ChannelOutboundBuffer out = to.unsafe().outboundBuffer();
    if (out == null || out.isEmpty()) {
      loop.execute(from == client ? readClient : readTarget);
    } else {
      to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(resume);
    }
  }

  /**
   * Zero copy, at the end of input of {@code from}: Netty splices one more round when the FIN is
   * seen, then shuts the input down, so bytes sent before the FIN may still be in the socket. They
   * are read here, directly, and written to {@code to} ahead of the FIN that follows. Bounded by
   * the socket's receive buffer (no more bytes can arrive after the FIN). Returns false when the
   * flow ended.
   */
  private boolean drain(Channel from, Channel to) {
    boolean fromClient = from == client;
    for (;;) {
      ByteBuf b = to.alloc().directBuffer(DRAIN_CHUNK);
      int n;
      try {
        n = EpollSupport.readDirect(from, b);
      } catch (IOException e) {
        b.release();
        log.debug("nlb flow {} -> {}: reading after the end of input failed", describe(), registered, e);
        endSoon(fromClient ? End.CLIENT_RESET : End.TARGET_RESET);
        return false;
      }
      if (n <= 0) {
        b.release();
        return true;
      }
      if (fromClient) {
        clientBytesRead(n);
        if (pendingEnd != null) {
          b.release();
          return false;
        }
      } else {
        targetBytesRead(n);
      }
      to.write(b, to.voidPromise());
    }
  }

  /** The buffer size for {@link #drain}. */
  private static final int DRAIN_CHUNK = 64 * 1024;

  /**
   * The PROXY v2 header goes first on the target connection: the client's address as source, the
   * listener's address (this node) as destination, and the VPC endpoint TLV when the listener is
   * reached through one. Client bytes follow untouched, including any header the client sent.
   */
  private void writeProxyHeader(ProxyV2Encoder encoder, Channel t) {
    InetSocketAddress src = (InetSocketAddress) client.remoteAddress();
    InetSocketAddress dst = (InetSocketAddress) client.localAddress();
    if (src == null || dst == null) {
      return;
    }
    ByteBuf buf = t.alloc().buffer(encoder.encodedLength(
        src.getAddress() instanceof java.net.Inet4Address && dst.getAddress() instanceof java.net.Inet4Address
            ? ProxiedProtocol.TCP4 : ProxiedProtocol.TCP6));
    encoder.encodeProxy(buf, TransportProtocol.STREAM, src, dst);
    // Flushed at once: with a protocol in which the server speaks first, no client byte may come
    // to flush it, and the target waits for its header.
    t.writeAndFlush(buf, t.voidPromise());
  }

  private void forwardClientEof(Channel t) {
    shutdownOutputWhenFlushed((DuplexChannel) t, true);
  }

  /**
   * Shuts down the output of {@code ch} (the target's when {@code toTarget}, else the client's) once
   * everything written to it has been flushed, then records that direction as done. When nothing is
   * pending, which is the common case, this happens at once, without an empty write and two
   * listeners to wait for it.
   */
  private void shutdownOutputWhenFlushed(DuplexChannel ch, boolean toTarget) {
    ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
    if (out != null && out.totalPendingWriteBytes() == 0 && out.isEmpty()) {
      if (tls == null && (toTarget ? targetEof && clientOutputShut : clientEof && targetOutputShut)) {
        // The last open direction: both inputs have been read to their end, so closing sends a FIN
        // (not a RST) just as shutting down would, and the flow ends without a shutdown() call, the
        // exception Netty builds for it and its promise. (TLS flows keep the shutdown: closing
        // would make the TLS handler send a close_notify first.) A spliced flow is never closed
        // inside Netty's splice loop, which may still use the file descriptor.
        if (splice) {
          endSoon(End.NORMAL);
        } else {
          end(End.NORMAL);
        }
        return;
      }
      shutdownOutput(ch, toTarget);
      return;
    }
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess() && !finished) {
        shutdownOutput(ch, toTarget);
      }
    });
  }

  private void shutdownOutput(DuplexChannel ch, boolean toTarget) {
    ChannelFuture g = ch.shutdownOutput();
    if (g.isDone()) {
      outputShut(toTarget);
    } else {
      g.addListener((ChannelFutureListener) done -> outputShut(toTarget));
    }
  }

  private void outputShut(boolean toTarget) {
    if (toTarget) {
      targetOutputShut = true;
    } else {
      clientOutputShut = true;
    }
    maybeFinish();
  }

  static boolean isBindFailure(@Nullable Throwable cause) {
    if (cause instanceof BindException) {
      return true;
    }
    String m = cause == null ? null : cause.getMessage();
    return m != null && (m.startsWith("bind(") || m.contains("Cannot assign requested address")
        || m.contains("Address already in use"));
  }

  // ------------------------------------------------------------------ relay

  private final class Frontend extends ChannelInboundHandlerAdapter {
    ZoneMetrics metrics() {
      return ep.metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (tls == null) {
        start();
      } else if (ep.closing) {
        finished = true;
        reset(client);
      } else {
        // Let the TLS handlers read the ClientHello; start() runs once the handshake succeeded.
        client.read();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel t = target;
      if (finished || pendingEnd != null) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (t == null || !connected) {
        ArrayDeque<ByteBuf> q = early;
        if (q == null) {
          q = new ArrayDeque<>(2);
          early = q;
        }
        q.add((ByteBuf) msg);
        return;
      }
      if (unhealthy && !Routes.failsOpen(ep.slot)) {
        ReferenceCountUtil.release(msg);
        end(End.LB_RESET);
        return;
      }
      lastActivity = System.nanoTime();
      if (tls == null && !splice) {
        ep.metrics.tcpBytes(((ByteBuf) msg).readableBytes());
      }
      t.write(msg, t.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Channel t = target;
      if (finished || t == null || !connected) {
        return;
      }
      if (pendingEnd != null) {
        return;
      }
      t.flush();
      if (clientEof) {
        return;
      }
      if (splice) {
        readWhenWritten(client, t, resumeClient);
      } else if (t.isWritable()) {
        client.read();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Channel t = target;
      if (!finished && connected && t != null && client.isWritable() && !targetEof) {
        t.read();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        // A failure was counted and the connection closed by the TLS handlers.
        if (e.isSuccess()) {
          HandshakeGuard.handshakeDone(client);
        }
        if (e.isSuccess() && tls != null && !finished && registered == null) {
          start();
        }
      } else if (evt instanceof ChannelInputShutdownEvent) {
        clientEof = true;
        Channel t = target;
        if (!finished && pendingEnd == null && connected && t != null && (!splice || drain(client, t))) {
          forwardClientEof(t);
        }
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!finished) {
        if (tls != null && !opened) {
          // The TLS handshake never finished: no flow, nothing to reset (the TLS handlers count it).
          finished = true;
        } else {
          end(End.CLIENT_RESET);
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (finished) {
        return;
      }
      if (cause instanceof IOException || cause.getCause() instanceof SSLException) {
        log.debug("nlb flow {}: client connection failed", describe(), cause);
        end(End.CLIENT_RESET);
      } else {
        // An Error (a direct buffer that could not be allocated, say) included: this connection
        // ends, the event loop goes on; counted in Liveness, logged once per cause and interval.
        ep.transport.handlerError(ep, "unexpected error on a client connection", cause);
        end(End.LB_RESET);
      }
    }
  }

  private final class Backend extends ChannelInboundHandlerAdapter {
    ZoneMetrics metrics() {
      return ep.metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (finished || pendingEnd != null) {
        ReferenceCountUtil.release(msg);
        return;
      }
      lastActivity = System.nanoTime();
      if (tls == null && !splice) {
        ep.metrics.tcpBytes(((ByteBuf) msg).readableBytes());
      }
      client.write(msg, client.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (finished || pendingEnd != null) {
        return;
      }
      client.flush();
      if (targetEof) {
        return;
      }
      if (splice) {
        readWhenWritten(ctx.channel(), client, resumeTarget);
      } else if (client.isWritable()) {
        ctx.channel().read();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (!finished && connected && ctx.channel().isWritable() && !clientEof) {
        client.read();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        targetEof = true;
        if (!finished && pendingEnd == null && (!splice || !connected || drain(ctx.channel(), client))) {
          shutdownOutputWhenFlushed(client, false);
        }
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!finished && connected) {
        end(End.TARGET_RESET);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (finished) {
        return;
      }
      if (cause instanceof IOException) {
        log.debug("nlb flow {} -> {}: target connection failed", describe(), registered, cause);
        end(End.TARGET_RESET);
      } else {
        ep.transport.handlerError(ep, "unexpected error on a target connection", cause);
        end(End.LB_RESET);
      }
    }
  }

  // ------------------------------------------------------------------ endings

  private void maybeFinish() {
    if (!finished && clientEof && targetEof && clientOutputShut && targetOutputShut) {
      end(End.NORMAL);
    }
  }

  private void checkIdle() {
    if (finished) {
      return;
    }
    Channel t = target;
    KeepaliveIdle k = keepalive;
    if (k == null) {
      IoTransport io = ep.transport.io;
      k = new KeepaliveIdle(idleNanos, tls != null, io.ackAge(client), t == null ? KeepaliveIdle.UNKNOWN : io.ackAge(t));
      keepalive = k;
    }
    long now = System.nanoTime();
    long wait = k.check(now, lastActivity);
    if (wait <= 0) {
      log.debug("nlb flow {}: idle for {} ms (keepalives seen: {}), resetting both sides", describe(),
          TimeUnit.NANOSECONDS.toMillis(now - lastActivity), k.keepaliveSeen());
      end(End.LB_RESET);
      return;
    }
    if (k.startKeepalives() && t != null) {
      // Guide, "Connection idle timeout": a TLS listener that sees a keepalive from either side
      // sends keepalives on both connections every 20 seconds.
      int seconds = (int) TimeUnit.NANOSECONDS.toSeconds(KeepaliveIdle.KEEPALIVE_INTERVAL_NANOS);
      try {
        ep.transport.io.keepalive(client, seconds);
        ep.transport.io.keepalive(t, seconds);
      } catch (RuntimeException e) {
        log.debug("nlb flow {}: cannot start keepalives: {}", describe(), String.valueOf(e));
      }
    }
    idleFuture = loop.schedule(idleCheck, wait, TimeUnit.NANOSECONDS);
  }

  private void lbResetClient() {
    finished = true;
    ep.metrics.elbResets.increment();
    reset(client);
  }

  /** Ends the flow once, on its event loop. */
  private void end(End how) {
    if (finished) {
      return;
    }
    finished = true;
    Channel t = target;
    if (log.isDebugEnabled()) {
      log.debug("nlb flow {} -> {} ends: {} (client eof {}, target eof {}, client out shut {}, target out shut {})",
          describe(), registered, how, clientEof, targetEof, clientOutputShut, targetOutputShut);
    }
    switch (how) {
      case NORMAL:
        client.close();
        if (t != null) {
          t.close();
        }
        break;
      case CLIENT_RESET:
        ep.metrics.clientResets.increment();
        reset(client);
        if (t != null) {
          reset(t);
        }
        break;
      case TARGET_RESET:
        ep.metrics.targetResets.increment();
        ep.slot.passiveHealth().targetReset(target());
        reset(client);
        if (t != null) {
          reset(t);
        }
        break;
      default:
        ep.metrics.elbResets.increment();
        reset(client);
        if (t != null) {
          if (connected) {
            ep.metrics.elbResets.increment();
          }
          reset(t);
        }
        break;
    }
    ScheduledFuture<?> idle = idleFuture;
    if (idle != null) {
      idle.cancel(false);
    }
    ArrayDeque<ByteBuf> q = early;
    if (q != null) {
      early = null;
      ByteBuf b;
      while ((b = q.poll()) != null) {
        b.release();
      }
    }
    if (opened) {
      ep.metrics.tcpFlowClosed(tls != null);
      ep.transport.flowClosed(this, ep.state, true);
    }
  }

  /** Closes with SO_LINGER 0, so that the peer sees a TCP RST. */
  static void reset(Channel ch) {
    if (ch.isOpen()) {
      try {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (RuntimeException e) {
        // The socket is already gone; closing is all that is left.
      }
      // Past the pipeline: a reset is abortive, so a TLS handler must not send close_notify first
      // (a TLS client would read it as a clean end of the stream, not as a reset).
      ch.unsafe().close(ch.voidPromise());
    }
  }

  /** The client connection (tests, diagnostics). */
  Channel clientChannel() {
    return client;
  }

  /** Bytes written to this flow's two connections and not yet taken by their sockets (diagnostics). */
  long bufferedBytes() {
    return pending(client) + (target == null ? 0 : pending(target));
  }

  private static long pending(@Nullable Channel ch) {
    io.netty.channel.ChannelOutboundBuffer b = ch == null ? null : ch.unsafe().outboundBuffer();
    return b == null ? 0 : b.totalPendingWriteBytes();
  }

  private String describe() {
    return ep + " " + client.remoteAddress();
  }
}
