package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.pkitesting.CertificateBuilder;
import io.nlb.core.AlpnPolicy;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** TLS to targets: the client side of TLS target groups, against in-memory target servers. */
class TlsOriginationTest {
  private static final PemCertificate EXPIRED = TestCertificates.make(new CertificateBuilder().rsa2048(), "target.internal",
      Instant.now().minus(400, ChronoUnit.DAYS), Instant.now().minus(30, ChronoUnit.DAYS), "target.internal");

  private final TlsServerHandlerTest.Failures failures = new TlsServerHandlerTest.Failures();

  /** A target's TLS server: whatever certificate, protocols and ALPN the test gives it. */
  private static SslHandler target(TlsCertificate cert, List<String> protocols, List<String> alpn) throws Exception {
    SslContextBuilder b = SslContextBuilder.forServer(cert.privateKey(), cert.chain().toArray(new X509Certificate[0]))
        .protocols(protocols);
    if (!alpn.isEmpty()) {
      b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    }
    SslContext ctx = b.build();
    SslHandler h = ctx.newHandler(ByteBufAllocator.DEFAULT);
    TlsContexts.preferServerOrder(h.engine());
    return h;
  }

  /** A connected target channel pair whose client end has no handler yet. */
  private static ChannelPair targetConnection(SslHandler targetServer) {
    return new ChannelPair(new ChannelInboundHandlerAdapter(), targetServer);
  }

  @Test
  void originate_selfSignedExpiredTargetCertificate_handshakeSucceeds() throws Exception {
    TlsOrigination o = TlsOrigination.forListener(SecurityPolicy.DEFAULT, TlsProvider.JDK, failures);
    SslHandler server = target(EXPIRED, List.of("TLSv1.2"), List.of());
    ChannelPair p = targetConnection(server);
    SslHandler ssl = o.newHandler(p.client, "some.other.name", null);
    p.client.pipeline().addFirst(ssl);
    p.pump();
    assertThat(ssl.handshakeFuture().isSuccess()).as("%s", ssl.handshakeFuture().cause()).isTrue();
    assertThat(ssl.engine().getSession().getPeerCertificates()[0]).isEqualTo(EXPIRED.chain().get(0));
    assertThat(failures.target).isEmpty();
    p.close();
  }

