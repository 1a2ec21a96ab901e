package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.buffer.ByteBufUtil;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Session resumption across server names and certificate changes: a client that keeps its client
 * context (and so offers its cached session or ticket) must still be shown the certificate selected
 * for the name it asks for now, never the one of the session it offers. Runs every server provider
 * against every client provider, TLS 1.3 (PSK tickets) and TLS 1.2 (session ids and tickets), each
 * where the provider serves a policy with that version exactly.
 */
class SessionResumptionTest {
  private static final PemCertificate A = TestCertificates.rsa("a.example", "a.example");
  private static final PemCertificate B = TestCertificates.rsa("b.example", "b.example");
  /** Serves both names: resuming across them is allowed, as the certificate is the same. */
  private static final PemCertificate AB = TestCertificates.rsa("ab.example", "a.example", "b.example");
  private static final String PEER_HOST = "nlb.test";
  private static final int PEER_PORT = 443;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (TlsProvider server : List.of(TlsProvider.JDK, TlsProvider.OPENSSL)) {
      for (SslProvider client : List.of(SslProvider.JDK, SslProvider.OPENSSL)) {
        // OPENSSL serves no TLS 1.3 policy exactly (TLS 1.3 suites cannot be server-ordered).
        if (server == TlsProvider.JDK) {
          out.add(Arguments.of(server, client, "TLSv1.3", SecurityPolicy.TLS13_1_3_2021_06));
        }
        out.add(Arguments.of(server, client, "TLSv1.2", SecurityPolicy.FS_1_2_RES_2020_10));
      }
    }
    return out.stream();
  }

  private static void assumeAvailable(TlsProvider server, SslProvider client) {
    boolean openSslNeeded = server == TlsProvider.OPENSSL || client == SslProvider.OPENSSL;
    Assumptions.assumeTrue(!openSslNeeded || TlsProvider.OPENSSL.isAvailable(),
        "netty-tcnative/BoringSSL is not available on this platform; the OPENSSL cases are not tested");
  }

  private static SslContext clientContext(SslProvider provider, String protocol) throws Exception {
    return SslContextBuilder.forClient().sslProvider(provider).protocols(protocol).trustManager(TrustAllTrustManager.INSTANCE)
        .endpointIdentificationAlgorithm(null).build();
  }

  /** One connection from the shared client context, asking for {@code sni}; pumped to the end of the handshake. */
  private static Connection connect(TlsTermination tls, SslContext client, String sni) throws Exception {
    SslHandler h = client.newHandler(ByteBufAllocator.DEFAULT, PEER_HOST, PEER_PORT);
    SSLParameters p = h.engine().getSSLParameters();
    p.setServerNames(List.of(new SNIHostName(sni)));
    h.engine().setSSLParameters(p);
    ChannelPair pair = new ChannelPair(h, tls.newHandler()).pump();
    try {
      assertThat(pair.clientSsl().handshakeFuture().isSuccess())
          .as("handshake for %s: %s", sni, pair.clientSsl().handshakeFuture().cause()).isTrue();
      javax.net.ssl.SSLEngine engine = pair.server.pipeline().get(SslHandler.class).engine();
      SSLSession server = engine.getSession();
      // BoringSSL says whether it resumed; its ticket sessions carry no id and whole-second times.
      Boolean reused = engine instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine o
          ? io.netty.internal.tcnative.SSL.isSessionReused(o.sslPointer()) : null;
      return new Connection(TlsTermination.requestedServerName(pair.server), pair.presented(), server.getCreationTime(),
          ByteBufUtil.hexDump(server.getId()), reused);
    } finally {
      pair.close();
    }
  }

  /** What one connection showed: the SNI name the server received, the leaf it presented, its server session. */
  private record Connection(@Nullable String receivedName, X509Certificate presented, long sessionCreated, String sessionId,
      @Nullable Boolean openSslReused) {
    /**
     * Whether this connection's server session is {@code first}'s, resumed: as BoringSSL reports it;
     * for the JDK, same id (TLS 1.2) or same origin time in milliseconds (TLS 1.3).
     */
    boolean resumed(Connection first) {
      if (openSslReused != null) {
        return openSslReused;
      }
      return sessionId.equals(first.sessionId) || sessionCreated == first.sessionCreated;
    }
  }

  private static TlsTermination listener(TlsProvider provider, SecurityPolicy policy, TlsCertificate defaultCert,
      TlsCertificate... list) {
    TlsTermination.Builder b = TlsTermination.builder(provider).policy(policy).defaultCertificate(defaultCert);
    for (TlsCertificate c : list) {
      b.addCertificate(c);
    }
    return b.build();
  }

  private static X509Certificate leaf(TlsCertificate c) {
    return c.chain().get(0);
  }

  /** The control: resumption does happen here, so the tests below would see a wrongly resumed session. */
  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_sameName_isResumedWithTheSameCertificate(TlsProvider server, SslProvider clientProvider, String protocol,
      SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A, B);
    SslContext client = clientContext(clientProvider, protocol);

    Connection first = connect(tls, client, "a.example");
    Connection second = connect(tls, client, "a.example");

    assertThat(second.resumed(first)).as("second connection resumed the first session").isTrue();
    assertThat(second.presented()).isEqualTo(leaf(A));
  }

  /**
   * The server's guarantee, whatever the client: the certificate shown is the one selected for the
   * name the server received, even when the client offers a session made under another certificate.
   * Each certificate has its own server context, hence its own session cache and ticket keys, so
   * such a session cannot be resumed and the handshake is a full one.
   */
  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_otherName_showsTheCertificateOfTheNameReceived(TlsProvider server, SslProvider clientProvider, String protocol,
      SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A, B);
    SslContext client = clientContext(clientProvider, protocol);

    for (String name : List.of("a.example", "b.example", "a.example", "unknown.example", "b.example")) {
      Connection c = connect(tls, client, name);
      String received = c.receivedName();
      TlsCertificate expected = "a.example".equals(received) ? A : "b.example".equals(received) ? B : TestCertificates.RSA;
      assertThat(c.presented()).as("asked for %s, server received %s", name, received).isEqualTo(leaf(expected));
    }
  }

  /**
   * The reported case with a client that sends the name it is asked for while offering the old
   * session (BoringSSL): the new name's certificate, in a full handshake.
   */
  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_otherName_clientSendsNewName_fullHandshakeWithItsCertificate(TlsProvider server, SslProvider clientProvider,
      String protocol, SecurityPolicy policy) throws Exception {
    Assumptions.assumeTrue(clientProvider == SslProvider.OPENSSL, "the JDK client resends the resumed session's name");
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A, B);
    SslContext client = clientContext(clientProvider, protocol);

    Connection a = connect(tls, client, "a.example");
    Connection b = connect(tls, client, "b.example");

    assertThat(b.receivedName()).isEqualTo("b.example");
    assertThat(b.presented()).isEqualTo(leaf(B));
    assertThat(b.resumed(a)).isFalse();
    assertThat(connect(tls, client, "a.example").presented()).isEqualTo(leaf(A));
  }

  /**
   * What the JDK's client does (JDK 17): offering a cached session, it sends that session's server
   * name instead of the one set on the engine, so the server never sees the new name and rightly
   * shows the old name's certificate. This is the reported symptom; the server cannot tell. A JDK
   * client avoids it by giving each server name its own peer host (as HTTPS clients do, keying
   * their session cache by host name) or a fresh context.
   */
  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_otherName_jdkClient_sendsTheResumedSessionsNameInstead(TlsProvider server, SslProvider clientProvider,
      String protocol, SecurityPolicy policy) throws Exception {
    Assumptions.assumeTrue(clientProvider == SslProvider.JDK, "JDK client behaviour");
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A, B);
    SslContext client = clientContext(clientProvider, protocol);

    connect(tls, client, "a.example");
    Connection b = connect(tls, client, "b.example");

    if ("b.example".equals(b.receivedName())) {
      assertThat(b.presented()).as("a JDK that sends the new name").isEqualTo(leaf(B));
    } else {
      assertThat(b.receivedName()).isEqualTo("a.example");
      assertThat(b.presented()).isEqualTo(leaf(A));
    }
    // A peer host per name: the JDK client offers nothing it cached for another name.
    SslHandler h = client.newHandler(ByteBufAllocator.DEFAULT, "b.example", PEER_PORT);
    SSLParameters p = h.engine().getSSLParameters();
    p.setServerNames(List.of(new SNIHostName("b.example")));
    h.engine().setSSLParameters(p);
    ChannelPair pair = new ChannelPair(h, tls.newHandler()).pump();
    assertThat(TlsTermination.requestedServerName(pair.server)).isEqualTo("b.example");
    assertThat(pair.presented()).isEqualTo(leaf(B));
    pair.close();
  }

  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_sameCertificateForBothNames_mayResumeAndShowsIt(TlsProvider server, SslProvider clientProvider, String protocol,
      SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, AB);
    SslContext client = clientContext(clientProvider, protocol);

    assertThat(connect(tls, client, "a.example").presented()).isEqualTo(leaf(AB));
    assertThat(connect(tls, client, "b.example").presented()).isEqualTo(leaf(AB));
  }

  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_afterCertificateRemoved_newConnectionGetsTheDefault(TlsProvider server, SslProvider clientProvider,
      String protocol, SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A, B);
    SslContext client = clientContext(clientProvider, protocol);
    Connection before = connect(tls, client, "a.example");
    assertThat(before.presented()).isEqualTo(leaf(A));

    tls.removeCertificates(List.of(A));

    Connection after = connect(tls, client, "a.example");
    assertThat(after.presented()).isEqualTo(leaf(TestCertificates.RSA));
    assertThat(after.resumed(before)).isFalse();
  }

  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_afterDefaultReplaced_newConnectionGetsTheNewDefault(TlsProvider server, SslProvider clientProvider,
      String protocol, SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, A);
    SslContext client = clientContext(clientProvider, protocol);
    Connection before = connect(tls, client, "a.example");
    assertThat(before.presented()).isEqualTo(leaf(A));

    tls.replaceDefaultCertificate(B);

    Connection after = connect(tls, client, "a.example");
    assertThat(after.presented()).isEqualTo(leaf(B));
    assertThat(after.resumed(before)).isFalse();
  }

  /** A certificate list change that keeps {@code A}: its context and sessions stay, so resuming goes on. */
  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_afterOtherCertificateAdded_sameCertificateStillResumes(TlsProvider server, SslProvider clientProvider,
      String protocol, SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A);
    SslContext client = clientContext(clientProvider, protocol);
    Connection before = connect(tls, client, "a.example");

    tls.addCertificates(List.of(B));

    Connection after = connect(tls, client, "a.example");
    assertThat(after.presented()).isEqualTo(leaf(A));
    assertThat(after.resumed(before)).isTrue();
  }

  /**
   * A change that keeps the policy, ALPN policy and certificates (a reload of an unchanged file,
   * another listener's change) keeps the server contexts, so their sessions and ticket keys: before,
   * every such change dropped them and the next connection of every client was a full handshake.
   */
  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_afterChangeKeepingTheSettings_stillResumes(TlsProvider server, SslProvider clientProvider, String protocol,
      SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A);
    SslContext client = clientContext(clientProvider, protocol);
    Connection before = connect(tls, client, "a.example");

    tls.policy(policy);
    tls.alpnPolicy(tls.state().alpnPolicy());
    tls.addCertificates(List.of(A));

    Connection after = connect(tls, client, "a.example");
    assertThat(after.presented()).isEqualTo(leaf(A));
    assertThat(after.resumed(before)).isTrue();
  }

  /** A change of what the contexts are built from (here the ALPN policy) builds new ones: no old session resumes. */
  @ParameterizedTest(name = "server {0}, client {1}, {2}")
  @MethodSource("cases")
  void resume_afterAlpnPolicyChanged_isAFullHandshake(TlsProvider server, SslProvider clientProvider, String protocol,
      SecurityPolicy policy) throws Exception {
    assumeAvailable(server, clientProvider);
    TlsTermination tls = listener(server, policy, TestCertificates.RSA, A);
    SslContext client = clientContext(clientProvider, protocol);
    Connection before = connect(tls, client, "a.example");

    tls.alpnPolicy(io.nlb.core.AlpnPolicy.HTTP2_PREFERRED);

    Connection after = connect(tls, client, "a.example");
    assertThat(after.presented()).isEqualTo(leaf(A));
    assertThat(after.resumed(before)).as("contexts rebuilt for the new ALPN policy").isFalse();
  }
}
