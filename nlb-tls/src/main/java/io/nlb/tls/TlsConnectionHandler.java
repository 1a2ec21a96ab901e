package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lives after the SslHandler for the whole connection: owns the handshake timeout (from the moment
 * the connection was set up, so a client that never sends a ClientHello is cut too), arms the
 * renegotiation guard, counts plaintext bytes both ways and writes the access-log entry on close.
 */
final class TlsConnectionHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(TlsConnectionHandler.class);
  // RFC 8446 section 6 alert descriptions, by the names JSSE prints in "Received fatal alert: x".
  private static final Map<String, Integer> ALERTS = Map.ofEntries(
      Map.entry("close_notify", 0), Map.entry("unexpected_message", 10), Map.entry("bad_record_mac", 20),
      Map.entry("record_overflow", 22), Map.entry("handshake_failure", 40), Map.entry("bad_certificate", 42),
      Map.entry("unsupported_certificate", 43), Map.entry("certificate_revoked", 44), Map.entry("certificate_expired", 45),
      Map.entry("certificate_unknown", 46), Map.entry("illegal_parameter", 47), Map.entry("unknown_ca", 48),
      Map.entry("access_denied", 49), Map.entry("decode_error", 50), Map.entry("decrypt_error", 51),
      Map.entry("protocol_version", 70), Map.entry("insufficient_security", 71), Map.entry("internal_error", 80),
      Map.entry("inappropriate_fallback", 86), Map.entry("user_canceled", 90), Map.entry("missing_extension", 109),
      Map.entry("unsupported_extension", 110), Map.entry("unrecognized_name", 112), Map.entry("no_application_protocol", 120));

  private final TlsTermination termination;
  private final TlsListenerState state;
  private final RenegotiationGuard guard;
  private final long startNanos = System.nanoTime();
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

  TlsConnectionHandler(TlsTermination termination, TlsListenerState state, RenegotiationGuard guard) {
    this.termination = termination;
    this.state = state;
    this.guard = guard;
  }

  void clientHello(TlsCertificate certificate, ClientHello hello) {
    this.certificate = certificate;
    this.hello = hello;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> {
      if (handshakeNanos < 0 && ctx.channel().isOpen()) {
        log.debug("{}: TLS handshake not finished within {}, closing", ctx.channel(), state.handshakeTimeout());
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
        handshakeNanos = System.nanoTime() - startNanos;
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
          }
        }
      } else {
        noteAlert(e.cause());
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
    super.exceptionCaught(ctx, cause);
  }

  private void noteAlert(@Nullable Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String m = t.getMessage();
      int at = m == null ? -1 : m.indexOf("Received fatal alert: ");
      if (m != null && at >= 0) {
        String name = m.substring(at + "Received fatal alert: ".length()).trim();
        Integer code = ALERTS.get(name);
        if (code != null) {
          alert = code;
        }
        return;
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
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
    long now = System.nanoTime();
    boolean alpnConfigured = !state.alpnPolicy().protocols().isEmpty();
    List<String> clientList = alpnConfigured ? hello.alpnProtocols() : null;
    String backend = ctx.channel().attr(TlsTermination.BACKEND_ALPN).get();
    TlsCertificate cert = certificate;
    sink.accept(new TlsAccessLogEntry(Instant.now(termination.clock()), termination.elbId(), termination.listenerId(),
        inet(ctx.channel().remoteAddress()), inet(ctx.channel().localAddress()),
        TimeUnit.NANOSECONDS.toMillis(now - startNanos), handshakeNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(handshakeNanos),
        received, sent, alert, cert == null || hello == ClientHello.EMPTY ? null : cert.id(), cipher, protocol,
        hello.serverName(), alpnConfigured ? alpn : null, alpnConfigured ? backend : null, clientList));
  }

  private static InetSocketAddress inet(@Nullable SocketAddress a) {
    return a instanceof InetSocketAddress i ? i : InetSocketAddress.createUnresolved("0.0.0.0", 0);
  }
}
