package io.nlb.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.nlb.core.IpAddressType;
import io.nlb.core.ListenerRoute;
import io.nlb.core.LoadBalancer;
import io.nlb.core.RouteSlots;
import io.nlb.core.Protocol;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.Zone;
import io.nlb.core.routing.IpProtocol;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listeners to sockets: for each load balancer, the {@link Endpoint}s (one per protocol, zone,
 * node address and port) that its routing snapshot wants, bound, rebound and closed as snapshots
 * change. An apply first plans TLS ({@link TlsPlanner}), so that a refusal changes nothing, then
 * binds what is new; sockets no longer wanted close only once every new one accepts, and a failed
 * bind closes what that apply opened and keeps the previous bindings.
 *
 * <p>Thread-safe: the control plane calls {@link #apply} and {@link #remove} serialized; each
 * load balancer's state is guarded by its {@link LbState} monitor, which diagnostics also take.
 */
final class Binder {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private final NettyTransport transport;
  private final TlsPlanner tls;
  private final Map<LoadBalancer, LbState> loadBalancers = new ConcurrentHashMap<>();
  /**
   * The TCP and UDP addresses bound with SO_REUSEPORT in this process (over every transport), by
   * the endpoint that holds them.
   */
  private static final ConcurrentHashMap<Claim, Endpoint> REUSE_PORT_HOLDERS = new ConcurrentHashMap<>();

  Binder(NettyTransport transport, TlsPlanner tls) {
    this.transport = transport;
    this.tls = tls;
  }

  /** The state of {@code lb}, or null when nothing is bound for it. */
  @Nullable LbState state(LoadBalancer lb) {
    return loadBalancers.get(lb);
  }

  /** The load balancers with state now (a copy). */
  List<LbState> states() {
    return new ArrayList<>(loadBalancers.values());
  }

  CompletionStage<Void> apply(LoadBalancer lb, RouteSlots slots, RoutingSnapshot next) {
    LbState st = loadBalancers.computeIfAbsent(lb, l -> new LbState(l, slots));
    List<Endpoint> added = new ArrayList<>();
    List<CompletableFuture<Void>> binds = new ArrayList<>();
    synchronized (st) {
      Map<BindKey, Zone> wanted = wanted(lb, next);
      List<Runnable> tlsCommit = new ArrayList<>();
      Map<String, TlsFrontend> tlsNext;
      try {
        // Everything that can be refused without a socket comes first, so that a refusal changes
        // nothing.
        tlsNext = tls.plan(st, next, tlsCommit);
      } catch (RuntimeException e) {
        log.warn("nlb transport: cannot serve the listeners of {}; keeping the previous bindings: {}", lb.name(), e.toString());
        return CompletableFuture.failedFuture(e);
      }
      for (Runnable r : tlsCommit) {
        r.run();
      }
      st.tls.clear();
      st.tls.putAll(tlsNext);
      Map<Integer, TlsFrontend> byPort = TlsPlanner.byPort(next, tlsNext);
      for (Endpoint ep : st.endpoints.values()) {
        if (ep.protocol == IpProtocol.TCP) {
          ep.tls = byPort.get(ep.port);
        }
      }
      st.wanted = wanted.keySet();
      for (Map.Entry<BindKey, Zone> w : wanted.entrySet()) {
        Endpoint ep = st.endpoints.get(w.getKey());
        if (ep == null) {
          ep = bind(st, w.getKey(), w.getValue(), byPort);
          st.endpoints.put(ep.key, ep);
          added.add(ep);
        }
        // A socket an earlier, still pending call is binding is shared: its outcome is ours too.
        binds.add(ep.bound);
      }
      AccessLogs.sync(st, !transport.isClosed());
    }
    return CompletableFuture.allOf(binds.toArray(new CompletableFuture<?>[0])).handle((v, failure) -> {
      synchronized (st) {
        if (failure != null) {
          for (Endpoint ep : added) {
            st.endpoints.remove(ep.key, ep);
            unbind(ep);
          }
          log.warn("nlb transport: cannot bind the listeners of {}; keeping the previous bindings: {}", lb.name(),
              String.valueOf(failure.getCause() != null ? failure.getCause() : failure));
          return CompletableFuture.<Void>failedFuture(failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure);
        }
        // New sockets accept: now the ones no longer wanted (by the latest call) close.
        return unbindUnwanted(st);
      }
    }).thenCompose(f -> f);
  }

  /** Closes the sockets of {@code st} that the latest {@link #apply} does not want; completes when they are closed. */
  private static CompletableFuture<Void> unbindUnwanted(LbState st) {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    List<BindKey> gone = new ArrayList<>();
    for (BindKey k : st.endpoints.keySet()) {
      if (!st.wanted.contains(k)) {
        gone.add(k);
      }
    }
    for (BindKey k : gone) {
      Endpoint ep = st.endpoints.remove(k);
      if (ep != null) {
        closing.add(unbind(ep));
      }
    }
    return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Closes every socket of {@code lb} and ends its flows; its access log is flushed and closed
   * once the sockets are closed, off the control plane.
   */
  CompletionStage<Void> remove(LoadBalancer lb) {
    LbState st = loadBalancers.remove(lb);
    if (st == null) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    synchronized (st) {
      st.wanted = Set.of();
      for (Endpoint ep : st.endpoints.values()) {
        closing.add(unbind(ep));
      }
      st.endpoints.clear();
    }
    for (Flow f : st.flows) {
      f.terminate();
    }
    // The access log flushes what is queued: file I/O, kept off the control plane and the event
    // loops, once the sockets are closed.
    CompletableFuture<Void> closed = CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]));
    closed.whenCompleteAsync((v, e) -> {
      synchronized (st) {
        st.tls.clear();
        AccessLogs.close(st);
      }
    });
    return closed;
  }

  /**
   * Stops every endpoint from accepting new flows and closes the TCP listening sockets (UDP
   * sockets keep relaying the datagrams of open flows until {@link #closeAll}); waits up to 5 s.
   */
  void stopAccepting() {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (LbState st : states()) {
      synchronized (st) {
        for (Endpoint ep : st.endpoints.values()) {
          ep.closing = true;
          if (ep.protocol == IpProtocol.TCP) {
            closing.add(unbind(ep));
          }
        }
      }
    }
    awaitClosed(closing);
  }

  /** Closes every socket left and every access log; waits up to 5 s for the sockets. */
  void closeAll() {
    List<LbState> states = states();
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (LbState st : states) {
      synchronized (st) {
        for (Endpoint ep : st.endpoints.values()) {
          closing.add(unbind(ep));
        }
      }
    }
    awaitClosed(closing);
    for (LbState st : states) {
      synchronized (st) {
        st.endpoints.clear();
        AccessLogs.close(st);
      }
    }
    loadBalancers.clear();
  }

  /** Waits up to 5 s for sockets to close (close() may block; it is never called from an event loop). */
  private static void awaitClosed(List<CompletableFuture<Void>> closing) {
    try {
      CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("nlb transport: listening sockets did not close within 5 s: {}", e.toString());
    }
  }

  private Map<BindKey, Zone> wanted(LoadBalancer lb, RoutingSnapshot s) {
    java.util.@Nullable Set<String> servedZones = transport.servedZones;
    Map<BindKey, Zone> out = new LinkedHashMap<>();
    IpAddressType type = lb.ipAddressType();
    for (ListenerRoute l : s.listeners()) {
      Protocol p = l.config().protocol();
      for (Zone z : s.zones()) {
        if (servedZones != null && !servedZones.contains(z.name())) {
          continue; // another process runs this zone's node
        }
        List<InetAddress> addrs = new ArrayList<>();
        if (type != IpAddressType.IPV6) {
          z.ipv4Address().ifPresent(addrs::add);
        }
        if (type != IpAddressType.IPV4) {
          z.ipv6Address().ifPresent(addrs::add);
        }
        for (InetAddress a : addrs) {
          if (p.carriesTcp()) {
            out.put(new BindKey(IpProtocol.TCP, z.name(), a, l.config().port()), z);
          }
          if (p.carriesUdp()) {
            out.put(new BindKey(IpProtocol.UDP, z.name(), a, l.config().port()), z);
          }
        }
      }
    }
    return out;
  }

  /** Creates the endpoint of {@code k} and starts binding it; {@link Endpoint#bound} tells the outcome. */
  private Endpoint bind(LbState st, BindKey k, Zone zone, Map<Integer, TlsFrontend> tlsByPort) {
    NettyTransport t = transport;
    ZoneMetrics zm = st.zoneMetrics.computeIfAbsent(k.zone(), z -> new ZoneMetrics(t.metrics, st.lb.resourceId(), z));
    Endpoint ep = new Endpoint(t, st, k, zone, zm, st.slots.slot(k.protocol(), k.port(), k.zone()));
    AcceptGuard guard = null;
    if (k.protocol() == IpProtocol.TCP) {
      ep.tls = tlsByPort.get(k.port()); // before the socket accepts anything
      AcceptGuard.Connections c = st.connections.computeIfAbsent(k.port(),
          p -> new AcceptGuard.Connections(t.maxConnectionsPerListener, t.maxConnectionsPerClient));
      guard = new AcceptGuard(ep, c);
    }
    InetSocketAddress local = new InetSocketAddress(k.address(), k.port());
    if (k.protocol() == IpProtocol.TCP) {
      bindTcp(ep, Objects.requireNonNull(guard), local);
    } else {
      bindUdp(ep, local);
    }
    return ep;
  }

  /**
   * Binds the listening sockets of a TCP endpoint. Where the I/O mode has SO_REUSEPORT (epoll,
   * io_uring), every event loop gets a socket of its own on the same address and port, and accepts
   * its connections on itself: the kernel spreads new connections over the sockets, and no
   * connection is handed from an accepting loop to another. NIO has no SO_REUSEPORT: one socket,
   * whose accepted connections are spread over the loops.
   */
  private void bindTcp(Endpoint ep, AcceptGuard guard, InetSocketAddress local) {
    bindPerLoop(ep, local, true, (loops, reusePort) -> {
      ServerBootstrap b = server(loops, ep, guard);
      if (reusePort != null) {
        b.option(reusePort, true);
      }
      return b.bind(local);
    });
  }

  /**
   * Binds the sockets of a UDP endpoint: as for TCP, one socket per event loop with SO_REUSEPORT
   * (epoll, io_uring), each with its own {@link UdpListener} and flow table, one socket on NIO.
   * For unconnected UDP sockets of one SO_REUSEPORT group the kernel picks the socket by a hash of
   * the datagram's addresses and ports, so every datagram of a flow reaches the same socket, and
   * so the same flow and target, while the group does not change; replies leave from that socket,
   * bound to the listener's address and port like its siblings.
   */
  private void bindUdp(Endpoint ep, InetSocketAddress local) {
    NettyTransport t = transport;
    bindPerLoop(ep, local, t.udpSocketPerEventLoop, (loops, reusePort) -> {
      Bootstrap b = new Bootstrap().group(loops).channel(t.io.datagramChannel).handler(new UdpListener(ep));
      if (reusePort != null) {
        b.option(reusePort, true);
      }
      return b.bind(local);
    });
  }

  /** Binds one socket of an endpoint on {@code loops}, with SO_REUSEPORT when the option is not null. */
  @FunctionalInterface
  private interface SocketBind {
    ChannelFuture bind(EventLoopGroup loops, @Nullable ChannelOption<Boolean> reusePort);
  }

  /**
   * Binds {@code ep}: one socket per event loop where {@code perLoop}, the I/O mode has SO_REUSEPORT and there are
   * at least two loops, else one socket on the whole group (with SO_REUSEPORT only when the
   * builder asked for it, to share the port with other processes).
   */
  private void bindPerLoop(Endpoint ep, InetSocketAddress local, boolean perLoop, SocketBind socket) {
    NettyTransport t = transport;
    ChannelOption<Boolean> reusePort = perLoop ? t.io.reusePort() : null;
    List<EventLoop> loops = new ArrayList<>();
    if (reusePort != null) {
      for (EventExecutor e : t.group) {
        if (e instanceof EventLoop l) {
          loops.add(l);
        }
      }
    }
    if (reusePort == null || loops.size() < 2) {
      ChannelFuture bound = socket.bind(t.group, t.reusePort ? t.io.reusePortOption() : null);
      ep.channels = List.of(bound.channel());
      completeWhenBound(ep, List.of(bound), null);
      return;
    }
    // SO_REUSEPORT would also let a second endpoint of this process bind the same address and
    // port, and take part of its connections or datagrams in silence: within the process the
    // address is claimed first, so that such a bind fails as it does without the option.
    Claim claim = new Claim(ep.protocol, local);
    Endpoint holder = REUSE_PORT_HOLDERS.putIfAbsent(claim, ep);
    if (holder != null) {
      ep.bound.completeExceptionally(new BindException(ep.key + ": bind(..) failed: Address already in use (held by "
          + holder + " in this process)"));
      return;
    }
    List<ChannelFuture> binds = new ArrayList<>(loops.size());
    List<Channel> channels = new ArrayList<>(loops.size());
    for (EventLoop loop : loops) {
      ChannelFuture f = socket.bind(loop, reusePort);
      binds.add(f);
      channels.add(f.channel());
    }
    ep.channels = List.copyOf(channels);
    completeWhenBound(ep, binds, claim);
  }

  /** An address and port bound with SO_REUSEPORT by this process, for one protocol. */
  private record Claim(IpProtocol protocol, InetSocketAddress local) {}

  /** A server bootstrap of one listening socket: accepted connections live on {@code loops}. */
  private ServerBootstrap server(EventLoopGroup loops, Endpoint ep, AcceptGuard guard) {
    NettyTransport t = transport;
    ServerBootstrap b = new ServerBootstrap();
    io.netty.buffer.ByteBufAllocator alloc = t.allocator;
    if (alloc != null) {
      b.childOption(ChannelOption.ALLOCATOR, alloc);
    }
    return b
        .group(loops, loops)
        .channelFactory(t.io.serverChannelFactory)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new AcceptErrors(ep), new DirectAccept(ep, guard.connections, loops));
          }
        })
        // TCP_NODELAY is on already: Netty's socket channels of every mode enable it when created.
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, t.waterMark)
        .childOption(ChannelOption.RCVBUF_ALLOCATOR, TcpFlow.RECV_ALLOCATOR)
        .childHandler(guard);
  }

  /**
   * Completes {@link Endpoint#bound} once every socket of {@code ep} is bound, or fails it with the
   * first failure (the caller then closes the endpoint, with the sockets that did bind); a failed
   * endpoint gives up its in-process claim of {@code claimed}.
   */
  private static void completeWhenBound(Endpoint ep, List<ChannelFuture> binds, @Nullable Claim claimed) {
    int[] left = {binds.size()};
    for (ChannelFuture b : binds) {
      b.addListener(f -> {
        synchronized (left) {
          if (ep.bound.isDone()) {
            return;
          }
          if (!f.isSuccess()) {
            if (claimed != null) {
              REUSE_PORT_HOLDERS.remove(claimed, ep);
            }
            ep.bound.completeExceptionally(new java.io.IOException(ep.key + ": " + f.cause().getMessage(), f.cause()));
            return;
          }
          if (--left[0] == 0) {
            log.debug("nlb transport: bound {} ({} socket(s))", ep, binds.size());
            ep.bound.complete(null);
          }
        }
      });
    }
  }

  /** Starts closing {@code ep}'s sockets; completes when they are closed. */
  static CompletableFuture<Void> unbind(Endpoint ep) {
    ep.closing = true;
    List<Channel> sockets = ep.channels;
    CompletableFuture<Void> closed = new CompletableFuture<>();
    if (sockets.isEmpty()) {
      REUSE_PORT_HOLDERS.values().remove(ep);
      closed.complete(null);
      return closed;
    }
    int[] left = {sockets.size()};
    for (Channel ch : sockets) {
      ch.close().addListener(f -> {
        synchronized (left) {
          if (--left[0] > 0) {
            return;
          }
        }
        // Released once every socket is closed, so that a rebind in this process never sees its own.
        REUSE_PORT_HOLDERS.values().remove(ep);
        log.debug("nlb transport: unbound {}", ep);
        closed.complete(null);
      });
    }
    return closed;
  }
}
