package io.nlb.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * A handler of a TCP listener socket that takes each accepted connection of a plain TCP listener
 * without connection limits (the common case) past Netty's {@code ServerBootstrap} acceptor: it
 * configures the connection, installs its flow handler ({@link RouteAndConnect}) and registers it
 * with the event loop, in one step. The acceptor would add the {@link AcceptGuard} first, which
 * then replaces itself by the flow handler: a handler context more per connection, a pipeline
 * replace, a registration promise and its listener. Connections of TLS listeners, of listeners
 * with limits and of zero-copy transports go on to the acceptor and the {@link AcceptGuard} as
 * before (their setup needs the registered channel).
 *
 * <p>One per listening socket, confined to its event loop.
 */
final class DirectAccept extends ChannelInboundHandlerAdapter {
  private final Endpoint ep;
  private final AcceptGuard.Connections connections;
  /** The loops accepted connections live on: the listening socket's own with SO_REUSEPORT. */
  private final EventLoopGroup loops;

  DirectAccept(Endpoint ep, AcceptGuard.Connections connections, EventLoopGroup loops) {
    this.ep = ep;
    this.connections = connections;
    this.loops = loops;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (connections.limited || ep.tls != null || ep.transport.zeroCopy || !(msg instanceof SocketChannel ch)) {
      ctx.fireChannelRead(msg);
      return;
    }
    // The options the ServerBootstrap sets as child options (none of them is a system call).
    TcpFlow.configure(ch.config(), ep.transport);
    EventLoop loop = loops.next();
    ch.pipeline().addLast(RouteAndConnect.NAME, new RouteAndConnect(new TcpFlow(ep, ch, null, loop)));
    try {
      // Nothing waits for the registration: the flow starts in channelActive. A registration that
      // fails closes the channel itself.
      loop.register(ch.voidPromise());
    } catch (RuntimeException e) {
      ch.unsafe().closeForcibly();
      TcpFlow.log.warn("nlb transport: {} cannot register an accepted connection", ep, e);
    }
  }
}
