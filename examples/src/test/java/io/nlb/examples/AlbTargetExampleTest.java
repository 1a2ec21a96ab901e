package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class AlbTargetExampleTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void run_albAddressesChange_newFlowsFollowExistingFlowStays() throws Exception {
    AlbTargetExample.Result r = AlbTargetExample.run(new PrintStream(OutputStream.nullOutputStream()));

    assertThat(r.first()).isEqualTo(Map.of("alb-node-1", 20));
    assertThat(r.afterMove()).isEqualTo(Map.of("alb-node-2", 20));
    assertThat(r.keptConnection()).isEqualTo("alb-node-1");
    // Both addresses, 20 flows chosen by hash: both nodes answer (odds of missing one: 2 in a million).
    assertThat(r.both()).containsOnlyKeys("alb-node-1", "alb-node-2");
  }
}
