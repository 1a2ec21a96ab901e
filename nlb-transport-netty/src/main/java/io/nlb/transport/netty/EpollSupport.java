package io.nlb.transport.netty;

import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import org.jspecify.annotations.Nullable;

/** Every reference to the optional epoll classes lives here, so that NIO runs without them. */
final class EpollSupport {
  private EpollSupport() {}

  static @Nullable Throwable unavailabilityCause() {
    return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
  }

  static IoTransport transport() {
    return new IoTransport(IoMode.EPOLL, EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
        EpollSocketChannel.class, EpollSocketChannel::new, EpollDatagramChannel.class);
  }

  /**
   * IP_BIND_ADDRESS_NO_PORT for target connections: their source address is bound before connect,
   * and this lets the kernel choose the port at connect time, unique per 4-tuple instead of per
   * address, so a busy node does not run out of source ports early.
   */
  static void bindOptions(SocketChannel ch) {
    ch.config().setOption(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
  }

  /**
   * Whether this Netty's epoll transport loses writes to a socket whose input was shut down
   * (half-closed by the peer). In Netty 4.2.17 and 4.2.18 the epoll registration deletes the fd
   * from the epoll set when its interest set becomes empty but later issues EPOLL_CTL_MOD instead
   * of EPOLL_CTL_ADD, so the next time a half-closed socket needs EPOLLOUT the flush fails with
   * {@code epoll_ctl(..) ENOENT} and the rest of the answer is lost. Reproduced by {@code
   * TcpRelayIntegrationTest.halfClose_largeAnswerToASlowReader_arrivesWhole}.
   */
  static boolean halfCloseBroken() {
    io.netty.util.Version v = io.netty.util.Version.identify(EpollSupport.class.getClassLoader())
        .get("netty-transport-classes-epoll");
    String version = v == null ? "" : v.artifactVersion();
    return version.equals("4.2.17.Final") || version.equals("4.2.18.Final");
  }

  static String version() {
    io.netty.util.Version v = io.netty.util.Version.identify(EpollSupport.class.getClassLoader())
        .get("netty-transport-classes-epoll");
    return v == null ? "unknown" : v.artifactVersion();
  }

  static boolean isIoType(IoEventLoopGroup group) {
    return group.isIoType(EpollIoHandler.class);
  }
}
