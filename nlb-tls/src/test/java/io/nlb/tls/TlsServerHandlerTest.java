package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.nlb.core.AlpnPolicy;
import io.nlb.core.ManualScheduler;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The real listener handler chain (ClientHello reader, SslHandler, connection handler) in EmbeddedChannels. */
class TlsServerHandlerTest {
  private static final PemCertificate WWW = TestCertificates.rsa("www.example.com", "www.example.com");
  private static final PemCertificate WILDCARD = TestCertificates.make(new io.netty.pkitesting.CertificateBuilder().rsa2048(),
      "*.wild.example", Instant.now().minus(1, ChronoUnit.DAYS), Instant.now().plus(30, ChronoUnit.DAYS));
  private static final PemCertificate API_RSA = TestCertificates.rsa("api.example.com", "api.example.com");
  private static final PemCertificate API_EC = TestCertificates.ec("api.example.com", "api.example.com");

  /** Records what the listener is told. */
  static final class Failures implements TlsNegotiationListener {
    final List<Throwable> client = new CopyOnWriteArrayList<>();
    final List<Throwable> target = new CopyOnWriteArrayList<>();

    @Override
    public void clientNegotiationFailed(Channel ch, Throwable cause) {
      client.add(cause);
    }

    @Override
    public void targetNegotiationFailed(Channel ch, Throwable cause) {
      target.add(cause);
    }
  }

