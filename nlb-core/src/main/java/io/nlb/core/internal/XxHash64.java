package io.nlb.core.internal;

/**
 * The 64-bit xxHash (XXH64) of Yann Collet, written from the published algorithm description, in
 * two shapes:
 *
 * <ul>
 *   <li>{@link #hash(byte[], int, int, long)} hashes a byte range, for strings and other data
 *       built off the hot path;
 *   <li>the primitive steps ({@link #shortStart}, {@link #stripeStart}, {@link #mixLong}, {@link
 *       #mixInt}, {@link #mixByte}, {@link #avalanche}) let a caller hash a fixed layout of
 *       {@code long}s and {@code int}s without building a byte array, with exactly the result
 *       {@link #hash(byte[], int, int, long)} gives for the same values written little-endian.
 * </ul>
 *
 * <p>Composing the steps: XXH64 consumes its input as 32-byte stripes while at least 32 bytes
 * remain, then 8-byte lanes, then at most one 4-byte lane, then single bytes. So a caller whose
 * layout is {@code len} bytes long starts with {@link #shortStart} when {@code len < 32}, or with
 * {@link #stripeStart} over the first four lanes when {@code 32 <= len < 64}; then mixes the
 * remaining whole {@code long}s, then at most one {@code int}, then the remaining bytes, in layout
 * order; and ends with {@link #avalanche}. For example, the 20 bytes {@code a b c} (two longs and
 * an int):
 *
 * <pre>{@code
 * long h = XxHash64.shortStart(seed, 20);
 * h = XxHash64.mixLong(h, a);
 * h = XxHash64.mixLong(h, b);
 * h = XxHash64.mixInt(h, c);
 * return XxHash64.avalanche(h);
 * }</pre>
 *
 * <p>Stateless and thread-safe; nothing here allocates.
 *
 * @since 0.1
 */
public final class XxHash64 {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private XxHash64() {}

  /**
   * Hashes {@code len} bytes of {@code data} from {@code off}.
   *
   * @throws IndexOutOfBoundsException if the range is not inside {@code data}
   */
  public static long hash(byte[] data, int off, int len, long seed) {
    if (off < 0 || len < 0 || off > data.length - len) {
      throw new IndexOutOfBoundsException(
          "off: " + off + ", len: " + len + " (expected: a range inside 0-" + data.length + ")");
    }
    int p = off;
    int end = off + len;
    long h;
    if (len >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int stripesEnd = end - 32;
      while (p <= stripesEnd) {
        v1 = round(v1, readLong(data, p));
        v2 = round(v2, readLong(data, p + 8));
        v3 = round(v3, readLong(data, p + 16));
        v4 = round(v4, readLong(data, p + 24));
        p += 32;
      }
      h = converge(v1, v2, v3, v4);
    } else {
      h = seed + P5;
    }
    h += len;
    while (end - p >= 8) {
      h = mixLong(h, readLong(data, p));
      p += 8;
    }
    if (end - p >= 4) {
      h = mixInt(h, readInt(data, p));
      p += 4;
    }
    while (p < end) {
      h = mixByte(h, data[p]);
      p++;
    }
    return avalanche(h);
  }

  /** Hashes the 8 bytes of {@code value} written little-endian. */
  public static long hashLong(long seed, long value) {
    return avalanche(mixLong(shortStart(seed, 8), value));
  }

  /**
   * The state before the tail of an input shorter than 32 bytes: {@code seed + P5 + len}.
   *
   * @param len the total input length in bytes, 0-31
   */
  public static long shortStart(long seed, int len) {
    return seed + P5 + len;
  }

  /**
   * The state after the first (and only) 32-byte stripe of an input of 32-63 bytes, with the
   * length already added; continue with {@link #mixLong} for the bytes after the stripe.
   *
   * @param l0 bytes 0-7, little-endian
   * @param l1 bytes 8-15
   * @param l2 bytes 16-23
   * @param l3 bytes 24-31
   * @param len the total input length in bytes, 32-63
   */
  public static long stripeStart(long seed, long l0, long l1, long l2, long l3, int len) {
    long v1 = round(seed + P1 + P2, l0);
    long v2 = round(seed + P2, l1);
    long v3 = round(seed, l2);
    long v4 = round(seed - P1, l3);
    return converge(v1, v2, v3, v4) + len;
  }

  /** Mixes one 8-byte tail lane (the next 8 input bytes, little-endian) into the state. */
  public static long mixLong(long h, long lane) {
    return Long.rotateLeft(h ^ round(0, lane), 27) * P1 + P4;
  }

  /** Mixes one 4-byte tail lane (the next 4 input bytes, little-endian) into the state. */
  public static long mixInt(long h, int lane) {
    return Long.rotateLeft(h ^ ((lane & 0xFFFF_FFFFL) * P1), 23) * P2 + P3;
  }

  /** Mixes one tail byte into the state. */
  public static long mixByte(long h, byte b) {
    return Long.rotateLeft(h ^ ((b & 0xFFL) * P5), 11) * P1;
  }

  /** The final avalanche that turns the state into the hash. */
  public static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long lane) {
    return Long.rotateLeft(acc + lane * P2, 31) * P1;
  }

  private static long mergeRound(long acc, long v) {
    return (acc ^ round(0, v)) * P1 + P4;
  }

  private static long converge(long v1, long v2, long v3, long v4) {
    long h =
        Long.rotateLeft(v1, 1)
            + Long.rotateLeft(v2, 7)
            + Long.rotateLeft(v3, 12)
            + Long.rotateLeft(v4, 18);
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    return mergeRound(h, v4);
  }

  private static long readLong(byte[] b, int p) {
    return (readInt(b, p) & 0xFFFF_FFFFL) | ((long) readInt(b, p + 4) << 32);
  }

  private static int readInt(byte[] b, int p) {
    return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8) | ((b[p + 2] & 0xFF) << 16) | (b[p + 3] << 24);
  }
}
