package io.nlb.transport.netty;

/**
 * Which Netty I/O transport the data plane runs on.
 *
 * <p>{@link #AUTO} picks the best one that loads on this machine, in the order {@link #IO_URING},
 * {@link #EPOLL}, {@link #NIO}, and logs its choice. It skips epoll with Netty 4.2.17 and 4.2.18,
 * whose epoll transport loses data written to half-closed connections (asking for {@link #EPOLL}
 * explicitly still works and logs a warning). The native transports need their optional
 * jars ({@code netty-transport-native-epoll} / {@code netty-transport-native-io_uring}, classifier
 * {@code linux-x86_64}) on the class or module path; asking for one that is not usable fails
 * {@link NettyTransport.Builder#build()} with the reason Netty gives.
 */
public enum IoMode {
  /** The best available: io_uring, then epoll, then NIO. */
  AUTO,
  /** Java NIO selectors: always available. */
  NIO,
  /** Linux epoll (native). */
  EPOLL,
  /** Linux io_uring (native). */
  IO_URING
}
