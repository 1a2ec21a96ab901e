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

  @Test
  void updateIntAndLong_equalByteByByte() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1000; i++) {
      int state = random.nextInt();
      long v = random.nextLong();
      int bytewise = state;
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytewise = Crc32c.updateByte(bytewise, (int) (v >>> shift));
      }
      assertThat(Crc32c.updateLong(state, v)).isEqualTo(bytewise);
      int high = (int) (v >>> 32);
      assertThat(Crc32c.updateInt(state, high))
          .isEqualTo(Crc32c.updateShort(Crc32c.updateShort(state, high >>> 16), high));
    }
  }

  @Test
  void zerosOperator_combinesConstantTail() {
    SplittableRandom random = new SplittableRandom(9);
    for (int n : new int[] {1, 7, 61, 300}) {
      byte[] tail = new byte[n];
      random.nextBytes(tail);
      int[] op = Crc32c.zerosOperator(n);
      int constant = Crc32c.update(0, tail);
      for (int i = 0; i < 100; i++) {
        int state = random.nextInt();
        assertThat(Crc32c.applyZeros(op, state) ^ constant)
            .isEqualTo(Crc32c.update(state, tail));
      }
    }
  }
}
