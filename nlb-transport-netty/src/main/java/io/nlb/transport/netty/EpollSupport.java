package io.nlb.transport.netty;

import io.netty.channel.IoEventLoopGroup;
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

  static boolean isIoType(IoEventLoopGroup group) {
    return group.isIoType(EpollIoHandler.class);
  }
}
