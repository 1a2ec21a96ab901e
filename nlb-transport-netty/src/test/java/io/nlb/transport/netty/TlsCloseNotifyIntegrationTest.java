package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.tls.SecurityPolicy;
import io.nlb.tls.TlsProvider;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A TLS connection through the load balancer ends with a close_notify before its FIN in each
 * direction it ends, so that no TLS peer sees a truncated stream (OpenSSL 3 reports an end of
 * stream without one as an error): towards the client when its target closes, and towards a TLS
 * target when the client ends its side. Clients and the TLS target are Netty's, whose SslHandler
 * completes its {@code sslCloseFuture} only when a close_notify arrived. On every I/O mode, with
 * the JDK's engine and BoringSSL's (AUTO with TLS 1.2 clients).
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsCloseNotifyIntegrationTest {
  private static final String POLICY = SecurityPolicy.TLS13_1_2_2021_06.name();
  private Harness h;
  private final TlsTargets targets = new TlsTargets();
  private final EventLoopGroup peers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Channel> servers = new ArrayList<>();

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    targets.close();
    servers.forEach(Channel::close);
    peers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    Harness.modes().forEach(mode -> {
      for (TlsProvider p : List.of(TlsProvider.JDK, TlsProvider.AUTO)) {
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
          out.add(Arguments.of(mode, p, protocol));
        }
      }
    });
    return out.stream();
  }

  /** What a peer saw on one connection: the bytes it read and whether a close_notify came before the end. */
  record Seen(String text, boolean closeNotify) {}

  /**
   * A peer that writes {@code line} once its handshake is done, collects what it reads, and ends its
   * side (close_notify, then FIN) after {@code endAfter} bytes if that is not negative; closes when the
   * other side's close_notify or end of stream arrives.
   */
  private static class Peer extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Seen> seen = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final String line;
    private final int endAfter;
    private boolean closeNotify;

    Peer(String line, int endAfter) {
      this.line = line;
      this.endAfter = endAfter;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done && done.isSuccess() && !line.isEmpty()) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII));
      } else if (evt instanceof SslCloseCompletionEvent closed && closed.isSuccess()) {
        closeNotify = true;
        ctx.close();
      } else if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        ctx.close();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      text.append(b.toString(StandardCharsets.US_ASCII));
      b.release();
      if (endAfter >= 0 && text.length() >= endAfter) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        ssl.closeOutbound().addListener((ChannelFutureListener) f -> ((SocketChannel) ctx.channel()).shutdownOutput());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      seen.complete(new Seen(text.toString(), closeNotify));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      seen.completeExceptionally(cause);
      ctx.close();
    }
  }

  private Peer connect(int port, String protocol, String line, int endAfter) throws Exception {
    SslContext ctx = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(protocol)
        .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    Peer peer = new Peer(line, endAfter);
    new Bootstrap().group(peers).channel(NioSocketChannel.class).option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(ctx.newHandler(ch.alloc(), "127.0.0.1", port), peer);
          }
        }).connect(new InetSocketAddress("127.0.0.1", port)).sync();
    return peer;
  }

  private void start(IoMode mode, TlsProvider provider) {
    Assumptions.assumeTrue(provider.isAvailable(), "netty-tcnative/BoringSSL is not available here");
    h = new Harness(mode, b -> b.tlsProvider(provider));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void targetCloses_clientGetsCloseNotifyBeforeTheEnd(IoMode mode, TlsProvider provider, String protocol) throws Exception {
    start(mode, provider);
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", targets.rude("bye\n").port));
    int port = Harness.freePort();
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TLS, port).forwardTo(g).certificate(TlsTargets.A)
        .sslPolicy(POLICY).build());

    Peer client = connect(port, protocol, "", -1);

    assertThat(client.seen.get(20, TimeUnit.SECONDS)).isEqualTo(new Seen("bye\n", true));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void clientEndsItsSide_tlsTargetGetsCloseNotify_andTheClientToo(IoMode mode, TlsProvider provider, String protocol) throws Exception {
    start(mode, provider);
    CompletableFuture<Peer> targetPeer = new CompletableFuture<>();
    SslContext serving = SslContextBuilder.forServer(TlsTargets.TARGET.privateKey(),
        TlsTargets.TARGET.chain().toArray(new X509Certificate[0])).sslProvider(SslProvider.JDK).build();
    Channel server = new ServerBootstrap().group(peers).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Peer p = new Peer("", -1) {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(((ByteBuf) msg).retainedDuplicate()); // echo
                super.channelRead(ctx, msg);
              }
            };
            targetPeer.complete(p);
            ch.pipeline().addLast(serving.newHandler(ch.alloc()), p);
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    servers.add(server);
    TargetGroup g = h.group("secure", Protocol.TLS);
    g.registerTargets(Target.ip("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()));
    int port = Harness.freePort();
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TLS, port).forwardTo(g).certificate(TlsTargets.A)
        .sslPolicy(POLICY).build());

    Peer client = connect(port, protocol, "hello", "hello".length());

    assertThat(targetPeer.get(20, TimeUnit.SECONDS).seen.get(20, TimeUnit.SECONDS)).isEqualTo(new Seen("hello", true));
    assertThat(client.seen.get(20, TimeUnit.SECONDS)).isEqualTo(new Seen("hello", true));
  }
}
