package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CauseLogTest {
  private long now = 1_000;
  private final List<String> lines = new ArrayList<>();
  private final List<Throwable> stacks = new ArrayList<>();
  private final CauseLog log = new CauseLog((text, error) -> {
    lines.add(text);
    if (error != null) {
      stacks.add(error);
    }
  }, () -> now, Duration.ofSeconds(10));

  private void advance(long seconds) {
    now += TimeUnit.SECONDS.toNanos(seconds);
  }

  @Test
  void record_manyTimesInOneInterval_oneLineThenOneCountedLine() {
    for (int i = 0; i < 100_000; i++) {
      log.record("UDP flow table full", "lb UDP 127.0.0.1:53", null);
    }
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("nlb transport: UDP flow table full (starts; lb UDP 127.0.0.1:53)")
        .contains("at most once every 10 s");

    advance(10);
    log.record("UDP flow table full", "lb UDP 127.0.0.1:53", null);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).isEqualTo(
        "nlb transport: UDP flow table full: 100000 time(s) since the last line (latest: lb UDP 127.0.0.1:53)");
  }

  @Test
  void tick_writesPendingCountThenStoppedLine_onceEach() {
    log.record("limit", "x", null);
    log.record("limit", "x", null);
    log.record("limit", "x", null);
    advance(5);
    log.tick();
    assertThat(lines).hasSize(1); // the interval has not passed

    advance(5);
    log.tick();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).isEqualTo("nlb transport: limit: 2 time(s) since the last line");
    assertThat(log.active("limit")).isTrue();

    // the last occurrence was 10 s ago: the next tick says it stopped
    advance(1);
    log.tick();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).isEqualTo("nlb transport: limit (stopped: none for 10 s; 3 in total since it started 11 s ago)");
    assertThat(log.active("limit")).isFalse();

    advance(60);
    log.tick();
    assertThat(lines).hasSize(3);
  }

  @Test
  void record_afterStopped_startsAgain_stackTraceOnlyTheFirstTimeEver() {
    OutOfMemoryError oom = new OutOfMemoryError("Cannot reserve 32768 bytes of direct buffer memory");
    log.record("handler error", "conn 1", oom);
    log.record("handler error", "conn 2", oom);
    advance(10);
    log.tick();
    advance(10);
    log.tick(); // stopped
    log.record("handler error", "conn 3", oom);

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).contains("(starts; conn 1: java.lang.OutOfMemoryError: Cannot reserve 32768 bytes");
    assertThat(lines.get(3)).contains("(starts; conn 3: java.lang.OutOfMemoryError");
    assertThat(stacks).containsExactly(oom);
  }

  @Test
  void record_twoCauses_loggedIndependently() {
    for (int i = 0; i < 10; i++) {
      log.record("a", "x", null);
      log.record("b", "y", null);
    }
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("a (starts; x)");
    assertThat(lines.get(1)).contains("b (starts; y)");
  }
}
