package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Two {@link EmbeddedChannel}s wired back to back: whatever one writes, the other reads, on the
 * test thread, without sockets. The client end usually holds a client {@link SslHandler}, the
 * server end the handler under test.
 */
final class ChannelPair {
  static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.7", 51341);
  static final InetSocketAddress LISTENER = new InetSocketAddress("192.0.2.10", 443);

  final EmbeddedChannel client;
  final EmbeddedChannel server;
  /**
   * Exceptions that reached the end of either pipeline. EmbeddedChannel tears a pipeline down as
   * soon as the channel closes (a real event loop deregisters later), so an SslHandler's error
   * raised after its own close lands at the end of the pipeline; collected here, not thrown.
   */
  final List<Throwable> clientErrors = new ArrayList<>();
  final List<Throwable> serverErrors = new ArrayList<>();
  private final @Nullable SslHandler clientSsl;
  /** Rewrites client-to-server bytes before delivery: split, reframe, corrupt. */
  UnaryOperator<List<ByteBuf>> clientToServer = UnaryOperator.identity();

  ChannelPair(ChannelHandler clientHandler, ChannelHandler... serverHandlers) {
    this.clientSsl = clientHandler instanceof SslHandler h ? h : null;
    this.client = channel(LISTENER, CLIENT, clientHandler, new io.netty.channel.ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
        clientErrors.add(cause);
      }
    });
    this.server = channel(CLIENT, LISTENER, serverHandlers);
  }

  static EmbeddedChannel channel(InetSocketAddress remote, InetSocketAddress local, ChannelHandler... handlers) {
    return new EmbeddedChannel(handlers) {
      @Override
      protected SocketAddress remoteAddress0() {
        return remote;
      }

      @Override
      protected SocketAddress localAddress0() {
        return local;
      }
    };
  }

  /** Moves bytes both ways until neither side has anything left to say. */
  ChannelPair pump() {
    for (int round = 0; round < 100; round++) {
      List<ByteBuf> c2s = drain(client, clientErrors);
      List<ByteBuf> s2c = drain(server, serverErrors);
      if (c2s.isEmpty() && s2c.isEmpty()) {
        return this;
      }
      deliver(server, clientToServer.apply(c2s), serverErrors);
      deliver(client, s2c, clientErrors);
    }
    throw new AssertionError("the two ends kept talking for 100 rounds");
  }

  private static List<ByteBuf> drain(EmbeddedChannel ch, List<Throwable> errors) {
    runTasks(ch, errors);
    List<ByteBuf> out = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      out.add((ByteBuf) o);
    }
    return out;
  }

  private static void runTasks(EmbeddedChannel ch, List<Throwable> errors) {
    try {
      ch.runPendingTasks();
    } catch (Exception e) {
      errors.add(e);
    }
  }

  private static void deliver(EmbeddedChannel ch, List<ByteBuf> bufs, List<Throwable> errors) {
    for (ByteBuf b : bufs) {
      if (!ch.isOpen()) {
        b.release();
        continue;
      }
      ch.pipeline().fireChannelRead(b);
      ch.pipeline().fireChannelReadComplete();
      runTasks(ch, errors);
    }
  }

  /** Splits every buffer into pieces of at most {@code size} bytes, each delivered as its own read. */
  static UnaryOperator<List<ByteBuf>> chunks(int size) {
    return in -> {
      List<ByteBuf> out = new ArrayList<>();
      for (ByteBuf b : in) {
        while (b.readableBytes() > size) {
          out.add(b.readRetainedSlice(size));
        }
        out.add(b);
      }
      return out;
    };
  }

  /** The client's {@link SslHandler}. */
  SslHandler clientSsl() {
    SslHandler h = clientSsl;
    if (h == null) {
      throw new AssertionError("no client SslHandler");
    }
    return h;
  }

  /** The leaf certificate the server presented to the client. */
  X509Certificate presented() throws Exception {
    return (X509Certificate) clientSsl().engine().getSession().getPeerCertificates()[0];
  }

  /** Releases everything left in either channel. */
  void close() {
    for (EmbeddedChannel ch : List.of(client, server)) {
      try {
        ch.finishAndReleaseAll();
      } catch (Exception e) {
        // already reported through the error lists
      }
    }
  }

  /** A client handshake handler (JDK provider unless said otherwise). */
  static final class Client {
    private SslProvider provider = SslProvider.JDK;
    private List<String> protocols = List.of("TLSv1.2", "TLSv1.3");
    private @Nullable List<String> ciphers;
    private List<String> alpn = List.of();
    private @Nullable String sni;
    private TrustManager trust = TrustAllTrustManager.INSTANCE;

    Client protocols(String... p) {
      protocols = List.of(p);
      return this;
    }

    Client ciphers(CipherSuite... suites) {
      List<String> names = new ArrayList<>();
      for (CipherSuite s : suites) {
        names.add(s.jsseName());
      }
      ciphers = names;
      return this;
    }

    Client alpn(String... protocols) {
      alpn = List.of(protocols);
      return this;
    }

    Client sni(String name) {
      sni = name;
      return this;
    }

    Client trust(TrustManager tm) {
      trust = tm;
      return this;
    }

    Client provider(SslProvider p) {
      provider = p;
      return this;
    }

    SslHandler handler() {
      try {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider).protocols(protocols).trustManager(trust)
            .endpointIdentificationAlgorithm(null);
        if (ciphers != null) {
          b.ciphers(ciphers, IdentityCipherSuiteFilter.INSTANCE);
        }
        if (!alpn.isEmpty()) {
          b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        SslContext ctx = b.build();
        SslHandler h = ctx.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT);
        if (sni != null) {
          SSLParameters p = h.engine().getSSLParameters();
          p.setServerNames(List.of(new SNIHostName(sni)));
          h.engine().setSSLParameters(p);
        }
        return h;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Bytes as one buffer. */
  static ByteBuf bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return Unpooled.wrappedBuffer(b);
  }
}
