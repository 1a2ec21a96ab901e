package io.nlb.transport.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.internal.PlatformDependent;
import io.nlb.core.ListenerRoute;
import io.nlb.core.LoadBalancer;
import io.nlb.core.FlowResets;
import io.nlb.core.RouteSlots;
import io.nlb.core.RouteTarget;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.Transport;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.tls.TlsProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty data plane: binds every listener of a load balancer on every zone's node address and
 * relays TCP connections and UDP flows to the targets its {@link RoutingSnapshot} selects.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * NettyTransport transport = NettyTransport.builder()
 *     .ioMode(IoMode.AUTO)
 *     .connectTimeout(Duration.ofSeconds(10))
 *     .maxConnectionsPerClient(100)          // protection limits; all unlimited by default
 *     .metrics(recorder)
 *     .build();
 * try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
 *   ...                                   // listeners are bound as the control plane creates them
 * }                                       // closes the transport: flows get shutdownTimeout to end
 * }</pre>
 *
 * <h2>Threading</h2>
 *
 * <p>This class is the application's handle: a builder, diagnostics and {@link #close()}. The
 * control plane talks to it through {@link #spi()}, the {@link Transport} it is given with {@code
 * Nlb.builder().transport(transport.spi())}; applications never call that interface's methods.
 * The control plane calls them ({@code apply}, {@code remove} and {@code resetFlows})
 * serialized, never from an event loop; {@code apply} binds synchronously.
 * Each accepted connection lives on one event loop, and its backend connection is registered on
 * the same loop, so a flow's state is confined to that thread. A flow reads {@link
 * io.nlb.core.RouteSlot} (its socket's route slot) once when it starts and keeps the {@link
 * RouteTarget} value it chose; {@code resetFlows} reaches existing flows through a per-registration
 * set of live flows and hops to their
 * event loops.
 *
 * <p>Structure: this class is a façade. {@code Binder} turns listeners into sockets (one per
 * event loop with {@code SO_REUSEPORT} on epoll and io_uring, with {@code TlsPlanner} and {@code
 * AccessLogs}), {@code FlowRegistry} keeps the open flows by target for the control plane's hooks,
 * {@code EventLoopWatchdog} watches the event loops, and each accepted connection runs a pipeline
 * of small handlers: accept limits, TLS termination, route-and-connect, the relay pair (copy or
 * splice) and the idle timeout.
 *
 * <p>Thread-safe. The accessors ({@link #ioMode()}, {@link #activeTcpFlows()}, ...) may be called
 * from any thread.
 *
 * @since 0.1
 */
public final class NettyTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  final IoTransport io;
  final EventLoopGroup group;
  private final boolean ownsGroup;
  final int connectTimeoutMillis;
  final long udpFlowIdleNanos;
  final long tcpIdleOverrideNanos;
  /** The TCP flows' idle timeouts, one wheel per event loop. */
  final IdleWheel.PerLoop idleWheels;
  final int maxUdpFlows;
  final int maxConnectionsPerListener;
  final int maxConnectionsPerClient;
  /** The per-flow buffer bound of each connection: unwritable at {@code flowBufferBytes}. */
  final WriteBufferWaterMark waterMark;
  /** The buffer allocator of TCP connections, or null for the channels' own default (the usual case). */
  final io.netty.buffer.@Nullable ByteBufAllocator allocator;
  final Duration tlsHandshakeTimeout;
  final MetricsRecorder metrics;
  private final Duration shutdownTimeout;
  final TlsProvider tlsProvider;
  /** Whether plain TCP flows splice (epoll only); see {@link NettyTransportBuilder#zeroCopy}. */
  final boolean zeroCopy;
  /** The zones whose nodes this process binds; {@code null}: every zone. */
  final java.util.@Nullable Set<String> servedZones;
  /** Whether listening sockets take SO_REUSEPORT, so that other processes can bind the same address. */
  final boolean reusePort;
  /** Whether UDP listeners bind a socket per event loop (epoll, io_uring). */
  final boolean udpSocketPerEventLoop;
  private final Spi spi = new Spi(this);

  /** A connection limit that never bites ({@link NettyTransportBuilder#maxConnectionsPerListener}, ...). */
  public static final int UNLIMITED = Integer.MAX_VALUE;
  /** The smallest {@link NettyTransportBuilder#flowBufferBytes}. */
  public static final int MIN_FLOW_BUFFER_BYTES = 1024;
  /** The largest {@link NettyTransportBuilder#flowBufferBytes}: 1 GiB. */
  public static final int MAX_FLOW_BUFFER_BYTES = 1 << 30;

  /** Listeners to sockets. */
  private final Binder binder;
  /** The open flows, by target. */
  final FlowRegistry flows = new FlowRegistry();
  /** UDP flows open now (the flow table's bound is checked against it). */
  final AtomicInteger udpFlows = flows.udpFlows;
  /** Datagrams dropped because the UDP flow table was full. */
  final LongAdder udpOverflows = flows.udpOverflows;
  private volatile boolean closed;
  private final @Nullable EventLoopWatchdog watchdog;
  /** Active health checks on this transport's event loops; closed first by {@link #close()}. */
  private final NettyHealthProbe healthProbe;
  /** The memory that connections hold before they have earned it (see {@link MemoryBudget}). */
  final MemoryBudget memory;
  /** Rate-limited WARN lines of refusals and errors: one per cause per interval, with a count. */
  final CauseLog causes;
  /** The cause logged when the UDP flow table is full (built once: logged per dropped datagram). */
  final String udpTableFullCause;
  /** Event-loop threads, handler errors and the cause log's tick, for {@link #liveness()}. */
  private final DataPlaneHealth health;

  NettyTransport(NettyTransportBuilder b) {
    EventLoopGroup shared = b.eventLoopGroup;
    if (shared != null) {
      io = IoTransport.forGroup(shared, b.ioMode);
      group = shared;
      ownsGroup = false;
    } else {
      io = IoTransport.resolve(b.ioMode);
      group = new MultiThreadIoEventLoopGroup(b.threads, io.handlerFactory);
      ownsGroup = true;
    }
    if (b.ioMode == IoMode.AUTO) {
      log.info("nlb transport: I/O mode {} (AUTO; {})", io.mode,
          ownsGroup ? IoTransport.autoReason() : "the I/O type of the given event loop group");
    }
    connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, b.connectTimeout.toMillis());
    udpFlowIdleNanos = b.udpFlowIdleTimeout.toNanos();
    Duration o = b.tcpIdleTimeoutOverride;
    tcpIdleOverrideNanos = o == null ? -1 : o.toNanos();
    idleWheels = new IdleWheel.PerLoop(tcpIdleOverrideNanos);
    UdpFlowLimit udp = UdpFlowLimit.of(b.maxUdpFlows, Descriptors.maxFileDescriptors(), io.mode,
        PlatformDependent.maxDirectMemory());
    maxUdpFlows = udp.maxFlows();
    udpTableFullCause = udp.tableFullCause();
    memory = MemoryBudget.forDirectMemory(PlatformDependent.maxDirectMemory(),
        b.handshakeMemoryBytes, b.maxHandshakeBytesPerConnection);
    Consumer<String> hook = b.causeLogHook;
    CauseLog.Sink sink = (text, error) -> {
      if (error == null) {
        log.warn(text);
      } else {
        log.warn(text, error);
      }
      if (hook != null) {
        hook.accept(text);
      }
    };
    causes = new CauseLog(sink, System::nanoTime, b.causeLogInterval);
    maxConnectionsPerListener = b.maxConnectionsPerListener;
    maxConnectionsPerClient = b.maxConnectionsPerClient;
    waterMark = b.flowBufferBytes == TcpFlow.WATER_MARK.high() ? TcpFlow.WATER_MARK
        : new WriteBufferWaterMark(b.flowBufferBytes / 2, b.flowBufferBytes);
    allocator = b.allocator;
    tlsHandshakeTimeout = b.tlsHandshakeTimeout;
    metrics = b.metrics;
    shutdownTimeout = b.shutdownTimeout;
    tlsProvider = b.tlsProvider;
    zeroCopy = io.mode == IoMode.EPOLL && (b.zeroCopy == null ? DEFAULT_ZERO_COPY : b.zeroCopy);
    if (zeroCopy && EpollSupport.halfCloseBroken()) {
      // EpollRegistration works on the read batches of copying relays; a spliced flow has none.
      log.warn("nlb transport: zero copy on epoll of Netty {}: spliced flows may lose data written to half-closed"
          + " connections (epoll_ctl ENOENT); copying relays are not affected", EpollSupport.version());
    }
    servedZones = b.servedZones;
    reusePort = b.reusePort;
    udpSocketPerEventLoop = b.udpSocketPerEventLoop;
    healthProbe = new NettyHealthProbe(group, io);
    binder = new Binder(this, new TlsPlanner(tlsProvider, tlsHandshakeTimeout));
    watchdog = EventLoopWatchdog.start(group, b.stallThreshold, b.watchdogScheduler, b.stallHook);
    health = new DataPlaneHealth(group, causes);
  }

  /**
   * An unexpected exception or {@link Error} in a connection's handler: counted ({@link
   * Liveness#handlerErrors()}) and logged once per cause and interval; the caller closes the
   * connection and the event loop goes on.
   */
  void handlerError(Object where, String what, Throwable cause) {
    health.handlerError(where, what, cause);
  }

  /**
   * Whether the data plane can serve now: event loops alive and TCP listener sockets accepting,
   * plus the count of handler errors that closed a connection (each logged, none fatal). Cheap
   * (no I/O, no task submitted); callable from any thread, such as a daemon's liveness endpoint.
   *
   * @return the state at this moment
   */
  public Liveness liveness() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (LbState st : binder.states()) {
      synchronized (st) {
        endpoints.addAll(st.endpoints.values());
      }
    }
    return health.liveness(endpoints, closed);
  }

  /** Bytes reserved now by TLS connections whose handshake has not completed (diagnostics, tests). */
  long handshakeMemoryBytes() {
    return memory.handshakeBytes();
  }

  /**
   * Whether EPOLL splices plain TCP flows when {@link NettyTransportBuilder#zeroCopy} is not set: no. Splice
   * pays for long bulk flows and costs per connection (benchmarks/compare/README.md, "Zero copy").
   */
  static final boolean DEFAULT_ZERO_COPY = false;

  /**
   * Starts a builder with the defaults: AUTO, Netty's default thread count, 10 s connect timeout.
   *
   * @return a new builder
   */
  public static NettyTransportBuilder builder() {
    return new NettyTransportBuilder();
  }

  /** {@return the I/O mode in use (never {@link IoMode#AUTO})} */
  public IoMode ioMode() {
    return io.mode;
  }

  /**
   * {@return whether {@code mode} can be used on this machine (AUTO and NIO always can)}
   *
   * @param mode the I/O mode
   */
  public static boolean isAvailable(IoMode mode) {
    return IoTransport.isAvailable(mode);
  }

  /**
   * {@return whether plain TCP flows are relayed with {@code splice(2)} (zero copy): true only on {@link
   * IoMode#EPOLL}, when {@link NettyTransportBuilder#zeroCopy} allows it}
   */
  public boolean zeroCopy() {
    return zeroCopy;
  }

  /** {@return TCP flows open now, over all load balancers (a connection pair counts once)} */
  public int activeTcpFlows() {
    return flows.tcpFlows();
  }

  /**
   * {@return event loop stalls seen so far: times an event loop did not run a task for longer than {@link
   * NettyTransportBuilder#eventLoopStallThreshold} (each stall counted once; each also logged once at WARN with
   * the loop's stack)} Always 0 when the watchdog is off.
   */
  public long eventLoopStalls() {
    EventLoopWatchdog w = watchdog;
    return w == null ? 0 : w.stalls();
  }

  /** {@return UDP flows open now, over all load balancers} */
  public int activeUdpFlows() {
    return flows.udpFlows.get();
  }

  /** {@return datagrams dropped because the UDP flow table was full ({@link NettyTransportBuilder#maxUdpFlows})} */
  public long udpFlowTableOverflows() {
    return flows.udpOverflows.sum();
  }

  /**
   * {@return the local addresses bound for {@code lb}, e.g. {@code TCP zone-a 127.0.0.1:8080}, for diagnostics}
   *
   * @param lb the load balancer
   */
  public List<String> bindings(LoadBalancer lb) {
    LbState st = binder.state(lb);
    List<String> out = new ArrayList<>();
    if (st != null) {
      synchronized (st) {
        for (BindKey k : st.endpoints.keySet()) {
          out.add(k.toString());
        }
      }
    }
    return out;
  }


  /**
   * The control plane's view of this transport, to pass to {@code Nlb.builder().transport(...)}.
   * Its methods are called by the control plane only; the same instance is returned every time,
   * and closing it closes this transport.
   *
   * @return the {@link Transport} SPI implemented by this transport
   */
  public Transport spi() {
    return spi;
  }

  /**
   * The {@code NettyTransport} behind a {@link Transport}, for diagnostics when the {@code Nlb}
   * found its transport itself ({@code Nlb.builder().transport()}): {@code
   * NettyTransport.from(nlb.transport().orElseThrow())}.
   *
   * @param transport a transport, as {@code Nlb.transport()} returns it
   * @return the Netty transport, or empty if {@code transport} is another implementation
   */
  public static Optional<NettyTransport> from(Transport transport) {
    return transport instanceof Spi s ? Optional.of(s.owner()) : Optional.empty();
  }

  /** The SPI side, kept off the public type so that applications cannot call it by mistake. */
  private record Spi(NettyTransport owner) implements Transport {
    @Override
    public CompletionStage<Void> apply(LoadBalancer lb, RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next) {
      return owner.apply(lb, slots, previous, next);
    }

    @Override
    public CompletionStage<Void> remove(LoadBalancer lb) {
      return owner.remove(lb);
    }

    @Override
    public Optional<HealthProbe> healthProbe() {
      return owner.healthProbe();
    }

    @Override
    public void resetFlows(LoadBalancer lb, FlowResets resets) {
      owner.flows.reset(resets);
    }

    @Override
    public void close() {
      owner.close();
    }

    @Override
    public String toString() {
      return owner.toString();
    }
  }

  // ------------------------------------------------------------------ Transport (through Spi)

  CompletionStage<Void> apply(LoadBalancer lb, RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("transport: closed (expected: an open transport)"));
    }
    return binder.apply(lb, slots, next);
  }

  CompletionStage<Void> remove(LoadBalancer lb) {
    return binder.remove(lb);
  }

  /**
   * The active health-check probe: TCP, HTTP and HTTPS checks as channels on this transport's event
   * loops (see {@link HealthProbe}). It lives as long as the transport; {@link #close()} ends the
   * checks in flight with {@code ERROR}.
   */
  Optional<HealthProbe> healthProbe() {
    return Optional.of(healthProbe);
  }

  /**
   * Stops accepting new flows, waits up to the shutdown timeout for TCP flows to end, then resets
   * the rest, closes UDP flows and, when the transport created its event loops, shuts them down.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    flows.closing();
    healthProbe.close();
    List<LbState> states = binder.states();
    binder.stopAccepting();
    int openAtClose = flows.tcpFlows();
    int udpAtClose = flows.udpFlows.get();
    flows.awaitNoTcpFlows(shutdownTimeout.toNanos());
    int left = flows.tcpFlows();
    for (LbState st : states) {
      for (Flow f : st.flows) {
        f.terminate();
      }
    }
    if (openAtClose > 0 || udpAtClose > 0) {
      log.info("nlb transport: closing: {} of {} TCP flows finished within the {} s grace period, {} reset; {} UDP flows dropped",
          Math.max(0, openAtClose - left), openAtClose, shutdownTimeout.toSeconds(), left, udpAtClose);
    }
    // The resets run on the event loops; an event loop that shuts down first would close the
    // sockets with a FIN instead.
    flows.awaitNoTcpFlows(TimeUnit.SECONDS.toNanos(5));
    binder.closeAll();
    health.close();
    EventLoopWatchdog w = watchdog;
    if (w != null) {
      w.close();
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(shutdownTimeout.toMillis() + 5_000);
    }
  }

  // ------------------------------------------------------------------ flows

  void flowOpened(Flow f, LbState st, boolean tcp) {
    flows.opened(f, st, tcp);
  }

  void flowClosed(Flow f, LbState st, boolean tcp) {
    flows.closed(f, st, tcp);
  }

  /** The idle timeout of a TCP flow of {@code route}: the override, or the listener attribute. */
  long tcpIdleNanos(ListenerRoute route) {
    return tcpIdleOverrideNanos > 0 ? tcpIdleOverrideNanos : route.config().attributes().tcpIdleTimeout().toNanos();
  }

  boolean isClosed() {
    return closed;
  }

  /** The open flows of {@code lb} (tests, diagnostics; a concurrent set). */
  Set<Flow> flows(LoadBalancer lb) {
    LbState st = binder.state(lb);
    return st == null ? Set.of() : st.flows;
  }

  /** The bound endpoints of {@code lb} (tests, diagnostics; a copy). */
  List<Endpoint> endpoints(LoadBalancer lb) {
    LbState st = binder.state(lb);
    if (st == null) {
      return List.of();
    }
    synchronized (st) {
      return new ArrayList<>(st.endpoints.values());
    }
  }

  /** The connection counts of {@code lb}'s TCP listener on {@code port}, or null (tests, diagnostics). */
  AcceptGuard.@Nullable Connections connections(LoadBalancer lb, int port) {
    LbState st = binder.state(lb);
    if (st == null) {
      return null;
    }
    synchronized (st) {
      return st.connections.get(port);
    }
  }

  /**
   * The most bytes any open TCP flow of {@code lb} holds now, waiting for a socket to take them
   * (tests, diagnostics; read from outside the event loops, so a moment's estimate).
   */
  long maxFlowBufferedBytes(LoadBalancer lb) {
    LbState st = binder.state(lb);
    long max = 0;
    if (st != null) {
      for (Flow f : st.flows) {
        if (f instanceof TcpFlow t) {
          max = Math.max(max, t.bufferedBytes());
        }
      }
    }
    return max;
  }
}
