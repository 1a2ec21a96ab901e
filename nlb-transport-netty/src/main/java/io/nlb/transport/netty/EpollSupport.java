package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/** Every reference to the optional epoll classes lives here, so that NIO runs without them. */
final class EpollSupport {
  private EpollSupport() {}


  static @Nullable Throwable unavailabilityCause() {
    return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
  }

  static IoTransport transport() {
    return new IoTransport(IoMode.EPOLL, EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
        EpollSocketChannel.class, EpollSocketChannel::new, EpollDatagramChannel.class)
        .withIpv4SocketChannel(() -> new EpollSocketChannel(SocketProtocolFamily.INET));
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

  /**
   * Whether writes to half-closed connections can be lost here: the Netty release has the bug and
   * the library's workaround ({@link EpollRegistration}) is off.
   */
  static boolean halfCloseLosesWrites() {
    return halfCloseBroken() && !EpollRegistration.active();
  }

  static String version() {
    io.netty.util.Version v = io.netty.util.Version.identify(EpollSupport.class.getClassLoader())
        .get("netty-transport-classes-epoll");
    return v == null ? "unknown" : v.artifactVersion();
  }

  // ------------------------------------------------------------------ datagrams (DatagramSockets)

  /**
   * Batched reads of a UDP socket: {@code recvmmsg} into slots of {@code slot} bytes.
   *
   * <p>UDP GRO stays off. With it the kernel hands several datagrams of one sender as one buffer
   * plus their segment size, and Netty 4.2.18's epoll channel reads that segment size only in its
   * one-datagram {@code recvmsg} path: through {@code recvmmsg} a GRO buffer would reach the
   * pipeline as one datagram, its boundaries lost ({@code
   * DatagramSocketsIntegrationTest.groWithRecvmmsg_netty4218_mergesDatagrams_soGroStaysOff} shows
   * it). recvmmsg batches datagrams of every client; GRO only those of one sender that arrive
   * coalesced, so recvmmsg is the one kept.
   */
  static void datagramOptions(Channel ch, int slot) {
    ch.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot);
  }

  // ------------------------------------------------------------------ keepalives (KeepaliveIdle)

  /**
   * How long ago the socket of {@code ch} last received an ACK, from {@code TCP_INFO}
   * ({@code tcpi_last_ack_recv}). Linux records it for segments it accepts: a keepalive probe that
   * carries one byte (as Windows sends them) or any other ACK; a zero-length probe (as Linux and
   * BSD send them) lies before the receive window and is answered without being recorded, so it
   * stays invisible here. Call on the channel's event loop.
   */
  static KeepaliveIdle.AckAge ackAge(Channel ch) {
    if (!(ch instanceof EpollSocketChannel e)) {
      return KeepaliveIdle.UNKNOWN;
    }
    EpollTcpInfo info = new EpollTcpInfo();
    return () -> {
      if (!e.isOpen()) {
        return -1;
      }
      try {
        return e.tcpInfo(info).lastAckRecv();
      } catch (RuntimeException ex) {
        return -1;
      }
    };
  }

  /** Makes the kernel send keepalives on {@code ch} after {@code seconds} without traffic, then every {@code seconds}. */
  static void keepalive(Channel ch, int seconds) {
    ch.config().setOption(ChannelOption.SO_KEEPALIVE, true);
    ch.config().setOption(EpollChannelOption.TCP_KEEPIDLE, seconds);
    ch.config().setOption(EpollChannelOption.TCP_KEEPINTVL, seconds);
  }

  static boolean isIoType(IoEventLoopGroup group) {
    return group.isIoType(EpollIoHandler.class);
  }

  /** The SO_REUSEPORT option of epoll sockets (one listening socket per event loop). */
  static ChannelOption<Boolean> reusePort() {
    return EpollChannelOption.SO_REUSEPORT;
  }

  // ------------------------------------------------------------------ zero copy (splice)

  /**
   * Prepares a channel of a zero-copy flow (the accepted client's, or the target's before it is
   * registered): level-triggered epoll, which {@link
   * AbstractEpollStreamChannel#spliceTo(AbstractEpollStreamChannel, int, ChannelPromise)} requires,
   * and the allocator that counts its reads. Must run before the channel reads anything.
   */
  static void prepareSplice(Channel ch, ReadCounter counter) {
    ch.config().setOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
    ch.config().setOption(ChannelOption.RCVBUF_ALLOCATOR, counter);
  }

  /**
   * Splices everything {@code from} reads to {@code to}, for as long as both are open: Netty moves
   * the bytes socket to pipe to socket inside the kernel when {@code from} is read (AUTO_READ off:
   * one round per {@code read()}); {@code promise} fails when a channel closes or splicing fails.
   * Both channels are on one event loop and level-triggered.
   */
  static void spliceTo(Channel from, Channel to, ChannelPromise promise) {
    ((AbstractEpollStreamChannel) from).spliceTo((AbstractEpollStreamChannel) to, Integer.MAX_VALUE, promise);
  }

  /**
   * Reads from the socket of {@code ch} into {@code buf}, bypassing Netty: used after Netty
   * reported the end of input of a spliced channel, when bytes sent before the FIN may still wait in
   * the socket (Netty splices one round, then shuts the input down). Returns the bytes read, 0 when
   * none are there, -1 at the end of the stream.
   */
  static int readDirect(Channel ch, ByteBuf buf) throws IOException {
    FileDescriptor fd = ((UnixChannel) ch).fd();
    int index = buf.writerIndex();
    int n;
    if (buf.hasMemoryAddress()) {
      n = fd.readAddress(buf.memoryAddress(), index, buf.capacity());
    } else {
      ByteBuffer nio = buf.internalNioBuffer(index, buf.writableBytes());
      n = fd.read(nio, nio.position(), nio.limit());
    }
    if (n > 0) {
      buf.writerIndex(index + n);
    }
    return n;
  }
}
