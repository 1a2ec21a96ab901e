package io.nlb.proxyprotocol;

import static io.nlb.proxyprotocol.ProxyV2EncoderTest.LOCAL;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.LOCAL_CRC;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.TCP4_VPCE;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.TCP4_VPCE_CRC;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.TCP6;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.TCP6_CRC;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.UDP4;
import static io.nlb.proxyprotocol.ProxyV2EncoderTest.UDP4_CRC;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyHeaderParserTest {
  static final ProxyHeaderParser PARSER = ProxyHeaderParser.defaults();

  static ProxyHeader one(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    ProxyHeader header = requireNonNull(PARSER.parseOne(buf));
    assertThat(buf.hasRemaining()).isFalse();
    return header;
  }

  static ProxyHeader one(String hex) {
    return one(Hex.bytes(hex));
  }

  static byte[] ascii(String s) {
    return s.getBytes(US_ASCII);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static ProxyProtocolException failure(byte[] bytes) {
    try {
      PARSER.parseOne(ByteBuffer.wrap(bytes));
    } catch (ProxyProtocolException e) {
      return e;
    }
    throw new AssertionError("no exception for " + Hex.of(bytes));
  }

  // ---- golden vectors ----

  @Test
  void parse_tcp4GoldenVector_givesAddressesAndVpce() {
    ProxyHeader h = one(TCP4_VPCE);
    assertThat(h.version()).isEqualTo(ProxyVersion.V2);
    assertThat(h.command()).isEqualTo(ProxyCommand.PROXY);
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.TCP4);
    assertThat(h.family()).isEqualTo(AddressFamily.INET);
    assertThat(h.transport()).isEqualTo(TransportProtocol.STREAM);
    assertThat(h.source()).isEqualTo(new InetSocketAddress("192.0.2.1", 56324));
    assertThat(h.destination()).isEqualTo(new InetSocketAddress("198.51.100.7", 443));
    assertThat(h.vpcEndpointId()).isEqualTo("vpce-08d2bf15fac5001c9");
    assertThat(h.tlvs()).containsExactly(ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9"));
    assertThat(h.tlvs().get(0).knownType()).isEqualTo(TlvType.AWS);
    assertThat(h.crc32c()).isEqualTo(Crc32cStatus.NONE);
  }

  @Test
  void parse_tcp6GoldenVector_givesAddresses() {
    ProxyHeader h = one(TCP6);
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.TCP6);
    assertThat(h.source()).isEqualTo(new InetSocketAddress("2001:db8::1", 56324));
    assertThat(h.destination()).isEqualTo(new InetSocketAddress("2001:db8::7", 443));
    assertThat(h.tlvs()).isEmpty();
    assertThat(h.vpcEndpointId()).isNull();
  }

  @Test
  void parse_localGoldenVector_hasNoAddress() {
    ProxyHeader h = one(LOCAL);
    assertThat(h).isEqualTo(ProxyHeader.local());
    assertThat(h.source()).isNull();
    assertThat(h.destination()).isNull();
    assertThat(h.addressBlock()).isEmpty();
  }

  @Test
  void parse_udp4GoldenVector_givesDatagramProtocol() {
    ProxyHeader h = one(UDP4);
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.UDP4);
    assertThat(h.transport()).isEqualTo(TransportProtocol.DGRAM);
    assertThat(h.destination()).isEqualTo(new InetSocketAddress("198.51.100.7", 53));
  }

  @ParameterizedTest
  @ValueSource(strings = {TCP4_VPCE_CRC, TCP6_CRC, LOCAL_CRC, UDP4_CRC})
  void parse_goldenVectorWithCrc_reportsValid(String hex) {
    ProxyHeader h = one(hex);
    assertThat(h.crc32c()).isEqualTo(Crc32cStatus.VALID);
    assertThat(h.tlv(TlvType.CRC32C)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {TCP4_VPCE, TCP6, LOCAL, UDP4, TCP4_VPCE_CRC, TCP6_CRC, LOCAL_CRC,
      UDP4_CRC})
  void parseOne_everyTruncation_needsMoreBytesAndLeavesPosition(String hex) {
    byte[] full = Hex.bytes(hex);
    for (int n = 0; n < full.length; n++) {
      ByteBuffer buf = ByteBuffer.wrap(full, 0, n);
      assertThat(PARSER.parseOne(buf)).as("first %d bytes", n).isNull();
      assertThat(buf.position()).isZero();
      assertThat(PARSER.parse(ByteBuffer.wrap(full, 0, n))).isNull();
    }
  }

  // ---- CRC32C ----

  @Test
  void parse_wrongCrc_rejectedByDefaultWithOffsetOfChecksum() {
    byte[] bytes = Hex.bytes(TCP6_CRC);
    bytes[bytes.length - 1] ^= 1;
    ProxyProtocolException e = failure(bytes);
    assertThat(e).hasMessage("crc32c: 0x6105FDCB (expected: 0x6105FDCA) at byte 55");
    assertThat(e.offset()).isEqualTo(bytes.length - 4);
  }

  @Test
  void parse_wrongCrcLenient_reportsInvalid() {
    byte[] bytes = Hex.bytes(TCP4_VPCE_CRC);
    bytes[18] ^= 1; // the source address
    ProxyHeaderParser lenient = ProxyHeaderParser.builder().requireValidCrc32c(false).build();
    ProxyHeader h = requireNonNull(lenient.parseOne(ByteBuffer.wrap(bytes)));
    assertThat(h.crc32c()).isEqualTo(Crc32cStatus.INVALID);
    assertThat(h.source()).isEqualTo(new InetSocketAddress("192.0.3.1", 56324));
  }

  @Test
  void parse_twoCrcTlvs_rejected() {
    byte[] bytes = Hex.bytes("0d0a0d0a000d0a515549540a2000000e" + "03000400000000" + "03000400000000");
    assertThat(failure(bytes))
        .hasMessage("tlv[CRC32C]: a second one (expected: at most one) at byte 23");
  }

  // ---- version 2 errors: the field, the value, what was expected, the offset ----

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "470d0a|signature[0]: 0x47 (expected: 0x0D of a version 2 signature or 'P' of \"PROXY \") at byte 0",
      "0d0a0d0a000d0a515549540b|signature[11]: 0x0B (expected: 0x0A) at byte 11",
      "0d0a0d0a000d0a515549540a11|version: 1 (expected: 2) at byte 12",
      "0d0a0d0a000d0a515549540a27|command: 0x7 (expected: 0x0 LOCAL or 0x1 PROXY) at byte 12",
      "0d0a0d0a000d0a515549540a2113|protocol: 0x13 (expected: 0x00, 0x11, 0x12, 0x21, 0x22, 0x31 or 0x32) at byte 13",
      "0d0a0d0a000d0a515549540a21100000|protocol: 0x10 (expected: 0x00, 0x11, 0x12, 0x21, 0x22, 0x31 or 0x32) at byte 13",
      "0d0a0d0a000d0a515549540a2111000b|length: 11 (expected: >= 12 for TCP4) at byte 14",
      "0d0a0d0a000d0a515549540a21310000|length: 0 (expected: >= 216 for UNIX_STREAM) at byte 14",
      "0d0a0d0a000d0a515549540a21000002ea00|tlv: 2 trailing bytes (expected: a 3-byte type and length) at byte 16",
      "0d0a0d0a000d0a515549540a21000004010002ff|tlv[0x01].length: 2 (expected: <= 1, the bytes left in the header) at byte 17",
      "0d0a0d0a000d0a515549540a2100000703000300000000|tlv[CRC32C].length: 3 (expected: 4) at byte 17",
      "0d0a0d0a000d0a515549540a2100000720000401000000|tlv[SSL].length: 4 (expected: >= 5, a client byte and a verify word) at byte 17",
      "0d0a0d0a000d0a515549540a210000092000060100000000ff|ssl.tlv: 1 trailing bytes (expected: a 3-byte type and length) at byte 24",
      "0d0a0d0a000d0a515549540a2100000b2000080100000000210009|ssl.tlv[0x21].length: 9 (expected: <= 0, the bytes left in the header) at byte 25",
  })
  void parse_invalidVersion2_namesFieldValueAndOffset(String hex, String message) {
    assertThat(failure(Hex.bytes(hex))).hasMessage(message);
  }

  @Test
  void parse_uniqueIdOver128Bytes_rejected() {
    byte[] header = ProxyV2Encoder.create().encode(ProxyHeader.unspec()
        .withTlvs(ProxyTlv.of(0xE0, new byte[129])));
    header[16] = 0x05; // retype the custom TLV as UNIQUE_ID
    assertThat(failure(header))
        .hasMessage("tlv[UNIQUE_ID].length: 129 (expected: <= 128) at byte 17");
  }

  // ---- LOCAL: the family is ignored, the length is honoured ----

  @Test
  void parse_localWithUnknownFamily_acceptedAsUnspecAndSkipsBlock() {
    ByteBuffer buf = ByteBuffer.wrap(Hex.bytes("0d0a0d0a000d0a515549540a20ff0003abcdef" + "47"));
    ProxyHeader h = PARSER.parseOne(buf);
    assertThat(h).isEqualTo(ProxyHeader.local());
    assertThat(buf.position()).isEqualTo(19);
  }

  @Test
  void parse_localWithTcp4ButShortBlock_acceptedAsUnspec() {
    assertThat(one("0d0a0d0a000d0a515549540a20110000")).isEqualTo(ProxyHeader.local());
  }

  @Test
  void parse_localWithTcp4Addresses_keepsBlockButNoEndpoints() {
    ProxyHeader h = one("0d0a0d0a000d0a515549540a2011000cc0000201c6336407dc0401bb");
    assertThat(h.command()).isEqualTo(ProxyCommand.LOCAL);
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.TCP4);
    assertThat(h.source()).isNull();
    assertThat(Hex.of(h.addressBlock())).isEqualTo("c0000201c6336407dc0401bb");
  }

  @Test
  void parse_proxyUnspecWithTlvs_readsTlvs() {
    ProxyHeader h = one("0d0a0d0a000d0a515549540a210000050100026832");
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.UNSPEC);
    assertThat(h.alpn()).isEqualTo(ascii("h2"));
    assertThat(h.source()).isNull();
  }

  // ---- typed TLVs ----

  @Test
  void parse_everyTlvType_typedAndRawAccessors() {
    List<ProxyTlv> tlvs = List.of(
        ProxyTlv.alpn("h2"),
        ProxyTlv.authority("bücher.example"),
        ProxyTlv.noop(3),
        ProxyTlv.uniqueId(new byte[] {1, 2, 3, 4}),
        ProxyTlv.ssl(ProxySsl.CLIENT_SSL | ProxySsl.CLIENT_CERT_CONN, 0, List.of(
            ProxyTlv.sslVersion("TLSv1.3"),
            ProxyTlv.sslCommonName("client.example"),
            ProxyTlv.sslCipher("TLS_AES_128_GCM_SHA256"),
            ProxyTlv.sslSignatureAlgorithm("RSA-SHA256"),
            ProxyTlv.sslKeyAlgorithm("RSA2048"),
            ProxyTlv.of(0x26, new byte[] {9}))),
        ProxyTlv.netns("blue"),
        ProxyTlv.custom(0xE0, new byte[] {7}),
        ProxyTlv.custom(0xEF, new byte[0]),
        ProxyTlv.of(TlvType.AWS, new byte[] {0x02, 0x55}), // another AWS sub-type, kept raw
        ProxyTlv.awsVpcEndpointId("vpce-0123"),
        ProxyTlv.of(0xF3, new byte[] {1, 2})); // experimental range, unknown here
    ProxyHeader sent = ProxyHeader.proxy(TransportProtocol.STREAM,
        new InetSocketAddress("192.0.2.1", 1), new InetSocketAddress("192.0.2.2", 2))
        .withTlvs(tlvs);
    ProxyHeader h = one(ProxyV2Encoder.builder().crc32c(true).build().encode(sent));

    assertThat(h.tlvs()).hasSize(tlvs.size() + 1).startsWith(tlvs.toArray(new ProxyTlv[0]));
    assertThat(h.crc32c()).isEqualTo(Crc32cStatus.VALID);
    assertThat(h.alpn()).isEqualTo(ascii("h2"));
    assertThat(h.authority()).isEqualTo("bücher.example");
    assertThat(h.uniqueId()).containsExactly(1, 2, 3, 4);
    assertThat(h.netns()).isEqualTo("blue");
    assertThat(h.vpcEndpointId()).isEqualTo("vpce-0123");
    assertThat(h.tlv(0xF3)).isNotNull();
    assertThat(requireNonNull(h.tlv(0xF3)).knownType()).isNull();
    ProxySsl ssl = requireNonNull(h.ssl());
    assertThat(ssl.clientSsl()).isTrue();
    assertThat(ssl.clientCertConnection()).isTrue();
    assertThat(ssl.clientCertSession()).isFalse();
    assertThat(ssl.verified()).isTrue();
    assertThat(ssl.version()).isEqualTo("TLSv1.3");
    assertThat(ssl.commonName()).isEqualTo("client.example");
    assertThat(ssl.cipher()).isEqualTo("TLS_AES_128_GCM_SHA256");
    assertThat(ssl.signatureAlgorithm()).isEqualTo("RSA-SHA256");
    assertThat(ssl.keyAlgorithm()).isEqualTo("RSA2048");
    assertThat(ssl.subTlvs()).hasSize(6);
    assertThat(h.withTlvs(h.tlvs().subList(0, tlvs.size()))).isNotEqualTo(sent); // VALID vs NONE
  }

  @Test
  void roundTrip_everyFamily_equalsSentHeader() {
    byte[] unix = new byte[216];
    byte[] src = ascii("/run/client.sock");
    byte[] dst = ascii("/run/server.sock");
    System.arraycopy(src, 0, unix, 0, src.length);
    System.arraycopy(dst, 0, unix, 108, dst.length);
    InetSocketAddress v4a = new InetSocketAddress("203.0.113.9", 0);
    InetSocketAddress v4b = new InetSocketAddress("255.255.255.255", 65535);
    InetSocketAddress v6a = new InetSocketAddress("::", 1);
    InetSocketAddress v6b = new InetSocketAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 2);
    List<ProxyHeader> headers = List.of(
        ProxyHeader.proxy(TransportProtocol.STREAM, v4a, v4b),
        ProxyHeader.proxy(TransportProtocol.DGRAM, v4a, v4b),
        ProxyHeader.proxy(TransportProtocol.STREAM, v6a, v6b),
        ProxyHeader.proxy(TransportProtocol.DGRAM, v6b, v6a),
        ProxyHeader.unspec(),
        ProxyHeader.local(),
        ProxyHeader.of(ProxyCommand.PROXY, ProxiedProtocol.UNIX_STREAM, unix, List.of()),
        ProxyHeader.of(ProxyCommand.PROXY, ProxiedProtocol.UNIX_DGRAM, unix,
            List.of(ProxyTlv.netns("red"))));
    for (ProxyHeader sent : headers) {
      assertThat(one(ProxyV2Encoder.create().encode(sent))).isEqualTo(sent);
    }
  }

  // ---- version 1 ----

  @Test
  void parse_v1Tcp4_sameEndpointsAsV2() {
    ProxyHeader h = one(ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n"));
    assertThat(h.version()).isEqualTo(ProxyVersion.V1);
    assertThat(h.command()).isEqualTo(ProxyCommand.PROXY);
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.TCP4);
    assertThat(h.source()).isEqualTo(new InetSocketAddress("192.0.2.1", 56324));
    assertThat(h.destination()).isEqualTo(new InetSocketAddress("198.51.100.7", 443));
    assertThat(h.addressBlock()).isEqualTo(one(TCP4_VPCE).addressBlock());
  }

  @Test
  void parse_v1Tcp6_compressedAndMappedForms() {
    ProxyHeader h = one(ascii("PROXY TCP6 2001:db8::1 2001:DB8:0:0:0:0:0:7 56324 443\r\n"));
    assertThat(h.addressBlock()).isEqualTo(one(TCP6).addressBlock());
    ProxyHeader mapped = one(ascii("PROXY TCP6 ::ffff:192.0.2.1 :: 0 65535\r\n"));
    assertThat(mapped.source()).isEqualTo(new InetSocketAddress("192.0.2.1", 0));
    assertThat(mapped.destination()).isEqualTo(new InetSocketAddress("::", 65535));
  }

  @Test
  void parse_v1Unknown_shortAndWorstCaseForms() {
    assertThat(one(ascii("PROXY UNKNOWN\r\n")).protocol()).isEqualTo(ProxiedProtocol.UNSPEC);
    String worst = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
        + " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    assertThat(worst).hasSize(107);
    ProxyHeader h = one(ascii(worst));
    assertThat(h.version()).isEqualTo(ProxyVersion.V1);
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.UNSPEC);
    assertThat(h.source()).isNull();
  }

  @Test
  void parse_v1LongestTcp6Line_accepted() {
    String line = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
        + " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    assertThat(line).hasSize(104);
    assertThat(requireNonNull(one(ascii(line)).source()).getPort()).isEqualTo(65535);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "PROXY TCP5 1.2.3.4 5.6.7.8 1 2|v1.protocol: \"TCP5\" (expected: TCP4, TCP6 or UNKNOWN) at byte 6",
      "PROXY UDP4 1.2.3.4 5.6.7.8 1 2|v1.protocol: \"UDP4\" (expected: TCP4, TCP6 or UNKNOWN) at byte 6",
      "PROXY TCP4 1.2.3.04 5.6.7.8 1 2|v1.source: \"1.2.3.04\" (expected: an IPv4 address such as 192.0.2.1) at byte 11",
      "PROXY TCP4 1.2.3.4 5.6.7.256 1 2|v1.destination: \"5.6.7.256\" (expected: an IPv4 address such as 192.0.2.1) at byte 19",
      "PROXY TCP4 1.2.3.4 ::1 1 2|v1.destination: \"::1\" (expected: an IPv4 address such as 192.0.2.1) at byte 19",
      "PROXY TCP6 1.2.3.4 ::1 1 2|v1.source: \"1.2.3.4\" (expected: an IPv6 address such as 2001:db8::1) at byte 11",
      "PROXY TCP6 1::2::3 ::1 1 2|v1.source: \"1::2::3\" (expected: an IPv6 address such as 2001:db8::1) at byte 11",
      "PROXY TCP4 1.2.3.4 5.6.7.8 01 2|v1.sourcePort: \"01\" (expected: 0-65535 without leading zeros) at byte 27",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536|v1.destinationPort: \"65536\" (expected: 0-65535 without leading zeros) at byte 29",
      "PROXY TCP4 1.2.3.4  5.6.7.8 1 2|v1.destination: \"\" (expected: an IPv4 address such as 192.0.2.1) at byte 19",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1|v1.destinationPort: missing (expected: PROXY <TCP4 or TCP6> <source> <destination> <source port> <destination port>) at byte 28",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3|v1.line: \" 3\" (expected: CRLF after the destination port) at byte 30",
      "'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 '|v1.line: \" \" (expected: CRLF after the destination port) at byte 30",
      "PROXY UNKNOWNX|v1.protocol: \"UNKNOWNX\" (expected: TCP4, TCP6 or UNKNOWN) at byte 6",
  })
  void parse_invalidVersion1_namesFieldValueAndOffset(String line, String message) {
    assertThat(failure(ascii(line + "\r\n"))).hasMessage(message);
  }

  @Test
  void parse_v1FramingErrors_reportedAsSoonAsSeen() {
    assertThat(failure(ascii("PROXZ"))).hasMessage(
        "v1.prefix[4]: 0x5A (expected: 0x59 of \"PROXY \") at byte 4");
    assertThat(failure(ascii("PROXY TCP4\n"))).hasMessage(
        "v1.line: LF without CR (expected: CRLF) at byte 10");
    assertThat(failure(ascii("PROXY TCP4\rX"))).hasMessage(
        "v1.line: 0x58 after CR (expected: LF) at byte 11");
    assertThat(failure(ascii("PROXY TCP4\u0000"))).hasMessage(
        "v1.line: 0x00 (expected: printable US-ASCII) at byte 10");
    byte[] noCrlf = ascii("PROXY " + "x".repeat(101));
    assertThat(noCrlf).hasSize(107);
    assertThat(failure(noCrlf)).hasMessage(
        "v1.line: no CRLF (expected: CRLF within 107 bytes) at byte 106");
    assertThat(PARSER.parseOne(ByteBuffer.wrap(noCrlf, 0, 106))).isNull();
    byte[] crAt107 = ascii("PROXY UNKNOWN " + "x".repeat(92) + "\r\n");
    assertThat(crAt107).hasSize(108);
    assertThat(failure(crAt107)).hasMessage(
        "v1.line: no CRLF (expected: CRLF within 107 bytes) at byte 106");
  }

  // ---- stacked headers ----

  @Test
  void parse_v2ThenV2ThenPayload_returnsBothAndPositionsAtPayload() {
    byte[] bytes = concat(Hex.bytes(TCP4_VPCE), Hex.bytes(TCP6_CRC), ascii("GET / HTTP/1.1\r\n"));
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    ProxyHeaders headers = requireNonNull(PARSER.parse(buf));
    assertThat(headers.size()).isEqualTo(2);
    assertThat(headers.first().vpcEndpointId()).isEqualTo("vpce-08d2bf15fac5001c9");
    assertThat(headers.all().get(1).crc32c()).isEqualTo(Crc32cStatus.VALID);
    assertThat(buf.position()).isEqualTo(bytes.length - 16);
  }

  @Test
  void parse_v1ThenV2_andV2ThenV1_bothDecoded() {
    byte[] v1 = ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n");
    ProxyHeaders a = requireNonNull(PARSER.parse(ByteBuffer.wrap(concat(v1, Hex.bytes(LOCAL),
        ascii("x")))));
    assertThat(a.all()).extracting(ProxyHeader::version)
        .containsExactly(ProxyVersion.V1, ProxyVersion.V2);
    ProxyHeaders b = requireNonNull(PARSER.parse(ByteBuffer.wrap(concat(Hex.bytes(UDP4), v1, v1))));
    assertThat(b.all()).extracting(ProxyHeader::version)
        .containsExactly(ProxyVersion.V2, ProxyVersion.V1, ProxyVersion.V1);
  }

  @Test
  void parse_headerThenPartialSignature_needsMore() {
    ByteBuffer buf = ByteBuffer.wrap(concat(Hex.bytes(LOCAL), Hex.bytes("0d0a0d")));
    assertThat(PARSER.parse(buf)).isNull();
    assertThat(buf.position()).isZero();
    ByteBuffer v1 = ByteBuffer.wrap(concat(Hex.bytes(LOCAL), ascii("PRO")));
    assertThat(PARSER.parse(v1)).isNull();
    ByteBuffer payload = ByteBuffer.wrap(concat(Hex.bytes(LOCAL), ascii("PRI * HTTP/2.0")));
    assertThat(requireNonNull(PARSER.parse(payload)).size()).isEqualTo(1);
    assertThat(payload.position()).isEqualTo(16);
  }

  @Test
  void parse_invalidSecondHeader_offsetCountsFromFirstByte() {
    byte[] bytes = concat(Hex.bytes(TCP6), Hex.bytes("0d0a0d0a000d0a515549540a25"));
    assertThatThrownBy(() -> PARSER.parse(ByteBuffer.wrap(bytes)))
        .isInstanceOf(ProxyProtocolException.class)
        .hasMessage("command: 0x5 (expected: 0x0 LOCAL or 0x1 PROXY) at byte 64");
  }

  @Test
  void parse_moreThanMaxHeaders_rejected() {
    ProxyHeaderParser two = ProxyHeaderParser.builder().maxHeaders(2).build();
    byte[] local = Hex.bytes(LOCAL);
    assertThat(requireNonNull(two.parse(ByteBuffer.wrap(concat(local, local)))).size()).isEqualTo(2);
    assertThatThrownBy(() -> two.parse(ByteBuffer.wrap(concat(local, local, local))))
        .isInstanceOf(ProxyProtocolException.class)
        .hasMessage("headers: more than 2 stacked (expected: at most 2) at byte 32");
  }

  @Test
  void builder_maxHeadersOutOfRange_rejected() {
    assertThatThrownBy(() -> ProxyHeaderParser.builder().maxHeaders(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxHeaders: 0 (expected: 1-64)");
  }

  // ---- InputStream ----

  @Test
  void read_stackedHeadersThenPayload_leavesStreamAtPayload() throws Exception {
    byte[] v1 = ascii("PROXY UNKNOWN\r\n"); // 15 bytes: shorter than a v2 fixed part
    InputStream in = new ByteArrayInputStream(concat(Hex.bytes(TCP4_VPCE_CRC), v1, ascii("X")));
    ProxyHeaders headers = ProxyHeaders.read(in);
    assertThat(headers.size()).isEqualTo(2);
    assertThat(headers.first().crc32c()).isEqualTo(Crc32cStatus.VALID);
    assertThat(headers.all().get(1).version()).isEqualTo(ProxyVersion.V1);
    assertThat(in.readAllBytes()).isEqualTo(ascii("X"));
  }

  @Test
  void read_headerOnly_returnsWithoutWaitingForPayload() throws Exception {
    InputStream in = new ByteArrayInputStream(Hex.bytes(LOCAL));
    assertThat(ProxyHeaders.read(in).first()).isEqualTo(ProxyHeader.local());
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void read_nothingAvailableAfterHeader_doesNotPeek() throws Exception {
    // available() == 0 after the header: a server-speaks-first protocol must not block here.
    byte[] bytes = concat(Hex.bytes(LOCAL), Hex.bytes(LOCAL));
    InputStream in = new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int available() {
        return 0;
      }
    };
    assertThat(PARSER.read(in).size()).isEqualTo(1);
    assertThat(in.readAllBytes()).isEqualTo(Hex.bytes(LOCAL));
  }

  @Test
  void read_streamEndsInsideHeader_throwsEof() {
    byte[] bytes = Hex.bytes(TCP6);
    assertThatThrownBy(() -> ProxyHeaders.read(new ByteArrayInputStream(bytes, 0, 40)))
        .isInstanceOf(EOFException.class)
        .hasMessage("stream ended 40 bytes into a PROXY protocol header at byte 0");
    assertThatThrownBy(() -> ProxyHeaders.read(new ByteArrayInputStream(ascii("PROXY TCP4"))))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> ProxyHeaders.read(new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void read_invalidHeader_throwsProxyProtocolException() {
    assertThatThrownBy(() -> ProxyHeaders.read(new ByteArrayInputStream(ascii("GET / HTTP/1.1"))))
        .isInstanceOf(ProxyProtocolException.class)
        .hasMessageStartingWith("signature[0]: 0x47");
  }

  @Test
  void read_streamWithoutMark_rejected() {
    InputStream noMark = new InputStream() {
      @Override
      public int read() {
        return -1;
      }
    };
    assertThatThrownBy(() -> ProxyHeaders.read(noMark))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("in: ")
        .hasMessageEndingWith("(expected: a stream that supports mark/reset, such as a"
            + " BufferedInputStream)");
  }
}
