package io.nlb.transport.netty;

/**
 * Which Netty I/O transport the data plane runs on.
 *
 * <p>{@link #AUTO} picks the best one that loads on this machine, in the order {@link #IO_URING},
 * {@link #EPOLL}, {@link #NIO}, and logs its choice with the reason. It skips epoll with Netty
 * 4.2.17 and 4.2.18, whose epoll transport loses data written to half-closed connections, and
 * io_uring with Netty 4.2.17, whose multishot POLL_ADD misses a TCP reset that arrives right behind
 * data (the flow would end only on its next write or at the idle timeout; the JVM option {@code
 * -Dio.netty.iouring.pollAddMultishotEnabled=false} avoids it, and then AUTO picks io_uring again).
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
   * has a known data-plane bug (see the type's description).
   */
  AUTO,
  /** Java NIO selectors: always available. */
  NIO,
  /** Linux epoll (native). */
  EPOLL,
  /** Linux io_uring (native). */
  IO_URING
}
