package io.nlb.transport.netty;

import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.jspecify.annotations.Nullable;

/** Every reference to the optional io_uring classes lives here, so that NIO runs without them. */
final class IoUringSupport {
  /** Netty's switch for multishot POLL_ADD, read once when its {@code IoUring} class initializes. */
  static final String MULTISHOT_PROPERTY = "io.netty.iouring.pollAddMultishotEnabled";

  static {
    // The work-around for resetDetectionBroken(): one-shot polls see a reset that arrives right
    // behind data. It must be in place before IoUring initializes, so it is set here, before this
    // class touches IoUring; a value the user set (true or false) is left alone.
    if (System.getProperty(MULTISHOT_PROPERTY) == null) {
      System.setProperty(MULTISHOT_PROPERTY, "false");
    }
  }

  private IoUringSupport() {}

  static @Nullable Throwable unavailabilityCause() {
    return IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
  }

  static IoTransport transport() {
    return new IoTransport(IoMode.IO_URING, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
        IoUringSocketChannel.class, IoUringSocketChannel::new, IoUringDatagramChannel.class);
  }

  /**
   * Whether this Netty's io_uring transport can miss a TCP reset that arrives right behind data. In
   * Netty 4.2.17 and 4.2.18 a connection waiting to read has one multishot POLL_ADD armed; the kernel folds the
   * wake-ups of the data and of the RST into one completion, Netty reads the data, sees no
   * IORING_CQE_F_SOCK_NONEMPTY and waits for the next poll completion, which never comes (the reset
   * is a state, not a new wake-up). The pending ECONNRESET is only noticed on the next write or when
   * the flow times out. With {@code -Dio.netty.iouring.pollAddMultishotEnabled=false} Netty arms a
   * one-shot poll per read, which sees the reset at once; this class sets that property when the JVM
   * has none, so the bug shows only when the user turned multishot on explicitly or Netty's {@code
   * IoUring} class was initialized before this one. Reproduced by {@code
   * FaultsTcpIntegrationTest.targetResetsMidStream_clientIsReset_targetResetCountedOnce_passiveSignal}.
   */
  static boolean resetDetectionBroken() {
    String v = version();
    return (v.equals("4.2.17.Final") || v.equals("4.2.18.Final")) && IoUring.isPollAddMultishotEnabled();
  }

  static String version() {
    io.netty.util.Version v = io.netty.util.Version.identify(IoUringSupport.class.getClassLoader())
        .get("netty-transport-classes-io_uring");
    return v == null ? "unknown" : v.artifactVersion();
  }

  static boolean isIoType(IoEventLoopGroup group) {
    return group.isIoType(IoUringIoHandler.class);
  }

  /** The SO_REUSEPORT option of io_uring sockets (one listening socket per event loop). */
  static io.netty.channel.ChannelOption<Boolean> reusePort() {
    return io.netty.channel.uring.IoUringChannelOption.SO_REUSEPORT;
  }
}
