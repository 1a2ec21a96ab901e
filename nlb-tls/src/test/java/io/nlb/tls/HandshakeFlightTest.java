package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server writes each handshake flight as one buffer: counted where the socket would be, on
 * full and resumed handshakes, TLS 1.2 and 1.3, with each provider that serves the policy.
 */
class HandshakeFlightTest {
  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (TlsProvider p : List.of(TlsProvider.JDK, TlsProvider.OPENSSL)) {
      out.add(Arguments.of(p, SecurityPolicy.FS_1_2_RES_2020_10, "TLSv1.2"));
      out.add(Arguments.of(p, SecurityPolicy.TLS13_1_2_2021_06, "TLSv1.3"));
      out.add(Arguments.of(p, SecurityPolicy.POLICY_2016_08, "TLSv1.2"));
    }
    return out.stream().filter(a -> {
      TlsProvider p = (TlsProvider) a.get()[0];
      return p.isAvailable() && PolicySupport.check((SecurityPolicy) a.get()[1], p).exact();
    });
  }

  @ParameterizedTest(name = "{0}, {1}, {2}")
  @MethodSource("cases")
  void handshake_fullAndResumed_eachFlightIsOneWrite(TlsProvider provider, SecurityPolicy policy, String protocol) throws Exception {
    TlsTermination tls = TlsTermination.builder(provider).policy(policy).defaultCertificate(TestCertificates.RSA).build();
    SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(protocol)
        .trustManager(TrustAllTrustManager.INSTANCE).endpointIdentificationAlgorithm(null).build();

    for (String kind : List.of("full", "resumed")) {
      FlightRecorder.Handshake h = FlightRecorder.handshake(client, tls);
      assertThat(h.success()).as("%s handshake: %s", kind, h.cause()).isTrue();
      List<List<Integer>> flights = h.server().flights();
      assertThat(flights).as("%s handshake: server flights", kind).isNotEmpty();
      assertThat(flights).as("%s handshake: buffers per flush", kind).allSatisfy(f -> assertThat(f).hasSize(1));
    }
  }

  /** Without the writer the JDK hands TLS 1.3's first flight over record by record: what it fixes. */
  @Test
  void jdkEngine_tls13FirstFlight_comesInSeveralRecordsBeforeOneFlush() throws Exception {
    SslContext server = TlsContexts.server(SecurityPolicy.TLS13_1_3_2021_06, TlsProvider.JDK, TestCertificates.RSA, List.of());
    SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
        .trustManager(TrustAllTrustManager.INSTANCE).endpointIdentificationAlgorithm(null).build();
    FlightRecorder recorder = new FlightRecorder();
    EmbeddedChannel c = new EmbeddedChannel(client.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT));
    EmbeddedChannel s = new EmbeddedChannel(recorder, server.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT));
    try {
      for (Object o; (o = c.readOutbound()) != null; ) {
        s.writeInbound(o);
      }
      assertThat(recorder.flights()).isNotEmpty();
      assertThat(recorder.flights().get(0)).as("records of the first flight").hasSizeGreaterThan(1);
    } finally {
      c.finishAndReleaseAll();
      s.finishAndReleaseAll();
    }
  }

  @Test
  void writer_severalBuffersThenFlush_writesOneJoinedBufferAndCompletesEveryPromise() {
    Promise<Void> handshake = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
    FlightRecorder recorder = new FlightRecorder();
    EmbeddedChannel ch = new EmbeddedChannel(recorder, new FlightWriter(handshake));

    ChannelFuture a = ch.write(Unpooled.wrappedBuffer(new byte[] {1, 2}));
    ChannelFuture b = ch.write(Unpooled.wrappedBuffer(new byte[] {3}));
    ch.flush();

    assertThat(recorder.flushes).containsExactly(List.of(3));
    ByteBuf out = ch.readOutbound();
    assertThat(io.netty.buffer.ByteBufUtil.getBytes(out)).containsExactly(1, 2, 3);
    out.release();
    assertThat(a.isSuccess()).isTrue();
    assertThat(b.isSuccess()).isTrue();
    assertThat(ch.pipeline().get(FlightWriter.class)).as("still there while the handshake runs").isNotNull();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void writer_flushAfterHandshakeDone_removesItselfAndPassesLaterWritesStraight() {
    Promise<Void> handshake = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
    FlightRecorder recorder = new FlightRecorder();
    EmbeddedChannel ch = new EmbeddedChannel(recorder, new FlightWriter(handshake));

    handshake.setSuccess(null);
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
    ch.write(Unpooled.wrappedBuffer(new byte[] {2}));
    ch.write(Unpooled.wrappedBuffer(new byte[] {3}));
    ch.flush();

    assertThat(ch.pipeline().get(FlightWriter.class)).isNull();
    assertThat(recorder.flushes).containsExactly(List.of(1), List.of(1, 1));
    ch.finishAndReleaseAll();
  }

  @Test
  void writer_closeWithUnflushedWrites_failsTheirPromisesAndLeaksNothing() {
    Promise<Void> handshake = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
    EmbeddedChannel ch = new EmbeddedChannel(new FlightWriter(handshake));

    ChannelFuture a = ch.write(Unpooled.directBuffer(4).writeInt(7));
    ChannelFuture b = ch.write(Unpooled.directBuffer(4).writeInt(8));
    ch.close();

    assertThat(a.isDone() && !a.isSuccess()).as("first write failed").isTrue();
    assertThat(b.isDone() && !b.isSuccess()).as("second write failed").isTrue();
    assertThat((Object) ch.readOutbound()).isNull();
  }
}
