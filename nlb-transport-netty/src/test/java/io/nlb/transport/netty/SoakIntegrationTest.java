package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.NlbException;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupAttributes;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.Zone;
import io.nlb.metrics.Metric;
import io.nlb.tls.PemCertificate;
import io.nlb.tls.SecurityPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Churn soak: many TCP, TLS and UDP clients push checksummed traffic through one load balancer with
 * two zones while a seeded driver registers and deregisters targets, flips their health, changes
 * group and load balancer attributes, starts and cancels zonal shifts, and replaces certificates of
 * the TLS listener (its default certificate, and certificates added to and removed from its SNI
 * list).
 *
 * <p>Invariants checked at the end:
 *
 * <ul>
 *   <li>every TCP stream that was not reset arrived byte-exact (length and SHA-256); none stalled,
 *       was truncated by a clean close, or was refused; the same for the TLS streams, which the
 *       TLS listener terminates and relays to a group of two echo targets the driver leaves alone:
 *       a TLS stream may end early (a reset reaches a TLS client as the end of the stream after the
 *       load balancer's close_notify) only if it reached no target while its node had no eligible
 *       one;
 *   <li>a TLS handshake that no certificate change overlapped saw the certificate the listener
 *       had at that time: the SNI list's certificate for a listed name, the default one otherwise
 *       (every client uses a new context, so no session is resumed); some of those handshakes came
 *       after a replacement;
 *   <li>every reset a client saw is accounted for: their number is at most the sum of {@code
 *       TCP_ELB_Reset_Count}, {@code TCP_Target_Reset_Count} and {@code TCP_Client_Reset_Count}, and
 *       each happened while a documented cause was active. A flow whose target is known (the echo
 *       target reads the flow id that starts every stream) must have had that target deregistered
 *       while its group had connection termination on, or reported unhealthy, at some point between
 *       its connect and its reset (a target deregistered only while termination was off is
 *       accepted but printed as {@code SUSPECT} with the driver's journal); a flow that never
 *       reached a target must have lived while routing (whatIf on the published snapshot) had no
 *       eligible target for its node, or else while some TCP target was out of service (marked
 *       before its first byte was forwarded);
 *   <li>every UDP reply that arrives is byte-exact, for the client that sent it, and not a
 *       duplicate (drops are counted, not failed);
 *   <li>{@code ActiveFlowCount} of both zones and the transport's flow tables return to 0;
 *   <li>Netty's leak detector (PARANOID in the build) reports nothing;
 *   <li>the heap after a full GC is less than 32 MiB above where it started.
 * </ul>
 *
 * <p>The short form (the default, {@code nlb.soak.seconds=45}) runs in {@code verify}. The long
 * form runs on demand:
 *
 * <pre>
 * mvn -pl nlb-transport-netty -am verify -Dtest=SoakIntegrationTest -Dnlb.soak.seconds=1800 \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * <p>{@code -Dnlb.soak.seed=N} replays another churn sequence (the interleaving with traffic is not
 * deterministic); {@code -Dnlb.soak.allModes=true} also runs epoll and io_uring where they load.
 * The summary goes to the test's output ({@code target/surefire-reports/*-output.txt}).
 */
@NullUnmarked
class SoakIntegrationTest {
  private static final long SECONDS = Long.getLong("nlb.soak.seconds", 45);
  private static final long SEED = Long.getLong("nlb.soak.seed", 20261121L);
  private static final int TCP_CLIENTS = 32;
  private static final int UDP_CLIENTS = 8;
  private static final int TLS_CLIENTS = 4;
  private static final int MAX_TLS_STREAM = 64 * 1024;
  private static final String TLS_POLICY = SecurityPolicy.TLS13_1_2_2021_06.name();
  /** The TLS listener's default certificate rotates through these. */
  private static final List<PemCertificate> DEFAULT_CERTS = List.of(TlsTargets.cert("d1.example"), TlsTargets.cert("d2.example"),
      TlsTargets.cert("d3.example"));
  /** Added to and removed from the listener's SNI list. */
  private static final List<PemCertificate> LIST_CERTS = List.of(TlsTargets.cert("s1.example"), TlsTargets.cert("s2.example"));
  /** What TLS clients ask for: nothing, the listed names, a name no certificate has. */
  private static final String[] SNI_NAMES = {null, "s1.example", "s2.example", "other.example"};
  private static final int MAX_STREAM = 256 * 1024;
  private static final long HEAP_MARGIN = 32L << 20;
  private static final String[] NODES = {"127.0.0.1", "127.0.0.2"};
  private static final String[] ZONES = {"zone-a", "zone-b"};

  private Harness h;
  private final Targets targets = new Targets();
  private final List<ExecutorService> executors = new ArrayList<>();

  static Stream<IoMode> modes() {
    return Boolean.getBoolean("nlb.soak.allModes") ? Harness.modes() : Stream.of(IoMode.NIO);
  }

  @BeforeAll
  static void hookLeaks() {
    Leaks.install();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ExecutorService e : executors) {
      e.shutdownNow();
    }
    for (ExecutorService e : executors) {
      e.awaitTermination(20, TimeUnit.SECONDS);
    }
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void churn_trafficStaysExact_resetsAccountedFor_nothingLeaks(IoMode mode) {
    Harness.assumeHalfCloseWorks(mode);
    // The JUnit timeout scales with the requested duration (the long form runs for hours).
    assertTimeoutPreemptively(Duration.ofSeconds(SECONDS + 180), () -> soak(mode));
  }

  // ------------------------------------------------------------------ the run

  private void soak(IoMode mode) throws Exception {
    int leaksBefore = Leaks.mark();
    h = new Harness(mode, b -> b.udpFlowIdleTimeout(Duration.ofSeconds(2)));
    Random seeds = new Random(SEED);

    // Pool: 6 TCP echo targets and 4 UDP echo targets, half in each zone's target range.
    List<Pooled> tcpPool = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String host = "127.0." + (1 + i % 2) + "." + (1 + i / 2);
      Channel server = echoServer(host, i);
      tcpPool.add(new Pooled("T" + i, Target.ip(host, ((InetSocketAddress) server.localAddress()).getPort())));
    }
    List<Pooled> udpPool = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String host = "127.0." + (1 + i % 2) + "." + (11 + i / 2);
      Channel u = udpEcho(host, "U" + i);
      udpPool.add(new Pooled("U" + i, Target.ip(host, ((InetSocketAddress) u.localAddress()).getPort())));
    }
    TargetGroup tcp = h.group("soak-tcp", Protocol.TCP);
    TargetGroup udp = h.group("soak-udp", Protocol.UDP);
    // The TLS listener's own group (a TLS listener refuses stickiness on its group, which the driver
    // churns on soak-tcp): one echo target per zone, never churned, so a TLS flow that reached a
    // target is never reset, and one that reached none saw a period without an eligible target.
    TargetGroup tlsGroup = h.group("soak-tls", Protocol.TCP);
    for (Pooled p : tcpPool.subList(0, 2)) {
      tlsGroup.registerTargets(p.target);
      tlsGroup.reportHealth(p.target, TargetHealth.healthy());
    }
    for (Pooled p : tcpPool) {
      register(tcp, p);
    }
    for (Pooled p : udpPool) {
      register(udp, p);
    }
    int tcpPort = Harness.freePort();
    int udpPort = Harness.freePort();
    while (udpPort == tcpPort) {
      udpPort = Harness.freePort();
    }
    int tlsPort = Harness.freePort();
    while (tlsPort == tcpPort || tlsPort == udpPort) {
      tlsPort = Harness.freePort();
    }
    LoadBalancer lb = h.nlb.createLoadBalancer(LoadBalancerConfig.builder("lb-soak")
        .zone(Zone.builder(ZONES[0]).address(NODES[0]).targetRange("127.0.1.0/24").build())
        .zone(Zone.builder(ZONES[1]).address(NODES[1]).targetRange("127.0.2.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, tcpPort).forwardTo(tcp).build())
        .listener(ListenerConfig.builder(Protocol.UDP, udpPort).forwardTo(udp).build())
        .listener(ListenerConfig.builder(Protocol.TLS, tlsPort).forwardTo(tlsGroup).certificate(DEFAULT_CERTS.get(0))
            .sslPolicy(TLS_POLICY).build())
        .build());
    Listener tlsListener = lb.listeners().stream().filter(l -> l.config().protocol() == Protocol.TLS).findFirst().orElseThrow();

    long heapBefore = heapAfterGc();
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(SECONDS);
    AtomicBoolean stop = new AtomicBoolean();
    Stats stats = new Stats();

    Driver driver = new Driver(new Random(seeds.nextLong()), lb, tcpPort, tcp, udp, tcpPool, udpPool, stats, tlsListener,
        new Random(seeds.nextLong()), tlsPort);
    ExecutorService writers = track(Executors.newCachedThreadPool());
    ExecutorService clients = track(Executors.newFixedThreadPool(TCP_CLIENTS + UDP_CLIENTS + TLS_CLIENTS));
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < TCP_CLIENTS; c++) {
      // A quarter of the TCP clients trickle their streams, so flows live across churn events.
      boolean slow = c % 4 == 0;
      running.add(clients.submit(() -> tcpClient(tcpPort, slow, writers, driver, stop, stats)));
    }
    TrustManager[] trust = trusting(DEFAULT_CERTS, LIST_CERTS);
    for (int c = 0; c < TLS_CLIENTS; c++) {
      int port = tlsPort;
      running.add(clients.submit(() -> tlsClient(port, trust, writers, driver, stop, stats)));
    }
    for (int c = 0; c < UDP_CLIENTS; c++) {
      int id = c;
      int port = udpPort;
      running.add(clients.submit(() -> {
        udpClient(id, port, stop, stats);
        return null;
      }));
    }

    ScheduledExecutorService driverThread = track(Executors.newSingleThreadScheduledExecutor());
    Future<?> ticking = driverThread.scheduleWithFixedDelay(driver::tick, 50, 50, TimeUnit.MILLISECONDS);
    // The heap after a full GC, under load, every tenth of the run: a leak shows as a trend.
    List<Long> heapTrend = new java.util.concurrent.CopyOnWriteArrayList<>();
    long probe = Math.max(5, SECONDS / 10);
    Future<?> probing = track(Executors.newSingleThreadScheduledExecutor()).scheduleAtFixedRate(() -> {
          heapTrend.add(heapAfterGc() >> 20);
          System.out.printf("  probe: %d TCP flows, %d UDP flows, %d open files%n", h.transport.activeTcpFlows(),
              h.transport.activeUdpFlows(), openFiles());
        }, probe, probe, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(SECONDS + 10)).pollInterval(Duration.ofMillis(200))
        .until(() -> System.nanoTime() >= deadline || driver.failure != null);
    ticking.cancel(false);
    probing.cancel(false);
    driverThread.shutdown();
    assertThat(driverThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(driver.failure).as("driver").isNull();

    // Quiesce: everything back in service so the last flows end normally, drains run out.
    driver.settle();
    stop.set(true);
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }
    long elapsed = System.nanoTime() - started;
    boolean drained = awaitQuietly(Duration.ofSeconds(20), () -> h.transport.activeTcpFlows() == 0 && h.transport.activeUdpFlows() == 0
        && h.value(lb, ZONES[0], Metric.ACTIVE_FLOW_COUNT) == 0 && h.value(lb, ZONES[1], Metric.ACTIVE_FLOW_COUNT) == 0);

    long elbResets = sum(lb, Metric.TCP_ELB_RESET_COUNT);
    long targetResets = sum(lb, Metric.TCP_TARGET_RESET_COUNT);
    long clientResets = sum(lb, Metric.TCP_CLIENT_RESET_COUNT);
    long heapAfter = heapAfterGc();
    List<String> leaks = Leaks.since(leaksBefore);

    System.out.printf("SOAK %s seed=%d: %.1f s%n", mode, SEED, elapsed / 1e9);
    System.out.printf("  TCP flows %d ok %d (%d bytes each way), reset %d %s, failed %d%n", stats.tcpFlows.get(), stats.tcpOk.get(),
        stats.tcpBytes.get(), stats.resets.get(), new TreeMap<>(stats.causes), stats.failures.size());
    System.out.printf("  TLS flows %d ok %d (%d bytes each way); certificates checked %d, %d of them after a change%n",
        stats.tlsFlows.get(), stats.tlsOk.get(), stats.tlsBytes.get(), stats.certChecked.get(), stats.certCheckedAfterChange.get());
    System.out.printf("  reset metrics: ELB %d, target %d, client %d%n", elbResets, targetResets, clientResets);
    System.out.printf("  UDP datagrams sent %d, received %d, dropped %d, flows (sockets) %d%n", stats.udpSent.get(),
        stats.udpReceived.get(), stats.udpSent.get() - stats.udpReceived.get(), stats.udpSockets.get());
    System.out.printf("  driver actions %s%n", new TreeMap<>(driver.actions));
    driver.refusals.forEach(m -> System.out.printf("  refused: %s%n", m));
    System.out.printf("  NewFlowCount %d, ProcessedBytes %d, heap %d MiB -> %d MiB, leaks %d%n", sum(lb, Metric.NEW_FLOW_COUNT),
        sum(lb, Metric.PROCESSED_BYTES), heapBefore >> 20, heapAfter >> 20, leaks.size());
    System.out.printf("  heap under load after GC, every %d s (MiB): %s%n", probe, heapTrend);

    assertThat(drained).as("flows back to 0: TCP %d, UDP %d, ActiveFlowCount %d/%d", h.transport.activeTcpFlows(),
        h.transport.activeUdpFlows(), h.value(lb, ZONES[0], Metric.ACTIVE_FLOW_COUNT), h.value(lb, ZONES[1], Metric.ACTIVE_FLOW_COUNT)).isTrue();
    assertThat(stats.failures).as("TCP streams that were neither exact nor reset, and UDP replies that were wrong").isEmpty();
    assertThat(stats.tcpOk.get()).as("byte-exact TCP streams").isPositive();
    assertThat(stats.tlsOk.get()).as("byte-exact TLS streams").isPositive();
    assertThat(stats.certCheckedAfterChange.get()).as("handshakes checked after a certificate change").isPositive();
    assertThat(driver.actions).as("certificate changes").containsKeys("replaceDefaultCertificate", "addListCertificate",
        "removeListCertificate");
    assertThat(stats.udpReceived.get()).as("UDP replies").isPositive();
    assertThat(stats.resets.get()).as("client-observed resets vs reset metrics").isLessThanOrEqualTo(elbResets + targetResets + clientResets);
    stats.suspects.forEach(x -> System.out.println("  SUSPECT reset " + x));
    if (!stats.unaccounted.isEmpty() || !stats.suspects.isEmpty()) {
      driver.journal.forEach(e -> System.out.println("  journal " + e));
    }
    assertThat(stats.unaccounted).as("resets with no documented cause active").isEmpty();
    assertThat(leaks).isEmpty();
    assertThat(heapAfter - heapBefore).as("heap growth after full GC").isLessThan(HEAP_MARGIN);
  }

  private static boolean awaitQuietly(Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
    try {
      await().atMost(atMost).until(condition);
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  /** A socket address from a literal IPv4 address: nothing is resolved. */
  @SuppressWarnings("AddressSelection")
  private static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  private static long openFiles() {
    String[] fds = new java.io.File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  private long sum(LoadBalancer lb, Metric m) {
    return h.value(lb, ZONES[0], m) + h.value(lb, ZONES[1], m);
  }

  private <T extends ExecutorService> T track(T e) {
    executors.add(e);
    return e;
  }

  private static long heapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static void register(TargetGroup g, Pooled p) {
    g.registerTargets(p.target);
    g.reportHealth(p.target, TargetHealth.healthy());
    p.registered = true;
    p.healthy = true;
  }

  // ------------------------------------------------------------------ TCP

  /** Flow id (the first 8 bytes of every stream) → the index of the echo target that saw it. */
  private final Map<Long, Integer> flowTargets = new ConcurrentHashMap<>();

  private final AtomicLong flowIds = new AtomicLong();

  /** An echo server that also reads the flow id at the head of each stream to learn which target a flow reached. */
  private Channel echoServer(String host, int index) {
    return new ServerBootstrap().group(targets.group).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              private long id;
              private int idBytes;

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                for (int i = b.readerIndex(); idBytes < 8 && i < b.writerIndex(); i++) {
                  id = (id << 8) | (b.getByte(i) & 0xff);
                  if (++idBytes == 8) {
                    flowTargets.put(id, index);
                  }
                }
                var unused = ctx.write(msg, ctx.voidPromise());
              }

              @Override
              public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
                ctx.channel().config().setAutoRead(ctx.channel().isWritable());
              }

              @Override
              public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                ctx.channel().config().setAutoRead(ctx.channel().isWritable());
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                  // Both directions are done once the echo is flushed: close (a mere shutdownOutput()
                  // would keep the half-closed-both-ways socket, and its file descriptor, forever).
                  var unused = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                var unused = ctx.close();
              }
            });
          }
        }).bind(host, 0).syncUninterruptibly().channel();
  }

  /**
   * A UDP echo that prefixes its name ({@code name|payload}), like {@link Targets#udp} but without
   * remembering every sender (which, at hundreds of thousands of datagrams, is a heap leak of its own).
   */
  private Channel udpEcho(String host, String name) {
    byte[] prefix = (name + "|").getBytes(StandardCharsets.US_ASCII);
    return new io.netty.bootstrap.Bootstrap().group(targets.group).channel(io.netty.channel.socket.nio.NioDatagramChannel.class)
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.channel.socket.DatagramPacket p = (io.netty.channel.socket.DatagramPacket) msg;
            ByteBuf out = ctx.alloc().buffer(prefix.length + p.content().readableBytes()).writeBytes(prefix).writeBytes(p.content());
            InetSocketAddress sender = p.sender();
            p.release();
            var unused = ctx.writeAndFlush(new io.netty.channel.socket.DatagramPacket(out, sender));
          }
        }).bind(host, 0).syncUninterruptibly().channel();
  }

  private Void tcpClient(int port, boolean slow, ExecutorService writers, Driver driver, AtomicBoolean stop, Stats stats)
      throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[16 * 1024];
    while (!stop.get()) {
      long flowId = flowIds.incrementAndGet();
      Random r = new Random(SEED ^ (flowId * 0x9E3779B97F4A7C15L));
      byte[] data = new byte[8 + r.nextInt(slow ? MAX_STREAM / 4 : MAX_STREAM)];
      r.nextBytes(data);
      ByteBuffer.wrap(data).putLong(0, flowId);
      byte[] expected = sha.digest(data);
      String node = NODES[r.nextInt(NODES.length)];
      stats.tcpFlows.incrementAndGet();
      long start = System.nanoTime();
      try (Socket s = new Socket()) {
        s.connect(at(node, port), 5000);
        s.setSoTimeout(20_000);
        Future<IOException> writer = writers.submit(() -> write(s, data, slow));
        long got = 0;
        IOException readError = null;
        try {
          InputStream in = s.getInputStream();
          for (int n; (n = in.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
            got += n;
          }
        } catch (SocketTimeoutException e) {
          stats.failures.add("flow " + flowId + " via " + node + ": stalled after " + got + "/" + data.length + " bytes, target "
              + flowTargets.remove(flowId));
          continue;
        } catch (IOException e) {
          readError = e;
        }
        IOException writeError = writer.get(30, TimeUnit.SECONDS);
        byte[] actual = sha.digest();
        if (readError == null && got == data.length && Arrays.equals(actual, expected)) {
          stats.tcpOk.incrementAndGet();
          stats.tcpBytes.addAndGet(got);
        } else if (readError instanceof SocketException || writeError instanceof SocketException) {
          // A reset ends a stream early; it may surface on the reader or (consuming the error) the writer.
          stats.reset(driver, new ResetFlow(flowId, node, start, System.nanoTime(), got, data.length), flowTargets.remove(flowId));
        } else {
          stats.failures.add("flow " + flowId + " via " + node + ": " + got + "/" + data.length + " bytes, digest "
              + (Arrays.equals(actual, expected) ? "equal" : "differs") + ", read error " + readError + ", write error " + writeError);
        }
      } catch (java.net.ConnectException e) {
        stats.failures.add("flow " + flowId + " via " + node + ": connect " + e);
      } catch (SocketException e) {
        // Reset while connecting: the load balancer accepted and reset at once (no eligible target).
        stats.reset(driver, new ResetFlow(flowId, node, start, System.nanoTime(), 0, data.length), flowTargets.remove(flowId));
      } catch (IOException e) {
        stats.failures.add("flow " + flowId + " via " + node + ": connect " + e);
      }
      flowTargets.remove(flowId);
    }
    return null;
  }

  /** Writes the stream in chunks and half-closes; returns the error that stopped it, if any. */
  private static IOException write(Socket s, byte[] data, boolean slow) {
    int chunk = slow ? 512 : 8192;
    try {
      OutputStream out = s.getOutputStream();
      for (int off = 0; off < data.length; off += chunk) {
        out.write(data, off, Math.min(chunk, data.length - off));
        if (slow) {
          // Rate limit of a trickling client (about 50 KiB/s): its flow spans several churn events.
          LockSupport.parkNanos(10_000_000);
        }
      }
      out.flush();
      s.shutdownOutput();
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  // ------------------------------------------------------------------ TLS

  /** Trust managers that trust exactly the given self-signed certificates. */
  private static TrustManager[] trusting(List<PemCertificate> defaults, List<PemCertificate> list) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (List<PemCertificate> certs : List.of(defaults, list)) {
      for (PemCertificate c : certs) {
        ks.setCertificateEntry("c" + i++, c.chain().get(0));
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    return tmf.getTrustManagers();
  }

  private static String subject(PemCertificate c) {
    return c.chain().get(0).getSubjectX500Principal().getName();
  }

  /** A reset, as a plain or a TLS socket reports it (the JDK may wrap the SocketException). */
  private static boolean isReset(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Streams through the TLS listener: a handshake with a fresh client context (no resumption)
   * asking for a random name, a check of the certificate presented, then a checksummed stream
   * echoed back in full (the client closes after the last byte; TLS needs no half-close).
   */
  private Void tlsClient(int port, TrustManager[] trust, ExecutorService writers, Driver driver, AtomicBoolean stop, Stats stats)
      throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[16 * 1024];
    while (!stop.get()) {
      sha.reset();
      long flowId = flowIds.incrementAndGet();
      Random r = new Random(SEED ^ (flowId * 0x9E3779B97F4A7C15L));
      byte[] data = new byte[8 + r.nextInt(MAX_TLS_STREAM)];
      r.nextBytes(data);
      ByteBuffer.wrap(data).putLong(0, flowId);
      byte[] expected = sha.digest(data);
      String node = NODES[r.nextInt(NODES.length)];
      String sni = SNI_NAMES[r.nextInt(SNI_NAMES.length)];
      stats.tlsFlows.incrementAndGet();
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, trust, null);
      long start = System.nanoTime();
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
        s.connect(at(node, port), 5000);
        s.setSoTimeout(20_000);
        if (sni != null) {
          SSLParameters p = s.getSSLParameters();
          p.setServerNames(List.of(new SNIHostName(sni)));
          s.setSSLParameters(p);
        }
        s.startHandshake();
        long handshaken = System.nanoTime();
        String seen = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        Driver.CertEpoch epoch = driver.certificatesDuring(start, handshaken);
        if (epoch != null) {
          PemCertificate want = epoch.expected(sni);
          stats.certChecked.incrementAndGet();
          if (epoch.index > 0) {
            stats.certCheckedAfterChange.incrementAndGet();
          }
          if (!seen.equals(subject(want))) {
            stats.failures.add("TLS flow " + flowId + " asking for " + sni + " saw " + seen + ", expected " + subject(want)
                + " (certificates " + epoch + ")");
          }
        }
        Future<IOException> writer = writers.submit(() -> {
          try {
            OutputStream out = s.getOutputStream();
            for (int off = 0; off < data.length; off += 8192) {
              out.write(data, off, Math.min(8192, data.length - off));
            }
            out.flush();
            return null;
          } catch (IOException e) {
            return e;
          }
        });
        long got = 0;
        IOException readError = null;
        try {
          InputStream in = s.getInputStream();
          while (got < data.length) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, data.length - got));
            if (n < 0) {
              break;
            }
            sha.update(buf, 0, n);
            got += n;
          }
        } catch (SocketTimeoutException e) {
          stats.failures.add("TLS flow " + flowId + " via " + node + ": stalled after " + got + "/" + data.length + " bytes, target "
              + flowTargets.remove(flowId));
          continue;
        } catch (IOException e) {
          readError = e;
        }
        IOException writeError = writer.get(30, TimeUnit.SECONDS);
        byte[] actual = sha.digest();
        if (readError == null && got == data.length && Arrays.equals(actual, expected)) {
          stats.tlsOk.incrementAndGet();
          stats.tlsBytes.addAndGet(got);
        } else if (isReset(readError) || isReset(writeError) || (readError == null && got < data.length)) {
          // The load balancer resets a TLS connection after a close_notify, which the JDK reports as the end
          // of the stream; an early end is therefore a reset here, and needs a documented cause like one.
          stats.reset(driver, new ResetFlow(flowId, node, start, System.nanoTime(), got, data.length, true), flowTargets.remove(flowId));
        } else {
          stats.failures.add("TLS flow " + flowId + " via " + node + ": " + got + "/" + data.length + " bytes, digest "
              + (Arrays.equals(actual, expected) ? "equal" : "differs") + ", read error " + readError + ", write error " + writeError);
        }
      } catch (java.net.ConnectException e) {
        stats.failures.add("TLS flow " + flowId + " via " + node + ": connect " + e);
      } catch (IOException e) {
        if (isReset(e)) {
          // Reset while connecting or in the handshake (no eligible target).
          stats.reset(driver, new ResetFlow(flowId, node, start, System.nanoTime(), 0, data.length, true), flowTargets.remove(flowId));
        } else {
          stats.failures.add("TLS flow " + flowId + " via " + node + ": handshake " + e);
        }
      }
      flowTargets.remove(flowId);
    }
    return null;
  }

  // ------------------------------------------------------------------ UDP

  private void udpClient(int id, int port, AtomicBoolean stop, Stats stats) throws IOException {
    String node = NODES[id % NODES.length];
    InetSocketAddress listener = at(node, port);
    byte[] in = new byte[4096];
    long seq = 0;
    while (!stop.get()) {
      // A new socket every 500 datagrams: a new flow, possibly on another target.
      try (DatagramSocket s = new DatagramSocket(at("127.0.0.1", 0))) {
        s.setSoTimeout(100);
        stats.udpSockets.incrementAndGet();
        boolean[] answered = new boolean[500];
        long first = seq;
        for (int k = 0; k < 500 && !stop.get(); k++, seq++) {
          byte[] out = datagram(id, seq);
          s.send(new DatagramPacket(out, out.length, listener));
          stats.udpSent.incrementAndGet();
          // Wait for this reply (earlier, late ones are checked too); a timeout is a drop.
          while (true) {
            DatagramPacket p = new DatagramPacket(in, in.length);
            try {
              s.receive(p);
            } catch (SocketTimeoutException e) {
              break;
            }
            long got = checkReply(id, first, seq, answered, p, stats);
            if (got == seq) {
              break;
            }
          }
          // Rate limit of the driver only: about one datagram per client per millisecond.
          LockSupport.parkNanos(1_000_000);
        }
      }
    }
  }

  /** Verifies one reply ({@code name|payload}); returns its sequence number, or -1 when it is wrong. */
  private static long checkReply(int id, long first, long last, boolean[] answered, DatagramPacket p, Stats stats) {
    byte[] d = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    int bar = -1;
    for (int i = 0; i < Math.min(d.length, 8); i++) {
      if (d[i] == '|') {
        bar = i;
        break;
      }
    }
    if (bar < 0 || d.length < bar + 1 + 12) {
      stats.failures.add("UDP client " + id + ": malformed reply " + new String(d, StandardCharsets.ISO_8859_1));
      return -1;
    }
    ByteBuffer b = ByteBuffer.wrap(d, bar + 1, d.length - bar - 1);
    int client = b.getInt();
    long seq = b.getLong();
    if (client != id || seq < first || seq > last) {
      stats.failures.add("UDP client " + id + ": reply for client " + client + " seq " + seq + " (expected seq " + first + ".." + last + ")");
      return -1;
    }
    if (!Arrays.equals(Arrays.copyOfRange(d, bar + 1, d.length), datagram(id, seq))) {
      stats.failures.add("UDP client " + id + ": payload of seq " + seq + " differs");
      return -1;
    }
    if (answered[(int) (seq - first)]) {
      stats.failures.add("UDP client " + id + ": duplicate reply for seq " + seq);
      return -1;
    }
    answered[(int) (seq - first)] = true;
    stats.udpReceived.incrementAndGet();
    return seq;
  }

  private static byte[] datagram(int client, long seq) {
    Random r = new Random(SEED ^ ((long) client << 48) ^ (seq * 0x9E3779B97F4A7C15L));
    byte[] d = new byte[12 + r.nextInt(1000)];
    r.nextBytes(d);
    ByteBuffer.wrap(d).putInt(0, client).putLong(4, seq);
    return d;
  }

  // ------------------------------------------------------------------ driver

  /** A pool target and the driver's model of it, with the times it was out of service. */
  static final class Pooled {
    final String name;
    final Target target;
    boolean registered;
    boolean healthy;
    /** Start (System.nanoTime) of the current out-of-service period, or -1 while in service. */
    long outSince = -1;
    String outReason = "";
    final List<long[]> outPeriods = new ArrayList<>();
    final List<String> outReasons = new ArrayList<>();

    Pooled(String name, Target target) {
      this.name = name;
      this.target = target;
    }

    /** Call before a change that may take it out of service (so the period covers its effect). */
    synchronized void goingOut(String reason) {
      if (outSince < 0) {
        outSince = System.nanoTime();
        outReason = reason;
      }
    }

    /** Call after a change that brought it back in service. */
    synchronized void backIn() {
      if (outSince >= 0) {
        outPeriods.add(new long[] {outSince, System.nanoTime()});
        outReasons.add(outReason);
        outSince = -1;
      }
    }

    /** The reason of a period out of service that overlaps [from, to], or null. */
    synchronized String outDuring(long from, long to) {
      if (outSince >= 0 && outSince <= to) {
        return outReason;
      }
      for (int i = outPeriods.size() - 1; i >= 0; i--) {
        long[] p = outPeriods.get(i);
        if (p[0] <= to && p[1] >= from) {
          return outReasons.get(i);
        }
      }
      return null;
    }
  }

  final class Driver {
    final Random random;
    final LoadBalancer lb;
    final TargetGroup tcp;
    final TargetGroup udp;
    final List<Pooled> tcpPool;
    final List<Pooled> udpPool;
    final Stats stats;
    final Map<String, Long> actions = new ConcurrentHashMap<>();
    /** What the driver did, with milliseconds since the driver was made (for explaining an unaccounted reset). */
    final ConcurrentLinkedQueue<String> journal = new ConcurrentLinkedQueue<>();
    final long born = System.nanoTime();
    final java.util.Set<String> refusals = ConcurrentHashMap.newKeySet();
    /** Zonal shift periods, as for targets. */
    final Pooled shift = new Pooled("shift", Target.ip("127.0.0.1", 1));
    /** Per zone, the periods in which its node had no eligible target for the TCP listener (as routing says). */
    final Pooled[] noTarget = {new Pooled("no target in zone-a", Target.ip("127.0.0.1", 1)),
        new Pooled("no target in zone-b", Target.ip("127.0.0.1", 1))};
    final int tcpPort;
    /** Per TCP target: periods in which it was reported unhealthy/unavailable. */
    final Pooled[] unhealthy;
    /** Per TCP target: periods in which it was deregistered while its group had connection termination on. */
    final Pooled[] terminating;
    volatile Throwable failure;
    final Listener tlsListener;
    final int tlsPort;
    /** Per zone, the periods in which its node had no eligible target for the TLS listener. */
    final Pooled[] tlsNoTarget = {new Pooled("no TLS target in zone-a", Target.ip("127.0.0.1", 1)),
        new Pooled("no TLS target in zone-b", Target.ip("127.0.0.1", 1))};
    /** Certificate changes draw from their own sequence, so the other churn stays as it was for a seed. */
    final Random certRandom;
    /** The TLS listener's certificates over time; the first is the initial state. Guarded by itself. */
    final List<CertEpoch> certEpochs = new ArrayList<>();
    static final String SUSPECT = "suspect: target deregistered, termination never seen on";
    boolean shifted;

    Driver(Random random, LoadBalancer lb, int tcpPort, TargetGroup tcp, TargetGroup udp, List<Pooled> tcpPool, List<Pooled> udpPool, Stats stats,
        Listener tlsListener, Random certRandom, int tlsPort) {
      this.random = random;
      this.tlsPort = tlsPort;
      this.tlsListener = tlsListener;
      this.certRandom = certRandom;
      certEpochs.add(new CertEpoch(0, Long.MIN_VALUE, Long.MIN_VALUE, DEFAULT_CERTS.get(0), Map.of()));
      this.lb = lb;
      this.tcpPort = tcpPort;
      this.unhealthy = new Pooled[tcpPool.size()];
      this.terminating = new Pooled[tcpPool.size()];
      for (int i = 0; i < tcpPool.size(); i++) {
        unhealthy[i] = new Pooled("unhealthy", tcpPool.get(i).target);
        terminating[i] = new Pooled("terminating", tcpPool.get(i).target);
      }
      this.tcp = tcp;
      this.udp = udp;
      this.tcpPool = tcpPool;
      this.udpPool = udpPool;
      this.stats = stats;
    }

    void tick() {
      try {
        // 50 ms of wall time are 500 ms of the load balancer's time: deregistration delays (0-5 s) end.
        long before = System.nanoTime();
        h.scheduler.advance(Duration.ofMillis(500));
        observeRouting(before);
        if (random.nextInt(4) == 0) {
          before = System.nanoTime();
          act();
          observeRouting(before);
          observeTermination(before);
        }
        if (certRandom.nextInt(8) == 0) {
          changeCertificates();
        }
      } catch (Throwable t) {
        failure = t;
        throw t;
      }
    }

    long ms(long nanos) {
      return TimeUnit.NANOSECONDS.toMillis(nanos - born);
    }

    private void log(String what) {
      journal.add(ms(System.nanoTime()) + " " + what);
      if (journal.size() > 5000) {
        journal.poll();
      }
    }

    private void count(String action) {
      actions.merge(action, 1L, Long::sum);
    }

    private void act() {
      int what = random.nextInt(20);
      boolean onTcp = random.nextInt(3) != 0;
      TargetGroup g = onTcp ? tcp : udp;
      List<Pooled> pool = onTcp ? tcpPool : udpPool;
      Pooled p = pool.get(random.nextInt(pool.size()));
      try {
        if (what < 5) {
          if (p.registered) {
            p.goingOut("deregistered");
            if (onTcp && g.attributes().connectionTermination()) {
              // Opened before the call: with a delay of 0 its resets reach clients before the call returns.
              Pooled t = terminating[pool.indexOf(p)];
              synchronized (t) {
                if (t.outSince < 0) {
                  t.outSince = System.nanoTime();
                  t.outReason = "deregistered with termination";
                }
              }
            }
            g.deregisterTargets(p.target);
            p.registered = false;
            log("deregister " + p.name + " " + g.attributes().deregistrationDelay() + " termination=" + g.attributes().connectionTermination());
            count("deregister");
          } else {
            g.registerTargets(p.target);
            p.registered = true;
            log("register " + p.name);
            if (random.nextInt(5) != 0) {
              g.reportHealth(p.target, TargetHealth.healthy());
              p.healthy = true;
              if (onTcp) {
                unhealthy[pool.indexOf(p)].backIn();
              }
            }
            if (p.healthy) {
              p.backIn();
            }
            count("register");
          }
        } else if (what < 11) {
          if (!p.registered) {
            return;
          }
          if (p.healthy) {
            p.goingOut("unhealthy");
            if (onTcp) {
              unhealthy[pool.indexOf(p)].goingOut("unhealthy");
            }
            g.reportHealth(p.target, TargetHealth.of(random.nextBoolean()
                ? TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS : TargetHealthReason.ELB_INTERNAL_ERROR));
            p.healthy = false;
            log("unhealthy " + p.name);
            count("unhealthy");
          } else {
            g.reportHealth(p.target, TargetHealth.healthy());
            p.healthy = true;
            p.backIn();
            if (onTcp) {
              unhealthy[pool.indexOf(p)].backIn();
            }
            log("healthy " + p.name);
            count("healthy");
          }
        } else if (what < 16) {
          g.modifyAttributes(Map.of(
              TargetGroupAttributes.DEREGISTRATION_DELAY, Integer.toString(random.nextInt(6)),
              TargetGroupAttributes.CONNECTION_TERMINATION, Boolean.toString(random.nextBoolean()),
              TargetGroupAttributes.STICKINESS, Boolean.toString(random.nextInt(3) == 0),
              TargetGroupAttributes.CROSS_ZONE, new String[] {"true", "false", "use_load_balancer_configuration"}[random.nextInt(3)]));
          log("attributes " + g.name() + " " + g.attributes().asMap());
          count("groupAttributes");
        } else if (what < 18) {
          lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", Boolean.toString(random.nextBoolean())));
          log("lb cross-zone " + lb.attributes().crossZoneEnabled());
          count("lbCrossZone");
        } else if (shifted) {
          lb.cancelZonalShift();
          shifted = false;
          shift.backIn();
          log("cancel shift");
          count("cancelShift");
        } else {
          if (random.nextBoolean()) {
            // A shift needs cross-zone off everywhere; otherwise it is refused (also churn).
            lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "false"));
            tcp.modifyAttributes(Map.of(TargetGroupAttributes.CROSS_ZONE, "false"));
            udp.modifyAttributes(Map.of(TargetGroupAttributes.CROSS_ZONE, "false"));
          }
          shift.goingOut("zonalShift");
          lb.startZonalShift(ZONES[random.nextInt(2)], Duration.ofMinutes(1 + random.nextInt(5)), "soak");
          shifted = true;
          log("shift " + lb.zonalShift());
          count("startShift");
        }
      } catch (NlbException e) {
        // Refusals are part of the churn (cross-zone during a shift, a shift with cross-zone on...).
        count("refused " + e.code());
        if (refusals.size() < 20) {
          refusals.add(e.getMessage());
        }
        if (p.registered && p.healthy) {
          p.backIn(); // the refused change did not take it out of service
          if (onTcp) {
            unhealthy[pool.indexOf(p)].backIn();
          }
        }
        if (!shifted) {
          shift.backIn();
        }
      }
      if (shifted && lb.zonalShift().isEmpty()) {
        shifted = false; // it expired on the scheduler
        shift.backIn();
      }
    }

    /**
     * The TLS listener's certificates in one period between changes.
     *
     * @param start when the change that made this state began (System.nanoTime)
     * @param end when it had returned
     */
    record CertEpoch(int index, long start, long end, PemCertificate defaultCertificate, Map<String, PemCertificate> list) {
      PemCertificate expected(String sni) {
        return sni != null && list.containsKey(sni) ? list.get(sni) : defaultCertificate;
      }

      @Override
      public String toString() {
        return "#" + index + " default " + subject(defaultCertificate) + ", list " + new TreeMap<>(list).keySet();
      }
    }

    /** Replaces the default certificate, or adds or removes a listed one; each change is recorded with its duration. */
    private void changeCertificates() {
      CertEpoch now;
      long start;
      synchronized (certEpochs) {
        now = certEpochs.get(certEpochs.size() - 1);
        // Announced before the listener changes: a handshake that ends while the change is under
        // way is not checked (the listener may already serve the new certificates).
        start = System.nanoTime();
        changeUnderWaySince = start;
      }
      PemCertificate defaultCert = now.defaultCertificate;
      Map<String, PemCertificate> list = new java.util.HashMap<>(now.list);
      if (certRandom.nextInt(3) == 0) {
        List<PemCertificate> others = new ArrayList<>(DEFAULT_CERTS);
        others.remove(defaultCert);
        defaultCert = others.get(certRandom.nextInt(others.size()));
        tlsListener.modify(tlsListener.config().toBuilder().certificate(defaultCert).build());
        count("replaceDefaultCertificate");
      } else {
        PemCertificate c = LIST_CERTS.get(certRandom.nextInt(LIST_CERTS.size()));
        String name = c.info().dnsNames().get(0);
        if (list.remove(name) != null) {
          tlsListener.removeCertificates(c);
          count("removeListCertificate");
        } else {
          tlsListener.addCertificates(c);
          list.put(name, c);
          count("addListCertificate");
        }
      }
      CertEpoch next = new CertEpoch(now.index + 1, start, System.nanoTime(), defaultCert, Map.copyOf(list));
      synchronized (certEpochs) {
        certEpochs.add(next);
        changeUnderWaySince = Long.MAX_VALUE;
      }
      log("certificates " + next);
    }

    /** When the certificate change under way started (nanoTime), or Long.MAX_VALUE; guarded by certEpochs. */
    private long changeUnderWaySince = Long.MAX_VALUE;

    /** The certificates in force for the whole of [from, to], or null when a change overlapped that period. */
    CertEpoch certificatesDuring(long from, long to) {
      synchronized (certEpochs) {
        if (changeUnderWaySince <= to) {
          return null; // a change started before the handshake ended and is not recorded yet
        }
        for (int i = certEpochs.size() - 1; i >= 0; i--) {
          CertEpoch e = certEpochs.get(i);
          if (e.start <= to) {
            return e.end >= from ? null : e;
          }
        }
      }
      return null;
    }

    /**
     * Asks routing (the published snapshot, exactly what the data plane reads) whether each node
     * has a target for a new TCP flow; every change goes through this thread, so each state is seen.
     */
    private void observeRouting(long changeStarted) {
      for (int z = 0; z < 2 * ZONES.length; z++) {
        boolean tls = z >= ZONES.length;
        int zone = z % ZONES.length;
        io.nlb.core.routing.FlowKey key = io.nlb.core.routing.FlowKey.tcp(at("127.0.0.1", 40_000),
            at(NODES[zone], tls ? tlsPort : tcpPort), zone);
        Pooled p = tls ? tlsNoTarget[zone] : noTarget[zone];
        if (lb.whatIf(ZONES[zone], key).outcome() == io.nlb.core.RouteDecision.Outcome.NO_TARGET) {
          synchronized (p) {
            if (p.outSince < 0) {
              p.outSince = changeStarted;
              p.outReason = "no eligible target";
            }
          }
        } else {
          p.backIn();
        }
      }
    }

    /** Tracks, per TCP target, whether a drain ending now would reset its flows (the group's current attribute decides). */
    private void observeTermination(long changeStarted) {
      boolean termination = tcp.attributes().connectionTermination();
      for (int i = 0; i < tcpPool.size(); i++) {
        Pooled t = terminating[i];
        if (!tcpPool.get(i).registered && termination) {
          synchronized (t) {
            if (t.outSince < 0) {
              t.outSince = changeStarted;
              t.outReason = "deregistered with termination";
            }
          }
        } else {
          t.backIn();
        }
      }
    }

    /** Back to the start: no shift, every target registered and healthy, every drain run out. */
    void settle() {
      if (lb.zonalShift().isPresent()) {
        lb.cancelZonalShift();
      }
      shifted = false;
      shift.backIn();
      for (Pooled p : tcpPool) {
        settle(tcp, p);
      }
      for (Pooled p : udpPool) {
        settle(udp, p);
      }
      for (Pooled u : unhealthy) {
        u.backIn();
      }
      observeTermination(System.nanoTime());
      h.scheduler.advance(Duration.ofSeconds(10));
    }

    private void settle(TargetGroup g, Pooled p) {
      if (!p.registered) {
        g.registerTargets(p.target);
        p.registered = true;
      }
      g.reportHealth(p.target, TargetHealth.healthy());
      p.healthy = true;
      p.backIn();
    }

    /** The documented cause active during a reset flow, or null. */
    String cause(ResetFlow r, Integer target) {
      if (r.tls) {
        // The TLS group is never churned: only a node without an eligible target explains a reset.
        int zone = r.node.equals(NODES[0]) ? 0 : 1;
        return target == null && tlsNoTarget[zone].outDuring(r.start, r.end) != null ? "no eligible TLS target" : null;
      }
      if (target != null) {
        if (terminating[target].outDuring(r.start, r.end) != null) {
          return "target deregistered with termination";
        }
        if (unhealthy[target].outDuring(r.start, r.end) != null) {
          return "target unhealthy";
        }
        // Deregistered, but (as far as the driver saw) never with termination on: allowed, reported as suspect.
        return tcpPool.get(target).outDuring(r.start, r.end) == null ? null : SUSPECT;
      }
      // Never reached a target: the node had none, or the flow was marked before its first byte was forwarded.
      int zone = r.node.equals(NODES[0]) ? 0 : 1;
      if (noTarget[zone].outDuring(r.start, r.end) != null) {
        return "no eligible target";
      }
      for (Pooled p : tcpPool) {
        String reason = p.outDuring(r.start, r.end);
        if (reason != null) {
          return "unknown target, some target " + reason;
        }
      }
      return null;
    }
  }

  // ------------------------------------------------------------------ results

  record ResetFlow(long flowId, String node, long start, long end, long received, int length, boolean tls) {
    ResetFlow(long flowId, String node, long start, long end, long received, int length) {
      this(flowId, node, start, end, received, length, false);
    }
  }

  static final class Stats {
    final AtomicLong tcpFlows = new AtomicLong();
    final AtomicLong tcpOk = new AtomicLong();
    final AtomicLong tcpBytes = new AtomicLong();
    final AtomicLong tlsFlows = new AtomicLong();
    final AtomicLong tlsOk = new AtomicLong();
    final AtomicLong tlsBytes = new AtomicLong();
    final AtomicLong certChecked = new AtomicLong();
    final AtomicLong certCheckedAfterChange = new AtomicLong();
    final AtomicLong udpSent = new AtomicLong();
    final AtomicLong udpReceived = new AtomicLong();
    final AtomicLong udpSockets = new AtomicLong();
    final AtomicLong resets = new AtomicLong();
    final Map<String, Long> causes = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> unaccounted = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> suspects = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    /** Classifies a reset at once (so nothing per flow is kept for long runs). */
    void reset(Driver driver, ResetFlow r, Integer target) {
      resets.incrementAndGet();
      String cause = driver.cause(r, target);
      String where = r + " target=" + target + " from " + driver.ms(r.start) + " ms to " + driver.ms(r.end) + " ms";
      if (cause == null) {
        unaccounted.add(where);
      } else {
        if (cause.equals(Driver.SUSPECT)) {
          suspects.add(where);
        }
        causes.merge(cause, 1L, Long::sum);
      }
    }
  }
}
