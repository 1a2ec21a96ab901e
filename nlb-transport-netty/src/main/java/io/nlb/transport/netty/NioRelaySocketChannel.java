package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;

/**
 * The NIO channel of relayed connections, client and target side: a {@link NioSocketChannel} that
 * can half-close without failing its (empty) outbound buffer, see {@link HalfClose}. Confined to its
 * event loop like any channel.
 */
final class NioRelaySocketChannel extends NioSocketChannel {
  /** A target connection, not yet connected. */
  NioRelaySocketChannel() {}

  /** An accepted client connection. */
  NioRelaySocketChannel(Channel parent, java.nio.channels.SocketChannel socket) {
    super(parent, socket);
  }

  /** Sends the FIN; the socket then reports its output shut down, as Netty's call leaves it. */
  void shutdownOutputQuietly() throws IOException {
    javaChannel().shutdownOutput();
  }
}
