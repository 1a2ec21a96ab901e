package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetHealthState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the whole demo (about 15-20 s: it waits for real health checks) and checks its story. */
class DemoTest {
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void run_targetStops_goesUnhealthyAndItsTrafficMoves() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Demo.Summary s;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      s = Demo.run(out);
    }
    String output = bytes.toString(StandardCharsets.UTF_8);

    // 1) Every target got traffic, each node kept to its zone, nothing failed.
    assertThat(s.before()).containsOnlyKeys("zone-a -> a1", "zone-a -> a2", "zone-b -> b1", "zone-b -> b2");
    assertThat(s.before().values()).allSatisfy(n -> assertThat(n).isPositive());
    assertThat(total(s.before())).isEqualTo(400);

    // 2) While a1 was down but not yet detected, only zone-a flows failed (those hashed to a1).
    assertThat(s.whileDetecting()).containsKey("zone-a -> reset").doesNotContainKeys("zone-a -> a1", "zone-b -> reset");
    assertThat(s.stoppedHealth().state()).isEqualTo(TargetHealthState.UNHEALTHY);
    assertThat(s.stoppedHealth().reason()).hasValue(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
    assertThat(output).contains("health of a1").contains("healthy -> unhealthy (Target.FailedHealthChecks");

    // 3) Afterwards zone-a's traffic all went to a2, zone-b's to b1 and b2, with no resets.
    assertThat(s.after()).containsOnlyKeys("zone-a -> a2", "zone-b -> b1", "zone-b -> b2");
    assertThat(s.after().get("zone-a -> a2")).isEqualTo(200);

    // Metrics: every connection was a new flow; every reset the client saw is counted, as the load
    // balancer's (a1 refused the connection) or, for a connection a1's kernel accepted just before
    // its socket closed, as the target's.
    int connections = total(s.before()) + total(s.whileDetecting()) + total(s.after());
    assertThat(s.metrics().get("NewFlowCount")).isEqualTo(connections);
    assertThat(s.metrics().getOrDefault("TCP_ELB_Reset_Count", 0L) + s.metrics().getOrDefault("TCP_Target_Reset_Count", 0L))
        .isEqualTo((long) s.whileDetecting().getOrDefault("zone-a -> reset", 0));
    assertThat(s.metrics().get("ProcessedBytes")).isPositive();
    assertThat(output).contains("NewFlowCount (Sum)").contains("describe-target-health:").contains("Done in");
  }

  private static int total(Map<String, Integer> counts) {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }
}
