package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class TlsRecordCheckTest {
  private static ByteBuf header(int type, int length) {
    return Unpooled.wrappedBuffer(new byte[] {(byte) type, 3, 1, (byte) (length >> 8), (byte) length});
  }

  @Test
  void check_firstRecordClaims65535_tooLongAtItsHeader() {
    TlsRecordCheck c = new TlsRecordCheck();
    assertThat(c.check(header(22, 65_535))).isEqualTo(TlsRecordCheck.TOO_LONG);
    assertThat(c.lastLength()).isEqualTo(65_535);
  }

  @Test
  void check_firstRecordAtPlaintextLimit_ok_oneMore_tooLong() {
    assertThat(new TlsRecordCheck().check(header(22, 16_384))).isEqualTo(TlsRecordCheck.OK);
    assertThat(new TlsRecordCheck().check(header(22, 16_385))).isEqualTo(TlsRecordCheck.TOO_LONG);
  }

  @Test
  void check_laterRecords_ciphertextLimit_acrossReadsSplitAnywhere() {
    TlsRecordCheck c = new TlsRecordCheck();
    ByteBuf stream = Unpooled.buffer();
    stream.writeBytes(header(22, 300)).writeZero(300);
    stream.writeBytes(header(20, 1)).writeZero(1);
    stream.writeBytes(header(23, 18_432)).writeZero(18_432);
    stream.writeBytes(header(23, 18_433));
    int verdict = TlsRecordCheck.OK;
    // one byte at a time: headers split over reads are followed too
    for (int i = 0; i < stream.readableBytes() && verdict == TlsRecordCheck.OK; i++) {
      verdict = c.check(stream.slice(i, 1));
      if (i == stream.readableBytes() - 2) {
        assertThat(verdict).isEqualTo(TlsRecordCheck.OK);
      }
    }
    assertThat(verdict).isEqualTo(TlsRecordCheck.TOO_LONG);
    assertThat(c.lastLength()).isEqualTo(18_433);
  }

  @Test
  void check_notTls_reportedOnce_thenStopsChecking() {
    TlsRecordCheck c = new TlsRecordCheck();
    assertThat(c.check(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", java.nio.charset.StandardCharsets.US_ASCII)))
        .isEqualTo(TlsRecordCheck.NOT_TLS);
    assertThat(c.check(header(22, 65_535))).isEqualTo(TlsRecordCheck.OK);
  }

  @Test
  void check_firstRecordNotAHandshake_notTls() {
    assertThat(new TlsRecordCheck().check(header(23, 10))).isEqualTo(TlsRecordCheck.NOT_TLS);
    assertThat(new TlsRecordCheck().check(Unpooled.wrappedBuffer(new byte[] {22, 2, 0, 0, 1})))
        .isEqualTo(TlsRecordCheck.NOT_TLS);
  }
}
