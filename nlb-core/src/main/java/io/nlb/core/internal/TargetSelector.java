package io.nlb.core.internal;

import io.nlb.common.Problems;
import java.util.Arrays;

/**
 * Picks the target of a flow from its flow hash: a {@link MaglevTable primary table} over every
 * target in scope, an eligibility mask (healthy, not draining, ...), and, while some targets are
 * ineligible, a secondary table over only the eligible ones.
 *
 * <h2>Selection</h2>
 *
 * <pre>
 * i = primary.lookup(h)
 * if eligible[i]: return i
 * else:           return the eligible target the secondary table picks for h
 * </pre>
 *
 * <p>So a flow whose primary target is eligible goes there, whatever else is eligible: marking
 * targets ineligible moves only the flows of those targets, and marking them eligible again moves
 * those flows back. The flows of an ineligible target spread over the eligible ones as Maglev
 * spreads a removed key's positions, that is evenly. The primary table depends only on the
 * target keys; {@link #withEligibility} reuses it and builds only the secondary, which is what a
 * health change costs.
 *
 * <p>{@link #selectIgnoringEligibility} is the primary lookup alone, for a snapshot that fails
 * open (routes to all targets because none, or too few, are healthy): it is decided when the
 * snapshot is built, never per flow.
 *
 * <pre>{@code
 * String[] keys = {"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"}; // sorted
 * TargetSelector s = TargetSelector.build(keys, new boolean[] {true, true, true}, 65537);
 * TargetSelector afterFailure = s.withEligibility(new boolean[] {true, false, true});
 * int target = afterFailure.select(flowHash); // 0 or 2
 * }</pre>
 *
 * <p>Immutable and thread-safe: built by the control thread, read by any number of I/O threads
 * without locks. {@link #select} and {@link #selectIgnoringEligibility} do not allocate.
 *
 * @since 0.1
 */
public final class TargetSelector {
  private final MaglevTable primary;
  private final boolean[] eligible;
  private final int eligibleCount;
  // Over the eligible keys only; the primary itself when every key, or none, is eligible (it is
  // then never consulted).
  private final MaglevTable secondary;
  private final int[] secondaryToPrimary;

  private TargetSelector(
      MaglevTable primary,
      boolean[] eligible,
      int eligibleCount,
      MaglevTable secondary,
      int[] secondaryToPrimary) {
    this.primary = primary;
    this.eligible = eligible;
    this.eligibleCount = eligibleCount;
    this.secondary = secondary;
    this.secondaryToPrimary = secondaryToPrimary;
  }

  /**
   * Builds a selector.
   *
   * @param sortedKeys the target keys, distinct and sorted ascending (see {@link MaglevTable})
   * @param eligible per key, whether it may receive new flows; copied
   * @param size the table size, a prime greater than the number of keys, usually {@link
   *     MaglevTable#DEFAULT_SIZE}
   * @throws IllegalArgumentException if the keys or the size are invalid, or {@code eligible} is
   *     not as long as {@code sortedKeys}
   */
  public static TargetSelector build(String[] sortedKeys, boolean[] eligible, int size) {
    checkLength(eligible, sortedKeys.length);
    return withPrimary(MaglevTable.build(sortedKeys, size), eligible.clone());
  }

  /**
   * This selector with another eligibility mask. Reuses the primary table and builds only the
   * secondary one (none when every target is eligible); returns {@code this} when the mask is
   * unchanged.
   *
   * @param eligible per key, whether it may receive new flows; copied
   * @throws IllegalArgumentException if {@code eligible} is not as long as the key list
   */
  public TargetSelector withEligibility(boolean[] eligible) {
    checkLength(eligible, primary.keyCount());
    if (Arrays.equals(eligible, this.eligible)) {
      return this;
    }
    return withPrimary(primary, eligible.clone());
  }

  private static TargetSelector withPrimary(MaglevTable primary, boolean[] eligible) {
    int n = eligible.length;
    int count = 0;
    for (boolean e : eligible) {
      if (e) {
        count++;
      }
    }
    if (count == n || count == 0) {
      return new TargetSelector(primary, eligible, count, primary, new int[0]);
    }
    String[] keys = new String[count];
    int[] toPrimary = new int[count];
    for (int i = 0, j = 0; i < n; i++) {
      if (eligible[i]) {
        keys[j] = primary.key(i);
        toPrimary[j] = i;
        j++;
      }
    }
    // A subsequence of sorted keys is sorted, and size > n > count, so this cannot fail.
    MaglevTable secondary = MaglevTable.build(keys, primary.size());
    return new TargetSelector(primary, eligible, count, secondary, toPrimary);
  }

  /**
   * The index of the eligible target for the flow hash, or -1 when no target is eligible (or
   * there are no targets). Does not allocate.
   */
  public int select(long flowHash) {
    int i = primary.lookup(flowHash);
    if (i < 0 || eligible[i]) {
      return i;
    }
    if (eligibleCount == 0) {
      return -1;
    }
    return secondaryToPrimary[secondary.lookup(flowHash)];
  }

  /**
   * The index of the target the primary table picks, eligible or not, or -1 when there are no
   * targets: the choice of a snapshot that fails open. Does not allocate.
   */
  public int selectIgnoringEligibility(long flowHash) {
    return primary.lookup(flowHash);
  }

  /** The number of eligible targets. */
  public int eligibleCount() {
    return eligibleCount;
  }

  /** The number of targets, eligible or not. */
  public int keyCount() {
    return primary.keyCount();
  }

  /** Whether the target with the given index is eligible. */
  public boolean isEligible(int keyIndex) {
    return eligible[keyIndex];
  }

  /** The key of the target with the given index. */
  public String key(int keyIndex) {
    return primary.key(keyIndex);
  }

  /** The primary table, over every target; shared by every selector derived with {@link #withEligibility}. */
  public MaglevTable primary() {
    return primary;
  }

  @Override
  public String toString() {
    return "TargetSelector{keys=" + primary.keyCount() + ", eligible=" + eligibleCount
        + ", size=" + primary.size() + "}";
  }

  private static void checkLength(boolean[] eligible, int keyCount) {
    if (eligible.length != keyCount) {
      throw Problems.invalid("eligible.length", eligible.length, keyCount + ", one per key");
    }
  }
}
