package io.nlb.core.internal;

import io.nlb.core.routing.FlowHash;
import io.nlb.core.routing.IpProtocol;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Fixed test populations: a million IPv4 TCP flow hashes and target keys like {@code 10.0.x.y:80}. */
final class Flows {
  static final int COUNT = 1_000_000;
  static final long SEED = 0x5EED_0000_0000_0001L;

  private static long[] ipv4Hashes = new long[0];

  private Flows() {}

  /**
   * The flow hashes of a million IPv4 TCP connections from random clients (random address, port
   * 1024-65535 and sequence, from a fixed-seed generator) to 10.0.0.1:443. Computed once and
   * shared; callers must not modify the array.
   */
  static synchronized long[] ipv4Hashes() {
    if (ipv4Hashes.length == 0) {
      SplittableRandom random = new SplittableRandom(42);
      long[] h = new long[COUNT];
      for (int i = 0; i < COUNT; i++) {
        h[i] = FlowHash.ipv4(SEED, IpProtocol.TCP, random.nextInt(), random.nextInt(1024, 65536),
            0x0A000001, 443, random.nextInt());
      }
      ipv4Hashes = h;
    }
    return ipv4Hashes;
  }

  /** The key of the {@code i}-th target: {@code 10.0.(i / 256).(i % 256):80}. */
  static String key(int i) {
    return "10.0." + (i / 256) + "." + (i % 256) + ":80";
  }

  /** The keys of targets 0 to n - 1, sorted. */
  static String[] sortedKeys(int n) {
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = key(i);
    }
    Arrays.sort(keys);
    return keys;
  }

  static boolean[] all(int n, boolean value) {
    boolean[] b = new boolean[n];
    Arrays.fill(b, value);
    return b;
  }
}
