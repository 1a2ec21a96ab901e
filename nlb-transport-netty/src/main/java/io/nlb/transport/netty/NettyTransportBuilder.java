package io.nlb.transport.netty;

import io.netty.channel.EventLoopGroup;
import io.nlb.core.Scheduler;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.tls.TlsProvider;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link NettyTransport}: {@code NettyTransport.builder()}, setters named after each
 * property, then {@link #build()}. Setters validate their argument and throw {@link
 * IllegalArgumentException} with a message of the form {@code "field: value (expected: ...)"}.
 *
 * <pre>{@code
 * NettyTransport transport = NettyTransport.builder()
 *     .ioMode(IoMode.AUTO)
 *     .connectTimeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe: configure it on one thread; the transport it builds is thread-safe.
 *
 * @since 0.1
 */
public final class NettyTransportBuilder {
  IoMode ioMode = IoMode.AUTO;
  int threads;
  @Nullable EventLoopGroup eventLoopGroup;
  Duration connectTimeout = Duration.ofSeconds(10);
  Duration udpFlowIdleTimeout = Duration.ofSeconds(120);
  @Nullable Duration tcpIdleTimeoutOverride;
  /** 0: derived from the process's descriptor limit. */
  int maxUdpFlows;
  long handshakeMemoryBytes;
  int maxHandshakeBytesPerConnection = MemoryBudget.DEFAULT_PER_CONNECTION;
  @Nullable Consumer<String> causeLogHook;
  Duration causeLogInterval = CauseLog.DEFAULT_INTERVAL;
  int maxConnectionsPerListener = NettyTransport.UNLIMITED;
  int maxConnectionsPerClient = NettyTransport.UNLIMITED;
  int flowBufferBytes = TcpFlow.WATER_MARK.high();
  /** The buffer allocator of TCP connections; null: Netty's default (see {@link #allocator}). */
  io.netty.buffer.@Nullable ByteBufAllocator allocator;
  Duration tlsHandshakeTimeout = Duration.ofSeconds(10);
  MetricsRecorder metrics = MetricsRecorder.noop();
  Duration shutdownTimeout = Duration.ofSeconds(30);
  TlsProvider tlsProvider = TlsProvider.AUTO;
  @Nullable Boolean zeroCopy;
  java.util.@Nullable Set<String> servedZones;
  boolean reusePort;
  boolean udpSocketPerEventLoop = true;
  Duration stallThreshold = Duration.ofSeconds(1);
  @Nullable Scheduler watchdogScheduler;
  @Nullable Consumer<String> stallHook;

  NettyTransportBuilder() {}

  /**
   * The zones whose nodes this process runs (default: every zone of every load balancer): the
   * listeners bind only on those zones' addresses. The other zones stay in the load balancer's
   * configuration, so routing (cross-zone scopes, DNS) is the same in every process; another
   * process, started from the same configuration, runs their nodes.
   *
   * @param zones the zone names
   * @return this builder
   */
  public NettyTransportBuilder servedZones(java.util.Collection<String> zones) {
    this.servedZones = java.util.Set.copyOf(zones);
    return this;
  }

  /**
   * Whether listening sockets (TCP and UDP) are bound with {@code SO_REUSEPORT} for other
   * processes too (default {@code false}), so that several processes of the same user can share
   * one node address: the kernel spreads new connections and UDP flows over their sockets, and
   * moves them to the others when one process goes. With the same {@code Nlb.Builder#identity}
   * every process picks the same target for a flow. (On epoll and io_uring the TCP sockets of one
   * process carry the option anyway, one per event loop; this adds it to UDP and to NIO.)
   *
   * @param enabled whether to set {@code SO_REUSEPORT}
   * @return this builder
   */
  public NettyTransportBuilder reusePort(boolean enabled) {
    this.reusePort = enabled;
    return this;
  }

  /**
   * Whether a UDP listener binds one socket per event loop with {@code SO_REUSEPORT} on epoll and
   * io_uring (default {@code true}), as TCP listeners do: the kernel keeps each flow on one socket
   * and UDP uses every loop. With {@code false} it binds one socket, read by one loop: on a machine
   * with few cores and light UDP load that costs less CPU per datagram (each wake-up reads more
   * datagrams; docs/performance.md measured 9.7 against 12.5 µs per echoed datagram on 2 cores)
   * but caps UDP at one core. NIO always binds one socket.
   *
   * @param enabled whether UDP listeners take a socket per event loop
   * @return this builder
   */
  public NettyTransportBuilder udpSocketPerEventLoop(boolean enabled) {
    this.udpSocketPerEventLoop = enabled;
    return this;
  }

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
  public NettyTransportBuilder zeroCopy(boolean enabled) {
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
  public NettyTransportBuilder eventLoopStallThreshold(Duration threshold) {
    if (threshold.isNegative() || (!threshold.isZero() && threshold.toMillis() < 10)) {
      throw new IllegalArgumentException("eventLoopStallThreshold: " + threshold
          + " (expected: 0 to turn the watchdog off, or at least 10 ms)");
    }
    this.stallThreshold = threshold;
    return this;
  }

  /** Test hook: the watchdog's clock and timer instead of its own thread on the system clock. */
  NettyTransportBuilder watchdogScheduler(Scheduler scheduler) {
    this.watchdogScheduler = scheduler;
    return this;
  }

  /** Test hook: receives each stall message the watchdog logs at WARN. */
  NettyTransportBuilder stallHook(Consumer<String> hook) {
    this.stallHook = hook;
    return this;
  }

  /**
   * The TLS implementation of TLS listeners and TLS target groups; default {@link
   * TlsProvider#AUTO}: OpenSSL (BoringSSL) for each policy it serves exactly when netty-tcnative
   * is on the class path, the JDK for the others. A listener whose security policy the provider
   * cannot serve exactly is refused (with the setting that would fix it), never served with a
   * different policy.
   *
   * @param provider the TLS implementation of TLS listeners and TLS target groups; default {@link TlsProvider#AUTO}
   * @return this builder
   */
  public NettyTransportBuilder tlsProvider(TlsProvider provider) {
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
  public NettyTransportBuilder ioMode(IoMode mode) {
    this.ioMode = mode;
    return this;
  }

  /**
   * Event loop threads when the transport creates its own group; 0 (the default) lets Netty choose.
   *
   * @param threads the number of threads
   * @return this builder
   */
  public NettyTransportBuilder threads(int threads) {
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
  public NettyTransportBuilder eventLoopGroup(EventLoopGroup group) {
    this.eventLoopGroup = group;
    return this;
  }

  /**
   * How long a connection to a target may take before the client is reset; default 10 s.
   *
   * @param timeout how long a connection to a target may take before the client is reset; default 10 s
   * @return this builder
   */
  public NettyTransportBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = positive("connectTimeout", timeout);
    return this;
  }

  /**
   * How long a UDP flow lives without datagrams either way; default 120 s, as the guide says.
   *
   * @param timeout how long a UDP flow lives without datagrams either way; default 120 s, as the guide says
   * @return this builder
   */
  public NettyTransportBuilder udpFlowIdleTimeout(Duration timeout) {
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
  public NettyTransportBuilder tcpIdleTimeoutOverride(Duration timeout) {
    this.tcpIdleTimeoutOverride = positive("tcpIdleTimeoutOverride", timeout);
    return this;
  }

  /**
   * The most UDP flows open at once over the whole transport. Each flow holds one file descriptor,
   * so the default is derived from the process's descriptor limit ({@code ulimit -n}): a quarter
   * of it (at least 256) is kept for accepting TCP connections, target connections and health
   * checks, UDP flows may take half of the rest, at most 65,536 (1,536 flows under {@code ulimit -n
   * 4096}; 65,536 from a limit of 132,000 on). On io_uring each flow also holds a 64 KiB read
   * buffer for as long as it lives (Netty 4.2.18 keeps a read in flight per socket, and a buffer
   * must hold any datagram), so there the default is also no more than the flows whose buffers fit
   * in a quarter of the direct memory limit (4,096 flows per GiB of {@code
   * -XX:MaxDirectMemorySize}, which defaults to the maximum heap). A larger explicit value is kept
   * and warned about. Datagrams of new flows beyond it are dropped and counted in {@code
   * RejectedFlowCount_UdpFlowTable} (a library extension metric) and {@link
   * NettyTransport#udpFlowTableOverflows()}, and logged at most once per 10 s with their count;
   * existing flows go on.
   *
   * @param max the most UDP flows open at once over the whole transport; default 65,536
   * @return this builder
   */
  public NettyTransportBuilder maxUdpFlows(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxUdpFlows: " + max + " (expected: 1 or more)");
    }
    this.maxUdpFlows = max;
    return this;
  }

  /**
   * The most TCP connections (TCP and TLS listeners) open at once on one listener of one load
   * balancer, over all its zones, like HAProxy's {@code maxconn} on a frontend; default {@link
   * NettyTransport#UNLIMITED}. A connection beyond it is reset at accept, before any target is chosen, and
   * counted in {@code RejectedFlowCount_ListenerLimit} (a library extension metric). A TLS
   * connection counts from its accept, handshake included.
   *
   * @param max the most TCP connections (TCP and TLS listeners) open at once on one listener of one load balancer, over all its zones, like HAProxy's {@code maxconn} on a frontend; default {@link NettyTransport#UNLIMITED}
   * @return this builder
   */
  public NettyTransportBuilder maxConnectionsPerListener(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxConnectionsPerListener: " + max + " (expected: 1-" + NettyTransport.UNLIMITED
          + ", " + NettyTransport.UNLIMITED + " for unlimited)");
    }
    this.maxConnectionsPerListener = max;
    return this;
  }

  /**
   * The most TCP connections one client IP address may have open at once on one listener of one
   * load balancer (all its zones together); default {@link NettyTransport#UNLIMITED}. A connection beyond it is
   * reset at accept and counted in {@code RejectedFlowCount_ClientLimit} (a library extension
   * metric); other clients are not affected. Memory: one small entry per client address with
   * open connections, removed with its last connection.
   *
   * @param max the most TCP connections one client IP address may have open at once on one listener of one load balancer (all its zones together); default {@link NettyTransport#UNLIMITED}
   * @return this builder
   */
  public NettyTransportBuilder maxConnectionsPerClient(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxConnectionsPerClient: " + max + " (expected: 1-" + NettyTransport.UNLIMITED
          + ", " + NettyTransport.UNLIMITED + " for unlimited)");
    }
    this.maxConnectionsPerClient = max;
    return this;
  }

  /**
   * The buffer allocator of every TCP connection, accepted and towards targets (default: the one
   * Netty's channels take by default). Package-private: the tests count, with an allocator that
   * records its buffers, what idle flows hold.
   */
  NettyTransportBuilder allocator(io.netty.buffer.ByteBufAllocator allocator) {
    this.allocator = allocator;
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
  public NettyTransportBuilder flowBufferBytes(int bytes) {
    if (bytes < NettyTransport.MIN_FLOW_BUFFER_BYTES || bytes > NettyTransport.MAX_FLOW_BUFFER_BYTES) {
      throw new IllegalArgumentException("flowBufferBytes: " + bytes + " (expected: " + NettyTransport.MIN_FLOW_BUFFER_BYTES + "-"
          + NettyTransport.MAX_FLOW_BUFFER_BYTES + ")");
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
  public NettyTransportBuilder tlsHandshakeTimeout(Duration timeout) {
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
  public NettyTransportBuilder handshakeMemoryBudget(long bytes) {
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
  public NettyTransportBuilder maxHandshakeBytesPerConnection(int bytes) {
    if (bytes < MemoryBudget.BASE * 5 || bytes > 1 << 24) {
      throw new IllegalArgumentException("maxHandshakeBytesPerConnection: " + bytes + " (expected: "
          + MemoryBudget.BASE * 5 + "-" + (1 << 24) + ")");
    }
    this.maxHandshakeBytesPerConnection = bytes;
    return this;
  }

  /** Test hook: receives each line of the rate-limited cause log. */
  NettyTransportBuilder causeLogHook(Consumer<String> hook) {
    this.causeLogHook = hook;
    return this;
  }

  /** Test hook: the interval of the rate-limited cause log (default 10 s). */
  NettyTransportBuilder causeLogInterval(Duration interval) {
    this.causeLogInterval = interval;
    return this;
  }

  /**
   * Where flow metrics go; default {@link MetricsRecorder#noop()}.
   *
   * @param recorder where flow metrics go
   * @return this builder
   */
  public NettyTransportBuilder metrics(MetricsRecorder recorder) {
    this.metrics = recorder;
    return this;
  }

  /**
   * How long {@link NettyTransport#close()} lets flows finish before resetting them; default 30 s.
   *
   * @param timeout how long {@link NettyTransport#close()} lets flows finish before resetting them; default 30 s
   * @return this builder
   */
  public NettyTransportBuilder shutdownTimeout(Duration timeout) {
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
