package io.nlb.core.internal;

import io.nlb.common.Problems;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Maglev lookup table: consistent hashing that maps a 64-bit flow hash to one of a set of keys
 * (targets) with near-perfect balance and little disruption when the set changes. The algorithm
 * is the one of Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
 * NSDI 2016, section 3.4.
 *
 * <h2>How it works</h2>
 *
 * <p>The table has {@code size} positions, {@code size} prime. Each key {@code k} has a
 * permutation of the positions, {@code (offset_k + j * skip_k) mod size} for {@code j = 0, 1,
 * ...}, where {@code offset_k = h1(k) mod size} and {@code skip_k = h2(k) mod (size - 1) + 1}, and
 * {@code h1}, {@code h2} are XXH64 of the key's UTF-8 bytes with the seeds {@link #OFFSET_SEED} and
 * {@link #SKIP_SEED}. Keys take turns, in index order, claiming the next free position of their
 * permutation until the table is full. So every key owns {@code floor(size / n)} or {@code
 * ceil(size / n)} positions, and removing or adding one key mostly reassigns only the positions it
 * owns or takes. {@link #lookup} maps the flow hash's upper 32 bits onto a position by
 * multiplication ({@code (h >>> 32) * size >>> 32}), which is division-free.
 *
 * <h2>Determinism</h2>
 *
 * <p>The table depends only on the keys and the size: {@link #build} requires the keys distinct
 * and sorted ascending in {@link String#compareTo} order, so a caller that sorts by a stable key
 * (the target's {@code address:port}, say) gets the same table on every node and for every order
 * in which targets were registered. Tests pin a small golden table.
 *
 * <h2>Memory</h2>
 *
 * <p>Positions are stored as {@code char}s (2 bytes) when there are at most 65,536 keys, as
 * {@code int}s otherwise: 128 KiB for the {@link #DEFAULT_SIZE default size}.
 *
 * <pre>{@code
 * MaglevTable table = MaglevTable.build(new String[] {"10.0.0.1:80", "10.0.0.2:80"}, 65537);
 * int index = table.lookup(flowHash); // 0 or 1
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #lookup} does not allocate. Building takes a few
 * milliseconds for 1,000 keys at the default size; do it off the I/O threads.
 *
 * @since 0.1
 */
public final class MaglevTable {
  /** The default table size: a prime, 65 positions per key for 1,000 keys. */
  public static final int DEFAULT_SIZE = 65537;

  /** The XXH64 seed of a key's offset ({@code "MaglevOf"} in ASCII). */
  public static final long OFFSET_SEED = 0x4D61676C65764F66L;

  /** The XXH64 seed of a key's skip ({@code "MaglevSk"} in ASCII). */
  public static final long SKIP_SEED = 0x4D61676C6576536BL;

  private static final int MAX_NARROW_KEYS = 1 << 16;
  private static final char[] NO_CHARS = new char[0];
  private static final int[] NO_INTS = new int[0];

  private final String[] keys;
  private final int size;
  // Exactly one of narrow and wide holds the table, unless there are no keys.
  private final char[] narrow;
  private final int[] wide;
  private final int[] entryCounts;

  private MaglevTable(String[] keys, int size, char[] narrow, int[] wide, int[] entryCounts) {
    this.keys = keys;
    this.size = size;
    this.narrow = narrow;
    this.wide = wide;
    this.entryCounts = entryCounts;
  }

  /**
   * Builds the table.
   *
   * @param keys the keys, distinct and sorted ascending; may be empty; not retained (copied)
   * @param size the number of positions: a prime greater than {@code keys.length}, usually
   *     {@link #DEFAULT_SIZE}
   * @throws IllegalArgumentException if the keys are not distinct and sorted, or the size is not a
   *     prime greater than the number of keys
   */
  public static MaglevTable build(String[] keys, int size) {
    int n = keys.length;
    checkSize(size, n);
    checkSorted(keys);
    String[] copy = keys.clone();
    int[] table = new int[size];
    Arrays.fill(table, -1);
    if (n > 0) {
      populate(copy, table);
    }
    int[] counts = new int[n];
    for (int k : table) {
      if (k >= 0) {
        counts[k]++;
      }
    }
    if (n == 0) {
      return new MaglevTable(copy, size, NO_CHARS, NO_INTS, counts);
    }
    if (n <= MAX_NARROW_KEYS) {
      char[] narrow = new char[size];
      for (int i = 0; i < size; i++) {
        narrow[i] = (char) table[i];
      }
      return new MaglevTable(copy, size, narrow, NO_INTS, counts);
    }
    return new MaglevTable(copy, size, NO_CHARS, table, counts);
  }

  /** Fills every position of {@code table} (all -1) as section 3.4 of the paper describes. */
  private static void populate(String[] keys, int[] table) {
    int n = keys.length;
    int size = table.length;
    int[] next = new int[n]; // the next position of each key's permutation
    int[] skip = new int[n];
    for (int k = 0; k < n; k++) {
      byte[] utf8 = keys[k].getBytes(StandardCharsets.UTF_8);
      next[k] = (int) Long.remainderUnsigned(XxHash64.hash(utf8, 0, utf8.length, OFFSET_SEED), size);
      skip[k] =
          (int) Long.remainderUnsigned(XxHash64.hash(utf8, 0, utf8.length, SKIP_SEED), size - 1)
              + 1;
    }
    int filled = 0;
    while (true) {
      for (int k = 0; k < n; k++) {
        int c = next[k];
        int s = skip[k];
        // size is prime and 1 <= s < size, so the permutation visits every position and the
        // probe ends; c + s - size cannot overflow because both are below size.
        while (table[c] >= 0) {
          c += s - size;
          if (c < 0) {
            c += size;
          }
        }
        table[c] = k;
        c += s - size;
        if (c < 0) {
          c += size;
        }
        next[k] = c;
        if (++filled == size) {
          return;
        }
      }
    }
  }

  /**
   * The index of the key that owns the flow hash, or -1 when the table has no keys. Does not
   * allocate.
   */
  public int lookup(long flowHash) {
    int position = (int) (((flowHash >>> 32) * size) >>> 32);
    char[] n = narrow;
    if (n.length != 0) {
      return n[position];
    }
    int[] w = wide;
    if (w.length != 0) {
      return w[position];
    }
    return -1;
  }

  /** The number of positions. */
  public int size() {
    return size;
  }

  /** The number of keys. */
  public int keyCount() {
    return keys.length;
  }

  /** The key with the given index. */
  public String key(int keyIndex) {
    return keys[keyIndex];
  }

  /** The number of positions the key with the given index owns. */
  public int entriesOf(int keyIndex) {
    return entryCounts[keyIndex];
  }

  /** A copy of the table: the key index at every position, -1 everywhere when there are no keys. */
  public int[] toArray() {
    int[] copy = new int[size];
    if (narrow.length != 0) {
      for (int i = 0; i < size; i++) {
        copy[i] = narrow[i];
      }
    } else if (wide.length != 0) {
      System.arraycopy(wide, 0, copy, 0, size);
    } else {
      Arrays.fill(copy, -1);
    }
    return copy;
  }

  @Override
  public String toString() {
    return "MaglevTable{size=" + size + ", keys=" + keys.length + "}";
  }

  private static void checkSize(int size, int keyCount) {
    if (!isPrime(size)) {
      throw Problems.invalid("size", size, "a prime number, such as " + DEFAULT_SIZE);
    }
    if (size <= keyCount) {
      throw Problems.invalid("size", size, "a prime greater than the key count " + keyCount);
    }
  }

  private static void checkSorted(String[] keys) {
    for (int i = 1; i < keys.length; i++) {
      int c = keys[i - 1].compareTo(keys[i]);
      if (c == 0) {
        throw Problems.invalid(
            "keys[" + i + "]", keys[i], "distinct keys; keys[" + (i - 1) + "] is the same");
      }
      if (c > 0) {
        throw Problems.invalid(
            "keys[" + i + "]",
            keys[i],
            "greater than keys[" + (i - 1) + "] " + Problems.render(keys[i - 1])
                + "; keys must be sorted ascending");
      }
    }
  }

  static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (int d = 3; (long) d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }
}
