package io.nlb.transport.netty;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;

/**
 * Half-closes a relayed connection (sends its FIN) without the exception Netty builds for it.
 * Netty's {@code shutdownOutput()} fails the outbound buffer with a new {@code
 * ChannelOutputShutdownException}, stack trace included, on every call; a proxy half-closes once
 * per connection, so at thousands of connections a second that trace is real CPU. When nothing is
 * queued (the relay calls this once everything is flushed) there is nothing to fail, so the socket
 * is shut down directly: through {@link NioRelaySocketChannel} on NIO, through the native socket on
 * epoll and io_uring, whose channels read their output state from that socket, so {@code
 * isOutputShutdown()} stays true. Anything else, or a failure, falls back to Netty's call.
 * Event-loop only.
 */
final class HalfClose {
  private HalfClose() {}

  static ChannelFuture shutdownOutput(DuplexChannel ch, IoMode mode) {
    ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
    if (out != null && out.isEmpty() && ch.isActive() && !ch.isOutputShutdown()) {
      try {
        if (ch instanceof NioRelaySocketChannel) {
          ((NioRelaySocketChannel) ch).shutdownOutputQuietly();
          return ch.newSucceededFuture();
        }
        if (mode != IoMode.NIO && UnixHalfClose.shutdownOutput(ch)) {
          return ch.newSucceededFuture();
        }
      } catch (IOException e) {
        // Netty's own call below reports it the usual way.
      }
    }
    return ch.shutdownOutput();
  }
}
