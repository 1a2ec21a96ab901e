package io.nlb.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.internal.PlatformDependent;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.ListenerRoute;
import io.nlb.core.LoadBalancerAttributes;
import io.nlb.core.ServerCertificate;
import io.nlb.core.IpAddressType;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.RouteTarget;
import io.nlb.core.FlowResets;
import io.nlb.core.RouteSlots;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.Scheduler;
import io.nlb.core.Zone;
import io.nlb.core.routing.IpProtocol;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.Transport;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.tls.DirectoryAccessLogSink;
import io.nlb.tls.PolicySupport;
import io.nlb.tls.SecurityPolicy;
import io.nlb.tls.TlsAccessLog;
import io.nlb.tls.TlsCertificate;
import io.nlb.tls.TlsOrigination;
import io.nlb.tls.TlsProvider;
import io.nlb.tls.TlsTermination;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * The control plane calls them ({@code apply}, {@code remove} and {@code
 * resetFlows}) serialized, never from an event loop; {@code apply} binds synchronously.
 * Each accepted connection lives on one event loop, and its backend connection is registered on
 * the same loop, so a flow's state is confined to that thread. A flow reads its socket's route
 * slot ({@link io.nlb.core.RouteSlot}) once when it starts and keeps the {@link RouteTarget} value
 * it chose; {@code resetFlows} reaches existing flows through a per-registration set of live flows
 * and hops to their event loops.
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
  final int maxUdpFlows;
  final int maxConnectionsPerListener;
  final int maxConnectionsPerClient;
  /** The per-flow buffer bound of each connection: unwritable at {@code flowBufferBytes}. */
  final WriteBufferWaterMark waterMark;
  final Duration tlsHandshakeTimeout;
  final MetricsRecorder metrics;
  private final Duration shutdownTimeout;
  final TlsProvider tlsProvider;
  /** Whether plain TCP flows splice (epoll only); see {@link Builder#zeroCopy}. */
  final boolean zeroCopy;
  private final Spi spi = new Spi(this);

  /**
   * The account id and region in access-log file names and paths ({@code
   * AWSLogs/<account>/elasticloadbalancing/<region>/...}): an embedded load balancer has neither,
   * so these fixed placeholders stand in for them.
   */
  static final String ACCESS_LOG_ACCOUNT = "000000000000";
  static final String ACCESS_LOG_REGION = "local";
  /** Entries a TLS access log keeps in memory before dropping (and counting) new ones. */
  static final int ACCESS_LOG_CAPACITY = 65_536;

  /** A connection limit that never bites ({@link Builder#maxConnectionsPerListener}, ...). */
  public static final int UNLIMITED = Integer.MAX_VALUE;
  /** The smallest {@link Builder#flowBufferBytes}. */
  public static final int MIN_FLOW_BUFFER_BYTES = 1024;
  /** The largest {@link Builder#flowBufferBytes}: 1 GiB. */
  public static final int MAX_FLOW_BUFFER_BYTES = 1 << 30;

  private final Map<LoadBalancer, LbState> loadBalancers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Set<Flow>> flowsByTarget = new ConcurrentHashMap<>();
  private final AtomicInteger tcpFlows = new AtomicInteger();
  final AtomicInteger udpFlows = new AtomicInteger();
  final LongAdder udpOverflows = new LongAdder();
  private final Object drained = new Object();
  private volatile boolean closed;
  private final @Nullable EventLoopWatchdog watchdog;
  /** Active health checks on this transport's event loops; closed first by {@link #close()}. */
  private final NettyHealthProbe healthProbe;
  private final @Nullable ScheduledThreadPoolExecutor watchdogThread;
  /** The memory that connections hold before they have earned it (see {@link MemoryBudget}). */
  final MemoryBudget memory;
  /** Rate-limited WARN lines of refusals and errors: one per cause per interval, with a count. */
  final CauseLog causes;
  /** The cause logged when the UDP flow table is full (built once: logged per dropped datagram). */
  final String udpTableFullCause;
  /** Event-loop threads, handler errors and the cause log's tick, for {@link #liveness()}. */
  private final DataPlaneHealth health;

  private NettyTransport(Builder b) {
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
    long maxFds = Descriptors.maxFileDescriptors();
    int udpBudget = Descriptors.udpFlowBudget(maxFds);
    if (b.maxUdpFlows > 0) {
      maxUdpFlows = b.maxUdpFlows;
      if (maxFds > 0 && b.maxUdpFlows > udpBudget) {
        log.warn("nlb transport: maxUdpFlows {} is more than the descriptor budget of UDP flows under this process's"
            + " limit of {} file descriptors ({}: half of what is left after a reserve of {} for accepting, target"
            + " connections and health checks); a UDP flood can then take the descriptors TCP needs. Raise ulimit -n"
            + " or lower maxUdpFlows", b.maxUdpFlows, maxFds, udpBudget, Descriptors.reserve(maxFds));
      }
    } else {
      maxUdpFlows = udpBudget;
    }
    udpTableFullCause = "UDP flow table full: datagrams of new flows are dropped (maxUdpFlows " + maxUdpFlows
        + (b.maxUdpFlows > 0 ? "" : ", derived from ulimit -n " + maxFds) + "); existing flows go on";
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
    tlsHandshakeTimeout = b.tlsHandshakeTimeout;
    metrics = b.metrics;
    shutdownTimeout = b.shutdownTimeout;
    tlsProvider = b.tlsProvider;
    zeroCopy = io.mode == IoMode.EPOLL && (b.zeroCopy == null ? DEFAULT_ZERO_COPY : b.zeroCopy);
    healthProbe = new NettyHealthProbe(group, io);
    if (b.stallThreshold.isZero()) {
      watchdog = null;
      watchdogThread = null;
    } else {
      Scheduler sched = b.watchdogScheduler;
      if (sched == null) {
        watchdogThread = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "nlb-event-loop-watchdog");
          t.setDaemon(true);
          return t;
        });
        watchdogThread.setRemoveOnCancelPolicy(true);
        sched = systemScheduler(watchdogThread);
      } else {
        watchdogThread = null;
      }
      watchdog = new EventLoopWatchdog(group, b.stallThreshold, sched, b.stallHook);
      watchdog.start();
    }
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
    for (LbState st : loadBalancers.values()) {
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

  private static Scheduler systemScheduler(ScheduledThreadPoolExecutor ex) {
    return new Scheduler() {
      @Override
      public java.time.Instant now() {
        return java.time.Instant.now();
      }

      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Cancellable schedule(Duration delay, Runnable task) {
        java.util.concurrent.ScheduledFuture<?> f = ex.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }
    };
  }

  /**
   * Whether EPOLL splices plain TCP flows when {@link Builder#zeroCopy} is not set: no. Splice
   * pays for long bulk flows and costs per connection (benchmarks/compare/README.md, "Zero copy").
   */
  static final boolean DEFAULT_ZERO_COPY = false;

  /**
   * Starts a builder with the defaults: AUTO, Netty's default thread count, 10 s connect timeout.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
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
   * IoMode#EPOLL}, when {@link Builder#zeroCopy} allows it}
   */
  public boolean zeroCopy() {
    return zeroCopy;
  }

  /** {@return TCP flows open now, over all load balancers (a connection pair counts once)} */
  public int activeTcpFlows() {
    return tcpFlows.get();
  }

  /**
   * {@return event loop stalls seen so far: times an event loop did not run a task for longer than {@link
   * Builder#eventLoopStallThreshold} (each stall counted once; each also logged once at WARN with
   * the loop's stack)} Always 0 when the watchdog is off.
   */
  public long eventLoopStalls() {
    EventLoopWatchdog w = watchdog;
    return w == null ? 0 : w.stalls();
  }

  /** {@return UDP flows open now, over all load balancers} */
  public int activeUdpFlows() {
    return udpFlows.get();
  }

  /** {@return datagrams dropped because the UDP flow table was full ({@link Builder#maxUdpFlows})} */
  public long udpFlowTableOverflows() {
    return udpOverflows.sum();
  }

  /**
   * {@return the local addresses bound for {@code lb}, e.g. {@code TCP zone-a 127.0.0.1:8080}, for diagnostics}
   *
   * @param lb the load balancer
   */
  public List<String> bindings(LoadBalancer lb) {
    LbState st = loadBalancers.get(lb);
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
      owner.resetFlows(resets);
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
        tlsNext = planTls(st, next, tlsCommit);
      } catch (RuntimeException e) {
        log.warn("nlb transport: cannot serve the listeners of {}; keeping the previous bindings: {}", lb.name(), e.toString());
        return CompletableFuture.failedFuture(e);
      }
      for (Runnable r : tlsCommit) {
        r.run();
      }
      st.tls.clear();
      st.tls.putAll(tlsNext);
      Map<Integer, TlsFrontend> byPort = byPort(next, tlsNext);
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
      syncAccessLog(st);
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
  private CompletableFuture<Void> unbindUnwanted(LbState st) {
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
   * The TLS listeners {@code next} wants: a new {@link TlsTermination} for each new one; for each
   * changed one, a commit step that updates its termination in place (new handshakes only). Checks
   * everything that could make a commit step fail: the policy must be served exactly by the
   * provider (never a different policy in silence) and every certificate must carry its key.
   *
   * @throws IllegalStateException naming the listener and the setting that would fix it
   */
  private Map<String, TlsFrontend> planTls(LbState st, RoutingSnapshot next, List<Runnable> commit) {
    Map<String, TlsFrontend> out = new HashMap<>();
    for (ListenerRoute r : next.listeners()) {
      ListenerConfig c = r.config();
      if (c.protocol() != Protocol.TLS) {
        continue;
      }
      SecurityPolicy policy;
      TlsOrigination origination = null;
      TlsFrontend cur = st.tls.get(r.listenerId());
      try {
        policy = SecurityPolicy.named(c.sslPolicy().orElse(SecurityPolicy.DEFAULT.name()));
        PolicySupport.check(policy, tlsProvider).requireExact();
        for (ServerCertificate sc : c.certificate().map(List::of).orElse(List.of())) {
          requireKey(c, sc);
        }
        for (ServerCertificate sc : c.certificates()) {
          requireKey(c, sc);
        }
        if (r.targetProtocol() == Protocol.TLS) {
          TlsOrigination o = cur == null ? null : cur.origination;
          origination = o != null && cur != null && cur.originationPolicy == policy ? o
              : TlsOrigination.forListener(policy, tlsProvider, TcpFlow.TLS_ERRORS);
        }
      } catch (RuntimeException e) {
        throw new IllegalStateException(c.path() + ": " + e.getMessage(), e);
      }
      TlsFrontend fe;
      if (cur == null) {
        TlsTermination t;
        try {
          t = TlsTermination.builder(c, tlsProvider)
              .negotiationListener(TcpFlow.TLS_ERRORS)
              .handshakeTimeout(tlsHandshakeTimeout)
              .accessLog(st.accessLogWriter, st.lb.resourceId(), r.listenerResourceId())
              .timeSource(st.lb.nlb().scheduler())
              .build();
        } catch (RuntimeException e) {
          throw new IllegalStateException(c.path() + ": " + e.getMessage(), e);
        }
        fe = new TlsFrontend(r.listenerId(), t, c);
      } else {
        fe = cur;
        if (cur.config != c) {
          commit.add(() -> {
            cur.termination.update(c);
            cur.config = c;
          });
        }
      }
      TlsOrigination o = origination;
      SecurityPolicy p = policy;
      commit.add(() -> {
        fe.origination = o;
        fe.originationPolicy = o == null ? null : p;
      });
      out.put(r.listenerId(), fe);
    }
    return out;
  }

  private static void requireKey(ListenerConfig c, ServerCertificate sc) {
    if (!(sc instanceof TlsCertificate)) {
      throw new IllegalArgumentException("certificate " + sc.id() + " (expected: a io.nlb.tls.TlsCertificate, PemCertificate or"
          + " KeyStoreCertificate, carrying the private key)");
    }
  }

  private static Map<Integer, TlsFrontend> byPort(RoutingSnapshot next, Map<String, TlsFrontend> tls) {
    Map<Integer, TlsFrontend> out = new HashMap<>();
    for (ListenerRoute r : next.listeners()) {
      TlsFrontend fe = tls.get(r.listenerId());
      if (fe != null) {
        out.put(r.config().port(), fe);
      }
    }
    return out;
  }

  /**
   * Opens, reopens or closes the load balancer's TLS access log to match its attributes: one log
   * while {@code access_logs.s3.enabled} is true and it has a TLS listener. Closing flushes what is
   * queued (on this control thread, never on an event loop).
   */
  private void syncAccessLog(LbState st) {
    LoadBalancerAttributes a = st.lb.attributes();
    boolean want = a.accessLogsEnabled() && !st.tls.isEmpty() && !closed;
    String key = want ? a.accessLogsDirectory() + "\u0000" + a.accessLogsPrefix() : null;
    if (java.util.Objects.equals(key, st.accessLogKey)) {
      return;
    }
    TlsAccessLog old = st.accessLog;
    TlsAccessLog opened = null;
    if (want) {
      try {
        DirectoryAccessLogSink sink = DirectoryAccessLogSink.fromAttributes(a, ACCESS_LOG_ACCOUNT, ACCESS_LOG_REGION, st.lb.resourceId());
        if (sink != null) {
          opened = TlsAccessLog.start(sink, st.lb.nlb().scheduler(), ACCESS_LOG_CAPACITY);
        }
      } catch (RuntimeException e) {
        log.warn("nlb transport: cannot open the TLS access log of {}: {}", st.lb.name(), e.toString());
      }
    }
    st.accessLog = opened;
    st.accessLogKey = opened == null ? null : key;
    closeAccessLog(st.lb, old);
  }

  private static void closeAccessLog(LoadBalancer lb, @Nullable TlsAccessLog l) {
    if (l == null) {
      return;
    }
    try {
      l.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (l.dropped() > 0) {
      log.warn("nlb transport: the TLS access log of {} dropped {} entries", lb.name(), l.dropped());
    }
  }

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
        TlsAccessLog l = st.accessLog;
        st.accessLog = null;
        st.accessLogKey = null;
        closeAccessLog(lb, l);
      }
    });
    return closed;
  }

  /**
   * Applies one routing change's effect on open flows (computed by the core from the difference
   * between its old and new routes): closes the flows of terminated targets, marks or unmarks the
   * flows of targets whose health changed.
   */
  void resetFlows(FlowResets resets) {
    for (RouteTarget t : resets.terminate()) {
      Set<Flow> flows = flowsByTarget.get(t.registrationId());
      if (flows != null) {
        for (Flow f : flows) {
          f.terminate();
        }
      }
    }
    mark(resets.unhealthy(), true);
    mark(resets.healthy(), false);
  }

  private void mark(List<RouteTarget> targets, boolean unhealthy) {
    for (RouteTarget t : targets) {
      Set<Flow> flows = flowsByTarget.get(t.registrationId());
      if (flows != null) {
        for (Flow f : flows) {
          f.targetUnhealthy(unhealthy);
        }
      }
    }
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
    healthProbe.close();
    List<LbState> states = new ArrayList<>(loadBalancers.values());
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (LbState st : states) {
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
    int openAtClose = tcpFlows.get();
    int udpAtClose = udpFlows.get();
    awaitNoTcpFlows(shutdownTimeout.toNanos());
    int left = tcpFlows.get();
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
    awaitNoTcpFlows(TimeUnit.SECONDS.toNanos(5));
    closing.clear();
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
        TlsAccessLog l = st.accessLog;
        st.accessLog = null;
        st.accessLogKey = null;
        closeAccessLog(st.lb, l);
      }
    }
    loadBalancers.clear();
    health.close();
    EventLoopWatchdog w = watchdog;
    if (w != null) {
      w.close();
    }
    ScheduledThreadPoolExecutor wt = watchdogThread;
    if (wt != null) {
      wt.shutdownNow();
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(shutdownTimeout.toMillis() + 5_000);
    }
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

  private void awaitNoTcpFlows(long nanos) {
    long deadline = System.nanoTime() + nanos;
    synchronized (drained) {
      long left;
      while (tcpFlows.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  // ------------------------------------------------------------------ flows

  void flowOpened(Flow f, LbState st, boolean tcp) {
    st.flows.add(f);
    flowsByTarget.compute(f.target().registrationId(), (k, s) -> {
      Set<Flow> set = s == null ? ConcurrentHashMap.newKeySet() : s;
      set.add(f);
      return set;
    });
    if (tcp) {
      tcpFlows.incrementAndGet();
    }
  }

  void flowClosed(Flow f, LbState st, boolean tcp) {
    st.flows.remove(f);
    flowsByTarget.computeIfPresent(f.target().registrationId(), (k, s) -> {
      s.remove(f);
      return s.isEmpty() ? null : s;
    });
    if (tcp && tcpFlows.decrementAndGet() == 0 && closed) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
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
    LbState st = loadBalancers.get(lb);
    return st == null ? Set.of() : st.flows;
  }

  /** The connection counts of {@code lb}'s TCP listener on {@code port}, or null (tests, diagnostics). */
  AcceptGuard.@Nullable Connections connections(LoadBalancer lb, int port) {
    LbState st = loadBalancers.get(lb);
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
    LbState st = loadBalancers.get(lb);
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

  // ------------------------------------------------------------------ binding

  private static Map<BindKey, Zone> wanted(LoadBalancer lb, RoutingSnapshot s) {
    Map<BindKey, Zone> out = new LinkedHashMap<>();
    IpAddressType type = lb.ipAddressType();
    for (ListenerRoute l : s.listeners()) {
      Protocol p = l.config().protocol();
      for (Zone z : s.zones()) {
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
    ZoneMetrics zm = st.zoneMetrics.computeIfAbsent(k.zone(), z -> new ZoneMetrics(metrics, st.lb.resourceId(), z));
    Endpoint ep = new Endpoint(this, st, k, zone, zm, st.slots.slot(k.protocol(), k.port(), k.zone()));
    AcceptGuard guard = null;
    if (k.protocol() == IpProtocol.TCP) {
      ep.tls = tlsByPort.get(k.port()); // before the socket accepts anything
      AcceptGuard.Connections c = st.connections.computeIfAbsent(k.port(),
          p -> new AcceptGuard.Connections(maxConnectionsPerListener, maxConnectionsPerClient));
      guard = new AcceptGuard(ep, c);
    }
    InetSocketAddress local = new InetSocketAddress(k.address(), k.port());
    ChannelFuture bound;
    if (k.protocol() == IpProtocol.TCP) {
      bound = new ServerBootstrap()
          .group(group)
          .channel(io.serverChannel)
          .option(ChannelOption.SO_BACKLOG, 4096)
          .option(ChannelOption.SO_REUSEADDR, true)
          .handler(new AcceptErrors(ep))
          // TCP_NODELAY is on already: Netty's socket channels of every mode enable it when created.
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
          .childHandler(java.util.Objects.requireNonNull(guard))
          .bind(local);
    } else {
      bound = new Bootstrap()
          .group(group)
          .channel(io.datagramChannel)
          .handler(new UdpListener(ep))
          .bind(local);
    }
    ep.channel = bound.channel();
    bound.addListener(f -> {
      if (f.isSuccess()) {
        log.debug("nlb transport: bound {}", ep);
        ep.bound.complete(null);
      } else {
        ep.bound.completeExceptionally(new java.io.IOException(k + ": " + f.cause().getMessage(), f.cause()));
      }
    });
    return ep;
  }

  /** Starts closing {@code ep}'s socket; completes when it is closed. */
  private static CompletableFuture<Void> unbind(Endpoint ep) {
    ep.closing = true;
    Channel ch = ep.channel;
    CompletableFuture<Void> closed = new CompletableFuture<>();
    if (ch == null) {
      closed.complete(null);
      return closed;
    }
    ch.close().addListener(f -> {
      log.debug("nlb transport: unbound {}", ep);
      closed.complete(null);
    });
    return closed;
  }

  /** Builds a {@link NettyTransport}. Setters validate their argument. Not thread-safe. */
  public static final class Builder {
    private IoMode ioMode = IoMode.AUTO;
    private int threads;
    private @Nullable EventLoopGroup eventLoopGroup;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration udpFlowIdleTimeout = Duration.ofSeconds(120);
    private @Nullable Duration tcpIdleTimeoutOverride;
    /** 0: derived from the process's descriptor limit. */
    private int maxUdpFlows;
    private long handshakeMemoryBytes;
    private int maxHandshakeBytesPerConnection = MemoryBudget.DEFAULT_PER_CONNECTION;
    private @Nullable Consumer<String> causeLogHook;
    private Duration causeLogInterval = CauseLog.DEFAULT_INTERVAL;
    private int maxConnectionsPerListener = UNLIMITED;
    private int maxConnectionsPerClient = UNLIMITED;
    private int flowBufferBytes = TcpFlow.WATER_MARK.high();
    private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);
    private MetricsRecorder metrics = MetricsRecorder.noop();
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private TlsProvider tlsProvider = TlsProvider.JDK;
    private @Nullable Boolean zeroCopy;
    private Duration stallThreshold = Duration.ofSeconds(1);
    private @Nullable Scheduler watchdogScheduler;
    private @Nullable Consumer<String> stallHook;

    Builder() {}

    /**
     * Whether TCP flows of plain TCP listeners relay with {@code splice(2)}, socket to pipe to
     * socket inside the kernel, instead of reading into buffers and writing them out. Applies to
     * {@link IoMode#EPOLL} only (other modes ignore it) and never to TLS listeners; the PROXY v2
     * header, when the target group wants one, is written before splicing starts. Metrics, idle
     * timeout, half-close, resets, draining and {@link NettyTransport#close()} behave as without
     * it, with one difference: when the target turns unhealthy, the client bytes whose arrival
     * triggers the reset have already been passed to the target's socket (up to one pipe, 64 KiB),
     * where without zero copy they are dropped. Default {@code false}: on loopback splice moved
     * one bulk stream faster (1,781 against 1,443 MB/s, quiet machine; copying won on a loaded one)
     * with 40 % less CPU per GB, but cost 18 % more CPU per new connection (see the README's
     * performance section), so it pays for listeners with long bulk flows. Netty creates two pipes
     * per spliced flow and moves at most one pipe (64 KiB) per read.
     *
     * @param enabled whether TCP flows of plain TCP listeners relay with {@code splice(2)}, socket to pipe to socket inside the kernel, instead of reading into buffers and writing them out
     * @return this builder
     */
    public Builder zeroCopy(boolean enabled) {
      this.zeroCopy = enabled;
      return this;
    }

    /**
     * How long an event loop may go without running a task before the transport logs a WARN (once
     * per stall, with the loop's thread name and stack trace) and counts it in {@link
     * NettyTransport#eventLoopStalls()}; default 1 s. {@link Duration#ZERO} turns the watchdog off.
     * Code that blocks an event loop (a shared group's tasks included) stalls every connection of
     * that loop; this makes it visible instead of silent.
     *
     * @param threshold how long an event loop may go without running a task before the transport logs a WARN (once per stall, with the loop's thread name and stack trace) and counts it in {@link NettyTransport#eventLoopStalls()}; default 1 s
     * @return this builder
     */
    public Builder eventLoopStallThreshold(Duration threshold) {
      if (threshold.isNegative() || (!threshold.isZero() && threshold.toMillis() < 10)) {
        throw new IllegalArgumentException("eventLoopStallThreshold: " + threshold
            + " (expected: 0 to turn the watchdog off, or at least 10 ms)");
      }
      this.stallThreshold = threshold;
      return this;
    }

    /** Test hook: the watchdog's clock and timer instead of its own thread on the system clock. */
    Builder watchdogScheduler(Scheduler scheduler) {
      this.watchdogScheduler = scheduler;
      return this;
    }

    /** Test hook: receives each stall message the watchdog logs at WARN. */
    Builder stallHook(Consumer<String> hook) {
      this.stallHook = hook;
      return this;
    }

    /**
     * The TLS implementation of TLS listeners and TLS target groups; default {@link
     * TlsProvider#JDK}. A listener whose security policy the provider cannot serve exactly is
     * refused (with the setting that would fix it), never served with a different policy.
     *
     * @param provider the TLS implementation of TLS listeners and TLS target groups; default {@link TlsProvider#JDK}
     * @return this builder
     */
    public Builder tlsProvider(TlsProvider provider) {
      if (!provider.isAvailable()) {
        throw new IllegalArgumentException("tlsProvider: " + provider + " (expected: an available provider; OPENSSL needs"
            + " netty-tcnative-boringssl-static)");
      }
      this.tlsProvider = provider;
      return this;
    }

    /**
     * The I/O mode; AUTO (the default) picks io_uring, epoll or NIO, whichever works first.
     *
     * @param mode the I/O mode; AUTO (the default) picks io_uring, epoll or NIO, whichever works first
     * @return this builder
     */
    public Builder ioMode(IoMode mode) {
      this.ioMode = mode;
      return this;
    }

    /**
     * Event loop threads when the transport creates its own group; 0 (the default) lets Netty choose.
     *
     * @param threads the number of threads
     * @return this builder
     */
    public Builder threads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("threads: " + threads + " (expected: 0 or more)");
      }
      this.threads = threads;
      return this;
    }

    /**
     * Runs on the application's event loops instead of creating a group; the transport then never
     * shuts it down. Its I/O type must match {@link #ioMode} (with AUTO it is detected).
     *
     * @param group the target group
     * @return this builder
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.eventLoopGroup = group;
      return this;
    }

    /**
     * How long a connection to a target may take before the client is reset; default 10 s.
     *
     * @param timeout how long a connection to a target may take before the client is reset; default 10 s
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /**
     * How long a UDP flow lives without datagrams either way; default 120 s, as the guide says.
     *
     * @param timeout how long a UDP flow lives without datagrams either way; default 120 s, as the guide says
     * @return this builder
     */
    public Builder udpFlowIdleTimeout(Duration timeout) {
      this.udpFlowIdleTimeout = positive("udpFlowIdleTimeout", timeout);
      return this;
    }

    /**
     * Replaces every listener's {@code tcp.idle_timeout.seconds} (whose minimum is 60 s), so that
     * tests can observe idle resets quickly.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder tcpIdleTimeoutOverride(Duration timeout) {
      this.tcpIdleTimeoutOverride = positive("tcpIdleTimeoutOverride", timeout);
      return this;
    }

    /**
     * The most UDP flows open at once over the whole transport. Each flow holds one file descriptor,
     * so the default is derived from the process's descriptor limit ({@code ulimit -n}): a quarter
     * of it (at least 256) is kept for accepting TCP connections, target connections and health
     * checks, UDP flows may take half of the rest, at most 65,536 (1,536 flows under {@code ulimit -n
     * 4096}; 65,536 from a limit of 132,000 on). A larger explicit value is kept and warned about.
     * Datagrams of new flows beyond it are dropped and counted in {@code
     * RejectedFlowCount_UdpFlowTable} (a library extension metric) and {@link
     * NettyTransport#udpFlowTableOverflows()}, and logged at most once per 10 s with their count;
     * existing flows go on.
     *
     * @param max the most UDP flows open at once over the whole transport; default 65,536
     * @return this builder
     */
    public Builder maxUdpFlows(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxUdpFlows: " + max + " (expected: 1 or more)");
      }
      this.maxUdpFlows = max;
      return this;
    }

    /**
     * The most TCP connections (TCP and TLS listeners) open at once on one listener of one load
     * balancer, over all its zones, like HAProxy's {@code maxconn} on a frontend; default {@link
     * #UNLIMITED}. A connection beyond it is reset at accept, before any target is chosen, and
     * counted in {@code RejectedFlowCount_ListenerLimit} (a library extension metric). A TLS
     * connection counts from its accept, handshake included.
     *
     * @param max the most TCP connections (TCP and TLS listeners) open at once on one listener of one load balancer, over all its zones, like HAProxy's {@code maxconn} on a frontend; default {@link #UNLIMITED}
     * @return this builder
     */
    public Builder maxConnectionsPerListener(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnectionsPerListener: " + max + " (expected: 1-" + UNLIMITED
            + ", " + UNLIMITED + " for unlimited)");
      }
      this.maxConnectionsPerListener = max;
      return this;
    }

    /**
     * The most TCP connections one client IP address may have open at once on one listener of one
     * load balancer (all its zones together); default {@link #UNLIMITED}. A connection beyond it is
     * reset at accept and counted in {@code RejectedFlowCount_ClientLimit} (a library extension
     * metric); other clients are not affected. Memory: one small entry per client address with
     * open connections, removed with its last connection.
     *
     * @param max the most TCP connections one client IP address may have open at once on one listener of one load balancer (all its zones together); default {@link #UNLIMITED}
     * @return this builder
     */
    public Builder maxConnectionsPerClient(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnectionsPerClient: " + max + " (expected: 1-" + UNLIMITED
            + ", " + UNLIMITED + " for unlimited)");
      }
      this.maxConnectionsPerClient = max;
      return this;
    }

    /**
     * The bound of a TCP flow's buffer in each direction, in bytes; default 1 MiB. Bytes read from
     * one side wait in the flow until the other side's socket takes them; once this many wait, the
     * flow stops reading from the first side (counted in {@code FlowBufferFullCount}, a library
     * extension metric) and resumes when half of them are gone. The flow holds at most this bound
     * plus one read (at most 64 KiB) per direction, whatever its peers do: with {@code AUTO_READ}
     * off a read is asked for only while the other side is writable.
     *
     * @param bytes the bound of a TCP flow's buffer in each direction, in bytes; default 1 MiB
     * @return this builder
     */
    public Builder flowBufferBytes(int bytes) {
      if (bytes < MIN_FLOW_BUFFER_BYTES || bytes > MAX_FLOW_BUFFER_BYTES) {
        throw new IllegalArgumentException("flowBufferBytes: " + bytes + " (expected: " + MIN_FLOW_BUFFER_BYTES + "-"
            + MAX_FLOW_BUFFER_BYTES + ")");
      }
      this.flowBufferBytes = bytes;
      return this;
    }

    /**
     * How long a client of a TLS listener may take to complete its handshake, from accept on;
     * default 10 s. A connection still handshaking then is closed, counted in {@code
     * ClientTLSNegotiationErrorCount} and in {@code RejectedFlowCount_TlsHandshakeTimeout} (a
     * library extension metric). Applies to TLS listeners bound after the change.
     *
     * @param timeout how long a client of a TLS listener may take to complete its handshake, from accept on; default 10 s
     * @return this builder
     */
    public Builder tlsHandshakeTimeout(Duration timeout) {
      this.tlsHandshakeTimeout = positive("tlsHandshakeTimeout", timeout);
      return this;
    }

    /**
     * The most bytes that TLS connections whose handshake has not completed may hold together;
     * default a quarter of the process's maximum direct memory ({@code -XX:MaxDirectMemorySize},
     * the heap size when unset). Each TLS connection reserves 4 KiB of it when accepted and grows
     * its reservation before each read, up to {@link #maxHandshakeBytesPerConnection}; the last
     * quarter is kept for new handshakes. Together with the full buffers of established flows the
     * reservations may take three quarters of the maximum direct memory. When the budget is
     * exhausted, new TLS connections are reset at accept and counted in {@code
     * RejectedFlowCount_MemoryBudget} (a library extension metric); established flows go on.
     *
     * @param bytes the budget, at least 65,536
     * @return this builder
     */
    public Builder handshakeMemoryBudget(long bytes) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException("handshakeMemoryBudget: " + bytes + " (expected: 65536 or more bytes)");
      }
      this.handshakeMemoryBytes = bytes;
      return this;
    }

    /**
     * The most bytes one TLS client may send before its handshake completes; default 32 KiB, which
     * holds the largest ClientHello record (16 KiB) and the rest of a client's handshake. A client
     * that sends more is reset and counted in {@code RejectedFlowCount_MemoryBudget}.
     *
     * @param bytes the bound, 20,480 to 16,777,216
     * @return this builder
     */
    public Builder maxHandshakeBytesPerConnection(int bytes) {
      if (bytes < MemoryBudget.BASE * 5 || bytes > 1 << 24) {
        throw new IllegalArgumentException("maxHandshakeBytesPerConnection: " + bytes + " (expected: "
            + MemoryBudget.BASE * 5 + "-" + (1 << 24) + ")");
      }
      this.maxHandshakeBytesPerConnection = bytes;
      return this;
    }

    /** Test hook: receives each line of the rate-limited cause log. */
    Builder causeLogHook(Consumer<String> hook) {
      this.causeLogHook = hook;
      return this;
    }

    /** Test hook: the interval of the rate-limited cause log (default 10 s). */
    Builder causeLogInterval(Duration interval) {
      this.causeLogInterval = interval;
      return this;
    }

    /** Where flow metrics go; default {@link MetricsRecorder#noop()}. */
    public Builder metrics(MetricsRecorder recorder) {
      this.metrics = recorder;
      return this;
    }

    /**
     * How long {@link NettyTransport#close()} lets flows finish before resetting them; default 30 s.
     *
     * @param timeout how long {@link NettyTransport#close()} lets flows finish before resetting them; default 30 s
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout: " + timeout + " (expected: zero or positive)");
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Builds the transport and, unless a group was given, starts its event loops.
     *
     * @return the new {@code NettyTransport}
     * @throws IllegalStateException when a native I/O mode was asked for and cannot be used
     */
    public NettyTransport build() {
      return new NettyTransport(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: a positive duration)");
      }
      return d;
    }
  }
}
