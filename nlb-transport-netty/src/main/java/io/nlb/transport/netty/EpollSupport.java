package io.nlb.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import org.jspecify.annotations.Nullable;

/** Every reference to the optional epoll classes lives here, so that NIO runs without them. */
final class EpollSupport {
  private EpollSupport() {}

  static @Nullable Throwable unavailabilityCause() {
    return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
  }

  static IoTransport transport() {
    return new IoTransport(IoMode.EPOLL, EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
        EpollSocketChannel.class, EpollDatagramChannel.class);
  }

  /**
   * Edge-triggered mode for relayed sockets. With level-triggered mode, Netty 4.2.17 removes a
   * socket from the epoll set when its interest set becomes empty (input shut down by a half-close,
   * nothing pending to write) but later modifies it instead of adding it back, failing with
   * {@code epoll_ctl(..) ENOENT} as soon as the half-closed side needs EPOLLOUT. EPOLLET keeps
   * the interest set non-empty, so the socket stays registered.
   */
  static void relayOptions(ServerBootstrap b) {
    b.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.EDGE_TRIGGERED);
  }

  /**
   * Edge-triggered mode as above, and IP_BIND_ADDRESS_NO_PORT: the source address is bound before
   * connect, and this lets the kernel choose the port at connect time, unique per 4-tuple instead
   * of per address.
   */
  static void relayOptions(Bootstrap b) {
    b.option(EpollChannelOption.EPOLL_MODE, EpollMode.EDGE_TRIGGERED);
    b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
  }

  static boolean isIoType(IoEventLoopGroup group) {
    return group.isIoType(EpollIoHandler.class);
  }
}
