package io.nlb.benchmarks;

import io.nlb.core.internal.MaglevTable;
import io.nlb.core.internal.TargetSelector;
import java.util.Arrays;
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
 * What a change of the target set costs the control thread: building the Maglev table for {@code
 * targets} keys at the default size (a registration or deregistration), and deriving a selector
 * with one target ineligible, which builds only the secondary table (a health change).
 *
 * <p>Goal: N = 1000 at 65537 in at most 10 ms.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MaglevBuildBenchmark {
  @Param({"100", "1000"})
  public int targets;

  private String[] keys = new String[0];
  private TargetSelector healthy = TargetSelector.build(new String[0], new boolean[0], 13);
  private boolean[] oneUnhealthy = new boolean[0];

  @Setup
  public void setUp() {
    keys = new String[targets];
    for (int i = 0; i < targets; i++) {
      keys[i] = "10.0." + (i / 256) + "." + (i % 256) + ":80";
    }
    Arrays.sort(keys);
    boolean[] all = new boolean[targets];
    Arrays.fill(all, true);
    healthy = TargetSelector.build(keys, all, MaglevTable.DEFAULT_SIZE);
    oneUnhealthy = all.clone();
    oneUnhealthy[targets / 2] = false;
  }

  @Benchmark
  public MaglevTable build() {
    return MaglevTable.build(keys, MaglevTable.DEFAULT_SIZE);
  }

  @Benchmark
  public TargetSelector withOneUnhealthy() {
    return healthy.withEligibility(oneUnhealthy);
  }
}
