package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.nlb.core.ListenerRoute;
import io.nlb.core.RouteTarget;
import io.nlb.core.routing.IpProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of one UDP listener socket: keeps the flow table of that socket (client address and
 * port to {@link UdpFlow}), creates a flow per new client 5-tuple and relays its datagrams. The
 * table is confined to the socket's event loop; every flow's upstream channel is registered on the
 * same loop.
 *
 * <p>Client IP preservation: UDP target groups always preserve the client's address. The flow's
 * upstream socket is bound to the client's address (port chosen by the kernel) when that address is
 * local to this host, which holds on loopback; for any other client address an unprivileged
 * process cannot send from it, so the flow uses the node's address instead and this is logged once
 * per listener socket at WARN. The client's source port is never preserved.
 *
 * <p>UDP sockets keep {@code AUTO_READ} on: datagrams that cannot be relayed are dropped, as on a
 * network, instead of being held back. What a read batch of the listener socket writes upstream is
 * flushed once, when the batch ends ({@link #channelReadComplete}), not per datagram. Replies that
 * flows write to the listener socket during one turn of the event loop are flushed once, after the
 * loop's I/O of that turn on epoll ({@link #flushRepliesSoon}): replies of several flows leave in
 * one {@code sendmmsg} instead of one system call per flow. How the sockets read is {@link
 * DatagramSockets}'.
 */
final class UdpListener extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(UdpListener.class);
  /**
   * Flows whose replies one flush carries at most on epoll: each reply holds its flow's read buffer
   * (a 64 KiB slot, DatagramSockets) until flushed, so at most 16 of them (1 MiB) wait at a time.
   */
  static final int MAX_HELD_REPLIES = 16;

  final Endpoint ep;
  final Map<InetSocketAddress, UdpFlow> flows = new HashMap<>();
  private final InetSocketAddress local;
  private boolean warnedNonLocal;
  /** Where {@link FlowRouting} writes the choice for a new flow (reused: confined to this socket's loop). */
  private final FlowRouting.Choice choice = new FlowRouting.Choice() {};
  /** Flows written to upstream during the current read batch, flushed at its end (reused). */
  private final ArrayList<UdpFlow> toFlush = new ArrayList<>();
  /** The listener socket, once this handler is in its pipeline. */
  private @Nullable Channel channel;
  /** Whether a flush of replies is queued on the event loop. */
  private boolean repliesUnflushed;
  /** Flows whose replies wait for the queued flush; at {@link #MAX_HELD_REPLIES} they are flushed at once. */
  private int repliesHeld;
  /** Whether replies are flushed once per turn of the loop (epoll) rather than per flow (see {@link #flushRepliesSoon}). */
  private final boolean deferReplyFlush;
  private final Runnable flushReplies = this::flushReplies;

  UdpListener(Endpoint ep) {
    this.ep = ep;
    this.local = new InetSocketAddress(ep.nodeAddress, ep.port);
    this.deferReplyFlush = ep.transport.io.mode == IoMode.EPOLL;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    DatagramSockets.listener(ctx.channel(), ep.transport.io);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof DatagramPacket)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    DatagramPacket p = (DatagramPacket) msg;
    try {
      InetSocketAddress sender = p.sender();
      if (sender == null) {
        return;
      }
      UdpFlow f = flows.get(sender);
      if (f != null && f.isUnhealthy() && !FlowRouting.failsOpen(ep)) {
        // Passive health does not apply to UDP; a flow to a target that became unhealthy ends,
        // and this datagram starts a new flow to a healthy target.
        f.close();
        f = null;
      }
      if (f == null) {
        f = open(ctx.channel(), sender);
        if (f == null) {
          return;
        }
      }
      f.fromClient(p.content());
    } finally {
      p.release();
    }
  }

  /** {@code f} wrote a datagram upstream: flush it at the end of this read batch. */
  void toFlush(UdpFlow f) {
    toFlush.add(f);
  }

  /**
   * A flow wrote a reply to the listener socket. On epoll it is flushed after this turn's I/O,
   * together with the replies other flows write in the same turn, in one {@code sendmmsg}: tasks
   * queued from the event loop run after its I/O of the turn, so the reply waits for nothing but
   * the other channels that are ready now. io_uring and NIO flush at once: io_uring submits every
   * write of a turn with one {@code io_uring_enter} anyway, and the task made it enter the ring once
   * more per turn (measured: 5 instead of 4 calls per round trip); NIO sends one datagram per call
   * whatever is flushed together.
   */
  void flushRepliesSoon() {
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    if (!deferReplyFlush || ++repliesHeld >= MAX_HELD_REPLIES) {
      // Each reply is a slice of its flow's 64 KiB read buffer: held replies are bounded.
      ch.flush();
      repliesHeld = 0;
      return;
    }
    if (repliesUnflushed) {
      return;
    }
    repliesUnflushed = true;
    try {
      ch.eventLoop().execute(flushReplies);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      flushReplies(); // the loop is shutting down: flush now
    }
  }

  private void flushReplies() {
    repliesUnflushed = false;
    repliesHeld = 0;
    Channel ch = channel;
    if (ch != null) {
      ch.flush();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ArrayList<UdpFlow> flows = toFlush;
    for (int i = 0, n = flows.size(); i < n; i++) {
      flows.get(i).flushUpstream();
    }
    flows.clear();
    ctx.fireChannelReadComplete();
  }

  private @Nullable UdpFlow open(Channel listener, InetSocketAddress sender) {
    if (ep.closing) {
      return null;
    }
    NettyTransport transport = ep.transport;
    if (transport.udpFlows.incrementAndGet() > transport.maxUdpFlows) {
      transport.udpFlows.decrementAndGet();
      transport.udpOverflows.increment();
      ep.metrics.rejectedUdpFlowTable.increment();
      transport.causes.record(transport.udpTableFullCause, ep, null);
      return null;
    }
    FlowRouting.Choice c = choice;
    if (!FlowRouting.route(ep, IpProtocol.UDP, sender, local, 0, c)) {
      transport.udpFlows.decrementAndGet();
      return null;
    }
    ListenerRoute route = c.route;
    RouteTarget t = c.chosen;
    InetSocketAddress address = c.address;
    c.clear(); // the scratch keeps no target reachable between flows
    if (t == null || address == null || route == null) {
      transport.udpFlows.decrementAndGet();
      return null;
    }
    boolean preserve = route.groupAttributes().preserveClientIp();
    if (preserve && !isLocal(sender.getAddress())) {
      preserve = false;
      if (!warnedNonLocal) {
        warnedNonLocal = true;
        log.warn("nlb {}: client {} is not an address of this host, so its UDP flows reach targets from the node address"
            + " {} (sending from a foreign address needs IP_TRANSPARENT and CAP_NET_ADMIN, which this transport does not"
            + " use); logged once per listener socket", ep, sender.getAddress().getHostAddress(), ep.nodeAddress.getHostAddress());
      }
    }
    InetAddress source = ep.source(preserve, sender.getAddress(), address.getAddress());
    UdpFlow f = new UdpFlow(this, listener, sender, t);
    flows.put(sender, f);
    f.connect(address, source == null ? null : new InetSocketAddress(source, 0));
    return f;
  }

  /** Whether the host owns {@code a}: loopback always; others by asking the interfaces. */
  private static boolean isLocal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  void removed(UdpFlow f) {
    flows.remove(f.client, f);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    for (UdpFlow f : new ArrayList<>(flows.values())) {
      f.close();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ep.transport.handlerError(ep, "error on a UDP listener socket", cause);
  }
}
