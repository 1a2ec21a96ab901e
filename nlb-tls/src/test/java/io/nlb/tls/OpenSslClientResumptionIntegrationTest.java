package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Session resumption as a standard C client sees it: the {@code openssl} command line (OpenSSL
 * 3) against a listener on loopback, with each provider and each kind of resumption — TLS 1.2
 * session tickets, TLS 1.2 session ids ({@code -no_ticket}), TLS 1.3 PSK — plus {@code openssl
 * s_time -reuse}, which the comparison with HAProxy and nginx uses, and the refusal to resume a
 * session under another certificate.
 *
 * <p>Why {@code s_time -reuse} only resumes TLS 1.2 without {@code -www}: it never reads from the
 * connection after its handshake, and a TLS 1.3 server can only hand out a session (its
 * NewSessionTicket) after the handshake; OpenSSL's own {@code s_server} shows the same. With
 * {@code -www} it reads a response, and with it the ticket, and resumes TLS 1.3 as well.
 *
 * <p>Skipped where there is no {@code openssl} on the PATH.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenSslClientResumptionIntegrationTest {
  private static final PemCertificate A = TestCertificates.rsa("a.example", "a.example");
  private static final PemCertificate B = TestCertificates.rsa("b.example", "b.example");
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** The TLS 1.3 suite order browsers send. */
  private static final String AES128_FIRST = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384";
  private static final byte[] RESPONSE = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

  private final List<Process> processes = new ArrayList<>();
  /** The engine class of every handshake the server finished, in order. */
  private final List<String> engines = new java.util.concurrent.CopyOnWriteArrayList<>();
  private @Nullable EventLoopGroup group;
  private @Nullable Channel server;

  private final Path dir;

  OpenSslClientResumptionIntegrationTest() throws IOException {
    dir = Files.createTempDirectory("nlb-openssl-client");
  }

  @BeforeAll
  static void opensslPresent() {
    Assumptions.assumeTrue(opensslVersion().startsWith("OpenSSL 3"), "needs the openssl 3 command line on the PATH");
  }

  private static String opensslVersion() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out.trim() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /** (server provider, policy, client protocol flag): TLS 1.2 on both providers, TLS 1.3 where a provider serves a TLS 1.3 policy. */
  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (TlsProvider p : List.of(TlsProvider.JDK, TlsProvider.OPENSSL)) {
      out.add(Arguments.of(p, SecurityPolicy.FS_1_2_RES_2020_10, "-tls1_2"));
      out.add(Arguments.of(p, SecurityPolicy.TLS13_1_2_2021_06, "-tls1_3"));
    }
    // AUTO on the default policy, with clients whose handshakes it runs on BoringSSL (see autoCases).
    out.add(Arguments.of(TlsProvider.AUTO, SecurityPolicy.TLS13_1_2_2021_06, "-tls1_2"));
    out.add(Arguments.of(TlsProvider.AUTO, SecurityPolicy.TLS13_1_2_2021_06, "-tls1_3 -ciphersuites " + AES128_FIRST));
    return out.stream();
  }

  private static void assumeServes(TlsProvider provider, SecurityPolicy policy) {
    Assumptions.assumeTrue(provider.isAvailable(), "netty-tcnative/BoringSSL is not available here");
    Assumptions.assumeTrue(PolicySupport.check(policy, provider).exact(), () -> PolicySupport.check(policy, provider).message());
  }

  /**
   * A TLS listener on loopback with certificates for a.example (the default) and b.example; after
   * the handshake it answers the first bytes it reads with a short HTTP response and closes, as
   * {@code s_time -www} needs.
   */
  private int start(TlsProvider provider, SecurityPolicy policy) {
    TlsTermination tls = TlsTermination.builder(provider).policy(policy).defaultCertificate(A).addCertificate(B).build();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(), new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                  engines.add(ctx.pipeline().get(SslHandler.class).engine().getClass().getSimpleName());
                }
                ctx.fireUserEventTriggered(evt);
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                ByteBuf response = Unpooled.wrappedBuffer(RESPONSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** What one {@code s_client} run printed. */
  private record Run(String output) {
    boolean reused() {
      return output.contains("\nReused, ");
    }

    boolean isNew() {
      return output.contains("\nNew, ");
    }

    String cipher() {
      Matcher m = Pattern.compile("(?m)^(?:New|Reused), [^,]+, Cipher is (\\S+)$").matcher(output);
      return m.find() ? m.group(1) : "";
    }

    String subject() {
      Matcher m = Pattern.compile("(?m)^subject=(.*)$").matcher(output);
      return m.find() ? m.group(1) : "";
    }
  }

  /**
   * One {@code s_client} connection that keeps its input open until the session file it writes
   * holds a session (for TLS 1.3 that is when the ticket arrived), then ends; or, with {@code in},
   * one that offers that session and ends as soon as its handshake is done.
   */
  private Run sClient(int port, String sni, List<String> flags, @Nullable Path out, @Nullable Path in) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", sni));
    cmd.addAll(flags);
    if (out != null) {
      cmd.addAll(List.of("-sess_out", out.toString()));
    }
    if (in != null) {
      cmd.addAll(List.of("-sess_in", in.toString()));
    }
    Path log = Files.createTempFile(dir, "s_client", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    try (OutputStream stdin = p.getOutputStream()) {
      if (out != null) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> Files.exists(out) && Files.size(out) > 0);
      } else {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
            .until(() -> Files.readString(log).matches("(?s).*\\n(New|Reused), .*"));
      }
    }
    assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("s_client ended").isTrue();
    return new Run(Files.readString(log));
  }

  @ParameterizedTest(name = "{0}, {1}, {2}")
  @MethodSource("cases")
  void sClient_sessionSavedAndOffered_isResumed(TlsProvider provider, SecurityPolicy policy, String version) throws Exception {
    assumeServes(provider, policy);
    int port = start(provider, policy);
    Path session = dir.resolve("session.pem");

    Run first = sClient(port, "a.example", List.of(version.split(" ")), session, null);
    Run second = sClient(port, "a.example", List.of(version.split(" ")), null, session);

    assertThat(first.isNew()).as(first.output()).isTrue();
    assertThat(second.reused()).as(second.output()).isTrue();
    assertThat(second.subject()).contains("a.example");
  }

  /** TLS 1.2 without tickets: the server's session cache, by session id. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void sClient_tls12SessionIdOnly_isResumed(TlsProvider provider) throws Exception {
    SecurityPolicy policy = SecurityPolicy.FS_1_2_RES_2020_10;
    assumeServes(provider, policy);
    int port = start(provider, policy);
    Path session = dir.resolve("session.pem");

    sClient(port, "a.example", List.of("-tls1_2", "-no_ticket"), session, null);
    Run second = sClient(port, "a.example", List.of("-tls1_2", "-no_ticket"), null, session);

    assertThat(second.reused()).as(second.output()).isTrue();
  }

  /**
   * (client flags, suite the policy picks, whether BoringSSL gets it right) for the default policy
   * under AUTO: OpenSSL's default TLS 1.3 order lists AES-256-GCM first, which BoringSSL would
   * take where the policy takes AES-128-GCM, so the JDK serves it; a browser-like order and
   * TLS 1.2 with a GCM suite run on BoringSSL; a TLS 1.2 client whose policy suite is a SHA-256
   * CBC suite BoringSSL lacks goes to the JDK.
   */
  static Stream<Arguments> autoCases() {
    return Stream.of(
        Arguments.of("-tls1_3", "TLS_AES_128_GCM_SHA256", false),
        Arguments.of("-tls1_3 -ciphersuites " + AES128_FIRST, "TLS_AES_128_GCM_SHA256", true),
        Arguments.of("-tls1_2", "ECDHE-RSA-AES128-GCM-SHA256", true),
        Arguments.of("-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("autoCases")
  void sClient_autoProvider_eachHandshakeOnTheProviderThatGetsItRight_andResumed(String flags, String policySuite, boolean openSsl)
      throws Exception {
    Assumptions.assumeTrue(TlsProvider.OPENSSL.isAvailable(), "netty-tcnative/BoringSSL is not available here");
    int port = start(TlsProvider.AUTO, SecurityPolicy.TLS13_1_2_2021_06);
    Path session = dir.resolve("session.pem");

    Run first = sClient(port, "a.example", List.of(flags.split(" ")), session, null);
    Run second = sClient(port, "a.example", List.of(flags.split(" ")), null, session);

    assertThat(first.isNew()).as(first.output()).isTrue();
    assertThat(first.cipher()).as(first.output()).isEqualTo(policySuite);
    assertThat(second.reused()).as(second.output()).isTrue();
    assertThat(engines).hasSize(2).allSatisfy(e -> assertThat(e.contains("OpenSsl")).as(e).isEqualTo(openSsl));
  }

  static Stream<TlsProvider> providers() {
    return Stream.of(TlsProvider.JDK, TlsProvider.OPENSSL);
  }

  /** A session made under a.example's certificate, offered while asking for b.example: a full handshake with b's. */
  @ParameterizedTest(name = "{0}, {1}, {2}")
  @MethodSource("cases")
  void sClient_sessionOfOtherCertificate_isNotResumed(TlsProvider provider, SecurityPolicy policy, String version) throws Exception {
    assumeServes(provider, policy);
    int port = start(provider, policy);
    Path session = dir.resolve("session.pem");

    sClient(port, "a.example", List.of(version.split(" ")), session, null);
    Run other = sClient(port, "b.example", List.of(version.split(" ")), null, session);

    assertThat(other.isNew()).as(other.output()).isTrue();
    assertThat(other.subject()).contains("b.example");
  }

  /** {@code s_time -reuse}: one full handshake, then every connection offers the session; all must resume. */
  @ParameterizedTest(name = "{0}, {1}, {2}")
  @MethodSource("cases")
  void sTime_reuse_resumesEveryConnection(TlsProvider provider, SecurityPolicy policy, String version) throws Exception {
    assumeServes(provider, policy);
    int port = start(provider, policy);
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_time", "-connect", "127.0.0.1:" + port, "-reuse", "-time", "1"));
    cmd.addAll(List.of(version.split(" ")));
    if (version.startsWith("-tls1_3")) {
      cmd.addAll(List.of("-www", "/")); // reads the response, and with it the ticket (see the class comment)
    }
    Path log = Files.createTempFile(dir, "s_time", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("s_time ended").isTrue();
    String output = Files.readString(log);

    Matcher m = Pattern.compile("starting\\n([^\\n]*)\\n[\\s\\S]*?(\\d+) connections in [\\d.]+s").matcher(output);
    assertThat(m.find()).as(output).isTrue();
    String marks = m.group(1);
    int connections = Integer.parseInt(m.group(2));
    assertThat(connections).as(output).isPositive();
    assertThat(marks.chars().filter(c -> c == 'r').count()).as("resumed of %d: %s", connections, output).isEqualTo(connections);
  }
}
