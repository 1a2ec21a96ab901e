package io.nlb.transport.netty;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** The channel classes and I/O handler factory of one {@link IoMode}. Immutable. */
final class IoTransport {
  final IoMode mode;
  final IoHandlerFactory handlerFactory;
  /**
   * The listening channel's class; create its channels with {@link #serverChannelFactory} (NIO's has
   * no public constructor).
   */
  final Class<? extends ServerChannel> serverChannel;
  final Class<? extends SocketChannel> socketChannel;
  final Class<? extends DatagramChannel> datagramChannel;
  /**
   * Creates the unregistered channel of a target connection: a constructor reference, so that a
   * new flow pays neither a {@code Bootstrap} nor reflection.
   */
  private final Supplier<? extends SocketChannel> newSocketChannel;
  /**
   * Creates the channel of a target connection to an IPv4 address where the mode can open an
   * IPv4-only socket (epoll): a dual-stack IPv6 socket costs an {@code IPV6_V6ONLY} setsockopt per
   * connection, and the kernel then maps every IPv4 address. Null: {@link #newSocketChannel(boolean)} makes both
   * families.
   */
  private final @Nullable Supplier<? extends SocketChannel> newIpv4SocketChannel;
  /** Creates the listening channels of TCP listeners (a constructor reference, as above). */
  final ChannelFactory<? extends ServerChannel> serverChannelFactory;

  IoTransport(IoMode mode, IoHandlerFactory handlerFactory, Class<? extends ServerChannel> serverChannel,
      Class<? extends SocketChannel> socketChannel, Supplier<? extends SocketChannel> newSocketChannel,
      Class<? extends DatagramChannel> datagramChannel) {
    this(mode, handlerFactory, serverChannel, new ReflectiveChannelFactory<>(serverChannel), socketChannel,
        newSocketChannel, datagramChannel);
  }

  IoTransport(IoMode mode, IoHandlerFactory handlerFactory, Class<? extends ServerChannel> serverChannel,
      ChannelFactory<? extends ServerChannel> serverChannelFactory, Class<? extends SocketChannel> socketChannel,
      Supplier<? extends SocketChannel> newSocketChannel, Class<? extends DatagramChannel> datagramChannel) {
    this(mode, handlerFactory, serverChannel, serverChannelFactory, socketChannel, newSocketChannel, datagramChannel, null);
  }

  private IoTransport(IoMode mode, IoHandlerFactory handlerFactory, Class<? extends ServerChannel> serverChannel,
      ChannelFactory<? extends ServerChannel> serverChannelFactory, Class<? extends SocketChannel> socketChannel,
      Supplier<? extends SocketChannel> newSocketChannel, Class<? extends DatagramChannel> datagramChannel,
      @Nullable Supplier<? extends SocketChannel> newIpv4SocketChannel) {
    this.mode = mode;
    this.handlerFactory = handlerFactory;
    this.serverChannel = serverChannel;
    this.serverChannelFactory = serverChannelFactory;
    this.socketChannel = socketChannel;
    this.newSocketChannel = newSocketChannel;
    this.datagramChannel = datagramChannel;
    this.newIpv4SocketChannel = newIpv4SocketChannel;
  }

  /** This transport, with target connections to IPv4 addresses made by {@code newIpv4SocketChannel}. */
  IoTransport withIpv4SocketChannel(Supplier<? extends SocketChannel> newIpv4SocketChannel) {
    return new IoTransport(mode, handlerFactory, serverChannel, serverChannelFactory, socketChannel, newSocketChannel,
        datagramChannel, newIpv4SocketChannel);
  }

  /** A new, unregistered channel for a target connection to an address of the family {@code ipv4} says. */
  SocketChannel newSocketChannel(boolean ipv4) {
    Supplier<? extends SocketChannel> v4 = newIpv4SocketChannel;
    return ipv4 && v4 != null ? v4.get() : newSocketChannel.get();
  }

  /**
   * Options a target connection whose source address is bound before connecting takes in this
   * mode, besides SO_REUSEADDR (see {@link EpollSupport#bindOptions}).
   */
  void bindOptions(SocketChannel ch) {
    if (mode == IoMode.EPOLL) {
      EpollSupport.bindOptions(ch);
    }
  }

