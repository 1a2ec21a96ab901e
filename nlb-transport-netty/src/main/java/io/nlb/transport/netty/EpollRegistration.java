package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollIoOps;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library's own way around the epoll registration bug of Netty 4.2.17 and 4.2.18 ({@link
 * EpollSupport#halfCloseBroken}): when a channel's interest set becomes empty, the registration
 * removes the descriptor from the epoll set (EPOLL_CTL_DEL) yet still counts it as added, so the
 * next interest, EPOLLOUT to finish a write to a half-closed connection, is an EPOLL_CTL_MOD that
 * fails with ENOENT and the rest of the write is lost (and the close's DEL fails once more, with
 * an exception built for it). In a relay the set only empties at a connection's end of input,
 * where Netty drops EPOLLIN and EPOLLRDHUP; just before that, {@link #keepAtEndOfInput} adds
 * EPOLLET to the channel's interest, so the set never empties and the descriptor stays registered.
 * With the input over, the flag only changes how EPOLLOUT is reported: on the edge to writable,
 * after a write that filled the socket, which is when Netty asks for it.
 *
 * <p>Netty offers no public call for this ({@code EpollChannelConfig.setEpollMode} is a no-op in
 * 4.2), so the channel's protected {@code setFlag} is used through a method handle, found once; if
 * it cannot be found the workaround is off and {@link EpollSupport#halfCloseLosesWrites} says so.
 * Loaded only in the epoll mode. Event-loop only.
 */
final class EpollRegistration {
  private static final Logger log = LoggerFactory.getLogger(EpollRegistration.class);
  private static final @Nullable MethodHandle SET_FLAG = EpollSupport.halfCloseBroken() ? setFlag() : null;

  private EpollRegistration() {}

  /** Whether the workaround is in force (the Netty release needs it and the handle was found). */
  static boolean active() {
    return SET_FLAG != null;
  }

  /**
   * Called when a read batch of {@code ch} completes: if the batch ended at the end of input (Netty
   * shuts the input down right after), keeps the channel's interest set from emptying. Not for a
   * channel without half-closure: Netty closes it there instead, and the close removes the
   * descriptor while its interest set is still full (the flag would cost an epoll_ctl per flow).
   */
  static void keepAtEndOfInput(Channel ch) {
    MethodHandle h = SET_FLAG;
    if (h == null || !(ch instanceof AbstractEpollStreamChannel c) || ch.unsafe().recvBufAllocHandle().lastBytesRead() >= 0
        || (c.config() instanceof io.netty.channel.socket.SocketChannelConfig sc && !sc.isAllowHalfClosure())) {
      return;
    }
    try {
      h.invokeExact(c, EpollIoOps.EPOLLET.value());
    } catch (Throwable e) {
      log.debug("nlb transport: could not keep {} registered with epoll", ch, e);
    }
  }

  private static @Nullable MethodHandle setFlag() {
    try {
      // Declared by the package-private AbstractEpollChannel, the superclass of the stream channels.
      Method m = AbstractEpollStreamChannel.class.getSuperclass().getDeclaredMethod("setFlag", int.class);
      m.setAccessible(true);
      return MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(void.class, AbstractEpollStreamChannel.class, int.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("nlb transport: the epoll half-close workaround is off ({}); epoll of Netty {} may lose writes to half-closed"
          + " connections", e.toString(), EpollSupport.version());
      return null;
    }
  }
}
