package io.nlb.benchmarks;

import io.nlb.core.internal.MaglevTable;
import io.nlb.core.internal.TargetSelector;
import io.nlb.core.routing.FlowHash;
import io.nlb.core.routing.IpProtocol;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-connection routing decision: hash a new flow with {@link FlowHash}, then pick its
 * target with {@link TargetSelector#select}, for IPv4 and IPv6 TCP flows against 100 targets at
 * the default table size. {@code unhealthy} targets are marked ineligible, so that about that
 * share of flows also takes the secondary table.
 *
 * <p>Goals: IPv4 at most 25 ns/op, IPv6 at most 50 ns/op, no allocation ({@code -prof gc}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FlowHashSelectBenchmark {
  private static final int FLOWS = 4096; // a power of two, stepped with a mask
  private static final int MASK = FLOWS - 1;
  private static final long SEED = 0x5EED_0000_0000_0001L;
  private static final int TARGETS = 100;

  /** How many of the 100 targets are ineligible. */
  @Param({"0", "10"})
  public int unhealthy;

  private final int[] src4 = new int[FLOWS];
  private final int[] srcPorts = new int[FLOWS];
  private final int[] sequences = new int[FLOWS];
  private final byte[][] src6 = new byte[FLOWS][16];
  private final byte[] dst6 = new byte[16];
  private TargetSelector selector = TargetSelector.build(new String[0], new boolean[0], 13);
  private int cursor;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < FLOWS; i++) {
      src4[i] = random.nextInt();
      srcPorts[i] = random.nextInt(1024, 65536);
      sequences[i] = random.nextInt();
      random.nextBytes(src6[i]);
    }
    random.nextBytes(dst6);
    String[] keys = new String[TARGETS];
    for (int i = 0; i < TARGETS; i++) {
      keys[i] = "10.0.0." + i + ":80";
    }
    Arrays.sort(keys);
    boolean[] eligible = new boolean[TARGETS];
    Arrays.fill(eligible, true);
    for (int i = 0; i < unhealthy; i++) {
      eligible[i * (TARGETS / unhealthy)] = false;
    }
    selector = TargetSelector.build(keys, eligible, MaglevTable.DEFAULT_SIZE);
  }

  @Benchmark
  public int ipv4() {
    int f = cursor++ & MASK;
    long h = FlowHash.ipv4(SEED, IpProtocol.TCP, src4[f], srcPorts[f], 0x0A000001, 443,
        sequences[f]);
    return selector.select(h);
  }

  @Benchmark
  public int ipv6() {
    int f = cursor++ & MASK;
    long h = FlowHash.ipv6(SEED, IpProtocol.TCP, src6[f], srcPorts[f], dst6, 443, sequences[f]);
    return selector.select(h);
  }
}