  @Test
  void backendPolicy_tls13ListenerPolicy_offersTls13_1_0_otherwise2016_08() throws Exception {
    TlsOrigination behindTls13 = TlsOrigination.forListener(SecurityPolicy.TLS13_1_2_RES_2021_06, TlsProvider.JDK);
    TlsOrigination behindFs = TlsOrigination.forListener(SecurityPolicy.FS_1_2_RES_2020_10, TlsProvider.JDK);
    assertThat(behindTls13.backendPolicy()).isSameAs(SecurityPolicy.TLS13_1_0_2021_06);
    assertThat(behindFs.backendPolicy()).isSameAs(SecurityPolicy.POLICY_2016_08);
    for (TlsOrigination o : List.of(behindTls13, behindFs)) {
      assertThat(o.support().exact()).as("test JVM serves %s exactly", o.backendPolicy()).isTrue();
      assertThat(o.offeredProtocols()).isEqualTo(o.backendPolicy().protocols());
      assertThat(o.offeredCiphers()).isEqualTo(o.backendPolicy().ciphers());
      EmbeddedChannel ch = new EmbeddedChannel();
      SSLEngine engine = o.newHandler(ch, null, null).engine();
      assertThat(engine.getUseClientMode()).isTrue();
      assertThat(Arrays.asList(engine.getEnabledProtocols())).containsExactlyInAnyOrderElementsOf(o.backendPolicy().protocolNames());
      assertThat(Arrays.asList(engine.getEnabledCipherSuites())).containsExactlyElementsOf(o.backendPolicy().jsseCipherSuites());
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void backendPolicy_tls13OnlyTarget_reachableOnlyBehindTls13ListenerPolicy() throws Exception {
    TlsOrigination behindTls13 = TlsOrigination.forListener(SecurityPolicy.RECOMMENDED, TlsProvider.JDK, failures);
    ChannelPair ok = targetConnection(target(TestCertificates.RSA, List.of("TLSv1.3"), List.of()));
    SslHandler okSsl = behindTls13.newHandler(ok.client, null, null);
    ok.client.pipeline().addFirst(okSsl);
    ok.pump();
    assertThat(okSsl.handshakeFuture().isSuccess()).isTrue();
    assertThat(okSsl.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(failures.target).isEmpty();
    ok.close();
  }

  @Test
  void targetHandshakeFails_noCommonProtocol_reportedOnceWithTargetChannel() throws Exception {
    List<io.netty.channel.Channel> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    TlsNegotiationListener listener = new TlsNegotiationListener() {
      @Override
      public void targetNegotiationFailed(io.netty.channel.Channel target, Throwable cause) {
        seen.add(target);
        failures.targetNegotiationFailed(target, cause);
      }
    };
    TlsOrigination behindFs = TlsOrigination.forListener(SecurityPolicy.FS_1_2_2019_08, TlsProvider.JDK, listener);
    ChannelPair p = targetConnection(target(TestCertificates.RSA, List.of("TLSv1.3"), List.of()));
    SslHandler ssl = behindFs.newHandler(p.client, null, null);
    p.client.pipeline().addFirst(ssl);
    p.pump();
    assertThat(ssl.handshakeFuture().isSuccess()).isFalse();
    assertThat(failures.target).hasSize(1);
    assertThat(seen).containsExactly(p.client);
    assertThat(failures.client).isEmpty();
    p.close();
  }

  @Test
  void passthrough_clientSniAndNegotiatedAlpn_offeredToTargetAndBackendAlpnRecorded() throws Exception {
    TlsTermination tls = TlsTermination.builder(TlsProvider.JDK).policy(SecurityPolicy.RECOMMENDED)
        .defaultCertificate(TestCertificates.RSA).alpnPolicy(AlpnPolicy.HTTP2_PREFERRED).build();
    ChannelPair front = new ChannelPair(new ChannelPair.Client().sni("www.example.com").alpn("http/1.1", "h2").handler(),
        tls.newHandler()).pump();
    assertThat(TlsTermination.negotiatedAlpn(front.server)).isEqualTo("h2");

    TlsOrigination o = TlsOrigination.forListener(tls.state().policy(), TlsProvider.JDK, failures);
    // The target prefers http/1.1, but is offered only what the client negotiated.
    SslHandler server = target(EXPIRED, List.of("TLSv1.2", "TLSv1.3"), List.of("http/1.1", "h2"));
    ChannelPair back = targetConnection(server);
    SslHandler ssl = o.newHandler(front.server, back.client);
    back.client.pipeline().addFirst(ssl);
    back.pump();
    assertThat(ssl.handshakeFuture().isSuccess()).isTrue();
    assertThat(server.applicationProtocol()).isEqualTo("h2");
    assertThat(((ExtendedSSLSession) server.engine().getSession()).getRequestedServerNames())
        .containsExactly(new SNIHostName("www.example.com"));
    assertThat(front.server.attr(TlsTermination.BACKEND_ALPN).get()).isEqualTo("h2");
    front.close();
    back.close();
  }

  @Test
  void passthrough_clientSentNoSniNoAlpn_targetSeesNeither() throws Exception {
    TlsTermination tls = TlsTermination.builder(TlsProvider.JDK).defaultCertificate(TestCertificates.RSA).build();
    ChannelPair front = new ChannelPair(new ChannelPair.Client().protocols("TLSv1.2").handler(), tls.newHandler()).pump();
    TlsOrigination o = TlsOrigination.forListener(tls.state().policy(), TlsProvider.JDK, failures);
    SslHandler server = target(EXPIRED, List.of("TLSv1.2"), List.of("http/1.1", "h2"));
    ChannelPair back = targetConnection(server);
    SslHandler ssl = o.newHandler(front.server, back.client);
    back.client.pipeline().addFirst(ssl);
    back.pump();
    assertThat(ssl.handshakeFuture().isSuccess()).isTrue();
    assertThat(server.applicationProtocol()).isNull();
    assertThat(((ExtendedSSLSession) server.engine().getSession()).getRequestedServerNames()).isEmpty();
    assertThat(front.server.hasAttr(TlsTermination.BACKEND_ALPN)).isFalse();
    front.close();
    back.close();
  }

  @Test
  void newHandler_targetNotConnected_refused() {
    TlsOrigination o = TlsOrigination.forListener(SecurityPolicy.DEFAULT, TlsProvider.JDK);
    EmbeddedChannel closed = new EmbeddedChannel();
    closed.close();
    assertThatThrownBy(() -> o.newHandler(closed, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("target: ").hasMessageEndingWith("(expected: a connected channel)");
  }

  @Test
  void originate_openSslProvider_selfSignedTarget() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(TlsProvider.OPENSSL.isAvailable(),
        "netty-tcnative/BoringSSL is not available on this platform; OPENSSL origination not tested");
    TlsOrigination o = TlsOrigination.forListener(SecurityPolicy.RECOMMENDED, TlsProvider.OPENSSL, failures);
    // BoringSSL lacks the SHA-2 CBC suites of the backend policy: offered less, and said so.
    assertThat(o.support().missingCiphers()).contains(CipherSuite.ECDHE_RSA_AES128_SHA256);
    assertThat(o.offeredCiphers()).doesNotContain(CipherSuite.ECDHE_RSA_AES128_SHA256).contains(CipherSuite.ECDHE_RSA_AES128_GCM_SHA256);
    ChannelPair p = targetConnection(target(EXPIRED, List.of("TLSv1.2"), List.of()));
    SslHandler ssl = o.newHandler(p.client, "target.internal", null);
    p.client.pipeline().addFirst(ssl);
    p.pump();
    assertThat(ssl.handshakeFuture().isSuccess()).as("%s", ssl.handshakeFuture().cause()).isTrue();
    assertThat(failures.target).isEmpty();
    p.close();
  }
}
