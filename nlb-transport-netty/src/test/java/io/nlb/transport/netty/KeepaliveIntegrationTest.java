package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guide, "Connection idle timeout" (keepalives reset the idle timeout; TLS listeners send
 * keepalives every 20 s): the platform half of {@link KeepaliveIdle}, on real loopback sockets of
 * every I/O mode. epoll shows when a socket last received an ACK and can send keepalives; NIO and
 * io_uring show nothing, so their idle timeout counts data only (README, "Deliberate differences
 * from the AWS guide").
 */
@Timeout(30)
class KeepaliveIntegrationTest {
  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void ackAge_realConnection_visibleOnEpollOnly(IoMode mode) throws Exception {
    IoTransport io = IoTransport.resolve(mode);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io.handlerFactory);
    try {
      CompletableFuture<Channel> accepted = new CompletableFuture<>();
      Channel server = new ServerBootstrap().group(group).channelFactory(io.serverChannelFactory)
          .childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(io.netty.channel.ChannelHandlerContext ctx) {
              accepted.complete(ctx.channel());
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      Channel client = new Bootstrap().group(group).channel(io.socketChannel).handler(new ChannelInboundHandlerAdapter())
          .connect(server.localAddress()).sync().channel();
      Channel child = accepted.get(10, TimeUnit.SECONDS);
      // Data from the accepted side: the client's kernel acknowledges it at once.
      child.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).sync();
      KeepaliveIdle.AckAge age = child.eventLoop().submit(() -> io.ackAge(child)).get();
      assertThat(io.acksVisible()).isEqualTo(mode == IoMode.EPOLL);
      if (mode == IoMode.EPOLL) {
        Awaitility.await().atMost(Duration.ofSeconds(5))
            .until(() -> child.eventLoop().submit(age::millis).get(), ms -> ms >= 0 && ms < 2_000);
        // The age grows while nothing arrives (the kernel counts in milliseconds).
        long first = child.eventLoop().submit(age::millis).get();
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
            .until(() -> child.eventLoop().submit(age::millis).get() > first);
        // What a TLS flow does once it has seen a keepalive: the kernel probes every 20 s.
        child.eventLoop().submit(() -> io.keepalive(child, 20)).get();
        assertThat(child.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
        assertThat(child.config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(20);
        assertThat(child.config().getOption(EpollChannelOption.TCP_KEEPINTVL)).isEqualTo(20);
      } else {
        assertThat(age).isSameAs(KeepaliveIdle.UNKNOWN);
        assertThat(age.millis()).isNegative();
      }
      client.close().sync();
      server.close().sync();
      if (mode == IoMode.EPOLL) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !child.isOpen());
        assertThat(child.eventLoop().submit(age::millis).get()).isNegative();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void epoll_unavailable_isSkippedWithTheReason() {
    // Documents where the epoll half runs: this JVM, or why not.
    assumeThat(NettyTransport.isAvailable(IoMode.EPOLL))
        .as("epoll is not available here: %s", IoTransport.unavailabilityCause(IoMode.EPOLL)).isTrue();
    assertThat(IoTransport.resolve(IoMode.EPOLL).acksVisible()).isTrue();
  }
}
