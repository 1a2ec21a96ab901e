package io.nlb.proxyprotocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Crc32cTest {
  @Test
  void update_checkString_matchesPublishedCheckValue() {
    // The catalogued check value of CRC-32C over "123456789".
    byte[] check = "123456789".getBytes(US_ASCII);
    assertThat(Crc32c.finish(Crc32c.update(Crc32c.INIT, check))).isEqualTo(0xE3069283);
    assertThat(ReferenceCrc32c.of(check)).isEqualTo(0xE3069283);
  }

  @Test
  void update_randomData_matchesBitwiseReferenceAndJdk() {
    SplittableRandom random = new SplittableRandom(42);
    for (int n = 0; n < 300; n++) {
      byte[] data = new byte[n];
      random.nextBytes(data);
      int ours = Crc32c.finish(Crc32c.update(Crc32c.INIT, data));
      java.util.zip.CRC32C jdk = new java.util.zip.CRC32C();
      jdk.update(data);
      assertThat(ours).as("length %d", n).isEqualTo(ReferenceCrc32c.of(data));
      assertThat(ours).as("length %d", n).isEqualTo((int) jdk.getValue());
    }
  }

  @Test
  void update_piecewise_equalsWhole() {
    byte[] data = Hex.bytes("0d0a0d0a000d0a515549540a2111000cc0000201c6336407dc0401bb");
    int s = Crc32c.update(Crc32c.INIT, data, 0, 13);
    s = Crc32c.updateByte(s, data[13]);
    s = Crc32c.updateShort(s, (data[14] & 0xFF) << 8 | (data[15] & 0xFF));
    s = Crc32c.update(s, data, 16, data.length - 16);
    s = Crc32c.updateZeros(s, 3);
    byte[] padded = java.util.Arrays.copyOf(data, data.length + 3);
    assertThat(Crc32c.finish(s)).isEqualTo(ReferenceCrc32c.of(padded));
  }
}
