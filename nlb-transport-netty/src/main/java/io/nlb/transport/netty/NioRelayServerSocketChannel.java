package io.nlb.transport.netty;

import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NIO listening socket of TCP listeners: accepts into {@link NioRelaySocketChannel}s. Confined
 * to its event loop like any channel.
 */
final class NioRelayServerSocketChannel extends NioServerSocketChannel {
  private static final Logger log = LoggerFactory.getLogger(NioRelayServerSocketChannel.class);

  @Override
  protected int doReadMessages(List<Object> buf) throws Exception {
    java.nio.channels.SocketChannel ch = javaChannel().accept();
    if (ch == null) {
      return 0;
    }
    try {
      buf.add(new NioRelaySocketChannel(this, ch));
      return 1;
    } catch (RuntimeException e) {
      log.warn("nlb transport: could not set up an accepted connection", e);
      try {
        ch.close();
      } catch (IOException e2) {
        log.debug("nlb transport: closing a connection that could not be set up", e2);
      }
      return 0;
    }
  }
}