  /**
   * Where this mode shows when a socket last received an ACK, for {@link KeepaliveIdle}: epoll
   * reads {@code TCP_INFO}; NIO and io_uring cannot see keepalives, so the idle timeout counts data
   * only there.
   */
  KeepaliveIdle.AckAge ackAge(io.netty.channel.Channel ch) {
    return mode == IoMode.EPOLL ? EpollSupport.ackAge(ch) : KeepaliveIdle.UNKNOWN;
  }

  /**
   * The SO_REUSEPORT option in this mode, or null where the transport has none (NIO): with it, each
   * event loop gets a listening socket of its own and accepts its connections itself, instead of
   * one loop accepting for all and handing connections over.
   */
  io.netty.channel.@Nullable ChannelOption<Boolean> reusePort() {
    return mode == IoMode.EPOLL || mode == IoMode.IO_URING ? reusePortOption() : null;
  }

  /** Whether {@link #ackAge} shows anything in this mode. */
  boolean acksVisible() {
    return mode == IoMode.EPOLL;
  }

  /**
   * Starts TCP keepalives every {@code seconds} on {@code ch}. Only called where {@link
   * #acksVisible} (a TLS flow starts them after it has seen one), so epoll only.
   */
  void keepalive(io.netty.channel.Channel ch, int seconds) {
    if (mode == IoMode.EPOLL) {
      EpollSupport.keepalive(ch, seconds);
    }
  }

