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
  private IoUringSupport() {}

  static @Nullable Throwable unavailabilityCause() {
    return IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
  }

  static IoTransport transport() {
    return new IoTransport(IoMode.IO_URING, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
        IoUringSocketChannel.class, IoUringSocketChannel::new, IoUringDatagramChannel.class);
  }

  static boolean isIoType(IoEventLoopGroup group) {
    return group.isIoType(IoUringIoHandler.class);
  }
}
