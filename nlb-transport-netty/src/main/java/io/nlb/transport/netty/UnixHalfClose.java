package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/**
 * The native half of {@link HalfClose}: references the optional unix-common classes, so it is only
 * loaded in the epoll and io_uring modes.
 */
final class UnixHalfClose {
  private UnixHalfClose() {}

  /** Shuts down the output of {@code ch}'s socket; false when {@code ch} has no native socket. */
  static boolean shutdownOutput(Channel ch) throws IOException {
    if (!(ch instanceof UnixChannel)) {
      return false;
    }
    FileDescriptor fd = ((UnixChannel) ch).fd();
    if (!(fd instanceof Socket)) {
      return false;
    }
    ((Socket) fd).shutdown(false, true);
    return true;
  }
}
