package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CrossZoneExampleTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void run_crossZoneOffThenOn_nodesReachOwnZoneThenAllTargets() {
    CrossZoneExample.Result r = CrossZoneExample.run(new PrintStream(OutputStream.nullOutputStream()));

    // Off: each node keeps to its zone; zone-a's only target takes all of zone-a's half.
    assertThat(r.off()).containsEntry("zone-a -> a1", 200)
        .containsOnlyKeys("zone-a -> a1", "zone-b -> b1", "zone-b -> b2", "zone-b -> b3");
    // On (load balancer attribute, then target group attribute): both nodes reach all four targets.
    for (var on : java.util.List.of(r.onForLoadBalancer(), r.onForTargetGroup())) {
      assertThat(on).containsOnlyKeys(
          "zone-a -> a1", "zone-a -> b1", "zone-a -> b2", "zone-a -> b3",
          "zone-b -> a1", "zone-b -> b1", "zone-b -> b2", "zone-b -> b3");
      // 200 flows over 4 targets: 50 expected each; far from the 200 a1 got with cross-zone off.
      assertThat(on.get("zone-a -> a1")).isBetween(20, 90);
    }
  }
}
