package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.nlb.core.LoadBalancer;
import io.nlb.core.RouteSlot;
import io.nlb.core.routing.IpProtocol;
import io.nlb.core.Zone;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * One bound socket of a load balancer node: a TCP server socket or a UDP socket on the node's
 * address and the listener's port, with everything its flows need (its route slot, the zone, the
 * metric handles). Created by the control plane; read by
 * event loops.
 */
final class Endpoint {
  final NettyTransport transport;
  final LbState state;
  final LoadBalancer lb;
  /**
   * The route of this socket's (listener, node) pair: the only thing of the core a new flow reads
   * (once, a volatile read). The control plane swaps its value.
   */
  final RouteSlot slot;
  final BindKey key;
  final String zone;
  final InetAddress nodeAddress;
  final int port;
  final IpProtocol protocol;
  final ZoneMetrics metrics;
  private final @Nullable InetAddress nodeIpv4;
  private final @Nullable InetAddress nodeIpv6;
  private final ConcurrentMap<InetAddress, InetAddress> kernelSources = new ConcurrentHashMap<>();
  /**
   * The sockets, set when binding starts: one per event loop where the I/O mode has SO_REUSEPORT
   * (epoll, io_uring), else one.
   */
  volatile java.util.List<Channel> channels = java.util.List.of();
  /** Completes when the socket accepts (or receives), fails when it cannot be bound. */
  final java.util.concurrent.CompletableFuture<Void> bound = new java.util.concurrent.CompletableFuture<>();
  /** Whether a failure to bind a target connection's source address was logged at WARN. */
  volatile boolean warnedBindFailure;
  /** When an out-of-file-descriptors failure was last logged (System.nanoTime), 0 for never. */
  private volatile long lastOutOfFilesWarn;
  /** Set when the transport stops accepting: no new flows. */
  volatile boolean closing;
  /**
   * The TLS listener on this TCP socket's port, or null for TCP (and TLS passthrough). Set by the
   * control plane before the socket is bound and whenever the listener changes; read once per
   * accepted connection.
   */
  volatile @Nullable TlsFrontend tls;
  /** Counts the bytes read from the sockets of TLS flows as they arrive (TLS records, overhead included). */
  final ChannelHandler tlsBytes;
  /**
   * The per-route values of the last TCP flow routed through this socket ({@link FlowSettings#of}):
   * a plain field, racy on purpose; the value is immutable and recomputed when the route changes.
   */
  @Nullable FlowSettings flowSettings;
  /** Counts full flow buffers ({@code FlowBufferFullCount}) on both connections of each TCP flow. */
  final AcceptGuard.BufferWatch bufferWatch;

  Endpoint(NettyTransport transport, LbState state, BindKey key, Zone zone, ZoneMetrics metrics, RouteSlot slot) {
    this.slot = slot;
    this.nodeIpv4 = zone.ipv4Address().orElse(null);
    this.nodeIpv6 = zone.ipv6Address().orElse(null);
    this.transport = transport;
    this.state = state;
    this.lb = state.lb;
    this.key = key;
    this.zone = key.zone();
    this.nodeAddress = key.address();
    this.port = key.port();
    this.protocol = key.protocol();
    this.metrics = metrics;
    this.tlsBytes = new TlsErrors.Bytes(metrics);
    this.bufferWatch = new AcceptGuard.BufferWatch(metrics, transport.memory);
  }

  /**
   * The source address for a connection to {@code target}: the client's when preserving the
   * client IP and the families match (the guide: preservation has no effect on traffic converted
   * between IPv6 and IPv4), otherwise the node's address of the target's family; null lets the
   * kernel choose when the node has no address of that family.
   */
  @Nullable InetAddress source(boolean preserveClientIp, InetAddress client, InetAddress target) {
    boolean v4 = target instanceof Inet4Address;
    if (preserveClientIp && (client instanceof Inet4Address) == v4) {
      return client;
    }
    InetAddress node = (nodeAddress instanceof Inet4Address) == v4 ? nodeAddress : (v4 ? nodeIpv4 : nodeIpv6);
    if (node != null && node.equals(kernelSource(target))) {
      // The kernel would pick the node's address anyway: binding first would only make it search
      // for a free port under the bind lock, which costs milliseconds per connection once many
      // sockets sit in TIME_WAIT (NIO and io_uring cannot ask for IP_BIND_ADDRESS_NO_PORT).
      return null;
    }
    return node;
  }

  /** The source address the kernel chooses for {@code target}; cached per target address. */
  private @Nullable InetAddress kernelSource(InetAddress target) {
    InetAddress cached = kernelSources.get(target);
    if (cached != null) {
      return cached;
    }
    // connect() on a UDP socket only consults the routing table: no packet is sent.
    try (DatagramChannel probe = DatagramChannel.open(target instanceof Inet4Address ? StandardProtocolFamily.INET
        : StandardProtocolFamily.INET6)) {
      probe.connect(new InetSocketAddress(target, 9));
      InetAddress chosen = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
      if (kernelSources.size() < 4096) {
        kernelSources.put(target, chosen);
      }
      return chosen;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A target connection could not be opened because this process is out of file descriptors: the
   * client is reset (by the caller); logged at WARN at most once a second per listener socket.
   */
  void outOfFiles(String flow, Throwable cause) {
    long now = System.nanoTime();
    long last = lastOutOfFilesWarn;
    if (last == 0 || now - last >= 1_000_000_000L) {
      lastOutOfFilesWarn = now == 0 ? 1 : now;
      org.slf4j.LoggerFactory.getLogger(TcpFlow.class).warn("nlb flow {}: cannot open a target connection: out of file"
          + " descriptors ({}); the client is reset. Raise the process's limit (ulimit -n); further failures within 1 s"
          + " are not logged", flow, String.valueOf(cause));
    }
  }

  @Override
  public String toString() {
    return lb.name() + " " + key;
  }
}
