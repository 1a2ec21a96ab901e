package io.nlb.proxyprotocol;

/**
 * CRC32c (Castagnoli, reflected polynomial {@code 0x82F63B78}, RFC 4960 appendix B) as pure
 * static functions over an explicit state, so that the encoder can checksum the pieces it is
 * about to write without an object, a copy or reading back its output.
 *
 * <p>Use: {@code int s = INIT; s = update(s, ...); ...; int crc = finish(s);}. Eight tables
 * ("slicing-by-8") let the bulk loop consume eight bytes per step; headers are short, so the
 * byte loop matters as much. The decoder deliberately uses {@link java.util.zip.CRC32C} instead,
 * so the two sides check each other.
 */
final class Crc32c {
  static final int INIT = 0xFFFFFFFF;

  private static final int POLY = 0x82F63B78;
  private static final int[] T = new int[8 * 256];

  static {
    for (int n = 0; n < 256; n++) {
      int c = n;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
      }
      T[n] = c;
    }
    for (int n = 0; n < 256; n++) {
      for (int k = 1; k < 8; k++) {
        int prev = T[(k - 1) * 256 + n];
        T[k * 256 + n] = (prev >>> 8) ^ T[prev & 0xFF];
      }
    }
  }

  private Crc32c() {}

  static int update(int state, byte[] b, int off, int len) {
    int s = state;
    int i = off;
    int end = off + len;
    while (end - i >= 8) {
      int lo = s ^ ((b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16
          | (b[i + 3] & 0xFF) << 24);
      int hi = (b[i + 4] & 0xFF) | (b[i + 5] & 0xFF) << 8 | (b[i + 6] & 0xFF) << 16
          | (b[i + 7] & 0xFF) << 24;
      s = T[7 * 256 + (lo & 0xFF)] ^ T[6 * 256 + ((lo >>> 8) & 0xFF)]
          ^ T[5 * 256 + ((lo >>> 16) & 0xFF)] ^ T[4 * 256 + (lo >>> 24)]
          ^ T[3 * 256 + (hi & 0xFF)] ^ T[2 * 256 + ((hi >>> 8) & 0xFF)]
          ^ T[256 + ((hi >>> 16) & 0xFF)] ^ T[hi >>> 24];
      i += 8;
    }
    while (i < end) {
      s = (s >>> 8) ^ T[(s ^ b[i++]) & 0xFF];
    }
    return s;
  }

  static int update(int state, byte[] b) {
    return update(state, b, 0, b.length);
  }

  static int updateByte(int state, int v) {
    return (state >>> 8) ^ T[(state ^ v) & 0xFF];
  }

  /** Feeds a 16-bit value in network byte order. */
  static int updateShort(int state, int v) {
    return updateByte(updateByte(state, v >>> 8), v);
  }

  /** Feeds a 32-bit value in network byte order, four bytes in one step. */
  static int updateInt(int state, int v) {
    int x = state ^ Integer.reverseBytes(v); // the first byte on the wire meets the low byte
    return T[3 * 256 + (x & 0xFF)] ^ T[2 * 256 + ((x >>> 8) & 0xFF)]
        ^ T[256 + ((x >>> 16) & 0xFF)] ^ T[x >>> 24];
  }

  /** Feeds a 64-bit value in network byte order, eight bytes in one step. */
  static int updateLong(int state, long v) {
    int lo = state ^ Integer.reverseBytes((int) (v >>> 32));
    int hi = Integer.reverseBytes((int) v);
    return T[7 * 256 + (lo & 0xFF)] ^ T[6 * 256 + ((lo >>> 8) & 0xFF)]
        ^ T[5 * 256 + ((lo >>> 16) & 0xFF)] ^ T[4 * 256 + (lo >>> 24)]
        ^ T[3 * 256 + (hi & 0xFF)] ^ T[2 * 256 + ((hi >>> 8) & 0xFF)]
        ^ T[256 + ((hi >>> 16) & 0xFF)] ^ T[hi >>> 24];
  }

  static int updateZeros(int state, int count) {
    int s = state;
    for (int i = 0; i < count; i++) {
      s = (s >>> 8) ^ T[s & 0xFF];
    }
    return s;
  }

  /**
   * The state change of feeding {@code count} zero bytes, as four byte-indexed tables for {@link
   * #applyZeros}. The register update is linear over XOR, so feeding a constant {@code C} of
   * {@code count} bytes to any state {@code s} gives {@code applyZeros(op, s) ^ update(0, C)}:
   * a constant tail can be checksummed once and combined in four lookups.
   */
  static int[] zerosOperator(int count) {
    int[] images = new int[32];
    for (int bit = 0; bit < 32; bit++) {
      images[bit] = updateZeros(1 << bit, count);
    }
    int[] op = new int[4 * 256];
    for (int k = 0; k < 4; k++) {
      for (int b = 0; b < 256; b++) {
        int v = 0;
        for (int j = 0; j < 8; j++) {
          if ((b >>> j & 1) != 0) {
            v ^= images[8 * k + j];
          }
        }
        op[k * 256 + b] = v;
      }
    }
    return op;
  }

  static int applyZeros(int[] op, int state) {
    return op[state & 0xFF] ^ op[256 + ((state >>> 8) & 0xFF)]
        ^ op[512 + ((state >>> 16) & 0xFF)] ^ op[768 + (state >>> 24)];
  }

  static int finish(int state) {
    return ~state;
  }
}
