package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.nlb.core.ListenerRoute;
import io.nlb.core.Protocol;
import io.nlb.core.RouteSlot;
import io.nlb.core.RouteTarget;
import io.nlb.core.routing.IpProtocol;
import io.nlb.proxyprotocol.ProxiedProtocol;
import io.nlb.proxyprotocol.ProxyV2Encoder;
import io.nlb.proxyprotocol.TransportProtocol;
import io.nlb.tls.TlsOrigination;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The client connection's handler from accept until the target connection is ready: routes the
 * flow ({@link FlowRouting}), opens the target connection on the same event loop, writes the
 * PROXY v2 header, starts TLS towards TLS target groups, and then replaces itself (name {@code
 * nlb-client}) by the client's {@link RelaySide}, handing over the client bytes that arrived
 * meanwhile. A plain TCP flow starts when the connection is active; a TLS flow when its client's
 * handshake has succeeded ({@link SslHandshakeCompletionEvent}), so a failed handshake opens no
 * target connection and is counted as {@code ClientTLSNegotiationErrorCount} only.
 *
 * <p>One instance per connection, confined to its event loop; it is also the target connection's
 * connect listener (one object less per flow).
 */
final class RouteAndConnect extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
  /** The name of the client connection's flow handler: this one, then the client's relay side. */
  static final String NAME = "nlb-client";

  private final TcpFlow flow;
  /** Set when the target group is TLS: re-encrypt towards the target. */
  private @Nullable TlsOrigination origination;
  /** The PROXY v2 encoder when the target group wants a header, else null. */
  private @Nullable ProxyV2Encoder proxyHeader;
  private long idleNanos;
  /**
   * Client data read before the target connection is up. With AUTO_READ off the flow does not ask
   * for it, but epoll reads what is buffered when it sees the client's FIN (EPOLLRDHUP).
   */
  private @Nullable ArrayDeque<ByteBuf> early;

  RouteAndConnect(TcpFlow flow) {
    this.flow = flow;
  }

  /**
   * Installs a new flow on an accepted connection: replaces the handler of {@code ctx} (the
   * endpoint's {@link AcceptGuard}) by a {@code RouteAndConnect}, and on TLS listeners puts the TLS
   * termination in front of it.
   */
  static void install(Endpoint ep, ChannelHandlerContext ctx) {
    SocketChannel ch = (SocketChannel) ctx.channel();
    TlsFrontend tls = ep.tls;
    TcpFlow flow = new TcpFlow(ep, ch, tls);
    ctx.pipeline().replace(ctx.name(), NAME, new RouteAndConnect(flow));
    if (tls != null) {
      ch.pipeline().addFirst(tls.termination.newHandler());
      ch.pipeline().addFirst(ep.tlsBytes);
      HandshakeGuard.install(ep, ch);
    }
  }

  // ------------------------------------------------------------------ client events before the relay

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    TcpFlow f = flow;
    if (f.tls == null) {
      start();
    } else if (f.ep.closing) {
      f.finished = true;
      TcpFlow.reset(f.client);
    } else {
      // Let the TLS handlers read the ClientHello; start() runs once the handshake succeeded.
      f.client.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (flow.finished || flow.pendingEnd != null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    flow.touch();
    ArrayDeque<ByteBuf> q = early;
    if (q == null) {
      q = new ArrayDeque<>(2);
      early = q;
    }
    q.add((ByteBuf) msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Nothing to flush or read on until the target is connected.
    flow.readBatchDone(ctx.channel());
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // The target is not reading yet; only the buffer bound is counted.
    flow.ep.bufferWatch.writabilityChanged(ctx.channel());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    TcpFlow f = flow;
    if (evt instanceof SslHandshakeCompletionEvent e) {
      // A failure was counted and the connection closed by the TLS handlers.
      if (e.isSuccess()) {
        HandshakeGuard.handshakeDone(f.client);
        if (f.tls != null && !f.finished && f.registered == null) {
          start();
        }
      }
    } else if (evt instanceof ChannelInputShutdownEvent) {
      // Forwarded by the relay once the target connection is ready.
      f.clientEof = true;
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    TcpFlow f = flow;
    f.ep.bufferWatch.inactive(ctx.channel());
    if (!f.finished) {
      if (f.tls != null && !f.opened) {
        // The TLS handshake never finished: no flow, nothing to reset (the TLS handlers count it).
        f.finished = true;
      } else {
        f.end(TcpFlow.End.CLIENT_RESET);
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    flow.clientSide.exceptionCaught(ctx, cause);
  }

  /** Releases the client bytes still held when the connection closed before the target was ready. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ArrayDeque<ByteBuf> q = early;
    if (q != null) {
      early = null;
      ByteBuf b;
      while ((b = q.poll()) != null) {
        b.release();
      }
    }
  }

  // ------------------------------------------------------------------ route

  /** Routes the flow and starts connecting; resets the client when it cannot be routed. */
  private void start() {
    TcpFlow f = flow;
    Endpoint ep = f.ep;
    SocketChannel client = f.client;
    if (ep.closing) {
      TcpFlow.reset(client);
      return;
    }
    InetSocketAddress remote = client.remoteAddress();
    InetSocketAddress local = client.localAddress();
    if (remote == null || local == null
        || !FlowRouting.route(ep, IpProtocol.TCP, remote, local, ThreadLocalRandom.current().nextInt(), f)) {
      f.lbResetClient();
      return;
    }
    RouteSlot.Route chosen = f.slotRoute;
    ListenerRoute route = f.route;
    RouteTarget t = f.chosen;
    InetSocketAddress address = f.address;
    if (chosen == null || route == null || t == null || address == null) {
      f.lbResetClient();
      return;
    }
    if (route.targetProtocol() == Protocol.TLS) {
      TlsFrontend fe = f.tls;
      TlsOrigination o = fe == null ? null : fe.origination;
      if (o == null) {
        // The core allows TLS groups behind TLS listeners only, and apply() builds the
        // origination before publishing the snapshot that needs it.
        TcpFlow.log.warn("nlb flow {}: {} forwards to the TLS group {} but no TLS origination is set up", f.describe(),
            route.config().path(), route.targetGroup());
        f.lbResetClient();
        return;
      }
      origination = o;
    }
    f.registered = t;
    f.opened = true;
    ep.metrics.tcpFlowOpened(f.tls != null);
    ep.transport.flowOpened(f, ep.state, true);
    if (FlowRouting.removedWithTermination(ep, chosen, t)) {
      f.end(TcpFlow.End.LB_RESET);
      return;
    }
    if (FlowRouting.unhealthy(ep, t)) {
      f.unhealthy = true;
    }
    FlowSettings settings = FlowSettings.of(ep, route);
    idleNanos = settings.idleNanos;
    if (settings.proxyProtocolV2) {
      String vpce = settings.vpcEndpointId;
      proxyHeader = f.tls != null && settings.proxyProtocolV2TlsTlvs
          ? ProxyEncoders.withTls(vpce, client) : ProxyEncoders.encoder(vpce);
    }
    InetAddress src = ep.source(settings.preserveClientIp, remote.getAddress(), address.getAddress());
    openTarget(address, src == null ? null : new InetSocketAddress(src, 0));
  }

  // ------------------------------------------------------------------ connect

  private void openTarget(InetSocketAddress address, @Nullable InetSocketAddress source) {
    TcpFlow f = flow;
    Endpoint ep = f.ep;
    // The channel is made and configured here rather than by a Bootstrap: a Bootstrap per flow
    // costs an options map, reflection to create the channel and an address resolver lookup,
    // and it would set every option (a setsockopt each) whether or not this connection needs it.
    SocketChannel ch;
    try {
      ch = ep.transport.io.newSocketChannel(address.getAddress() instanceof java.net.Inet4Address);
    } catch (RuntimeException e) {
      // No socket for the target connection: this process is out of file descriptors (or the
      // platform refused a socket). Not the target's fault, so no passive health signal.
      if (AcceptErrors.isOutOfFiles(e)) {
        ep.outOfFiles(f.describe(), e);
      } else {
        TcpFlow.log.warn("nlb flow {} -> {}: cannot create the target connection's socket", f.describe(), f.registered, e);
      }
      f.end(TcpFlow.End.LB_RESET);
      return;
    }
    f.target = ch;
    SocketChannelConfig c = ch.config();
    TcpFlow.configure(c, ep.transport);
    c.setConnectTimeoutMillis(ep.transport.connectTimeoutMillis);
    // TCP_NODELAY: Netty's socket channels of every mode enable it when created.
    if (source != null) {
      // The source is bound before connecting; without SO_REUSEADDR, bind() cannot pick a port
      // that any socket on that address still holds (TIME_WAIT included), and a busy node runs
      // out of ports long before its 4-tuples are exhausted.
      c.setReuseAddress(true);
      ep.transport.io.bindOptions(ch);
    }
    f.targetSide.prepare(ch);
    // Named, so that Netty does not derive a unique name from the class for every connection.
    ch.pipeline().addLast("nlb-target", f.targetSide);
    // On this event loop, registration completes before register() returns.
    ChannelFuture reg = f.loop.register(ch);
    if (reg.isDone()) {
      connectTarget(reg, address, source);
    } else {
      reg.addListener((ChannelFutureListener) r -> connectTarget(r, address, source));
    }
  }

  private void connectTarget(ChannelFuture registration, InetSocketAddress address, @Nullable InetSocketAddress source) {
    Channel t = registration.channel();
    if (!registration.isSuccess()) {
      // The event loop is shutting down.
      t.unsafe().closeForcibly();
      flow.end(TcpFlow.End.LB_RESET);
      return;
    }
    ChannelFuture f = source == null ? t.connect(address) : t.connect(address, source);
    f.addListener(this);
  }

  /** The target connection's connect outcome. */
  @Override
  public void operationComplete(ChannelFuture f) {
    connected(f);
  }

  private void connected(ChannelFuture cf) {
    TcpFlow f = flow;
    Endpoint ep = f.ep;
    if (!f.loop.inEventLoop()) {
      // A connect that failed before it had a channel (no file descriptor for the socket) completes
      // on Netty's global executor: come back to the flow's loop, which owns its state.
      f.loop.execute(() -> connected(cf));
      return;
    }
    if (f.finished) {
      TcpFlow.reset(cf.channel());
      return;
    }
    if (!cf.isSuccess()) {
      Throwable cause = cf.cause();
      if (TcpFlow.isBindFailure(cause)) {
        ep.metrics.portAllocationErrors.increment();
        if (ep.warnedBindFailure) {
          TcpFlow.log.debug("nlb flow {} -> {}: cannot bind the source address: {}", f.describe(), f.registered,
              String.valueOf(cause));
        } else {
          ep.warnedBindFailure = true;
          TcpFlow.log.warn("nlb flow {} -> {}: cannot bind the source address for the target connection: {}. With"
            + " preserve_client_ip.enabled=true the client's address must be local to this host (true on loopback);"
            + " for remote clients disable preserve_client_ip.enabled on the target group (later failures of this"
            + " listener socket are logged at DEBUG and counted in PortAllocationErrorCount)", f.describe(), f.registered,
            String.valueOf(cause));
        }
      } else if (AcceptErrors.isOutOfFiles(cause)) {
        // This process is out of file descriptors: not the target's fault, so no passive health signal.
        ep.outOfFiles(f.describe(), cause);
      } else {
        TcpFlow.log.debug("nlb flow {} -> {}: connect failed: {}", f.describe(), f.registered, String.valueOf(cause));
        ep.slot.passiveHealth().connectFailed(f.target());
      }
      f.end(TcpFlow.End.LB_RESET);
      return;
    }
    ep.slot.passiveHealth().connected(f.target());
    Channel t = cf.channel();
    IdleTimeout idle = new IdleTimeout(f, idleNanos);
    f.idle = idle;
    idle.start();
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
        ssl = o.newHandler(f.client, t);
      } catch (RuntimeException e) {
        TcpFlow.log.warn("nlb flow {} -> {}: cannot start TLS to the target", f.describe(), f.registered, e);
        f.end(TcpFlow.End.LB_RESET);
        return;
      }
      t.pipeline().addFirst(ssl);
      t.pipeline().addFirst(ep.tlsBytes);
      ssl.handshakeFuture().addListener(h -> {
        if (f.finished) {
          return;
        }
        if (h.isSuccess()) {
          relay(t);
        } else {
          // Counted as TargetTLSNegotiationErrorCount by TlsErrors.LISTENER; the client is reset.
          TcpFlow.log.debug("nlb flow {} -> {}: TLS handshake with the target failed: {}", f.describe(), f.registered,
              String.valueOf(h.cause()));
          f.end(TcpFlow.End.LB_RESET);
        }
      });
      t.read();
      return;
    }
    if (f.tls != null) {
      t.pipeline().addFirst(ep.tlsBytes);
    }
    relay(t);
  }

  /**
   * The PROXY v2 header goes first on the target connection: the client's address as source, the
   * listener's address (this node) as destination, and the VPC endpoint TLV when the listener is
   * reached through one. Client bytes follow untouched, including any header the client sent.
   */
  private void writeProxyHeader(ProxyV2Encoder encoder, Channel t) {
    InetSocketAddress src = flow.client.remoteAddress();
    InetSocketAddress dst = flow.client.localAddress();
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

  // ------------------------------------------------------------------ hand-over

  /**
   * The target connection is ready for client bytes: the bytes kept meanwhile go first, then this
   * handler gives its place to the client's relay side, and both sides start reading.
   */
  private void relay(Channel t) {
    TcpFlow f = flow;
    f.connected = true;
    ArrayDeque<ByteBuf> q = early;
    if (q != null) {
      early = null;
      ByteBuf b;
      while ((b = q.poll()) != null) {
        if (f.tls == null && !f.splice) {
          f.ep.metrics.tcpBytes(b.readableBytes());
        }
        t.write(b, t.voidPromise());
      }
      t.flush();
    }
    f.client.pipeline().replace(this, NAME, f.clientSide);
    f.clientSide.start(t);
  }
}
