package io.nlb.proxyprotocol;

import static io.nlb.proxyprotocol.ProxyHeaderParserTest.ascii;
import static io.nlb.proxyprotocol.ProxyHeaderParserTest.concat;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyProtocolDecoderTest {
  static final byte[] TCP4_VPCE = Hex.bytes(ProxyV2EncoderTest.TCP4_VPCE);
  static final byte[] TCP6_CRC = Hex.bytes(ProxyV2EncoderTest.TCP6_CRC);
  static final byte[] V1 = ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n");

  private final EmbeddedChannel ch = new EmbeddedChannel(new ProxyProtocolDecoder());

  @AfterEach
  void releaseEverything() {
    ch.finishAndReleaseAll();
  }

  private void write(byte[] bytes) {
    ch.writeInbound(Unpooled.wrappedBuffer(bytes));
  }

  private ProxyHeader readHeader() {
    Object msg = requireNonNull(ch.readInbound(), "no message");
    assertThat(msg).isInstanceOf(ProxyHeader.class);
    return (ProxyHeader) msg;
  }

  private byte[] readPayload() {
    ByteBuf buf = requireNonNull(ch.readInbound(), "no payload");
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  private boolean decoderPresent() {
    return ch.pipeline().get(ProxyProtocolDecoder.class) != null;
  }

  @Test
  void decode_headerAndPayloadInOneRead_firesHeaderThenPayloadAndRemovesItself() {
    write(concat(TCP4_VPCE, ascii("GET / HTTP/1.1\r\n")));
    ProxyHeader header = readHeader();
    assertThat(header.source()).isEqualTo(new InetSocketAddress("192.0.2.1", 56324));
    assertThat(header.vpcEndpointId()).isEqualTo("vpce-08d2bf15fac5001c9");
    assertThat(readPayload()).isEqualTo(ascii("GET / HTTP/1.1\r\n"));
    assertThat(decoderPresent()).isFalse();
    write(ascii("more"));
    assertThat(readPayload()).isEqualTo(ascii("more"));
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void decode_oneByteAtATime_waitsThenFiresHeader() {
    byte[] bytes = concat(TCP6_CRC, ascii("x"));
    for (int i = 0; i < TCP6_CRC.length - 1; i++) {
      write(new byte[] {bytes[i]});
      assertThat((Object) ch.readInbound()).as("after %d bytes", i + 1).isNull();
    }
    write(new byte[] {bytes[TCP6_CRC.length - 1]});
    assertThat(readHeader().crc32c()).isEqualTo(Crc32cStatus.VALID);
    assertThat(decoderPresent()).isTrue(); // a stacked header may still follow
    write(ascii("x"));
    assertThat(readPayload()).isEqualTo(ascii("x"));
    assertThat(decoderPresent()).isFalse();
  }

  @Test
  void decode_truncatedV1Line_waitsForMore() {
    write(ascii("PROXY TCP4 192.0.2.1 198.51"));
    assertThat((Object) ch.readInbound()).isNull();
    write(ascii(".100.7 56324 443\r\nhello"));
    assertThat(readHeader().version()).isEqualTo(ProxyVersion.V1);
    assertThat(readPayload()).isEqualTo(ascii("hello"));
  }

  @Test
  void decode_headerAlone_firedAtOnceForServerSpeaksFirstProtocols() {
    write(TCP4_VPCE);
    assertThat(readHeader().protocol()).isEqualTo(ProxiedProtocol.TCP4);
    assertThat((Object) ch.readInbound()).isNull();
    ch.writeOutbound(Unpooled.wrappedBuffer(ascii("220 smtp ready\r\n"))); // server speaks
    ByteBuf greeting = requireNonNull(ch.readOutbound());
    greeting.release();
  }

  @Test
  void decode_stackedHeadersInSeparateReads_firesEachThenPayload() {
    write(TCP4_VPCE);
    write(V1);
    write(ascii("PRO"));   // might begin a third header: wait
    assertThat(readHeader().version()).isEqualTo(ProxyVersion.V2);
    assertThat(readHeader().version()).isEqualTo(ProxyVersion.V1);
    assertThat((Object) ch.readInbound()).isNull();
    write(ascii("XY UNKNOWN\r\n"));
    assertThat(readHeader().protocol()).isEqualTo(ProxiedProtocol.UNSPEC);
    write(ascii("payload"));
    assertThat(readPayload()).isEqualTo(ascii("payload"));
    assertThat(decoderPresent()).isFalse();
  }

  @Test
  void decode_stackedHeadersInOneRead_firesAllThenPayload() {
    write(concat(V1, TCP6_CRC, TCP4_VPCE, ascii("P")));
    assertThat(readHeader().version()).isEqualTo(ProxyVersion.V1);
    assertThat(readHeader().protocol()).isEqualTo(ProxiedProtocol.TCP6);
    assertThat(readHeader().vpcEndpointId()).isNotNull();
    write(ascii("OST / HTTP/1.1"));
    assertThat(readPayload()).isEqualTo(ascii("POST / HTTP/1.1"));
  }

  @Test
  void decode_invalidHeader_closesChannelAndRaisesProxyProtocolException() {
    // EmbeddedChannel rethrows what reached the end of the pipeline from writeInbound.
    assertThatThrownBy(() -> write(ascii("GET / HTTP/1.1\r\n")))
        .isInstanceOf(ProxyProtocolException.class)
        .hasMessageStartingWith("signature[0]: 0x47");
    assertThat(ch.isOpen()).isFalse();
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void decode_invalidSecondHeader_offsetCountsFromConnectionStart() {
    write(TCP4_VPCE);
    assertThat(readHeader()).isNotNull();
    assertThatThrownBy(() -> write(Hex.bytes("0d0a0d0a000d0a515549540a29")))
        .isInstanceOf(ProxyProtocolException.class)
        .hasMessage("command: 0x9 (expected: 0x0 LOCAL or 0x1 PROXY) at byte "
            + (TCP4_VPCE.length + 12));
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void decode_wrongCrc_rejectedOrReportedPerParser() {
    byte[] bad = TCP6_CRC.clone();
    bad[20] ^= 0x40;
    assertThatThrownBy(() -> write(bad)).isInstanceOf(ProxyProtocolException.class)
        .hasMessageStartingWith("crc32c: ");

    EmbeddedChannel lenient = new EmbeddedChannel(new ProxyProtocolDecoder(
        ProxyHeaderParser.builder().requireValidCrc32c(false).build()));
    lenient.writeInbound(Unpooled.wrappedBuffer(concat(bad, ascii("!"))));
    ProxyHeader header = requireNonNull(lenient.readInbound());
    assertThat(header.crc32c()).isEqualTo(Crc32cStatus.INVALID);
    ByteBuf payload = requireNonNull(lenient.readInbound());
    payload.release();
    lenient.finishAndReleaseAll();
  }

  @Test
  void decode_moreThanMaxHeaders_rejected() {
    EmbeddedChannel one = new EmbeddedChannel(new ProxyProtocolDecoder(
        ProxyHeaderParser.builder().maxHeaders(1).build()));
    assertThatThrownBy(() -> one.writeInbound(Unpooled.wrappedBuffer(concat(V1, V1))))
        .isInstanceOf(ProxyProtocolException.class)
        .hasMessage("headers: more than 1 stacked (expected: at most 1) at byte " + V1.length);
    ProxyHeader header = requireNonNull(one.readInbound()); // the first was fired before
    assertThat(header.version()).isEqualTo(ProxyVersion.V1);
    one.finishAndReleaseAll();
  }

  @Test
  void close_insideFirstHeader_raisesProxyProtocolException() {
    write(java.util.Arrays.copyOf(TCP4_VPCE, 20));
    ch.close();
    assertThatThrownBy(ch::checkException).isInstanceOf(ProxyProtocolException.class)
        .hasMessage("header: 20 bytes, then end of stream (expected: a complete PROXY protocol"
            + " header) at byte 20");
  }

  @Test
  void close_afterHeaderWithAmbiguousTail_passesTailAsPayload() {
    write(concat(TCP4_VPCE, ascii("PRO")));
    assertThat(readHeader()).isNotNull();
    assertThat((Object) ch.readInbound()).isNull();
    ch.close();
    assertThat(readPayload()).isEqualTo(ascii("PRO"));
  }
}
