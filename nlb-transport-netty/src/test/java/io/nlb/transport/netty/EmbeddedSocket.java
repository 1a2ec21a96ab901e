package io.nlb.transport.netty;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DefaultSocketChannelConfig;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * An {@link EmbeddedChannel} that is a {@link SocketChannel}: the flow's handlers cast their
 * connections to it (half-close, socket options), so a test can run them without sockets. It
 * records shutdowns and counts {@code read()} calls (the relay's backpressure), and runs on the
 * given {@link Ticker}, so tests move time by hand.
 */
@org.jspecify.annotations.NullUnmarked
final class EmbeddedSocket extends EmbeddedChannel implements SocketChannel {
  private final InetSocketAddress remote;
  private final InetSocketAddress local;
  private final SocketChannelConfig config;
  boolean inputShut;
  boolean outputShut;
  /** {@code read()} calls that reached the head of the pipeline. */
  int reads;

  EmbeddedSocket(Ticker ticker, InetSocketAddress remote, InetSocketAddress local) throws Exception {
    super(EmbeddedChannel.builder().register(false).ticker(ticker));
    this.remote = remote;
    this.local = local;
    this.config = new DefaultSocketChannelConfig(this, new Socket());
    config.setAutoRead(false);
    config.setAllowHalfClosure(true);
    pipeline().addFirst("count-reads", new ChannelOutboundHandlerAdapter() {
      @Override
      public void read(ChannelHandlerContext ctx) {
        reads++;
        ctx.read();
      }
    });
    register();
  }

  @Override
  public SocketChannelConfig config() {
    return config;
  }

  @Override
  public ServerSocketChannel parent() {
    return null;
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remote;
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return remote;
  }

  @Override
  protected SocketAddress localAddress0() {
    return local;
  }

  @Override
  public boolean isInputShutdown() {
    return inputShut;
  }

  @Override
  public ChannelFuture shutdownInput() {
    return shutdownInput(newPromise());
  }

  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    inputShut = true;
    return promise.setSuccess();
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShut;
  }

  @Override
  public ChannelFuture shutdownOutput() {
    return shutdownOutput(newPromise());
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    outputShut = true;
    return promise.setSuccess();
  }

  @Override
  public boolean isShutdown() {
    return inputShut && outputShut;
  }

  @Override
  public ChannelFuture shutdown() {
    return shutdown(newPromise());
  }

  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    inputShut = true;
    outputShut = true;
    return promise.setSuccess();
  }
}
