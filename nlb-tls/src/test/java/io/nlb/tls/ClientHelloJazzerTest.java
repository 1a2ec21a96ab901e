package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing (Jazzer) of the ClientHello reader the TLS listener runs itself before
 * the handshake ({@link ClientHello#parse}, called by {@link TlsServerHandler} with the handshake
 * body Netty's record reader extracted), and of what the listener does with the result: the
 * client's capabilities under every policy and the SNI certificate selection. In a normal test run
 * the committed corpus replays ({@code src/test/resources/io/nlb/tls/ClientHelloJazzerTestInputs/},
 * seeded with ClientHellos of the JDK and OpenSSL engines carrying SNI and ALPN); with
 * {@code JAZZER_FUZZ=1} it fuzzes (command in the README's reliability section).
 *
 * <p>Properties, for any bytes: the reader never throws (its documented behaviour is partial
 * results for malformed input); it reads only the bytes between reader and writer index (the same
 * result when the body sits inside a larger buffer with other bytes around it); every list it
 * returns fits into the input; a server name is a printable-ASCII host name; and the result
 * survives an independent re-encoding: encoding the parsed fields as a well-formed ClientHello and
 * parsing that gives the same fields. Selection always returns one of the listener's certificates.
 */
class ClientHelloJazzerTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final TlsCertificate DEFAULT = fake("default", CertificateInfo.KeyType.RSA, "default.example");
  private static final List<TlsCertificate> LIST = List.of(
      fake("ec", CertificateInfo.KeyType.EC, "svc.example", "*.wild.example"),
      fake("rsa", CertificateInfo.KeyType.RSA, "svc.example", "b.example"));

  private static TlsCertificate fake(String id, CertificateInfo.KeyType type, String... names) {
    return new CertificateSelectorTest.Fake(new CertificateInfo(id, names[0], List.of(names), type,
        type == CertificateInfo.KeyType.EC ? 256 : 2048, "SHA256withRSA", Instant.parse("2020-01-01T00:00:00Z"),
        Instant.parse("2030-01-01T00:00:00Z"), "1"));
  }

  @FuzzTest(maxDuration = "10m")
  void parse_anyBody_partialResultNeverException(byte[] input) {
    ClientHello hello = ClientHello.parse(Unpooled.wrappedBuffer(input));

    // The same bytes inside a larger buffer, with bytes before the reader index and after the
    // writer index that would change the result if they were read.
    ByteBuf framed = Unpooled.buffer(input.length + 64);
    framed.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, 0x00, 0x10, 0x00, 0x00, 0x03});
    framed.readerIndex(framed.writerIndex());
    framed.writeBytes(input);
    int writer = framed.writerIndex();
    while (framed.writableBytes() > 0) {
      framed.writeByte(0x10);
    }
    framed.writerIndex(writer);
    assertSame(ClientHello.parse(framed), hello);

    int suitesBytes = 2 * hello.cipherSuites().length;
    int sigBytes = 2 * hello.signatureSchemes().length;
    assertThat(suitesBytes + sigBytes).isLessThanOrEqualTo(input.length);
    String sni = hello.serverName();
    if (sni != null) {
      assertThat(sni.length()).isLessThanOrEqualTo(input.length);
      assertThat(sni).matches("[\\x21-\\x7e]*");
    }
    List<String> alpn = hello.alpnProtocols();
    if (alpn != null) {
      int total = 0;
      for (String p : alpn) {
        total += p.length() + 1;
      }
      assertThat(total).isLessThanOrEqualTo(input.length);
    }

    byte[] reencoded = encode(hello);
    if (reencoded.length <= 0xffff) { // inputs beyond Jazzer's default length cap could overflow the u16 lengths
      assertSame(ClientHello.parse(Unpooled.wrappedBuffer(reencoded)), hello);
    }

    for (SecurityPolicy policy : SecurityPolicy.all()) {
      CertificateSelector.ClientCapabilities caps = hello.capabilities(policy);
      TlsCertificate chosen = CertificateSelector.select(DEFAULT, LIST, sni, caps, NOW);
      assertThat(chosen == DEFAULT || LIST.contains(chosen)).isTrue();
    }
  }

  /**
   * The corpus' seeds are real ClientHellos: this parses what the JDK and OpenSSL client engines
   * send with SNI and ALPN, and with {@code -Dnlb.fuzz.seedDir=DIR} also writes their bodies there
   * (how the committed seeds were made).
   */
  @Test
  void parse_jdkAndOpenSslClientHellos_readSniAlpnAndTls13() throws Exception {
    List<SslProvider> providers = OpenSsl.isAvailable() ? List.of(SslProvider.JDK, SslProvider.OPENSSL) : List.of(SslProvider.JDK);
    String seedDir = System.getProperty("nlb.fuzz.seedDir");
    for (SslProvider provider : providers) {
      for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
        byte[] body = clientHelloBody(provider, protocol, "svc.example", "h2", "http/1.1");
        ClientHello hello = ClientHello.parse(Unpooled.wrappedBuffer(body));
        assertThat(hello.serverName()).as(provider + " " + protocol).isEqualTo("svc.example");
        assertThat(hello.alpnProtocols()).isEqualTo(List.of("h2", "http/1.1"));
        assertThat(hello.offersTls13()).isEqualTo(protocol.equals("TLSv1.3"));
        assertThat(hello.cipherSuites()).isNotEmpty();
        assertThat(hello.signatureSchemes()).isNotEmpty();
        assertSame(ClientHello.parse(Unpooled.wrappedBuffer(encode(hello))), hello);
        if (seedDir != null) {
          Files.write(Path.of(seedDir, "seed-" + provider.name().toLowerCase(Locale.ROOT) + "-" + protocol), body);
        }
      }
    }
  }

  /**
   * Found by this fuzz target: a server name with bytes outside printable ASCII used to come out as
   * U+FFFD replacement characters (which neither round-trip nor name any certificate); it now counts
   * as absent. The corpus keeps the input ({@code regression-sni-not-ascii}).
   */
  @Test
  void parse_serverNameNotPrintableAscii_countsAsAbsent() throws Exception {
    byte[] body = clientHelloBody(SslProvider.JDK, "TLSv1.3", "svc.example", "h2");
    int at = indexOf(body, "svc.example".getBytes(StandardCharsets.US_ASCII));
    for (byte bad : new byte[] {(byte) 0xc3, 0x0a, 0x20, 0x00, 0x7f}) {
      byte[] changed = body.clone();
      changed[at + 3] = bad;
      ClientHello hello = ClientHello.parse(Unpooled.wrappedBuffer(changed));
      assertThat(hello.serverName()).as("byte %02x", bad).isNull();
      assertThat(hello.alpnProtocols()).isEqualTo(List.of("h2"));
    }
    assertThat(ClientHello.parse(Unpooled.wrappedBuffer(body)).serverName()).isEqualTo("svc.example");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  /** The handshake body of the first flight of a client engine (the bytes {@link TlsServerHandler} hands to the reader). */
  static byte[] clientHelloBody(SslProvider provider, String protocol, String host, String... alpn) throws SSLException {
    SslContext ctx = SslContextBuilder.forClient().sslProvider(provider).protocols(protocol)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
        .build();
    SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT, host, 443);
    try {
      ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), out);
      out.flip();
      assertThat(out.get(0)).isEqualTo((byte) 22); // handshake record
      assertThat(out.get(5)).isEqualTo((byte) 1); // client_hello
      int length = (out.get(6) & 0xff) << 16 | (out.get(7) & 0xff) << 8 | (out.get(8) & 0xff);
      byte[] body = new byte[length];
      out.position(9);
      out.get(body);
      return body;
    } finally {
      engine.closeOutbound();
    }
  }

  private static void assertSame(ClientHello actual, ClientHello expected) {
    assertThat(actual.serverName()).isEqualTo(expected.serverName());
    assertThat(actual.alpnProtocols()).isEqualTo(expected.alpnProtocols());
    assertThat(actual.cipherSuites()).isEqualTo(expected.cipherSuites());
    assertThat(actual.signatureSchemes()).isEqualTo(expected.signatureSchemes());
    assertThat(actual.offersTls13()).isEqualTo(expected.offersTls13());
  }

  /**
   * A well-formed ClientHello body (RFC 8446 section 4.1.2) carrying exactly the parsed fields;
   * written independently of the reader.
   */
  static byte[] encode(ClientHello hello) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u16(out, 0x0303);
    out.write(new byte[32], 0, 32); // random
    out.write(0); // session_id
    u16(out, 2 * hello.cipherSuites().length);
    for (int s : hello.cipherSuites()) {
      u16(out, s);
    }
    out.write(1);
    out.write(0); // compression: null
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    String sni = hello.serverName();
    if (sni != null) {
      byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
      u16(ext, 0);
      u16(ext, name.length + 5);
      u16(ext, name.length + 3);
      ext.write(0); // host_name
      u16(ext, name.length);
      ext.write(name, 0, name.length);
    }
    List<String> alpn = hello.alpnProtocols();
    if (alpn != null) {
      ByteArrayOutputStream list = new ByteArrayOutputStream();
      for (String p : alpn) {
        byte[] b = p.getBytes(StandardCharsets.ISO_8859_1);
        list.write(b.length);
        list.write(b, 0, b.length);
      }
      u16(ext, 16);
      u16(ext, list.size() + 2);
      u16(ext, list.size());
      ext.write(list.toByteArray(), 0, list.size());
    }
    if (hello.signatureSchemes().length > 0) {
      u16(ext, 13);
      u16(ext, 2 * hello.signatureSchemes().length + 2);
      u16(ext, 2 * hello.signatureSchemes().length);
      for (int s : hello.signatureSchemes()) {
        u16(ext, s);
      }
    }
    if (hello.offersTls13()) {
      u16(ext, 43);
      u16(ext, 3);
      ext.write(2);
      u16(ext, 0x0304);
    }
    u16(out, ext.size());
    out.write(ext.toByteArray(), 0, ext.size());
    return out.toByteArray();
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }
}
