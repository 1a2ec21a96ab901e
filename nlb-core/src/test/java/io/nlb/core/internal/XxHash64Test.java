package io.nlb.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XxHash64Test {

  /** Published XXH64 values (xxHash documentation and the python-xxhash README). */
  @ParameterizedTest
  @CsvSource({
    "'', 0, EF46DB3751D8E999",
    "a, 0, D24EC4F1A98C6E5B",
    "abc, 0, 44BC2CF5AD770999",
    "xxhash, 0, 32DD38952C4BC720",
    "xxhash, 20141025, B559B98D844E0635",
    "Nobody inspects the spammish repetition, 0, FBCEA83C8A378BF1",
    "The quick brown fox jumps over the lazy dog, 0, 0B242D361FDA71BC",
  })
  void hash_publishedVector_matches(String input, long seed, String expectedHex) {
    byte[] b = input.getBytes(StandardCharsets.UTF_8);

    assertThat(XxHash64.hash(b, 0, b.length, seed)).isEqualTo(Long.parseUnsignedLong(expectedHex, 16));
    assertThat(Reference.xxh64(b, seed)).isEqualTo(Long.parseUnsignedLong(expectedHex, 16));
  }

  /**
   * Bytes 0, 1, 2, ... of the given length, hashed by the reference xxhsum library (libxxhash
   * 0.8.1) with three seeds: covers every tail shape and 0-7 whole stripes.
   */
  @ParameterizedTest
  @CsvSource({
    "1, E934A84ADB052768, AFFD9D6BD53CF137, 8BA3328805E37C90",
    "3, E5C7BB4533BC65DD, 786233C2FA006029, 2766DA80AF982D5D",
    "4, FFCED8604453CC1E, 55B121E934DF4F1C, 50EE1D0D77C6CA04",
    "7, 14CC643F630C72D2, 192E26D5E24E44F4, 53899EA28B7375FC",
    "8, 884A173614B81B8D, 726ECD68A8B5846D, 367A57C649C7A5AC",
    "12, 424AF23F1F08DCA5, 4FCED167D465AF03, 51FC0CE6A4DB3652",
    "31, C346D2B59B4D8EE1, A11A2CDFD57310B1, 208E0384FFFFDB7A",
    "32, CBF59C5116FF32B4, C0477F7FC098E14B, 35220DFDB7D4D7C9",
    "33, 0C535D1ACAFB8EAD, 9E878BE7464B55B0, 5677D5193D356C20",
    "63, E26AA9E2A95F8E4F, 46B19E7AF6C2CA1B, C57C35BC58C8FE4A",
    "64, F7C67301DB6713F0, A0A4E3E697D61870, 79E8B8230306E25C",
    "100, 6AC1E58032166597, 40E8F4EC2207F62C, 09A991A091C9F6D7",
    "255, 0F7D97507CAAD693, 0411457327FEDDDE, EEE590888BB50713",
  })
  void hash_countingBytes_matchesReferenceLibrary(
      int length, String seed0, String seed0123456789abcdef, String seedAllOnes) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) i;
    }

    assertThat(XxHash64.hash(b, 0, length, 0)).isEqualTo(Long.parseUnsignedLong(seed0, 16));
    assertThat(XxHash64.hash(b, 0, length, 0x0123456789ABCDEFL))
        .isEqualTo(Long.parseUnsignedLong(seed0123456789abcdef, 16));
    assertThat(XxHash64.hash(b, 0, length, -1L)).isEqualTo(Long.parseUnsignedLong(seedAllOnes, 16));
  }

  @Test
  void hash_randomInputsOfEveryLength_matchesReferenceImplementation() {
    SplittableRandom random = new SplittableRandom(20160316);
    for (int length = 0; length <= 300; length++) {
      for (int trial = 0; trial < 4; trial++) {
        byte[] b = new byte[length + 7];
        random.nextBytes(b);
        int off = random.nextInt(8);
        long seed = random.nextLong();
        byte[] slice = java.util.Arrays.copyOfRange(b, off, off + length);

        assertThat(XxHash64.hash(b, off, length, seed))
            .as("length %d, offset %d", length, off)
            .isEqualTo(Reference.xxh64(slice, seed));
      }
    }
  }

  @Test
  void steps_shortLayoutOfLongsIntAndBytes_equalHashOfLittleEndianBytes() {
    SplittableRandom random = new SplittableRandom(1);
    for (int trial = 0; trial < 1000; trial++) {
      long seed = random.nextLong();
      long a = random.nextLong();
      long b = random.nextLong();
      int c = random.nextInt();
      byte d = (byte) random.nextInt();
      ByteBuffer buffer = le(29).putLong(a).putLong(b).putLong(a ^ b).putInt(c).put(d);
      byte[] bytes = written(buffer);

      long h = XxHash64.shortStart(seed, 29);
      h = XxHash64.mixLong(h, a);
      h = XxHash64.mixLong(h, b);
      h = XxHash64.mixLong(h, a ^ b);
      h = XxHash64.mixInt(h, c);
      h = XxHash64.mixByte(h, d);

      assertThat(XxHash64.avalanche(h)).isEqualTo(XxHash64.hash(bytes, 0, 29, seed));
    }
  }

  @Test
  void steps_oneStripeThenTail_equalHashOfLittleEndianBytes() {
    SplittableRandom random = new SplittableRandom(2);
    for (int trial = 0; trial < 1000; trial++) {
      long seed = random.nextLong();
      long[] w = random.longs(6).toArray();
      int c = random.nextInt();
      ByteBuffer buffer = le(52).putLong(w[0]).putLong(w[1]).putLong(w[2]).putLong(w[3])
          .putLong(w[4]).putLong(w[5]).putInt(c);
      byte[] bytes = written(buffer);

      long h = XxHash64.stripeStart(seed, w[0], w[1], w[2], w[3], 52);
      h = XxHash64.mixLong(h, w[4]);
      h = XxHash64.mixLong(h, w[5]);
      h = XxHash64.mixInt(h, c);

      assertThat(XxHash64.avalanche(h)).isEqualTo(XxHash64.hash(bytes, 0, 52, seed));
    }
  }

  @Test
  void hashLong_anyValue_equalsHashOfItsEightLittleEndianBytes() {
    long v = 0x0102030405060708L;

    assertThat(XxHash64.hashLong(42, v)).isEqualTo(XxHash64.hash(written(le(8).putLong(v)), 0, 8, 42));
  }

  @Test
  void hash_rangeOutsideArray_throws() {
    assertThatThrownBy(() -> XxHash64.hash(new byte[4], 2, 3, 0))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("off: 2, len: 3 (expected: a range inside 0-4)");
  }

  /** The bytes written to a buffer that must be full. */
  static byte[] written(ByteBuffer buffer) {
    assertThat(buffer.remaining()).as("layout fully written").isZero();
    byte[] bytes = new byte[buffer.capacity()];
    buffer.flip().get(bytes);
    return bytes;
  }

  private static ByteBuffer le(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * A second XXH64, written separately and plainly from the specification (xxhash_spec.md):
   * byte-wise reads, no shared helpers, so that a mistake in one is unlikely in the other.
   */
  static final class Reference {
    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME64_3 = 0x165667B19E3779F9L;
    private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME64_5 = 0x27D4EB2F165667C5L;

    static long xxh64(byte[] input, long seed) {
      int length = input.length;
      int pos = 0;
      long acc;
      if (length < 32) {
        acc = seed + PRIME64_5;
      } else {
        long[] accs = {seed + PRIME64_1 + PRIME64_2, seed + PRIME64_2, seed, seed - PRIME64_1};
        while (length - pos >= 32) {
          for (int lane = 0; lane < 4; lane++) {
            accs[lane] = round(accs[lane], le64(input, pos));
            pos += 8;
          }
        }
        acc = rotl(accs[0], 1) + rotl(accs[1], 7) + rotl(accs[2], 12) + rotl(accs[3], 18);
        for (int lane = 0; lane < 4; lane++) {
          acc ^= round(0, accs[lane]);
          acc = acc * PRIME64_1 + PRIME64_4;
        }
      }
      acc += length;
      while (length - pos >= 8) {
        acc ^= round(0, le64(input, pos));
        acc = rotl(acc, 27) * PRIME64_1 + PRIME64_4;
        pos += 8;
      }
      if (length - pos >= 4) {
        long lane = le64(input, pos) & 0xFFFFFFFFL; // only 4 bytes are read, see le64
        acc ^= lane * PRIME64_1;
        acc = rotl(acc, 23) * PRIME64_2 + PRIME64_3;
        pos += 4;
      }
      while (pos < length) {
        acc ^= (input[pos] & 0xFFL) * PRIME64_5;
        acc = rotl(acc, 11) * PRIME64_1;
        pos++;
      }
      acc ^= acc >>> 33;
      acc *= PRIME64_2;
      acc ^= acc >>> 29;
      acc *= PRIME64_3;
      acc ^= acc >>> 32;
      return acc;
    }

    private static long round(long acc, long lane) {
      acc += lane * PRIME64_2;
      acc = rotl(acc, 31);
      return acc * PRIME64_1;
    }

    /** Up to 8 little-endian bytes from {@code pos}, stopping at the end of the input. */
    private static long le64(byte[] b, int pos) {
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v <<= 8;
        if (pos + i < b.length) {
          v |= b[pos + i] & 0xFFL;
        }
      }
      return v;
    }

    private static long rotl(long v, int bits) {
      return (v << bits) | (v >>> (64 - bits));
    }
  }
}
