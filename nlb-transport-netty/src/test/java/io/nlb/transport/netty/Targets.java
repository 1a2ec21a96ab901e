package io.nlb.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Test targets on loopback, on their own NIO event loop group. */
@org.jspecify.annotations.NullUnmarked
final class Targets implements AutoCloseable {
  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A TCP echo server; half-close aware; remembers who connected. */
  Echo echo(String host) {
    Echo e = new Echo();
    e.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            e.children.add(ch);
            e.peers.add((InetSocketAddress) ch.remoteAddress());
            e.accepted.incrementAndGet();
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.write(msg);
              }

              @Override
              public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
                // Backpressure of the echo: stop reading while the peer does not take our writes.
                ctx.channel().config().setAutoRead(ctx.channel().isWritable());
              }

              @Override
              public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                ctx.channel().config().setAutoRead(ctx.channel().isWritable());
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                  ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> ch.shutdownOutput());
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        }).bind(host, 0).syncUninterruptibly().channel();
    return e;
  }

  static final class Echo {
    Channel server;
    final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();

    int port() {
      return ((InetSocketAddress) server.localAddress()).getPort();
    }

    String host() {
      return ((InetSocketAddress) server.localAddress()).getAddress().getHostAddress();
    }

    /** Dies: stops listening and resets every connection. */
    void kill() {
      server.close().syncUninterruptibly();
      for (Channel c : children) {
        c.config().setOption(ChannelOption.SO_LINGER, 0);
        c.close();
      }
    }
  }

  /** A UDP echo that prefixes its name: replies {@code name|payload}; remembers senders. */
  Udp udp(String host, String name) {
    return udpOn(host, 0, name);
  }

  Udp udpOn(String host, int port, String name) {
    Udp u = new Udp();
    byte[] prefix = (name + "|").getBytes(StandardCharsets.US_ASCII);
    u.channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        // Whole datagrams up to the largest UDP payload (Netty's default reads 2,048 bytes at most).
        .option(io.netty.channel.ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.FixedRecvByteBufAllocator(65536))
        .option(io.netty.channel.ChannelOption.SO_RCVBUF, 1 << 20)
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            u.senders.add(p.sender());
            ByteBuf out = ctx.alloc().buffer().writeBytes(prefix).writeBytes(p.content());
            p.release();
            ctx.writeAndFlush(new DatagramPacket(out, p.sender()));
          }
        }).bind(host, port).syncUninterruptibly().channel();
    return u;
  }

  static final class Udp {
    Channel channel;
    final List<InetSocketAddress> senders = new CopyOnWriteArrayList<>();

    int port() {
      return ((InetSocketAddress) channel.localAddress()).getPort();
    }
  }
}