  /**
   * The channel option that sets {@code SO_REUSEPORT} on a listening socket in this mode, NIO
   * included (through the JDK's socket option), for {@link NettyTransportBuilder#reusePort}.
   */
  io.netty.channel.ChannelOption<Boolean> reusePortOption() {
    switch (mode) {
      case EPOLL:
        return EpollSupport.reusePort();
      case IO_URING:
        return IoUringSupport.reusePort();
      default:
        return io.netty.channel.socket.nio.NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT);
    }
  }

  static IoTransport nio() {
    // Relayed connections use NioRelaySocketChannel, which half-closes without an exception (HalfClose).
    return new IoTransport(IoMode.NIO, NioIoHandler.newFactory(), NioRelayServerSocketChannel.class,
        NioRelayServerSocketChannel::new, NioSocketChannel.class, NioRelaySocketChannel::new, NioDatagramChannel.class);
  }

  /** Whether {@code mode} can be used here (AUTO and NIO always). */
  static boolean isAvailable(IoMode mode) {
    return unavailabilityCause(mode) == null;
  }

  /** Why {@code mode} cannot be used, or null when it can. */
  static @Nullable Throwable unavailabilityCause(IoMode mode) {
    try {
      switch (mode) {
        case EPOLL:
          return EpollSupport.unavailabilityCause();
        case IO_URING:
          return IoUringSupport.unavailabilityCause();
        default:
          return null;
      }
    } catch (LinkageError e) {
      return e;
    }
  }

  /**
   * The transport for {@code requested}; for AUTO the best usable one.
   *
   * @throws IllegalStateException when a native mode is asked for and cannot be used
   */
  static IoTransport resolve(IoMode requested) {
    switch (requested) {
      case NIO:
        return nio();
      case EPOLL:
      case IO_URING: {
        Throwable cause = unavailabilityCause(requested);
        if (cause != null) {
          throw new IllegalStateException("ioMode: " + requested + " (expected: an available I/O mode; " + requested
              + " is not usable here: " + cause + ")", cause);
        }
        if (requested == IoMode.EPOLL && EpollSupport.halfCloseLosesWrites()) {
          LoggerFactory.getLogger(IoTransport.class).warn("nlb transport: epoll of Netty {} loses data written to"
              + " half-closed connections (epoll_ctl ENOENT after the interest set became empty); answers to clients"
              + " that shut down their output may be cut off. Use IO_URING or NIO, or a Netty release with the fix",
              EpollSupport.version());
        }
        if (requested == IoMode.IO_URING && IoUringSupport.resetDetectionBroken()) {
          LoggerFactory.getLogger(IoTransport.class).warn("nlb transport: io_uring of Netty {} misses a TCP reset"
              + " that arrives right behind data (multishot POLL_ADD); such flows end only on their next write or at"
              + " the idle timeout. Start the JVM with -Dio.netty.iouring.pollAddMultishotEnabled=false, or use NIO,"
              + " or a Netty release with the fix", IoUringSupport.version());
        }
        return requested == IoMode.EPOLL ? EpollSupport.transport() : IoUringSupport.transport();
      }
      default:
        if (isAvailable(IoMode.IO_URING) && !IoUringSupport.resetDetectionBroken()) {
          return IoUringSupport.transport();
        }
        if (isAvailable(IoMode.EPOLL) && !EpollSupport.halfCloseLosesWrites()) {
          return EpollSupport.transport();
        }
        return nio();
    }
  }

  /**
   * Why {@link IoMode#AUTO} picked what {@link #resolve(IoMode)} returns for it: the native modes it
   * skipped and the reason, for the one log line of the choice.
   */
  static String autoReason() {
    Throwable uring = unavailabilityCause(IoMode.IO_URING);
    Throwable epoll = unavailabilityCause(IoMode.EPOLL);
    return autoReason(uring, uring == null && IoUringSupport.resetDetectionBroken(),
        epoll, epoll == null && EpollSupport.halfCloseLosesWrites());
  }

  /**
   * The reason text from what was found: each native mode's unavailability cause (null when it
   * loads) and whether it is skipped for a known bug. A native transport that is simply not on the
   * class path is the normal case of a library user who did not add one, and reads so, without
   * an exception's name.
   */
  static String autoReason(@Nullable Throwable uring, boolean uringBroken, @Nullable Throwable epoll,
      boolean epollBroken) {
    if (uring == null && !uringBroken) {
      return "io_uring available";
    }
    if (isAbsent(uring) && isAbsent(epoll)) {
      return "no native transport on the class path (add netty-transport-native-io_uring or"
          + " netty-transport-native-epoll with the platform's classifier to use one)";
    }
    StringBuilder why = new StringBuilder();
    if (uring != null) {
      why.append("io_uring ").append(unavailable(uring));
    } else {
      why.append("io_uring skipped: Netty ").append(IoUringSupport.version()).append(" misses TCP resets that arrive"
          + " right behind data (set -Dio.netty.iouring.pollAddMultishotEnabled=false to allow it)");
    }
    why.append("; ");
    if (epoll != null) {
      why.append("epoll ").append(unavailable(epoll));
    } else if (epollBroken) {
      why.append("epoll skipped: Netty ").append(EpollSupport.version())
          .append(" loses writes to half-closed sockets");
    } else {
      why.append("epoll available");
    }
    return why.toString();
  }

  /** Whether {@code cause} says the transport's classes are not on the class path at all. */
  static boolean isAbsent(@Nullable Throwable cause) {
    return cause instanceof NoClassDefFoundError || cause instanceof ClassNotFoundException
        || (cause != null && cause.getCause() instanceof ClassNotFoundException);
  }

  /** One line saying why a native transport cannot be used, without a stack trace. */
  static String unavailable(Throwable cause) {
    if (isAbsent(cause)) {
      return "not on the class path";
    }
    if (cause instanceof UnsatisfiedLinkError) {
      return "native library did not load (" + firstLine(cause.getMessage()) + ")";
    }
    return "unavailable: " + firstLine(cause.toString());
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "no detail";
    }
    int nl = s.indexOf('\n');
    String line = (nl < 0 ? s : s.substring(0, nl)).strip();
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** The transport whose channels can register with {@code group}. */
  static IoTransport forGroup(EventLoopGroup group, IoMode requested) {
    if (requested != IoMode.AUTO) {
      return resolve(requested);
    }
    if (group instanceof IoEventLoopGroup) {
      IoEventLoopGroup g = (IoEventLoopGroup) group;
      if (g.isIoType(NioIoHandler.class)) {
        return nio();
      }
      if (isAvailable(IoMode.EPOLL) && EpollSupport.isIoType(g)) {
        return EpollSupport.transport();
      }
      if (isAvailable(IoMode.IO_URING) && IoUringSupport.isIoType(g)) {
        return IoUringSupport.transport();
      }
    }
    throw new IllegalArgumentException("eventLoopGroup: " + group
        + " (expected: an IoEventLoopGroup of NIO, epoll or io_uring handlers; or name its ioMode)");
  }
}
