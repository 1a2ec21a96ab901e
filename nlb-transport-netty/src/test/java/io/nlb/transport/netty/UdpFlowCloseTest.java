package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The UDP flood of issue #19 logged {@code IllegalStateException: channel not registered to an
 * event loop} from {@code UdpFlow.close} for every datagram once descriptors ran out: the upstream
 * socket could not be created, Netty handed back a placeholder channel, and closing it through its
 * pipeline throws.
 */
class UdpFlowCloseTest {
  @Test
  void closeUpstream_channelWhoseSocketCouldNotBeCreated_doesNotThrow() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      ChannelFuture f = new Bootstrap().group(group)
          .channelFactory(() -> {
            throw new io.netty.channel.ChannelException("Too many open files (test)");
          })
          .handler(new ChannelInboundHandlerAdapter())
          .connect(new InetSocketAddress("127.0.0.1", 9));
      assertThat(f.isDone()).isTrue();
      assertThat(f.isSuccess()).isFalse();
      Channel placeholder = f.channel();
      assertThat(placeholder.isRegistered()).isFalse();
      assertThatThrownBy(placeholder::close).as("what UdpFlow.close used to do")
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("not registered");
      assertThatCode(() -> UdpFlow.closeUpstream(placeholder)).doesNotThrowAnyException();

      Channel real = new Bootstrap().group(group).channel(NioDatagramChannel.class)
          .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      UdpFlow.closeUpstream(real);
      real.closeFuture().await(5_000);
      assertThat(real.isOpen()).isFalse();
    } finally {
      group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).await(5_000);
    }
  }
}
