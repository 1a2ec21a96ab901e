package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a TLS connection: reads the ClientHello, selects the certificate (and, where
 * the listener runs both providers, the provider) against the listener snapshot current at accept
 * time, and replaces itself with the {@link SslHandler}.
 * Installs the {@link RenegotiationGuard} before itself and the {@link TlsConnectionHandler}
 * after itself, and a {@link FlightWriter} just before the SslHandler for the handshake.
 */
final class TlsServerHandler extends SslClientHelloHandler<TlsServerHandler.Selection> {
  private static final Logger log = LoggerFactory.getLogger(TlsServerHandler.class);

  record Selection(TlsCertificate certificate, ClientHello hello, SslContext context) {}

  private final TlsTermination termination;
  private final TlsListenerState state;
  private @org.jspecify.annotations.Nullable TlsConnectionHandler connection;
  private @org.jspecify.annotations.Nullable RenegotiationGuard guard;

  TlsServerHandler(TlsTermination termination) {
    this.termination = termination;
    this.state = termination.state(); // read once: this connection keeps this snapshot
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    RenegotiationGuard g = new RenegotiationGuard();
    TlsConnectionHandler c = new TlsConnectionHandler(termination, state, g);
    guard = g;
    connection = c;
    ctx.pipeline().addBefore(ctx.name(), null, g);
    ctx.pipeline().addAfter(ctx.name(), null, c);
    super.handlerAdded(ctx);
  }

  @Override
  protected Future<Selection> lookup(ChannelHandlerContext ctx, @org.jspecify.annotations.Nullable ByteBuf clientHello) {
    if (clientHello == null) {
      // Netty's reader found no TLS ClientHello: bytes that are not TLS, a record of another type, or
      // an SSLv2-format hello (no policy allows SSLv2Hello). Fail here rather than hand the bytes to
      // the SslHandler, so the failure is reported once and nothing reaches later handlers.
      return ctx.executor().newFailedFuture(new NotSslRecordException("not a TLS ClientHello"));
    }
    ClientHello hello = ClientHello.parse(clientHello);
    TlsCertificate cert = CertificateSelector.select(state.defaultCertificate(), state.certificates(), hello.serverName(),
        hello.capabilities(state.policy()), Instant.now(termination.clock()));
    return ctx.executor().newSucceededFuture(new Selection(cert, hello, state.context(cert, hello)));
  }

  @Override
  protected void onLookupComplete(ChannelHandlerContext ctx, Future<Selection> future) {
    Selection s = future.getNow();
    TlsConnectionHandler c = connection;
    if (!future.isSuccess() || s == null) {
      Throwable cause = future.cause();
      log.debug("{}: TLS negotiation failed: {}", ctx.channel(), String.valueOf(cause));
      if (c != null) {
        c.helloRejected(ctx, cause == null ? new NotSslRecordException("no ClientHello") : cause);
      }
      ctx.close();
      return;
    }
    if (c != null) {
      c.clientHello(s.certificate(), s.hello());
    }
    SslHandler ssl = s.context().newHandler(ctx.alloc());
    TlsContexts.preferServerOrder(ssl.engine());
    ssl.setHandshakeTimeoutMillis(0); // TlsConnectionHandler owns the timeout, from accept on
    ctx.pipeline().addBefore(ctx.name(), null, new FlightWriter(ssl.handshakeFuture()));
    ctx.pipeline().replace(this, SslHandler.class.getName(), ssl);
  }
}
