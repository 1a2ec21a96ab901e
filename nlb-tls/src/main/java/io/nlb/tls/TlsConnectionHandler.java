package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lives after the SslHandler for the whole connection: owns the handshake timeout (from the moment
 * the connection was set up, so a client that never sends a ClientHello is cut too), arms the
 * renegotiation guard, counts plaintext bytes both ways, reports a failed negotiation once to the
 * {@link TlsNegotiationListener} (and ends it here), and writes the access-log entry on close.
 */
final class TlsConnectionHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(TlsConnectionHandler.class);
  private final TlsTermination termination;
  private final TlsListenerState state;
  private final RenegotiationGuard guard;
  private final long startNanos;
  private long handshakeNanos = -1;
  private long received;
  private long sent;
  private int alert = -1;
  private @Nullable TlsCertificate certificate;
  private ClientHello hello = ClientHello.EMPTY;
  private @Nullable CipherSuite cipher;
  private @Nullable TlsVersion protocol;
  private @Nullable String alpn;
  private @Nullable ScheduledFuture<?> timeout;
  private boolean logged;
  private boolean failureReported;

  TlsConnectionHandler(TlsTermination termination, TlsListenerState state, RenegotiationGuard guard) {
    this.termination = termination;
    this.state = state;
    this.guard = guard;
    this.startNanos = termination.nanoTime();
  }

  void clientHello(TlsCertificate certificate, ClientHello hello) {
    this.certificate = certificate;
    this.hello = hello;
  }

  @Nullable String serverName() {
    return hello.serverName();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> {
      if (handshakeNanos < 0 && ctx.channel().isOpen()) {
        log.debug("{}: TLS handshake not finished within {}, closing", ctx.channel(), state.handshakeTimeout());
        reportFailure(ctx, new SslHandshakeTimeoutException("handshake not finished within " + state.handshakeTimeout()));
        try {
          termination.negotiationListener().clientHandshakeTimedOut(ctx.channel());
        } catch (RuntimeException e) {
          log.warn("{}: negotiation listener failed", ctx.channel(), e);
        }
        ctx.close();
      }
    }, state.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e) {
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      if (e.isSuccess()) {
        handshakeNanos = Math.max(0, termination.nanoTime() - startNanos);
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl != null) {
          SSLSession session = ssl.engine().getSession();
          cipher = CipherSuite.find(session.getCipherSuite());
          try {
            protocol = TlsVersion.ofProtocolName(session.getProtocol());
          } catch (IllegalArgumentException ex) {
            protocol = null;
          }
          alpn = ssl.applicationProtocol();
          if (protocol != TlsVersion.TLS_1_3) {
            guard.arm();
          } else if (ssl.engine() instanceof ReferenceCountedOpenSslEngine openSsl && OpenSslTickets.emit(openSsl)) {
            ctx.flush(); // BoringSSL holds TLS 1.3 tickets until the first write (OpenSslTickets): they go now
          }
        }
      } else {
        noteAlert(e.cause());
        reportFailure(ctx, e.cause());
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf b) {
      received += b.readableBytes();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof ByteBuf b) {
      sent += b.readableBytes();
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    noteAlert(cause);
    if (handshakeNanos < 0) {
      // A negotiation error (bytes that are not TLS, a refused hello, a fatal alert): reported once
      // through the listener and ended here; the handlers after this one only ever see a handshaken
      // connection.
      log.debug("{}: TLS negotiation failed: {}", ctx.channel(), cause.toString());
      reportFailure(ctx, cause);
      ctx.close();
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  private void noteAlert(@Nullable Throwable cause) {
    int code = Alerts.received(cause);
    if (code >= 0) {
      alert = code;
    }
  }

  /** The ClientHello reader gave up (not TLS, an SSLv2-format hello): report, and the reader closes. */
  void helloRejected(ChannelHandlerContext ctx, Throwable cause) {
    reportFailure(ctx, cause);
  }

  private void reportFailure(ChannelHandlerContext ctx, Throwable cause) {
    if (failureReported || handshakeNanos >= 0 || !guard.sawBytes()) {
      return;
    }
    failureReported = true;
    try {
      termination.negotiationListener().clientNegotiationFailed(ctx.channel(), cause);
    } catch (RuntimeException e) {
      log.warn("{}: negotiation listener failed", ctx.channel(), e);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    if (handshakeNanos < 0) {
      reportFailure(ctx, new SSLHandshakeException("connection closed before the TLS handshake finished"));
    }
    writeEntry(ctx);
    super.channelInactive(ctx);
  }

  private void writeEntry(ChannelHandlerContext ctx) {
    Consumer<TlsAccessLogEntry> sink = termination.accessLog();
    if (sink == null || logged) {
      return;
    }
    logged = true;
    long now = termination.nanoTime();
    boolean alpnConfigured = !state.alpnPolicy().protocols().isEmpty();
    List<String> clientList = alpnConfigured ? hello.alpnProtocols() : null;
    String backend = ctx.channel().attr(TlsTermination.BACKEND_ALPN).get();
    TlsCertificate cert = certificate;
    sink.accept(new TlsAccessLogEntry(Instant.now(termination.clock()), termination.elbId(), termination.listenerId(),
        inet(ctx.channel().remoteAddress()), inet(ctx.channel().localAddress()),
        TimeUnit.NANOSECONDS.toMillis(Math.max(0, now - startNanos)), handshakeNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(handshakeNanos),
        received, sent, alert, cert == null || hello == ClientHello.EMPTY ? null : cert.id(), cipher, protocol,
        hello.serverName(), alpnConfigured ? alpn : null, alpnConfigured ? backend : null, clientList));
  }

  private static InetSocketAddress inet(@Nullable SocketAddress a) {
    return a instanceof InetSocketAddress i ? i : InetSocketAddress.createUnresolved("0.0.0.0", 0);
  }
}
