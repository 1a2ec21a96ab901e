package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.TargetGroup;
import io.nlb.core.routing.IpProtocol;
import io.nlb.metrics.Metric;
import io.nlb.tls.SecurityPolicy;
import io.nlb.tls.TlsProvider;
import io.nlb.tls.TlsTermination;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP flow's handlers one by one, each in {@link EmbeddedSocket}s with a mock clock: the
 * accept limits, the route-and-connect stage before the target is ready, the copy relay
 * (bytes, backpressure, half-close, a TLS client's close_notify before its FIN) and the idle timeout. The endpoint they belong to is a real
 * one of a NIO transport (bound on loopback), so metrics and the flow registry are the real ones.
 */
@NullUnmarked
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpFlowHandlersTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40_001);
  private static final InetSocketAddress TARGET = new InetSocketAddress("127.0.0.1", 40_002);

  private Harness h;
  private LoadBalancer lb;
  private Endpoint ep;
  private final MockTicker ticker = Ticker.newMockTicker();

  @BeforeEach
  void setUp() {
    h = new Harness(IoMode.NIO);
    TargetGroup g = h.group("tg", Protocol.TCP);
    int port = Harness.freePort();
    lb = h.lb("lb-handlers", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
    ep = h.transport.endpoints(lb).stream().filter(e -> e.protocol == IpProtocol.TCP).findFirst().orElseThrow();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private EmbeddedSocket socket(InetSocketAddress remote, InetSocketAddress local) throws Exception {
    return new EmbeddedSocket(ticker, remote, local);
  }

  private long metric(Metric m) {
    return h.value(lb, "zone-a", m);
  }

  /** A plain TCP flow whose target is "connected": both relay sides installed, as RouteAndConnect leaves them. */
  private TcpFlow relaying(EmbeddedSocket client, EmbeddedSocket target) {
    TcpFlow f = new TcpFlow(ep, client, null);
    f.target = target;
    f.connected = true;
    client.pipeline().addLast(RouteAndConnect.NAME, f.clientSide);
    target.pipeline().addLast("nlb-target", f.targetSide);
    return f;
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  private static String readAscii(EmbeddedSocket ch) {
    ByteBuf b = ch.readOutbound();
    try {
      return b.toString(StandardCharsets.US_ASCII);
    } finally {
      b.release();
    }
  }

  // ------------------------------------------------------------------ accept limits

  @Test
  void acceptGuard_underTheLimit_installsRouteAndConnect() throws Exception {
    AcceptGuard guard = new AcceptGuard(ep, new AcceptGuard.Connections(1, NettyTransport.UNLIMITED));
    EmbeddedSocket s = socket(CLIENT, TARGET);
    s.pipeline().addLast("guard", guard);
    assertThat(s.isOpen()).isTrue();
    assertThat(s.pipeline().get(RouteAndConnect.NAME)).isInstanceOf(RouteAndConnect.class);
    // count-reads is the test socket's own; the flow adds its handler only.
    assertThat(s.pipeline().toMap().keySet()).as("the flow handler is the connection's only one")
        .containsExactly("count-reads", RouteAndConnect.NAME);
    assertThat(s.pipeline().get(AcceptGuard.class)).isNull();
    s.close();
  }

  @Test
  void acceptGuard_listenerLimitReached_resetsAndCountsTheRefusal() throws Exception {
    AcceptGuard.Connections c = new AcceptGuard.Connections(1, NettyTransport.UNLIMITED);
    AcceptGuard guard = new AcceptGuard(ep, c);
    EmbeddedSocket first = socket(CLIENT, TARGET);
    first.pipeline().addLast("guard", guard);
    EmbeddedSocket second = socket(new InetSocketAddress("127.0.0.1", 40_003), TARGET);
    second.pipeline().addLast("guard", guard);

    assertThat(first.isOpen()).isTrue();
    assertThat(second.isOpen()).as("refused").isFalse();
    assertThat(second.pipeline().get(RouteAndConnect.NAME)).as("no flow for a refused connection").isNull();
    assertThat(metric(Metric.REJECTED_FLOW_COUNT_LISTENER_LIMIT)).isEqualTo(1);
    assertThat(c.open()).isEqualTo(1);
    first.close();
    assertThat(c.open()).as("released when the connection closes").isZero();
  }

  @Test
  void acceptGuard_clientLimitReached_refusesThatClientOnly() throws Exception {
    AcceptGuard guard = new AcceptGuard(ep, new AcceptGuard.Connections(NettyTransport.UNLIMITED, 1));
    EmbeddedSocket a1 = socket(CLIENT, TARGET);
    a1.pipeline().addLast("guard", guard);
    EmbeddedSocket a2 = socket(new InetSocketAddress(CLIENT.getAddress(), 40_010), TARGET);
    a2.pipeline().addLast("guard", guard);
    EmbeddedSocket b = socket(new InetSocketAddress("127.0.0.9", 40_011), TARGET);
    b.pipeline().addLast("guard", guard);

    assertThat(a1.isOpen()).isTrue();
    assertThat(a2.isOpen()).isFalse();
    assertThat(b.isOpen()).isTrue();
    assertThat(metric(Metric.REJECTED_FLOW_COUNT_CLIENT_LIMIT)).isEqualTo(1);
  }

  // ------------------------------------------------------------------ route and connect

  @Test
  void routeAndConnect_clientClosesBeforeTheTargetIsReady_releasesEarlyBytes() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    TcpFlow f = new TcpFlow(ep, client, null);
    client.pipeline().addLast(RouteAndConnect.NAME, new RouteAndConnect(f));
    ByteBuf early = ascii("early");
    client.writeInbound(early);
    assertThat(early.refCnt()).as("kept for the target").isEqualTo(1);
    assertThat(client.reads).as("no read asked for before the target is ready").isZero();

    client.close();

    assertThat(f.finished).isTrue();
    assertThat(early.refCnt()).as("released").isZero();
  }

  @Test
  void routeAndConnect_inputShutdownBeforeTheTargetIsReady_isRememberedForTheRelay() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    TcpFlow f = new TcpFlow(ep, client, null);
    client.pipeline().addLast(RouteAndConnect.NAME, new RouteAndConnect(f));
    client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(f.clientEof).isTrue();

    // The relay that takes over passes the FIN on at once instead of reading the client.
    EmbeddedSocket target = socket(CLIENT, TARGET);
    f.target = target;
    f.connected = true;
    target.pipeline().addLast("nlb-target", f.targetSide);
    client.pipeline().replace(RouteAndConnect.NAME, RouteAndConnect.NAME, f.clientSide);
    f.clientSide.start(target);
    assertThat(target.outputShut).isTrue();
    assertThat(client.reads).isZero();
    assertThat(target.reads).isEqualTo(1);
  }

  @Test
  void flowSettings_sameRoute_readOnce_changedListener_readAgain() {
    io.nlb.core.ListenerRoute route = ep.slot.route().listener();
    FlowSettings first = FlowSettings.of(ep, route);
    assertThat(first.idleNanos).as("the listener attribute's default").isEqualTo(TimeUnit.SECONDS.toNanos(350));
    assertThat(first.proxyProtocolV2).isEqualTo(route.groupAttributes().proxyProtocolV2());
    assertThat(first.preserveClientIp).isEqualTo(route.groupAttributes().preserveClientIp());
    assertThat(FlowSettings.of(ep, route)).as("kept while the route is the same").isSameAs(first);

    io.nlb.core.Listener l = lb.listeners().get(0);
    l.modify(l.config().toBuilder().attribute(io.nlb.core.ListenerAttributes.TCP_IDLE_TIMEOUT, "120").build());
    io.nlb.core.ListenerRoute next = ep.slot.route().listener();
    assertThat(next).as("modifying the listener publishes a new route").isNotSameAs(route);
    FlowSettings second = FlowSettings.of(ep, next);
    assertThat(second.idleNanos).as("read again from the new route").isEqualTo(TimeUnit.SECONDS.toNanos(120));
    assertThat(FlowSettings.of(ep, next)).isSameAs(second);
  }

  // ------------------------------------------------------------------ copy relay

  @Test
  void copyRelay_bytesEachWay_areWrittenToTheOtherSideAndCounted() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    relaying(client, target);

    client.writeInbound(ascii("hello"));
    assertThat(readAscii(target)).isEqualTo("hello");
    target.writeInbound(ascii("hi!"));
    assertThat(readAscii(client)).isEqualTo("hi!");

    assertThat(metric(Metric.PROCESSED_BYTES_TCP)).isEqualTo(8);
    assertThat(client.reads).as("the next read, as the target is writable").isEqualTo(1);
    assertThat(target.reads).isEqualTo(1);
  }

  @Test
  void copyRelay_targetUnwritable_stopsReadingTheClientUntilItIsWritableAgain() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    relaying(client, target);

    target.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    target.runPendingTasks();
    client.writeInbound(ascii("more"));
    assertThat(readAscii(target)).isEqualTo("more");
    assertThat(client.reads).as("no read while the target cannot take more").isZero();

    target.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    target.runPendingTasks();
    assertThat(client.reads).as("reading resumes with the target's writability").isEqualTo(1);
  }

  @Test
  void copyRelay_halfClose_eachFinIsPassedOn_thenTheFlowEndsWithoutAReset() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    TcpFlow f = relaying(client, target);

    client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(target.outputShut).as("the client's FIN reaches the target").isTrue();
    assertThat(client.isOpen()).as("the other direction goes on").isTrue();
    target.writeInbound(ascii("answer"));
    assertThat(readAscii(client)).isEqualTo("answer");

    target.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(f.finished).isTrue();
    assertThat(client.isOpen()).isFalse();
    assertThat(target.isOpen()).isFalse();
    assertThat(metric(Metric.TCP_ELB_RESET_COUNT) + metric(Metric.TCP_CLIENT_RESET_COUNT)
        + metric(Metric.TCP_TARGET_RESET_COUNT)).isZero();
  }

  /** Moves what {@code from} wrote to {@code to}'s input. */
  private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
    for (ByteBuf b = from.readOutbound(); b != null; b = from.readOutbound()) {
      to.writeInbound(b);
    }
  }

  @Test
  void copyRelay_tlsClient_targetEnds_closeNotifyBeforeTheFin_thenTheClientsFinEndsTheFlow() throws Exception {
    ListenerConfig tlsListener = ListenerConfig.builder(Protocol.TLS, 1).forwardTo("tg").certificate(TlsTargets.A)
        .sslPolicy(SecurityPolicy.TLS13_1_2_2021_06.name()).build();
    TlsFrontend tls = new TlsFrontend("tls", TlsTermination.builder(tlsListener, TlsProvider.JDK).build(), tlsListener);
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    SslContext serving = SslContextBuilder.forServer(TlsTargets.A.privateKey(), TlsTargets.A.chain().toArray(new X509Certificate[0]))
        .sslProvider(SslProvider.JDK).build();
    client.pipeline().addLast(serving.newHandler(client.alloc()));
    TcpFlow f = new TcpFlow(ep, client, tls);
    f.target = target;
    f.connected = true;
    client.pipeline().addLast(RouteAndConnect.NAME, f.clientSide);
    target.pipeline().addLast("nlb-target", f.targetSide);
    SslHandler peerTls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
        .trustManager(InsecureTrustManagerFactory.INSTANCE).build().newHandler(UnpooledByteBufAllocator.DEFAULT);
    EmbeddedChannel peer = new EmbeddedChannel(peerTls);
    for (int i = 0; i < 10 && !peerTls.handshakeFuture().isDone(); i++) {
      pump(peer, client);
      pump(client, peer);
    }
    assertThat(peerTls.handshakeFuture().isSuccess()).as("handshake").isTrue();

    target.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

    assertThat(client.outputShut).as("the target's FIN reaches the client").isTrue();
    assertThat(peerTls.sslCloseFuture().isDone()).isFalse();
    pump(client, peer);
    assertThat(peerTls.sslCloseFuture().isSuccess()).as("a close_notify came before that FIN").isTrue();
    assertThat(client.isOpen()).as("the client may still send").isTrue();

    client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(f.finished).isTrue();
    assertThat(client.isOpen()).isFalse();
    assertThat(target.isOpen()).isFalse();
    assertThat(metric(Metric.TCP_ELB_RESET_COUNT) + metric(Metric.TCP_CLIENT_RESET_COUNT)
        + metric(Metric.TCP_TARGET_RESET_COUNT)).isZero();
    peer.finishAndReleaseAll();
  }

  @Test
  void copyRelay_clientConnectionDrops_resetsTheTargetAndCountsAClientReset() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    relaying(client, target);

    client.close();

    assertThat(target.isOpen()).isFalse();
    assertThat(target.config().getSoLinger()).as("SO_LINGER 0: a reset").isZero();
    assertThat(metric(Metric.TCP_CLIENT_RESET_COUNT)).isEqualTo(1);
  }

  // ------------------------------------------------------------------ idle timeout

  private IdleTimeout idle(TcpFlow f, EmbeddedSocket client, EmbeddedSocket target, long seconds) {
    IdleTimeout idle = new IdleTimeout(f, TimeUnit.SECONDS.toNanos(seconds));
    f.idle = idle;
    idle.start();
    return idle;
  }

  @Test
  void idleTimeout_noTraffic_resetsBothSidesAtTheTimeout() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    TcpFlow f = relaying(client, target);
    idle(f, client, target, 60);

    after(client, 59);
    assertThat(f.finished).as("not yet").isFalse();

    after(client, 2);
    assertThat(f.finished).isTrue();
    assertThat(client.isOpen()).isFalse();
    assertThat(target.isOpen()).isFalse();
    assertThat(client.config().getSoLinger()).isZero();
    assertThat(metric(Metric.TCP_ELB_RESET_COUNT)).as("one reset each way").isEqualTo(2);
  }

  @Test
  void idleTimeout_trafficEitherWay_startsTheTimeoutOver() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    TcpFlow f = relaying(client, target);
    idle(f, client, target, 60);

    ticker.advance(50, TimeUnit.SECONDS);
    target.writeInbound(ascii("tick"));
    readAscii(client);
    after(client, 50);
    assertThat(f.finished).as("active 50 s ago").isFalse();

    after(client, 11);
    assertThat(f.finished).isTrue();
  }

  @Test
  void idleTimeout_flowEndsFirst_noCheckRunsAfterwards() throws Exception {
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    TcpFlow f = relaying(client, target);
    idle(f, client, target, 60);

    client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    target.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(f.finished).isTrue();
    assertThat(wheel(client).size()).as("an ended flow leaves the wheel at once").isZero();
    after(client, 120);
    assertThat(metric(Metric.TCP_ELB_RESET_COUNT)).isZero();
  }

  /** Lets {@code seconds} pass and runs the tasks of {@code loopOf}'s event loop that came due. */
  private void after(EmbeddedSocket loopOf, long seconds) {
    ticker.advance(seconds, TimeUnit.SECONDS);
    loopOf.runScheduledPendingTasks();
  }

  private IdleWheel wheel(EmbeddedSocket loopOf) {
    return h.transport.idleWheels.of(loopOf.eventLoop());
  }

  @Test
  void idleTimeout_longerThanTheWheelsSpan_firesAtItsOwnRoundOnly() throws Exception {
    // 600 s is more than the wheel's 512 one-second buckets: the bucket comes round at 88 s, too
    // early, and again at 600 s.
    EmbeddedSocket client = socket(CLIENT, TARGET);
    EmbeddedSocket target = socket(CLIENT, TARGET);
    TcpFlow f = relaying(client, target);
    idle(f, client, target, 600);

    after(client, 100);
    after(client, 499);
    assertThat(f.finished).as("599 s").isFalse();

    after(client, 2);
    assertThat(f.finished).isTrue();
    assertThat(wheel(client).size()).isZero();
  }
}
