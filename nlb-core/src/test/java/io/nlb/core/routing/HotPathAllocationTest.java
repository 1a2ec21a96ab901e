package io.nlb.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.internal.MaglevTable;
import io.nlb.core.internal.TargetSelector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The per-flow path allocates nothing: hashing and selection are called per connection or per
 * datagram. Each check warms the code up (so that the JIT has compiled it, as in production), then
 * counts the bytes this thread allocates over 100,000 calls, less what reading the counter costs.
 */
class HotPathAllocationTest {
  private static final int CALLS = 100_000;
  private static final int FLOWS = 1024; // a power of two, stepped with a mask
  private static final int MASK = FLOWS - 1;
  private static final long SEED = 0x5EED_0000_0000_0001L;

  private static final int[] SRC4 = new int[FLOWS];
  private static final int[] PORTS = new int[FLOWS];
  private static final int[] SEQUENCES = new int[FLOWS];
  private static final byte[][] SRC6 = new byte[FLOWS][16];
  private static final byte[] DST6 = FlowHashTest.ipv6("2001:db8::1");
  private static final long[] HASHES = new long[FLOWS];

  private static final TargetSelector DEGRADED;

  static {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < FLOWS; i++) {
      SRC4[i] = random.nextInt();
      PORTS[i] = random.nextInt(65536);
      SEQUENCES[i] = random.nextInt();
      random.nextBytes(SRC6[i]);
      HASHES[i] = random.nextLong();
    }
    String[] keys = new String[100];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "10.0.0." + i + ":80";
    }
    Arrays.sort(keys);
    boolean[] eligible = new boolean[keys.length];
    Arrays.fill(eligible, true);
    eligible[7] = false; // so that select also takes the secondary path
    eligible[42] = false;
    DEGRADED = TargetSelector.build(keys, eligible, MaglevTable.DEFAULT_SIZE);
  }

  @Test
  void flowHashIpv4_afterWarmUp_allocatesNothing() {
    assertThat(allocatedBytes(new LongSupplier() {
      int i;

      @Override
      public long getAsLong() {
        int f = i++ & MASK;
        return FlowHash.ipv4(SEED, (f & 1) == 0 ? IpProtocol.TCP : IpProtocol.UDP, SRC4[f],
            PORTS[f], 0x0A000001, 443, SEQUENCES[f]);
      }
    })).isZero();
  }

  @Test
  void flowHashIpv6_afterWarmUp_allocatesNothing() {
    assertThat(allocatedBytes(new LongSupplier() {
      int i;

      @Override
      public long getAsLong() {
        int f = i++ & MASK;
        return FlowHash.ipv6(SEED, (f & 1) == 0 ? IpProtocol.TCP : IpProtocol.UDP, SRC6[f],
            PORTS[f], DST6, 443, SEQUENCES[f]);
      }
    })).isZero();
  }

  @Test
  void sourceHashes_afterWarmUp_allocateNothing() {
    assertThat(allocatedBytes(new LongSupplier() {
      int i;

      @Override
      public long getAsLong() {
        int f = i++ & MASK;
        return FlowHash.sourceIpv4(SEED, IpProtocol.TCP, SRC4[f])
            ^ FlowHash.sourceIpv6(SEED, IpProtocol.UDP, SRC6[f]);
      }
    })).isZero();
  }

  @Test
  void targetSelectorSelect_afterWarmUp_allocatesNothing() {
    assertThat(allocatedBytes(new LongSupplier() {
      int i;

      @Override
      public long getAsLong() {
        long h = HASHES[i++ & MASK];
        return (long) DEGRADED.select(h) + DEGRADED.selectIgnoringEligibility(h);
      }
    })).isZero();
  }

  @Test
  void hashThenSelect_afterWarmUp_allocatesNothing() {
    assertThat(allocatedBytes(new LongSupplier() {
      int i;

      @Override
      public long getAsLong() {
        int f = i++ & MASK;
        long h = FlowHash.ipv4(SEED, IpProtocol.TCP, SRC4[f], PORTS[f], 0x0A000001, 443,
            SEQUENCES[f]);
        return DEGRADED.select(h);
      }
    })).isZero();
  }

  @Test
  void flowKeyHash_afterWarmUp_allocatesNothing() {
    FlowKey v4 = FlowKey.tcp(sa("192.0.2.10", 51514), sa("10.0.0.1", 443), 7);
    FlowKey v6 = FlowKey.udp(sa("2001:db8::10", 53), sa("2001:db8::1", 53));

    assertThat(allocatedBytes(new LongSupplier() {
      long seed;

      @Override
      public long getAsLong() {
        seed++;
        return v4.hash(seed) ^ v6.hash(seed) ^ v4.sourceHash(seed) ^ v6.sourceHash(seed);
      }
    })).isZero();
  }

  /** Bytes allocated by {@code CALLS} calls after as many warm-up calls, less the probe's own. */
  private static long allocatedBytes(LongSupplier call) {
    return AllocationMeter.allocatedBytes(call, CALLS);
  }

  private static InetSocketAddress sa(String literal, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(literal), port);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