  /** Echoes application bytes back, as a stand-in for the proxying handlers. */
  static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }
  }

  private final Failures failures = new Failures();
  private final List<TlsAccessLogEntry> log = new CopyOnWriteArrayList<>();

  private TlsTermination.Builder listener(SecurityPolicy policy) {
    return TlsTermination.builder(TlsProvider.JDK).policy(policy).defaultCertificate(TestCertificates.RSA)
        .addCertificate(WWW).addCertificate(WILDCARD).addCertificate(API_RSA).addCertificate(API_EC)
        .negotiationListener(failures).accessLog(log::add, "net/my-nlb/50dc6c495c0c9188", "listener/net/my-nlb/50dc6c495c0c9188/1");
  }

  private static ChannelPair connect(TlsTermination tls, ChannelPair.Client client) {
    return new ChannelPair(client.handler(), tls.newHandler());
  }

  private static @org.jspecify.annotations.Nullable String presentedCn(ChannelPair p) throws Exception {
    return CertificateInfo.of(p.presented()).commonName();
  }

  @Test
  void sni_exactName_servesThatCertificate() throws Exception {
    ChannelPair p = connect(listener(SecurityPolicy.RECOMMENDED).build(), new ChannelPair.Client().sni("www.example.com")).pump();
    assertThat(p.clientSsl().handshakeFuture().isSuccess()).isTrue();
    assertThat(p.presented()).isEqualTo(WWW.chain().get(0));
    assertThat(TlsTermination.requestedServerName(p.server)).isEqualTo("www.example.com");
    p.close();
  }

  @Test
  void sni_wildcardName_servesWildcardCertificate() throws Exception {
    ChannelPair p = connect(listener(SecurityPolicy.RECOMMENDED).build(), new ChannelPair.Client().sni("shop.wild.example")).pump();
    assertThat(presentedCn(p)).isEqualTo("*.wild.example");
    p.close();
  }

  @Test
  void sni_noneSent_servesDefault() throws Exception {
    ChannelPair p = connect(listener(SecurityPolicy.RECOMMENDED).build(), new ChannelPair.Client()).pump();
    assertThat(p.presented()).isEqualTo(TestCertificates.RSA.chain().get(0));
    assertThat(TlsTermination.requestedServerName(p.server)).isNull();
    p.close();
  }

  @Test
  void sni_unknownName_servesDefault() throws Exception {
    ChannelPair p = connect(listener(SecurityPolicy.RECOMMENDED).build(), new ChannelPair.Client().sni("nobody.example.org")).pump();
    assertThat(p.presented()).isEqualTo(TestCertificates.RSA.chain().get(0));
    p.close();
  }

  @Test
  void sni_rsaAndEcForName_chosenByWhatClientOffers() throws Exception {
    TlsTermination tls = listener(SecurityPolicy.FS_1_2_RES_2019_08).build();
    ChannelPair rsaOnly = connect(tls, new ChannelPair.Client().sni("api.example.com").protocols("TLSv1.2")
        .ciphers(CipherSuite.ECDHE_RSA_AES128_GCM_SHA256, CipherSuite.ECDHE_RSA_AES256_GCM_SHA384)).pump();
    assertThat(rsaOnly.presented()).isEqualTo(API_RSA.chain().get(0));
    ChannelPair both = connect(tls, new ChannelPair.Client().sni("api.example.com").protocols("TLSv1.2")
        .ciphers(CipherSuite.ECDHE_RSA_AES128_GCM_SHA256, CipherSuite.ECDHE_ECDSA_AES128_GCM_SHA256)).pump();
    assertThat(both.presented()).isEqualTo(API_EC.chain().get(0));
    assertThat(both.clientSsl().engine().getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    rsaOnly.close();
    both.close();
  }

  @Test
  void clientHello_deliveredFiveBytesAtATime_handshakeAndSniSelection() throws Exception {
    ChannelPair p = connect(listener(SecurityPolicy.RECOMMENDED).build(), new ChannelPair.Client().sni("www.example.com"));
    p.clientToServer = ChannelPair.chunks(5);
    p.pump();
    assertThat(p.clientSsl().handshakeFuture().isSuccess()).isTrue();
    assertThat(p.presented()).isEqualTo(WWW.chain().get(0));
    p.close();
  }

  /** Re-frames the first TLS record (the ClientHello) into records of at most {@code size} body bytes. */
  private static java.util.function.UnaryOperator<List<ByteBuf>> splitFirstRecord(int size) {
    boolean[] done = {false};
    return in -> {
      if (done[0] || in.isEmpty()) {
        return in;
      }
      done[0] = true;
      ByteBuf all = Unpooled.buffer();
      for (ByteBuf b : in) {
        all.writeBytes(b);
        b.release();
      }
      int type = all.readUnsignedByte();
      int version = all.readUnsignedShort();
      int length = all.readUnsignedShort();
      ByteBuf body = all.readSlice(length);
      List<ByteBuf> out = new ArrayList<>();
      while (body.isReadable()) {
        int n = Math.min(size, body.readableBytes());
        ByteBuf rec = Unpooled.buffer(5 + n);
        rec.writeByte(type).writeShort(version).writeShort(n).writeBytes(body, n);
        out.add(rec);
      }
      if (all.isReadable()) {
        out.add(all.retainedSlice());
      }
      all.release();
      return out;
    };
  }

  @Test
  void clientHello_splitAcrossSeveralRecords_handshakeAndSniSelection() throws Exception {
    ChannelPair p = connect(listener(SecurityPolicy.TLS13_1_2_EXT1_2021_06).build(), new ChannelPair.Client().sni("www.example.com"));
    p.clientToServer = splitFirstRecord(40);
    p.pump();
    assertThat(p.clientSsl().handshakeFuture().isSuccess()).isTrue();
    assertThat(p.presented()).isEqualTo(WWW.chain().get(0));
    p.close();
  }

  @Test
  void clientHello_garbage_closedAndReportedOnce() {
    TlsTermination tls = listener(SecurityPolicy.RECOMMENDED).build();
    var server = ChannelPair.channel(ChannelPair.CLIENT, ChannelPair.LISTENER, tls.newHandler());
    server.pipeline().fireChannelRead(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
    server.runPendingTasks();
    assertThat(server.isOpen()).isFalse();
    server.checkException(); // nothing escaped to the end of the pipeline
    assertThat(failures.client).hasSize(1);
    assertThat(log).hasSize(1);
    assertThat(log.get(0).handshakeMillis()).isEqualTo(-1);
    assertThat(log.get(0).cipher()).isNull();
    server.finishAndReleaseAll();
  }

  @Test
  void clientHello_sslv2Format_closedAndReported() {
    TlsTermination tls = listener(SecurityPolicy.DEFAULT).build();
    var server = ChannelPair.channel(ChannelPair.CLIENT, ChannelPair.LISTENER, tls.newHandler());
    // SSLv2-compatible CLIENT-HELLO: 2-byte header with the high bit set, msg type 1, version 3.1,
    // 3 cipher specs (9 bytes), no session id, 16-byte challenge.
    ByteBuf v2 = ChannelPair.bytes(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
        0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x00, 0x00, 0x0a,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    server.pipeline().fireChannelRead(v2);
    server.pipeline().fireChannelReadComplete();
    server.runPendingTasks();
    assertThat(server.isOpen()).isFalse();
    server.checkException();
    assertThat(failures.client).hasSize(1);
    server.finishAndReleaseAll();
  }

  @Test
  void clientHello_protocolNotInPolicy_reportedOnce() {
    ChannelPair p = connect(listener(SecurityPolicy.FS_1_2_RES_2020_10).build(), new ChannelPair.Client().protocols("TLSv1.3")).pump();
    assertThat(p.clientSsl().handshakeFuture().isSuccess()).isFalse();
    assertThat(p.server.isOpen()).isFalse();
    assertThat(failures.client).hasSize(1);
    p.close();
  }

  @Test
  void connection_closedWithoutAByte_notANegotiationError() {
    TlsTermination tls = listener(SecurityPolicy.RECOMMENDED).build();
    var server = ChannelPair.channel(ChannelPair.CLIENT, ChannelPair.LISTENER, tls.newHandler());
    server.close();
    assertThat(failures.client).isEmpty();
    server.finishAndReleaseAll();
  }

  @Test
  void handshake_partialHelloThenTimeout_closedAndReported() {
    TlsTermination tls = listener(SecurityPolicy.RECOMMENDED).handshakeTimeout(Duration.ofSeconds(5)).build();
    var server = ChannelPair.channel(ChannelPair.CLIENT, ChannelPair.LISTENER, tls.newHandler());
    server.pipeline().fireChannelRead(ChannelPair.bytes(0x16, 0x03, 0x01, 0x02, 0x00, 0x01)); // half a record
    server.advanceTimeBy(6, TimeUnit.SECONDS);
    server.runScheduledPendingTasks();
    assertThat(server.isOpen()).isFalse();
    assertThat(failures.client).hasSize(1);
    assertThat(failures.client.get(0)).isInstanceOf(io.netty.handler.ssl.SslHandshakeTimeoutException.class);
    server.finishAndReleaseAll();
  }

  /** Refuses every server certificate: the JDK client answers with a certificate_unknown alert. */
  static final class Refusing extends X509ExtendedTrustManager {
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) throws CertificateException {
      throw new CertificateException("refused by test");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) throws CertificateException {
      throw new CertificateException("refused by test");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("refused by test");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  @Test
  void handshake_clientRejectsCertificate_incomingAlertLoggedAndReported() {
    ChannelPair p = connect(listener(SecurityPolicy.FS_1_2_RES_2020_10).build(),
        new ChannelPair.Client().protocols("TLSv1.2").trust(new Refusing())).pump();
    assertThat(p.server.isOpen()).isFalse();
    assertThat(failures.client).hasSize(1);
    assertThat(log).hasSize(1);
    assertThat(log.get(0).incomingAlert()).isEqualTo(46); // certificate_unknown
    p.close();
  }

  @Test
  void renegotiation_tls12ClientInitiated_connectionClosed() throws Exception {
    ChannelPair p = connect(listener(SecurityPolicy.DEFAULT).build(), new ChannelPair.Client().protocols("TLSv1.2")).pump();
    assertThat(p.clientSsl().handshakeFuture().isSuccess()).isTrue();
    assertThat(p.server.isOpen()).isTrue();
    p.clientSsl().renegotiate();
    p.pump();
    assertThat(p.server.isOpen()).isFalse();
    assertThat(failures.client).as("renegotiation refused is not a negotiation error").isEmpty();
    p.close();
  }

  @Test
  void hotSwap_defaultReplacedMidConnection_establishedSessionKeepsWorkingNewOneGetsNewCertificate() throws Exception {
    TlsTermination tls = listener(SecurityPolicy.RECOMMENDED).build();
    ChannelPair old = new ChannelPair(new ChannelPair.Client().handler(), tls.newHandler(), new Echo()).pump();
    assertThat(old.presented()).isEqualTo(TestCertificates.RSA.chain().get(0));
    tls.replaceDefaultCertificate(TestCertificates.EC);
    old.client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
    old.pump();
    ByteBuf echoed = old.client.readInbound();
    assertThat(echoed.toString(StandardCharsets.US_ASCII)).isEqualTo("ping");
    echoed.release();
    ChannelPair fresh = connect(tls, new ChannelPair.Client()).pump();
    assertThat(fresh.presented()).isEqualTo(TestCertificates.EC.chain().get(0));
    old.close();
    fresh.close();
  }

  @Test
  void accessLog_realHandshake_entryFieldsFromTheConnection() throws Exception {
    ManualScheduler time = new ManualScheduler(Instant.parse("2024-06-01T12:00:00Z"));
    TlsTermination tls = listener(SecurityPolicy.RECOMMENDED).alpnPolicy(AlpnPolicy.HTTP2_PREFERRED).timeSource(time).build();
    ChannelPair p = new ChannelPair(new ChannelPair.Client().sni("www.example.com").protocols("TLSv1.3").alpn("http/1.1", "h2").handler(),
        tls.newHandler(), new Echo());
    time.advance(Duration.ofMillis(7));
    p.pump();
    p.server.attr(TlsTermination.BACKEND_ALPN).set("h2");
    p.client.writeAndFlush(Unpooled.copiedBuffer("0123456789", StandardCharsets.US_ASCII));
    p.pump();
    time.advance(Duration.ofMillis(20));
    p.server.close();
    assertThat(log).hasSize(1);
    TlsAccessLogEntry e = log.get(0);
    assertThat(e.time()).isEqualTo(Instant.parse("2024-06-01T12:00:00.027Z"));
    assertThat(e.elb()).isEqualTo("net/my-nlb/50dc6c495c0c9188");
    assertThat(e.client()).isEqualTo(ChannelPair.CLIENT);
    assertThat(e.destination()).isEqualTo(ChannelPair.LISTENER);
    assertThat(e.handshakeMillis()).isEqualTo(7);
    assertThat(e.connectionMillis()).isEqualTo(27);
    assertThat(e.receivedBytes()).isEqualTo(10);
    assertThat(e.sentBytes()).isEqualTo(10);
    assertThat(e.incomingAlert()).isEqualTo(-1);
    assertThat(e.certificateId()).isEqualTo(WWW.id());
    assertThat(e.cipher()).isEqualTo(CipherSuite.TLS_AES_128_GCM_SHA256);
    assertThat(e.protocol()).isEqualTo(TlsVersion.TLS_1_3);
    assertThat(e.domainName()).isEqualTo("www.example.com");
    assertThat(e.alpnFrontend()).isEqualTo("h2");
    assertThat(e.alpnBackend()).isEqualTo("h2");
    assertThat(e.alpnClientList()).containsExactly("http/1.1", "h2");
    assertThat(e.format()).startsWith("tls 2.0 2024-06-01T12:00:00 net/my-nlb/50dc6c495c0c9188 listener/net/my-nlb/50dc6c495c0c9188/1 "
        + "198.51.100.7:51341 192.0.2.10:443 27 7 10 10 - " + WWW.id() + " - TLS_AES_128_GCM_SHA256 tlsv13 - www.example.com h2 h2 "
        + "\"http%2F1.1\",\"h2\"");
    assertThat(failures.client).isEmpty();
    p.close();
  }

  @Test
  void openSsl_exactPolicy_sniSelectionAndIncomingAlert() throws Exception {
    Assumptions.assumeTrue(TlsProvider.OPENSSL.isAvailable(),
        "netty-tcnative/BoringSSL is not available on this platform; the OPENSSL listener path is not tested");
    TlsTermination tls = TlsTermination.builder(TlsProvider.OPENSSL).policy(SecurityPolicy.FS_1_2_RES_2020_10)
        .defaultCertificate(TestCertificates.RSA).addCertificate(WWW).addCertificate(API_EC).addCertificate(API_RSA)
        .negotiationListener(failures).accessLog(log::add, "e", "l").build();
    ChannelPair exact = connect(tls, new ChannelPair.Client().sni("www.example.com").protocols("TLSv1.2")).pump();
    assertThat(exact.presented()).isEqualTo(WWW.chain().get(0));
    assertThat(exact.clientSsl().engine().getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    ChannelPair ec = connect(tls, new ChannelPair.Client().sni("api.example.com").protocols("TLSv1.2")).pump();
    assertThat(ec.presented()).isEqualTo(API_EC.chain().get(0));
    ChannelPair none = connect(tls, new ChannelPair.Client().protocols("TLSv1.2")).pump();
    assertThat(none.presented()).isEqualTo(TestCertificates.RSA.chain().get(0));
    ChannelPair refused = connect(tls, new ChannelPair.Client().protocols("TLSv1.2").trust(new Refusing())).pump();
    assertThat(refused.server.isOpen()).isFalse();
    assertThat(failures.client).hasSize(1);
    assertThat(log).filteredOn(e -> e.incomingAlert() >= 0).extracting(TlsAccessLogEntry::incomingAlert).containsExactly(46);
    for (ChannelPair p : List.of(exact, ec, none, refused)) {
      p.close();
    }
  }

  @Test
  void alerts_providerMessages_codeRecovered() {
    assertThat(Alerts.received(new javax.net.ssl.SSLHandshakeException("Received fatal alert: handshake_failure"))).isEqualTo(40);
    assertThat(Alerts.received(new javax.net.ssl.SSLException("x", new javax.net.ssl.SSLException(
        "error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN")))).isEqualTo(46);
    assertThat(Alerts.received(new javax.net.ssl.SSLException("TLSV1_ALERT_UNKNOWN_CA"))).isEqualTo(48);
    assertThat(Alerts.received(new javax.net.ssl.SSLException("error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER"))).isEqualTo(-1);
    assertThat(Alerts.received(null)).isEqualTo(-1);
  }

}
