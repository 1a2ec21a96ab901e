package io.nlb.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaglevTableTest {
  private static final int SIZE = MaglevTable.DEFAULT_SIZE;

  // Golden tables: computed once and cross-checked with an independent implementation of the
  // paper's pseudocode over the reference xxHash library. A change moves flows on upgrade.

  @Test
  void build_keysAbcSize13_isTheGoldenTable() {
    MaglevTable table = MaglevTable.build(new String[] {"a", "b", "c"}, 13);

    assertThat(table.toArray()).containsExactly(0, 1, 2, 0, 1, 0, 0, 2, 1, 2, 0, 1, 2);
    assertThat(table.entriesOf(0)).isEqualTo(5);
    assertThat(table.entriesOf(1)).isEqualTo(4);
    assertThat(table.entriesOf(2)).isEqualTo(4);
    assertThat(table.size()).isEqualTo(13);
    assertThat(table.keyCount()).isEqualTo(3);
    assertThat(table.key(1)).isEqualTo("b");
  }

  @Test
  void build_tenTargetsDefaultSize_isTheGoldenTable() {
    String[] keys = new String[10];
    for (int i = 0; i < 10; i++) {
      keys[i] = "10.0.0." + i + ":80";
    }
    Arrays.sort(keys);

    int[] table = MaglevTable.build(keys, SIZE).toArray();

    assertThat(Arrays.copyOf(table, 20))
        .containsExactly(0, 0, 7, 6, 3, 6, 7, 8, 8, 4, 5, 3, 2, 0, 6, 8, 2, 7, 3, 1);
    assertThat(Arrays.hashCode(table)).isEqualTo(-790184837);
  }

  @Test
  void lookup_usesTheUpperHalfOfTheHashScaledToTheSize() {
    MaglevTable table = MaglevTable.build(new String[] {"a", "b", "c"}, 13);
    int[] entries = table.toArray();

    assertThat(table.lookup(0L)).isEqualTo(entries[0]);
    assertThat(table.lookup(0x0000_0000_FFFF_FFFFL)).isEqualTo(entries[0]);
    assertThat(table.lookup(-1L)).isEqualTo(entries[12]);
    for (int position = 0; position < 13; position++) {
      long firstHashOfPosition = ((((long) position << 32) + 12) / 13) << 32;
      assertThat(table.lookup(firstHashOfPosition)).isEqualTo(entries[position]);
    }
  }

  @Test
  void lookup_noKeys_returnsMinusOne() {
    MaglevTable table = MaglevTable.build(new String[0], SIZE);

    assertThat(table.lookup(0)).isEqualTo(-1);
    assertThat(table.lookup(-1L)).isEqualTo(-1);
    assertThat(table.lookup(0x1234_5678_9ABC_DEF0L)).isEqualTo(-1);
    assertThat(table.keyCount()).isZero();
    assertThat(table.toArray()).hasSize(SIZE).containsOnly(-1);
  }

  @Test
  void build_oneKey_ownsEveryPosition() {
    MaglevTable table = MaglevTable.build(new String[] {"only"}, 13);

    assertThat(table.toArray()).containsOnly(0);
    assertThat(table.entriesOf(0)).isEqualTo(13);
  }

  @Test
  void build_keysShuffledThenSorted_identicalTableForEveryRegistrationOrder() {
    List<String> keys = new ArrayList<>(Arrays.asList(Flows.sortedKeys(200)));
    int[] expected = MaglevTable.build(keys.toArray(new String[0]), SIZE).toArray();
    Random random = new Random(7);
    for (int trial = 0; trial < 10; trial++) {
      Collections.shuffle(keys, random);
      String[] registered = keys.toArray(new String[0]);
      Arrays.sort(registered);

      assertThat(MaglevTable.build(registered, SIZE).toArray()).isEqualTo(expected);
    }
  }

  @Test
  void build_keysNotSorted_throwsNamingTheKey() {
    assertThatThrownBy(() -> MaglevTable.build(new String[] {"a", "c", "b"}, 13))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keys[2]: \"b\" (expected: greater than keys[1] \"c\"; keys must be sorted "
            + "ascending)");
  }

  @Test
  void build_duplicateKeys_throwsNamingTheKey() {
    assertThatThrownBy(() -> MaglevTable.build(new String[] {"a", "b", "b"}, 13))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keys[2]: \"b\" (expected: distinct keys; keys[1] is the same)");
  }

  @ParameterizedTest
  @CsvSource({"65536", "1", "0", "-7", "15"})
  void build_sizeNotPrime_throws(int size) {
    assertThatThrownBy(() -> MaglevTable.build(new String[] {"a"}, size))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size: " + size + " (expected: a prime number, such as 65537)");
  }

  @Test
  void build_sizeNotGreaterThanKeyCount_throws() {
    assertThatThrownBy(() -> MaglevTable.build(new String[] {"a", "b", "c"}, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size: 3 (expected: a prime greater than the key count 3)");
  }

  @Test
  void build_callerChangesKeysAfterwards_tableKeepsItsCopy() {
    String[] keys = {"a", "b"};
    MaglevTable table = MaglevTable.build(keys, 13);

    keys[0] = "z";

    assertThat(table.key(0)).isEqualTo("a");
  }

  @Test
  void build_moreKeysThanFitInChars_usesWideEntries() {
    int n = 70_000;
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "k" + (1_000_000 + i); // one length, so numeric order is string order
    }

    MaglevTable table = MaglevTable.build(keys, 131_071); // 2^17 - 1, prime

    int[] entries = table.toArray();
    assertThat(Arrays.stream(entries).max().orElseThrow()).isEqualTo(n - 1);
    assertThat(Arrays.stream(entries).min().orElseThrow()).isZero();
    assertThat(table.lookup(-1L)).isEqualTo(entries[131_070]);
    assertBalanced(table);
  }

  @Test
  void isPrime_smallNumbers_matchTrialDivision() {
    assertThat(MaglevTable.isPrime(2)).isTrue();
    assertThat(MaglevTable.isPrime(13)).isTrue();
    assertThat(MaglevTable.isPrime(65537)).isTrue();
    assertThat(MaglevTable.isPrime(2_147_483_647)).isTrue();
    assertThat(MaglevTable.isPrime(9)).isFalse();
    assertThat(MaglevTable.isPrime(65535)).isFalse();
    assertThat(MaglevTable.isPrime(Integer.MIN_VALUE)).isFalse();
  }

  /**
   * Balance and disruption over a million fixed flows at the default size. "Moved" is the share
   * of all flows whose key changes when one key is removed (first, middle and last in index
   * order) or added (sorting first, in the middle and last); ideal is 1/N and 1/(N+1).
   */
  @ParameterizedTest(name = "N={0}")
  @CsvSource({
    "3, 34.0, 26.0",
    "10, 11.5, 10.5",
    "100, 2.0, 2.0",
    "1000, 0.90, 0.90",
  })
  void build_oneKeyRemovedOrAdded_balancedAndFewFlowsMove(
      int n, double maxMovedOnRemovePercent, double maxMovedOnAddPercent) {
    long[] flows = Flows.ipv4Hashes();
    String[] keys = Flows.sortedKeys(n);
    MaglevTable base = MaglevTable.build(keys, SIZE);

    assertBalanced(base);
    for (int removed : new int[] {0, n / 2, n - 1}) {
      List<String> fewer = new ArrayList<>(Arrays.asList(keys));
      fewer.remove(removed);

      assertThat(movedPercent(flows, base, fewer))
          .as("N=%d, %s removed", n, keys[removed])
          .isLessThanOrEqualTo(maxMovedOnRemovePercent);
    }
    for (String added : new String[] {"0.0.0.0:80", Flows.key(n), "99.0.0.0:80"}) {
      List<String> more = new ArrayList<>(Arrays.asList(keys));
      more.add(added);
      Collections.sort(more);

      assertThat(movedPercent(flows, base, more))
          .as("N=%d, %s added", n, added)
          .isLessThanOrEqualTo(maxMovedOnAddPercent);
    }
  }

  private static double movedPercent(long[] flows, MaglevTable base, List<String> changedKeys) {
    MaglevTable changed = MaglevTable.build(changedKeys.toArray(new String[0]), SIZE);
    // changed key index -> base key index, -1 for an added key
    String[] baseKeys = keysOf(base);
    int[] toBase = new int[changed.keyCount()];
    for (int i = 0; i < toBase.length; i++) {
      int b = Arrays.binarySearch(baseKeys, changed.key(i));
      toBase[i] = b >= 0 ? b : -1;
    }
    int moved = 0;
    for (long h : flows) {
      if (toBase[changed.lookup(h)] != base.lookup(h)) {
        moved++;
      }
    }
    return 100.0 * moved / flows.length;
  }

  private static String[] keysOf(MaglevTable table) {
    String[] keys = new String[table.keyCount()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = table.key(i);
    }
    return keys;
  }

  private static void assertBalanced(MaglevTable table) {
    int min = Integer.MAX_VALUE;
    int max = 0;
    long total = 0;
    for (int k = 0; k < table.keyCount(); k++) {
      min = Math.min(min, table.entriesOf(k));
      max = Math.max(max, table.entriesOf(k));
      total += table.entriesOf(k);
    }
    assertThat(total).isEqualTo(table.size());
    assertThat(max - min).as("max - min entries per key").isLessThanOrEqualTo(1);
  }
}
