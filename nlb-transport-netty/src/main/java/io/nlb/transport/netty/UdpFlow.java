package io.nlb.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.nlb.core.RouteTarget;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP flow: a client's address and port on one listener socket, and the connected upstream
 * socket to the target chosen for it. Replies from the target go back to the client from the
 * listener socket. The flow ends after {@code udpFlowIdleTimeout} without datagrams either way;
 * the client's next datagram then starts a new flow, which may pick another target. Confined to
 * the listener socket's event loop, except {@link #unhealthy}.
 */
final class UdpFlow extends ChannelInboundHandlerAdapter implements Flow {
  private static final Logger log = LoggerFactory.getLogger(UdpFlow.class);
  private static final int MAX_PENDING = 64;
  static final String CAUSE_NO_SOCKET = "UDP flows dropped: no socket towards the target (out of file descriptors;"
      + " raise ulimit -n or lower maxUdpFlows)";

  private final UdpListener owner;
  private final Endpoint ep;
  private final Channel listener;
  final InetSocketAddress client;
  private final RouteTarget target;
  private final EventLoop loop;
  private final long idleNanos;
  private final Runnable idleCheck = this::checkIdle;
  private final Runnable closeTask = this::close;
  private @Nullable Channel upstream;
  private @Nullable ArrayDeque<ByteBuf> pending;
  private boolean connected;
  private boolean closed;
  /** Whether a datagram was written upstream and awaits the listener's flush at the end of its read batch. */
  private boolean unflushed;
  private long lastActivity;
  private @Nullable ScheduledFuture<?> idleFuture;
  private volatile boolean unhealthy;

  UdpFlow(UdpListener owner, Channel listener, InetSocketAddress client, RouteTarget target) {
    this.owner = owner;
    this.ep = owner.ep;
    this.listener = listener;
    this.client = client;
    this.target = target;
    this.loop = listener.eventLoop();
    this.idleNanos = ep.transport.udpFlowIdleNanos;
    this.lastActivity = System.nanoTime();
    ep.metrics.udpFlowOpened();
    ep.transport.flowOpened(this, ep.state, false);
    idleFuture = loop.schedule(idleCheck, idleNanos, TimeUnit.NANOSECONDS);
  }

  void connect(InetSocketAddress address, @Nullable InetSocketAddress source) {
    ChannelFuture f = new Bootstrap()
        .group(loop)
        .channel(ep.transport.io.datagramChannel)
        .handler(this)
        .connect(address, source);
    upstream = f.channel();
    f.addListener((ChannelFutureListener) this::connected);
  }

  private void connected(ChannelFuture f) {
    if (closed) {
      closeUpstream(f.channel());
      return;
    }
    if (!f.isSuccess()) {
      if (TcpFlow.isBindFailure(f.cause())) {
        ep.metrics.portAllocationErrors.increment();
      }
      if (AcceptErrors.isOutOfFiles(f.cause())) {
        ep.transport.causes.record(CAUSE_NO_SOCKET, ep, f.cause());
      } else {
        log.debug("nlb {}: UDP flow {} -> {} failed: {}", ep, client, target, String.valueOf(f.cause()));
      }
      close();
      return;
    }
    connected = true;
    ArrayDeque<ByteBuf> q = pending;
    if (q != null) {
      Channel u = f.channel();
      ByteBuf b;
      while ((b = q.poll()) != null) {
        u.write(b, u.voidPromise());
      }
      u.flush();
      pending = null;
    }
  }

  /** Relays a client datagram's payload (not retained by the caller). */
  void fromClient(ByteBuf content) {
    lastActivity = System.nanoTime();
    ep.metrics.udpBytes(content.readableBytes());
    Channel u = upstream;
    if (connected && u != null) {
      // Flushed once per read batch of the listener socket (UdpListener#channelReadComplete), not
      // per datagram: a batch to one target leaves in one flush (one sendmmsg on epoll).
      u.write(content.retain(), u.voidPromise());
      if (!unflushed) {
        unflushed = true;
        owner.toFlush(this);
      }
      return;
    }
    ArrayDeque<ByteBuf> q = pending;
    if (q == null) {
      q = new ArrayDeque<>(4);
      pending = q;
    }
    if (q.size() < MAX_PENDING) {
      // A copy of its own size: the datagram is a slice of a read buffer of several 64 KiB slots
      // (DatagramSockets), which it must not hold while the flow's socket connects.
      q.add(content.copy());
    }
  }

  /** Flushes what {@link #fromClient} wrote upstream during the listener's read batch. */
  void flushUpstream() {
    unflushed = false;
    Channel u = upstream;
    if (u != null) {
      u.flush();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf content;
    if (msg instanceof DatagramPacket) {
      content = ((DatagramPacket) msg).content();
    } else if (msg instanceof ByteBuf) {
      content = (ByteBuf) msg;
    } else {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    lastActivity = System.nanoTime();
    ep.metrics.udpBytes(content.readableBytes());
    // Ownership of the payload moves to the reply packet.
    listener.write(new DatagramPacket(content, client), listener.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    owner.flushRepliesSoon();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    DatagramSockets.flow(ctx.channel(), ep.transport.io);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP port unreachable and the like: the target may come back; the flow stays until idle.
    log.debug("nlb {}: UDP flow {} -> {}: {}", ep, client, target, cause.toString());
  }

  @Override
  public RouteTarget target() {
    return target;
  }

  @Override
  public void terminate() {
    try {
      loop.execute(closeTask);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The event loop is shutting down and closes its channels itself.
    }
  }

  @Override
  public void targetUnhealthy(boolean unhealthy) {
    this.unhealthy = unhealthy;
  }

  boolean isUnhealthy() {
    return unhealthy;
  }

  private void checkIdle() {
    if (closed) {
      return;
    }
    long idle = System.nanoTime() - lastActivity;
    if (idle >= idleNanos) {
      close();
    } else {
      idleFuture = loop.schedule(idleCheck, idleNanos - idle, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Closes the upstream channel. When its socket could not even be created (out of file
   * descriptors), Netty hands back a placeholder channel that was never registered with an event
   * loop, and closing it through its pipeline throws; such a channel holds no descriptor.
   */
  static void closeUpstream(Channel u) {
    if (u.isRegistered()) {
      u.close();
      return;
    }
    try {
      u.unsafe().closeForcibly();
    } catch (RuntimeException e) {
      // nothing was opened
    }
  }

  /** Ends the flow; on the event loop. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    owner.removed(this);
    ScheduledFuture<?> idle = idleFuture;
    if (idle != null) {
      idle.cancel(false);
    }
    ArrayDeque<ByteBuf> q = pending;
    if (q != null) {
      ByteBuf b;
      while ((b = q.poll()) != null) {
        b.release();
      }
      pending = null;
    }
    Channel u = upstream;
    upstream = null;
    if (u != null) {
      closeUpstream(u);
    }
    ep.metrics.udpFlowClosed();
    ep.transport.udpFlows.decrementAndGet();
    ep.transport.flowClosed(this, ep.state, false);
  }
}
