package io.nlb.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyV2EncoderTest {
  static final String VPCE = "vpce-08d2bf15fac5001c9";
  static final InetSocketAddress CLIENT4 = new InetSocketAddress("192.0.2.1", 56324);
  static final InetSocketAddress LISTENER4 = new InetSocketAddress("198.51.100.7", 443);
  static final InetSocketAddress DNS4 = new InetSocketAddress("198.51.100.7", 53);
  static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::1", 56324);
  static final InetSocketAddress LISTENER6 = new InetSocketAddress("2001:db8::7", 443);

  // The acceptance vectors, verbatim.
  static final String TCP4_VPCE = "0d0a0d0a000d0a515549540a21110026c0000201c6336407dc0401bb"
      + "ea001701767063652d3038643262663135666163353030316339";
  static final String TCP6 = "0d0a0d0a000d0a515549540a2121002420010db800000000000000000000000120"
      + "010db8000000000000000000000007dc0401bb";
  static final String LOCAL = "0d0a0d0a000d0a515549540a20000000";
  static final String UDP4 = "0d0a0d0a000d0a515549540a2112000cc0000201c6336407dc040035";

  // The same with a CRC32C TLV appended; pinned after checking them with ReferenceCrc32c.
  static final String TCP4_VPCE_CRC = "0d0a0d0a000d0a515549540a2111002dc0000201c6336407dc0401bb"
      + "ea001701767063652d3038643262663135666163353030316339030004" + "d3e45595";
  static final String TCP6_CRC = "0d0a0d0a000d0a515549540a2121002b20010db800000000000000000000000120"
      + "010db8000000000000000000000007dc0401bb030004" + "6105fdca";
  static final String LOCAL_CRC = "0d0a0d0a000d0a515549540a20000007030004" + "a9b87e8f";
  static final String UDP4_CRC = "0d0a0d0a000d0a515549540a21120013c0000201c6336407dc040035030004"
      + "01051eb0";

  static final ProxyV2Encoder PLAIN = ProxyV2Encoder.create();
  static final ProxyV2Encoder WITH_VPCE =
      ProxyV2Encoder.builder().tlvs(ProxyTlv.awsVpcEndpointId(VPCE)).build();
  static final ProxyV2Encoder CRC = ProxyV2Encoder.builder().crc32c(true).build();
  static final ProxyV2Encoder WITH_VPCE_CRC =
      ProxyV2Encoder.builder().tlvs(ProxyTlv.awsVpcEndpointId(VPCE)).crc32c(true).build();

  @Test
  void encodeProxy_tcp4WithVpceTlv_matchesGoldenVector() {
    assertThat(Hex.of(WITH_VPCE.encodeProxy(TransportProtocol.STREAM, CLIENT4, LISTENER4)))
        .isEqualTo(TCP4_VPCE);
  }

  @Test
  void encodeProxy_tcp6_matchesGoldenVector() {
    assertThat(Hex.of(PLAIN.encodeProxy(TransportProtocol.STREAM, CLIENT6, LISTENER6)))
        .isEqualTo(TCP6);
  }

  @Test
  void encodeLocal_noAddress_matchesGoldenVector() {
    assertThat(Hex.of(PLAIN.encodeLocal())).isEqualTo(LOCAL);
  }

  @Test
  void encodeProxy_udp4_matchesGoldenVector() {
    assertThat(Hex.of(PLAIN.encodeProxy(TransportProtocol.DGRAM, CLIENT4, DNS4))).isEqualTo(UDP4);
  }

  @Test
  void crcVectors_pinned_equalReferenceComputation() {
    // The pinned hex must be what the bitwise reference computes from the plain vectors.
    assertThat(Hex.of(ReferenceCrc32c.withCrcTlv(Hex.bytes(TCP4_VPCE)))).isEqualTo(TCP4_VPCE_CRC);
    assertThat(Hex.of(ReferenceCrc32c.withCrcTlv(Hex.bytes(TCP6)))).isEqualTo(TCP6_CRC);
    assertThat(Hex.of(ReferenceCrc32c.withCrcTlv(Hex.bytes(LOCAL)))).isEqualTo(LOCAL_CRC);
    assertThat(Hex.of(ReferenceCrc32c.withCrcTlv(Hex.bytes(UDP4)))).isEqualTo(UDP4_CRC);
  }

  @Test
  void encode_withCrc32c_matchesPinnedVectors() {
    assertThat(Hex.of(WITH_VPCE_CRC.encodeProxy(TransportProtocol.STREAM, CLIENT4, LISTENER4)))
        .isEqualTo(TCP4_VPCE_CRC);
    assertThat(Hex.of(CRC.encodeProxy(TransportProtocol.STREAM, CLIENT6, LISTENER6)))
        .isEqualTo(TCP6_CRC);
    assertThat(Hex.of(CRC.encodeLocal())).isEqualTo(LOCAL_CRC);
    assertThat(Hex.of(CRC.encodeProxy(TransportProtocol.DGRAM, CLIENT4, DNS4))).isEqualTo(UDP4_CRC);
  }

  @Test
  void encode_withCrc32c_checksumMatchesJdkCrc32c() {
    byte[] header = WITH_VPCE_CRC.encodeProxy(TransportProtocol.STREAM, CLIENT6, LISTENER4);
    byte[] zeroed = header.clone();
    java.util.Arrays.fill(zeroed, header.length - 4, header.length, (byte) 0);
    java.util.zip.CRC32C jdk = new java.util.zip.CRC32C();
    jdk.update(zeroed);
    assertThat(ByteBuffer.wrap(header).getInt(header.length - 4)).isEqualTo((int) jdk.getValue());
  }

  @Test
  void referenceCrc32c_checkString_matchesPublishedCheckValue() {
    // The catalogued check value of CRC-32C over "123456789": the reference itself is right.
    assertThat(ReferenceCrc32c.of("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .isEqualTo(0xE3069283);
  }

  @Test
  void encode_withCrc32c_everyKindOfOutput_writesThePinnedVector() {
    // The checksum is computed over the written bytes, so each buffer kind takes its own path:
    // heap array, direct (Netty's internal NIO view), composite (byte by byte), direct NIO buffer.
    ByteBuf heap = Unpooled.buffer(8).writeByte(0x77);
    ByteBuf direct = Unpooled.directBuffer(256).writeByte(0x77);
    ByteBuf composite = Unpooled.compositeBuffer()
        .addComponent(true, Unpooled.buffer(8).writeByte(0x77))
        .addComponent(true, Unpooled.directBuffer(20).writerIndex(0));
    ByteBuffer nioDirect = ByteBuffer.allocateDirect(300).put((byte) 0x77);
    try {
      for (ByteBuf out : List.of(heap, direct, composite)) {
        WITH_VPCE_CRC.encodeProxy(out, TransportProtocol.STREAM, CLIENT4, LISTENER4);
        assertThat(ByteBufUtil.hexDump(out, 1, out.readableBytes() - 1)).as(out.getClass().getSimpleName())
            .isEqualTo(TCP4_VPCE_CRC);
      }
      int limit = nioDirect.limit();
      int n = CRC.encodeProxy(nioDirect, TransportProtocol.STREAM, CLIENT6, LISTENER6);
      assertThat(nioDirect.position()).isEqualTo(1 + n);
      assertThat(nioDirect.limit()).isEqualTo(limit);
      byte[] written = new byte[n];
      nioDirect.get(1, written);
      assertThat(Hex.of(written)).isEqualTo(TCP6_CRC);
    } finally {
      heap.release();
      direct.release();
      composite.release();
    }
  }

  @Test
  void encode_byteBufByteBufferAndArray_writeSameBytes() {
    for (ProxyV2Encoder encoder : List.of(PLAIN, WITH_VPCE, CRC, WITH_VPCE_CRC)) {
      byte[] array = encoder.encodeProxy(TransportProtocol.STREAM, CLIENT4, LISTENER6);
      ByteBuf buf = Unpooled.buffer(4).writeByte(0x77); // grows; writes after existing bytes
      ByteBuf direct = Unpooled.directBuffer(256);
      ByteBuffer nio = ByteBuffer.allocate(300).put((byte) 0x77);
      try {
        int n1 = encoder.encodeProxy(buf, TransportProtocol.STREAM, CLIENT4, LISTENER6);
        int n2 = encoder.encodeProxy(direct, TransportProtocol.STREAM, CLIENT4, LISTENER6);
        int n3 = encoder.encodeProxy(nio, TransportProtocol.STREAM, CLIENT4, LISTENER6);
        assertThat(n1).isEqualTo(n2).isEqualTo(n3).isEqualTo(array.length)
            .isEqualTo(encoder.encodedLength(ProxiedProtocol.TCP6));
        assertThat(ByteBufUtil.getBytes(buf, 1, n1)).isEqualTo(array);
        assertThat(ByteBufUtil.getBytes(direct)).isEqualTo(array);
        assertThat(nio.position()).isEqualTo(1 + n3);
        assertThat(java.util.Arrays.copyOfRange(nio.array(), 1, 1 + n3)).isEqualTo(array);
      } finally {
        buf.release();
        direct.release();
      }
    }
  }

  @Test
  void encodeLocal_allSinks_writeSameBytes() {
    ByteBuf buf = Unpooled.buffer();
    ByteBuffer nio = ByteBuffer.allocateDirect(64);
    try {
      WITH_VPCE_CRC.encodeLocal(buf);
      WITH_VPCE_CRC.encodeLocal(nio);
      byte[] fromNio = new byte[nio.flip().remaining()];
      nio.get(fromNio);
      assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(WITH_VPCE_CRC.encodeLocal())
          .isEqualTo(fromNio);
      assertThat(fromNio).hasSize(WITH_VPCE_CRC.encodedLength(ProxiedProtocol.UNSPEC));
    } finally {
      buf.release();
    }
  }

  @Test
  void encodeProxy_mixedFamilies_mapsIpv4IntoIpv6() {
    byte[] header = PLAIN.encodeProxy(TransportProtocol.STREAM, CLIENT4, LISTENER6);
    assertThat(Hex.of(header)).isEqualTo("0d0a0d0a000d0a515549540a21210024"
        + "00000000000000000000ffffc0000201" + "20010db8000000000000000000000007" + "dc0401bb");
  }

  @Test
  void encode_headerValue_equalsFastPath() {
    ProxyHeader header = ProxyHeader.proxy(TransportProtocol.DGRAM, CLIENT6, LISTENER6);
    assertThat(WITH_VPCE_CRC.encode(header))
        .isEqualTo(WITH_VPCE_CRC.encodeProxy(TransportProtocol.DGRAM, CLIENT6, LISTENER6));
    assertThat(WITH_VPCE_CRC.encode(ProxyHeader.local())).isEqualTo(WITH_VPCE_CRC.encodeLocal());
    assertThat(WITH_VPCE_CRC.encodedLength(header)).isEqualTo(WITH_VPCE_CRC.encode(header).length);
  }

  @Test
  void encode_headerTlvsThenFixedTlvsThenCrc_inThatOrder() {
    ProxyHeader header = ProxyHeader.unspec().withTlvs(ProxyTlv.alpn("h2"));
    byte[] bytes = WITH_VPCE_CRC.encode(header);
    assertThat(Hex.of(bytes)).isEqualTo(Hex.of(ReferenceCrc32c.withCrcTlv(Hex.bytes(
        "0d0a0d0a000d0a515549540a2100001f" + "0100026832"
            + "ea001701767063652d3038643262663135666163353030316339"))));
  }

  @Test
  void encodeProxy_unspecTransport_rejectedNamingTheField() {
    assertThatThrownBy(() -> PLAIN.encodeProxy(TransportProtocol.UNSPEC, CLIENT4, LISTENER4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("transport: UNSPEC (expected: STREAM or DGRAM)");
  }

  @Test
  void encodeProxy_unresolvedAddress_rejectedAndWritesNothing() {
    ByteBuf buf = Unpooled.buffer();
    try {
      InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.com", 80);
      assertThatThrownBy(() -> PLAIN.encodeProxy(buf, TransportProtocol.STREAM, unresolved,
          LISTENER4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("source: \"example.com/<unresolved>:80\" (expected: a resolved address)");
      assertThat(buf.writerIndex()).isZero();
    } finally {
      buf.release();
    }
  }

  @Test
  void encode_byteBufferTooSmall_throwsAndWritesNothing() {
    ByteBuffer small = ByteBuffer.allocate(20);
    assertThatThrownBy(() -> PLAIN.encodeProxy(small, TransportProtocol.STREAM, CLIENT4,
        LISTENER4)).isInstanceOf(BufferOverflowException.class);
    assertThat(small.position()).isZero();
  }

  @Test
  void encode_headerWithCrcTlv_rejected() {
    ProxyHeader header = ProxyHeader.local().withTlvs(ProxyTlv.of(TlvType.CRC32C, new byte[4]));
    assertThatThrownBy(() -> CRC.encode(header))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header.tlvs: CRC32C (expected: no CRC32C TLV; build the encoder with"
            + " crc32c(true) to append a fresh one)");
  }

  @Test
  void encode_tlvsOverflowLengthField_rejected() {
    ProxyHeader header = ProxyHeader.proxy(TransportProtocol.STREAM, CLIENT6, LISTENER6)
        .withTlvs(ProxyTlv.noop(65_000), ProxyTlv.noop(500));
    // 36 address bytes + 65,003 + 503 TLV bytes
    assertThatThrownBy(() -> PLAIN.encode(header))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("length: 65542 (expected: <= 65535 bytes of addresses and TLVs)");
  }

  @Test
  void builder_crcTlvInBlock_rejected() {
    assertThatThrownBy(() -> ProxyV2Encoder.builder().tlvs(ProxyTlv.of(0x03, new byte[4])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tlvs: CRC32C (expected: no CRC32C TLV; use crc32c(true))");
  }
}
