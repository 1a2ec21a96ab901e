package io.nlb.transport.netty;

/**
 * Which Netty I/O transport the data plane runs on.
 *
 * <p>{@link #AUTO} picks the best one that loads on this machine, in the order {@link #IO_URING},
 * {@link #EPOLL}, {@link #NIO}, and logs its choice with the reason. The epoll transport of Netty
 * 4.2.17 and 4.2.18 loses data written to half-closed connections; the library works around it
 * (it keeps such sockets registered), and AUTO skips epoll only if that workaround is off. io_uring
 * of those releases misses a TCP reset that arrives right behind data when Netty arms multishot
 * POLL_ADD; the transport therefore sets {@code -Dio.netty.iouring.pollAddMultishotEnabled=false}
 * itself (unless the JVM already has a value), and AUTO skips io_uring only where multishot is still
 * on (the user set it to {@code true}, or Netty's io_uring was initialized before the transport).
 * Asking for {@link #EPOLL} or {@link #IO_URING} explicitly still works and logs a warning. The
 * native transports need their optional
 * jars ({@code netty-transport-native-epoll} / {@code netty-transport-native-io_uring}, classifier
 * {@code linux-x86_64}) on the class or module path; asking for one that is not usable fails
 * {@link NettyTransportBuilder#build()} with the reason Netty gives.
 *
 * @since 0.1
 */
public enum IoMode {
  /**
   * The best available: io_uring, then epoll, then NIO, skipping a native mode whose Netty release
   * has a known data-plane bug the library does not work around (see the type's description).
   */
  AUTO,
  /** Java NIO selectors: always available. */
  NIO,
  /** Linux epoll (native). */
  EPOLL,
  /** Linux io_uring (native). */
  IO_URING
}
