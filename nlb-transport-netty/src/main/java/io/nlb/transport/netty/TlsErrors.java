package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.nlb.tls.TlsNegotiationListener;
import org.jspecify.annotations.Nullable;

/**
 * TLS accounting of the data plane: {@link #LISTENER} counts failed negotiations and handshake
 * timeouts, {@link Bytes} counts the TLS bytes read. Both find the zone's metrics through the
 * {@link Bytes} handler that every TLS connection (client side, and target side of TLS groups)
 * carries first in its pipeline, so nothing is allocated per connection for them.
 */
final class TlsErrors {
  private TlsErrors() {}

  /**
   * Counts {@code ClientTLSNegotiationErrorCount}, {@code RejectedFlowCount_TlsHandshakeTimeout}
   * and {@code TargetTLSNegotiationErrorCount} on the zone of the failed channel. Stateless and
   * thread-safe; called on the channel's event loop.
   */
  static final TlsNegotiationListener LISTENER = new TlsNegotiationListener() {
    @Override
    public void clientNegotiationFailed(Channel client, Throwable cause) {
      ZoneMetrics m = metrics(client);
      if (m != null) {
        m.clientTlsErrors.increment();
      }
    }

    @Override
    public void clientHandshakeTimedOut(Channel client) {
      ZoneMetrics m = metrics(client);
      if (m != null) {
        m.rejectedTlsHandshakeTimeout.increment();
      }
    }

    @Override
    public void targetNegotiationFailed(Channel target, Throwable cause) {
      ZoneMetrics m = metrics(target);
      if (m != null) {
        m.targetTlsErrors.increment();
      }
    }
  };

  private static @Nullable ZoneMetrics metrics(Channel ch) {
    Bytes b = ch.pipeline().get(Bytes.class);
    return b == null ? null : b.metrics;
  }

  /**
   * First in the pipelines of TLS flows: counts the bytes read from the socket, TLS records as
   * they arrive (overhead and handshake included), as {@code ProcessedBytes_TLS}. Shared by the
   * connections of one endpoint.
   */
  @ChannelHandler.Sharable
  static final class Bytes extends ChannelInboundHandlerAdapter {
    final ZoneMetrics metrics;

    Bytes(ZoneMetrics metrics) {
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
}
