package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The first handler every accepted TCP connection of one {@link Endpoint} with connection limits,
 * a TLS listener or zero copy meets (the others are set up by {@link DirectAccept}): applies the
 * transport's connection limits before a flow exists, then installs the flow ({@link
 * RouteAndConnect}) and the {@link BufferWatch} that counts full flow buffers.
 *
 * <p>A connection over a limit is reset (SO_LINGER 0, so the client sees an RST) in the channel
 * initializer: no flow is created, no target is chosen or contacted, nothing is read, and the
 * refusal is counted once in {@code RejectedFlowCount_ListenerLimit} or {@code
 * RejectedFlowCount_ClientLimit} of the endpoint's zone. The check is a few atomic operations on
 * the accepting event loop; it never blocks, so a client at its limit cannot slow others.
 *
 * <p>Shared by the connections of one endpoint; thread-safe (endpoints of one listener share one
 * {@link Connections}, which event loops update concurrently).
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {
  private final Endpoint ep;
  final Connections connections;

  AcceptGuard(Endpoint ep, Connections connections) {
    this.ep = ep;
    this.connections = connections;
  }

  /**
   * Runs on the event loop once the accepted channel is registered, before channelActive; like
   * {@link RouteAndConnect#install}, not a {@code ChannelInitializer}, to spare every connection the
   * initializer's shared bookkeeping.
   */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    SocketChannel ch = (SocketChannel) ctx.channel();
    Connections c = connections;
    if (c.limited) {
      InetSocketAddress remote = ch.remoteAddress();
      int refused = c.acquire(remote == null ? null : remote.getAddress(), ch);
      if (refused != Connections.ACCEPTED) {
        if (refused == Connections.REFUSED_CLIENT) {
          ep.metrics.rejectedClientLimit.increment();
        } else {
          ep.metrics.rejectedListenerLimit.increment();
        }
        ctx.pipeline().remove(this);
        TcpFlow.reset(ch);
        return;
      }
    }
    RouteAndConnect.install(ep, ctx);
  }

  /**
   * The open connections of one TCP listener port of one load balancer, over all its node sockets
   * (zones and address families), and per client IP address. Per-client entries exist only while
   * that client has a connection open, so memory is bounded by the open connections, never by the
   * number of distinct clients seen.
   *
   * <p>Thread-safe: event loops acquire and release concurrently; a per-client entry is updated
   * under its own monitor and removed by the release that brings it to zero.
   */
  static final class Connections {
    static final int ACCEPTED = 0;
    static final int REFUSED_LISTENER = 1;
    static final int REFUSED_CLIENT = 2;

    final int maxPerListener;
    final int maxPerClient;
    /** Whether any limit is set; when not, nothing is counted and connections cost nothing here. */
    final boolean limited;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Client> byClient = new ConcurrentHashMap<>();
    /** Releases the listener count of a connection that was not tracked per client. */
    private final ChannelFutureListener releaseListener = f -> open.decrementAndGet();

    Connections(int maxPerListener, int maxPerClient) {
      this.maxPerListener = maxPerListener;
      this.maxPerClient = maxPerClient;
      this.limited = maxPerListener != Integer.MAX_VALUE || maxPerClient != Integer.MAX_VALUE;
    }

    /**
     * Counts {@code ch} against the limits and arranges for its release when it closes, or
     * refuses it and counts nothing.
     *
     * @return {@link #ACCEPTED}, {@link #REFUSED_LISTENER} or {@link #REFUSED_CLIENT}
     */
    int acquire(@Nullable InetAddress client, Channel ch) {
      // The client limit is checked first: a client at its own limit is told so even when the
      // listener is also full, and it never takes a listener slot it cannot use.
      Client entry = null;
      if (maxPerClient != Integer.MAX_VALUE && client != null) {
        entry = acquireClient(client);
        if (entry == null) {
          return REFUSED_CLIENT;
        }
      }
      if (open.incrementAndGet() > maxPerListener) {
        open.decrementAndGet();
        if (entry != null) {
          entry.release();
        }
        return REFUSED_LISTENER;
      }
      ChannelFuture closed = ch.closeFuture();
      closed.addListener(entry != null ? entry : releaseListener);
      return ACCEPTED;
    }

    private @Nullable Client acquireClient(InetAddress client) {
      while (true) {
        Client e = byClient.get(client);
        if (e == null) {
          Client fresh = new Client(client);
          e = byClient.putIfAbsent(client, fresh);
          if (e == null) {
            e = fresh;
          }
        }
        synchronized (e) {
          if (e.removed) {
            continue; // released to zero and removed meanwhile: start over with a new entry
          }
          if (e.count >= maxPerClient) {
            return null;
          }
          e.count++;
          return e;
        }
      }
    }

    /** Connections open now (counted only while a limit is set). */
    int open() {
      return open.get();
    }

    /** Client addresses with at least one open connection (tracked only with a per-client limit). */
    int trackedClients() {
      return byClient.size();
    }

    /** Connections open now from {@code client} (0 when untracked). */
    int open(InetAddress client) {
      Client e = byClient.get(client);
      if (e == null) {
        return 0;
      }
      synchronized (e) {
        return e.count;
      }
    }

    /** One client address's open connections; also the close listener of each of them. */
    private final class Client implements ChannelFutureListener {
      private final InetAddress address;
      private int count;
      private boolean removed;

      Client(InetAddress address) {
        this.address = address;
      }

      @Override
      public void operationComplete(ChannelFuture future) {
        open.decrementAndGet();
        release();
      }

      void release() {
        synchronized (this) {
          if (--count > 0) {
            return;
          }
          removed = true;
        }
        byClient.remove(address, this);
      }
    }
  }

  /**
   * Counts {@code FlowBufferFullCount}: the flow handler of both connections of every TCP flow
   * ({@link RouteAndConnect}, then the {@link RelaySide}) passes it the channel whenever its
   * writability changes; it becomes unwritable when the bytes the flow wrote to it and its socket
   * has not yet taken reach the per-flow buffer bound (the high water mark, {@link
   * NettyTransportBuilder#flowBufferBytes}). The flow then stops reading from the other side until
   * the channel is writable again. Called by those handlers rather than being a handler itself:
   * a pipeline entry in each of the two pipelines of every flow, idle or not, cost more memory than
   * the call. Shared by the connections of one endpoint; thread-safe.
   */
  static final class BufferWatch {
    /** Set on a channel while its full buffer is charged to the transport's {@link MemoryBudget}. */
    private static final io.netty.util.AttributeKey<Boolean> CHARGED =
        io.netty.util.AttributeKey.valueOf(BufferWatch.class, "charged");

    private final ZoneMetrics metrics;
    private final @Nullable MemoryBudget budget;

    BufferWatch(ZoneMetrics metrics, @Nullable MemoryBudget budget) {
      this.metrics = metrics;
      this.budget = budget;
    }

    /** The writability of {@code ch}, a connection of a flow, changed. */
    void writabilityChanged(Channel ch) {
      if (!ch.isWritable()) {
        metrics.flowBufferFull.increment();
        charge(ch);
      } else {
        release(ch);
      }
    }

    /** {@code ch}, a connection of a flow, closed: what its full buffer was charged is released. */
    void inactive(Channel ch) {
      release(ch);
    }

    /**
     * A full buffer holds at least the high water mark: counted in the memory budget, so that new
     * TLS handshakes are refused before flows that already hold memory run out of it.
     */
    private void charge(Channel ch) {
      MemoryBudget b = budget;
      if (b != null && ch.attr(CHARGED).setIfAbsent(Boolean.TRUE) == null) {
        b.chargeFlowBuffer(ch.config().getWriteBufferHighWaterMark());
      }
    }

    private void release(Channel ch) {
      MemoryBudget b = budget;
      if (b != null && ch.hasAttr(CHARGED) && ch.attr(CHARGED).getAndSet(null) != null) {
        b.releaseFlowBuffer(ch.config().getWriteBufferHighWaterMark());
      }
    }
  }
}
