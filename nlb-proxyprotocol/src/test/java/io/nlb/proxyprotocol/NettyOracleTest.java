package io.nlb.proxyprotocol;

import static io.nlb.proxyprotocol.ProxyV2EncoderTest.CLIENT4;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.CLIENT6;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.LISTENER4;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.LISTENER6;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks our encoder against Netty's {@link HAProxyMessageDecoder}, and our decoder against
 * Netty's {@link HAProxyMessageEncoder}: two implementations written apart must agree.
 */
class NettyOracleTest {
  static final byte[] PAYLOAD = {'h', 'i'};

  /** A header (the one thing Netty's decoder is asked about) as Netty sees it. */
  record Seen(HAProxyCommand command, HAProxyProxiedProtocol protocol, String source,
      String destination, int sourcePort, int destinationPort, List<Tlv> tlvs) {}

  /** A flat TLV as Netty lists it (SSL sub-TLVs follow their SSL TLV). */
  record Tlv(int type, String hex) {}

  /** Decodes with Netty, checks the payload passes through, releases everything. */
  static Seen nettyDecode(byte[] header) {
    EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(header, PAYLOAD));
      HAProxyMessage msg = requireNonNull(ch.readInbound());
      try {
        ByteBuf payload = requireNonNull(ch.readInbound());
        assertThat(ByteBufUtil.getBytes(payload)).isEqualTo(PAYLOAD);
        payload.release();
        List<Tlv> tlvs = new ArrayList<>();
        for (HAProxyTLV tlv : msg.tlvs()) {
          tlvs.add(new Tlv(tlv.typeByteValue() & 0xFF, ByteBufUtil.hexDump(tlv.content())));
        }
        return new Seen(msg.command(), msg.proxiedProtocol(),
            String.valueOf(msg.sourceAddress()), String.valueOf(msg.destinationAddress()),
            msg.sourcePort(), msg.destinationPort(), tlvs);
      } finally {
        msg.release();
      }
    } finally {
      assertThat(ch.finishAndReleaseAll()).isFalse();
    }
  }

  /** Encodes with Netty. */
  static byte[] nettyEncode(HAProxyMessage message) {
    EmbeddedChannel ch = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    try {
      assertThat(ch.writeOutbound(message)).isTrue();
      ByteBuf out = requireNonNull(ch.readOutbound());
      try {
        return ByteBufUtil.getBytes(out);
      } finally {
        out.release();
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  static List<Tlv> flat(List<ProxyTlv> tlvs) {
    List<Tlv> out = new ArrayList<>();
    for (ProxyTlv tlv : tlvs) {
      out.add(new Tlv(tlv.type(), Hex.of(tlv.value())));
      if (tlv.type() == TlvType.SSL.wireByte()) {
        for (ProxyTlv sub : Tlvs.ssl(tlv.value()).subTlvs()) {
          out.add(new Tlv(sub.type(), Hex.of(sub.value())));
        }
      }
    }
    return out;
  }

  static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: never a lookup
  }

  // ---- our encoder, Netty's decoder ----

  @ParameterizedTest
  @ValueSource(strings = {ProxyV2EncoderTest.TCP4_VPCE, ProxyV2EncoderTest.TCP6,
      ProxyV2EncoderTest.LOCAL, ProxyV2EncoderTest.UDP4, ProxyV2EncoderTest.TCP4_VPCE_CRC,
      ProxyV2EncoderTest.TCP6_CRC, ProxyV2EncoderTest.LOCAL_CRC, ProxyV2EncoderTest.UDP4_CRC})
  void goldenVectors_nettyDecodesSameHeaderAsWe(String hex) throws Exception {
    ProxyHeader ours = ProxyHeaderParserTest.one(hex);
    Seen netty = nettyDecode(Hex.bytes(hex));
    assertThat(netty.command().name()).isEqualTo(ours.command().name());
    if (ours.command() == ProxyCommand.PROXY) {
      InetSocketAddress src = requireNonNull(ours.source());
      InetSocketAddress dst = requireNonNull(ours.destination());
      assertThat(netty.protocol().name()).isEqualTo(ours.protocol().name());
      assertThat(ip(netty.source())).isEqualTo(src.getAddress());
      assertThat(ip(netty.destination())).isEqualTo(dst.getAddress());
      assertThat(netty.sourcePort()).isEqualTo(src.getPort());
      assertThat(netty.destinationPort()).isEqualTo(dst.getPort());
      assertThat(netty.tlvs()).isEqualTo(flat(ours.tlvs()));
    }
  }

  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of(TransportProtocol.STREAM, CLIENT4, LISTENER4, "TCP4"),
        Arguments.of(TransportProtocol.DGRAM, CLIENT4, LISTENER4, "UDP4"),
        Arguments.of(TransportProtocol.STREAM, CLIENT6, LISTENER6, "TCP6"),
        Arguments.of(TransportProtocol.DGRAM, CLIENT6, LISTENER6, "UDP6"),
        Arguments.of(TransportProtocol.STREAM, CLIENT4, LISTENER6, "TCP6"));
  }

  @ParameterizedTest
  @MethodSource("families")
  void encodeProxy_everyFamily_nettyDecodesAddressesAndPorts(TransportProtocol transport,
      InetSocketAddress source, InetSocketAddress destination, String nettyProtocol)
      throws Exception {
    for (boolean crc : new boolean[] {false, true}) {
      ProxyV2Encoder encoder = ProxyV2Encoder.builder().crc32c(crc).build();
      Seen netty = nettyDecode(encoder.encodeProxy(transport, source, destination));
      assertThat(netty.command()).isEqualTo(HAProxyCommand.PROXY);
      assertThat(netty.protocol().name()).isEqualTo(nettyProtocol);
      assertThat(ip(netty.source())).isEqualTo(source.getAddress());
      assertThat(ip(netty.destination())).isEqualTo(destination.getAddress());
      assertThat(netty.sourcePort()).isEqualTo(source.getPort());
      assertThat(netty.destinationPort()).isEqualTo(destination.getPort());
    }
  }

  @Test
  void encodeLocalAndUnspec_nettyDecodesCommandAndUnknown() {
    ProxyV2Encoder encoder = ProxyV2Encoder.builder().crc32c(true).build();
    Seen local = nettyDecode(encoder.encodeLocal());
    assertThat(local.command()).isEqualTo(HAProxyCommand.LOCAL);
    Seen unspec = nettyDecode(encoder.encode(ProxyHeader.unspec()));
    assertThat(unspec.command()).isEqualTo(HAProxyCommand.PROXY);
    assertThat(unspec.protocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
  }

  @Test
  void encode_unixFamily_nettyDecodesPaths() {
    byte[] block = new byte[216];
    System.arraycopy("/run/a.sock".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0,
        block, 0, 11);
    System.arraycopy("/run/b.sock".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0,
        block, 108, 11);
    Seen netty = nettyDecode(ProxyV2Encoder.create().encode(
        ProxyHeader.of(ProxyCommand.PROXY, ProxiedProtocol.UNIX_STREAM, block, List.of())));
    assertThat(netty.protocol()).isEqualTo(HAProxyProxiedProtocol.UNIX_STREAM);
    assertThat(netty.source()).isEqualTo("/run/a.sock");
    assertThat(netty.destination()).isEqualTo("/run/b.sock");
  }

  static List<ProxyTlv> everyTlvType() {
    List<ProxyTlv> tlvs = new ArrayList<>(List.of(
        ProxyTlv.alpn("h2"),
        ProxyTlv.authority("example.com"),
        ProxyTlv.noop(5),
        ProxyTlv.uniqueId(new byte[] {0x12, 0x34, 0x56, 0x78}),
        ProxyTlv.ssl(ProxySsl.CLIENT_SSL | ProxySsl.CLIENT_CERT_SESS, 7, List.of(
            ProxyTlv.sslVersion("TLSv1.2"),
            ProxyTlv.sslCommonName("client"),
            ProxyTlv.sslCipher("ECDHE-RSA-AES128-GCM-SHA256"),
            ProxyTlv.sslSignatureAlgorithm("RSA-SHA256"),
            ProxyTlv.sslKeyAlgorithm("RSA2048"))),
        ProxyTlv.netns("ns1"),
        ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9")));
    for (int type = TlvType.MIN_CUSTOM; type <= TlvType.MAX_CUSTOM; type++) {
      if (type != TlvType.AWS.wireByte()) {
        tlvs.add(ProxyTlv.custom(type, new byte[] {(byte) type, 0}));
      }
    }
    return tlvs;
  }

  @Test
  void encode_everyTlvType_nettyDecodesEveryTlv() {
    List<ProxyTlv> tlvs = everyTlvType();
    // With the TLVs fixed in the encoder, and with them in the header; with and without CRC.
    for (boolean crc : new boolean[] {false, true}) {
      ProxyV2Encoder fixed = ProxyV2Encoder.builder().tlvs(ProxyTlvBlock.of(tlvs)).crc32c(crc)
          .build();
      byte[] a = fixed.encodeProxy(TransportProtocol.STREAM, CLIENT6, LISTENER6);
      ProxyHeader header = ProxyHeader.proxy(TransportProtocol.DGRAM, CLIENT4, LISTENER4)
          .withTlvs(tlvs);
      byte[] b = ProxyV2Encoder.builder().crc32c(crc).build().encode(header);
      for (byte[] bytes : List.of(a, b)) {
        ProxyHeader ours = ProxyHeaderParserTest.one(bytes);
        assertThat(ours.crc32c()).isEqualTo(crc ? Crc32cStatus.VALID : Crc32cStatus.NONE);
        assertThat(ours.tlvs().subList(0, tlvs.size())).isEqualTo(tlvs);
        assertThat(nettyDecode(bytes).tlvs()).isEqualTo(flat(ours.tlvs()));
      }
    }
  }

  @Test
  void encode_sslTlv_nettyReadsClientAndVerify() {
    ProxyHeader header = ProxyHeader.proxy(TransportProtocol.STREAM, CLIENT4, LISTENER4)
        .withTlvs(ProxyTlv.ssl(0x05, 0x01020304, List.of(ProxyTlv.sslVersion("TLSv1.3"))));
    EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
    ch.writeInbound(Unpooled.wrappedBuffer(ProxyV2Encoder.create().encode(header)));
    HAProxyMessage msg = requireNonNull(ch.readInbound());
    try {
      HAProxySSLTLV ssl = (HAProxySSLTLV) msg.tlvs().get(0);
      assertThat(ssl.client()).isEqualTo((byte) 0x05);
      assertThat(ssl.verify()).isEqualTo(0x01020304);
      assertThat(ssl.isPP2ClientSSL()).isTrue();
      assertThat(ssl.isPP2ClientCertSess()).isTrue();
      assertThat(ssl.encapsulatedTLVs()).hasSize(1);
    } finally {
      msg.release();
      ch.finishAndReleaseAll();
    }
  }

  // ---- Netty's encoder, our decoder ----

  static HAProxyTLV nettyTlv(int type, byte[] value) {
    return new HAProxyTLV((byte) type, Unpooled.wrappedBuffer(value));
  }

  @Test
  void nettyEncoder_tcp4WithVpce_writesTheGoldenVectorWhichWeDecode() {
    HAProxyMessage msg = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
        HAProxyProxiedProtocol.TCP4, "192.0.2.1", "198.51.100.7", 56324, 443,
        List.of(nettyTlv(0xEA, ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9").value())));
    byte[] bytes = nettyEncode(msg);
    assertThat(Hex.of(bytes)).isEqualTo(ProxyV2EncoderTest.TCP4_VPCE);
    assertThat(ProxyHeaderParserTest.one(bytes).vpcEndpointId())
        .isEqualTo("vpce-08d2bf15fac5001c9");
  }

  @Test
  void nettyEncoder_everyFamilyV2_weDecode() {
    Object[][] cases = {
        {HAProxyProxiedProtocol.TCP4, "192.0.2.1", "198.51.100.7", ProxiedProtocol.TCP4},
        {HAProxyProxiedProtocol.UDP4, "192.0.2.1", "198.51.100.7", ProxiedProtocol.UDP4},
        {HAProxyProxiedProtocol.TCP6, "2001:db8::1", "2001:db8::7", ProxiedProtocol.TCP6},
        {HAProxyProxiedProtocol.UDP6, "2001:db8::1", "::ffff:192.0.2.9", ProxiedProtocol.UDP6},
    };
    for (Object[] c : cases) {
      HAProxyMessage msg = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
          (HAProxyProxiedProtocol) c[0], (String) c[1], (String) c[2], 1234, 65535);
      ProxyHeader ours = ProxyHeaderParserTest.one(nettyEncode(msg));
      assertThat(ours.protocol()).isEqualTo(c[3]);
      assertThat(requireNonNull(ours.source()).getAddress().getHostAddress())
          .isEqualTo(new InetSocketAddress((String) c[1], 0).getAddress().getHostAddress());
      assertThat(requireNonNull(ours.destination()).getPort()).isEqualTo(65535);
    }
    HAProxyMessage local = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL,
        HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
    assertThat(ProxyHeaderParserTest.one(nettyEncode(local))).isEqualTo(ProxyHeader.local());
  }

  @Test
  void nettyEncoder_everyTlvType_weDecodeSameTlvs() {
    List<HAProxyTLV> nettyTlvs = new ArrayList<>();
    List<ProxyTlv> expected = new ArrayList<>();
    for (ProxyTlv tlv : everyTlvType()) {
      if (tlv.type() == TlvType.SSL.wireByte()) {
        continue; // below, through Netty's own SSL type
      }
      nettyTlvs.add(nettyTlv(tlv.type(), tlv.value()));
      expected.add(tlv);
    }
    nettyTlvs.add(new HAProxySSLTLV(0, (byte) ProxySsl.CLIENT_SSL, List.of(
        nettyTlv(0x21, "TLSv1.3".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
        nettyTlv(0x22, "cn".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))));
    expected.add(ProxyTlv.ssl(ProxySsl.CLIENT_SSL, 0,
        List.of(ProxyTlv.sslVersion("TLSv1.3"), ProxyTlv.sslCommonName("cn"))));
    HAProxyMessage msg = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
        HAProxyProxiedProtocol.TCP6, "2001:db8::1", "2001:db8::7", 56324, 443, nettyTlvs);
    ProxyHeader ours = ProxyHeaderParserTest.one(nettyEncode(msg));
    assertThat(ours.tlvs()).isEqualTo(expected);
    assertThat(requireNonNull(ours.ssl()).commonName()).isEqualTo("cn");
    assertThat(ours.vpcEndpointId()).isEqualTo("vpce-08d2bf15fac5001c9");
  }

  @Test
  void nettyEncoder_version1_weDecode() {
    HAProxyMessage tcp4 = new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY,
        HAProxyProxiedProtocol.TCP4, "192.0.2.1", "198.51.100.7", 56324, 443);
    ProxyHeader a = ProxyHeaderParserTest.one(nettyEncode(tcp4));
    assertThat(a.version()).isEqualTo(ProxyVersion.V1);
    assertThat(a.source()).isEqualTo(CLIENT4);
    assertThat(a.destination()).isEqualTo(LISTENER4);
    HAProxyMessage tcp6 = new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY,
        HAProxyProxiedProtocol.TCP6, "2001:db8::1", "2001:db8::7", 56324, 443);
    ProxyHeader b = ProxyHeaderParserTest.one(nettyEncode(tcp6));
    assertThat(b.source()).isEqualTo(CLIENT6);
    assertThat(b.destination()).isEqualTo(LISTENER6);
    // (Netty 4.2's encoder cannot write a v1 UNKNOWN line; ProxyHeaderParserTest covers ours.)
  }
}
