package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A listener socket configured by {@link DatagramSockets}, on loopback, in every I/O mode: whole
 * datagrams of any size, several per read on epoll (recvmmsg), and on epoll datagrams sent with
 * segmentation offload kept apart.
 */
@NullUnmarked
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DatagramSocketsIntegrationTest {
  private EventLoopGroup group;
  private Channel receiver;
  private Channel sender;
  private final List<DatagramPacket> got = new CopyOnWriteArrayList<>();
  private final List<Integer> readBatches = new CopyOnWriteArrayList<>();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @AfterEach
  void tearDown() {
    got.forEach(DatagramPacket::release);
    if (sender != null) {
      sender.close().syncUninterruptibly();
    }
    if (receiver != null) {
      receiver.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** A receiver with the data plane's read options and AUTO_READ off, so that the test decides when it reads. */
  private InetSocketAddress receiver(IoMode mode) {
    return receiver(mode, false);
  }

  private InetSocketAddress receiver(IoMode mode, boolean gro) {
    IoTransport transport = IoTransport.resolve(mode);
    group = new MultiThreadIoEventLoopGroup(1, transport.handlerFactory);
    receiver = new Bootstrap().group(group).channel(transport.datagramChannel)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.SO_RCVBUF, 1 << 20)
        .handler(new ChannelInboundHandlerAdapter() {
          private int inBatch;

          @Override
          public void handlerAdded(ChannelHandlerContext ctx) {
            DatagramSockets.listener(ctx.channel(), transport);
            if (gro) {
              ctx.channel().config().setOption(io.netty.channel.epoll.EpollChannelOption.UDP_GRO, true);
            }
          }

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            got.add((DatagramPacket) msg);
            inBatch++;
          }

          @Override
          public void channelReadComplete(ChannelHandlerContext ctx) {
            readBatches.add(inBatch);
            inBatch = 0;
          }
        })
        .bind(InetAddress.getLoopbackAddress(), 0).syncUninterruptibly().channel();
    return (InetSocketAddress) receiver.localAddress();
  }

  private static byte[] payload(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return b;
  }

  private static byte[] bytes(ByteBuf b) {
    byte[] out = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), out);
    return out;
  }

  /** Reads (one read() per round) until {@code count} datagrams arrived. */
  private void readUntil(int count) {
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      if (got.size() < count) {
        receiver.read();
      }
      List<Integer> sizes = new ArrayList<>();
      got.forEach(p -> sizes.add(p.content().readableBytes()));
      assertThat(sizes).as("sizes of the datagrams read").hasSizeGreaterThanOrEqualTo(count);
    });
  }

  @ParameterizedTest
  @MethodSource("modes")
  void datagramsOfDifferentSizes_readWholeAndApart_severalPerReadOnEpoll(IoMode mode) throws Exception {
    InetSocketAddress to = receiver(mode);
    int[] sizes = {1, 65_507, 2_049, 100, 30_000, 1_472, 17};
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      for (int i = 0; i < sizes.length; i++) {
        byte[] b = payload(sizes[i], i);
        s.send(new java.net.DatagramPacket(b, b.length, to));
      }
    }
    readUntil(sizes.length);
    assertThat(got).hasSize(sizes.length);
    for (int i = 0; i < sizes.length; i++) {
      assertThat(bytes(got.get(i).content())).as("datagram %d (%d bytes)", i, sizes[i]).isEqualTo(payload(sizes[i], i));
    }
    if (mode != IoMode.EPOLL) {
      return; // NIO and io_uring read one datagram per call (see DatagramSockets)
    }
    // The datagrams waited in the socket before the first read(): that read took several in one
    // call, each in a slot of its own in one buffer.
    assertThat(readBatches.get(0)).as("datagrams of the first read").isGreaterThan(1);
    long first = got.get(0).content().memoryAddress();
    long second = got.get(1).content().memoryAddress();
    assertThat(second - first).as("distance of two datagrams of one read").isEqualTo(DatagramSockets.SLOT);
  }

  /** Epoll only, and where the kernel has UDP_SEGMENT (GSO), with which the tests send. */
  private static void assumeGso(IoMode mode) {
    assumeThat(mode).isEqualTo(IoMode.EPOLL);
    assumeThat(io.netty.channel.epoll.EpollDatagramChannel.isSegmentedDatagramPacketSupported())
        .as("UDP_SEGMENT (GSO)").isTrue();
  }

  /** Sends one buffer of four datagrams (1,000 bytes each, the last 400) with UDP_SEGMENT (GSO). */
  private byte[] sendSegmented(InetSocketAddress to) {
    sender = new Bootstrap().group(group).channel(io.netty.channel.epoll.EpollDatagramChannel.class)
        .handler(new ChannelInboundHandlerAdapter())
        .bind(InetAddress.getLoopbackAddress(), 0).syncUninterruptibly().channel();
    byte[] all = payload(3 * 1_000 + 400, 7);
    sender.writeAndFlush(new io.netty.channel.unix.SegmentedDatagramPacket(Unpooled.directBuffer().writeBytes(all), 1_000, to))
        .syncUninterruptibly();
    return all;
  }

  /**
   * A sender that batches with GSO (one buffer, the kernel cuts it into datagrams) reaches the
   * listener socket as separate datagrams: GRO stays off there, so the kernel delivers them apart.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void gsoSender_datagramsArriveApart_boundariesKept(IoMode mode) throws Exception {
    assumeGso(mode);
    InetSocketAddress to = receiver(mode);
    byte[] all = sendSegmented(to);
    readUntil(4);
    assertThat(got).hasSize(4);
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ByteBuf c = got.get(i).content();
      sizes.add(c.readableBytes());
      byte[] want = java.util.Arrays.copyOfRange(all, i * 1_000, Math.min(all.length, (i + 1) * 1_000));
      assertThat(bytes(c)).as("datagram %d", i).isEqualTo(want);
      assertThat(got.get(i).sender()).isEqualTo(sender.localAddress());
    }
    assertThat(sizes).containsExactly(1_000, 1_000, 1_000, 400);
  }

  /**
   * Why UDP GRO stays off on the listener socket (EpollSupport#datagramOptions): Netty 4.2.18's
   * epoll channel reads GRO's segment size only in its one-datagram recvmsg path, so with recvmmsg
   * a GRO buffer reaches the pipeline as one datagram. When a Netty release splits it, this fails:
   * then GRO can be turned on beside recvmmsg.
   */
  @ParameterizedTest
  @MethodSource("modes")
  void groWithRecvmmsg_netty4218_mergesDatagrams_soGroStaysOff(IoMode mode) throws Exception {
    assumeGso(mode);
    sendSegmented(receiver(mode, true));
    readUntil(1);
    assertThat(got).extracting(p -> p.content().readableBytes()).containsExactly(3_400);
  }
}
