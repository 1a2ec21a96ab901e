package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-loop timing wheel of idle timeouts, on an embedded event loop with a mock clock. */
@NullUnmarked
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IdleWheelTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();
  private final IdleWheel wheel = new IdleWheel(channel.eventLoop(), SECOND);
  /** Wheel-clock times at which nodes expired, in order. */
  private final List<Long> fired = new ArrayList<>();

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  /** A node that records when it expired and then does what {@code then} says. */
  private final class Probe extends IdleWheel.Node {
    final String name;
    LongConsumer then = now -> {};

    Probe(String name) {
      this.name = name;
    }

    @Override
    void expired(long now) {
      fired.add(now);
      then.accept(now);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private void advance(long nanos) {
    ticker.advance(nanos, TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void add_firesAtTheFirstTickAtOrAfterItsDeadline_neverEarly() {
    long t0 = wheel.now();
    Probe p = new Probe("p");
    wheel.add(p, t0 + SECOND * 5 / 2);
    assertThat(p.held()).isTrue();

    advance(SECOND * 24 / 10);
    assertThat(fired).as("2.4 s: before the deadline").isEmpty();
    advance(SECOND / 10);
    assertThat(fired).as("2.5 s: due, but its tick (3 s) has not passed").isEmpty();
    advance(SECOND / 2);
    assertThat(fired).hasSize(1);
    assertThat(fired.get(0) - t0).as("at most one tick late").isBetween(SECOND * 5 / 2, SECOND * 7 / 2);
    assertThat(p.held()).isFalse();
    assertThat(wheel.size()).isZero();
  }

  @Test
  void remove_beforeItsDeadline_neverFires_andRemovingTwiceIsHarmless() {
    Probe p = new Probe("p");
    Probe q = new Probe("q");
    wheel.add(p, wheel.now() + 2 * SECOND);
    wheel.add(q, wheel.now() + 2 * SECOND);
    wheel.remove(p);
    wheel.remove(p);
    assertThat(wheel.size()).isEqualTo(1);

    advance(3 * SECOND);
    assertThat(fired).hasSize(1);
    assertThat(wheel.size()).isZero();
  }

  @Test
  void expired_nodeAddsItselfAgain_firesAgainAtTheNewDeadline() {
    long t0 = wheel.now();
    Probe p = new Probe("p");
    p.then = now -> {
      if (fired.size() < 3) {
        wheel.add(p, now + 10 * SECOND);
      }
    };
    wheel.add(p, t0 + 10 * SECOND);
    for (int i = 0; i < 40; i++) {
      advance(SECOND);
    }
    assertThat(fired).containsExactly(t0 + 10 * SECOND, t0 + 20 * SECOND, t0 + 30 * SECOND);
    assertThat(wheel.size()).isZero();
  }

  @Test
  void expired_removesTheNextNodeOfItsBucket_thatNodeNeverFires() {
    long t0 = wheel.now();
    Probe first = new Probe("first");
    Probe second = new Probe("second");
    Probe third = new Probe("third");
    // One bucket is a list with the latest added first: third, second, first.
    wheel.add(first, t0 + SECOND);
    wheel.add(second, t0 + SECOND);
    wheel.add(third, t0 + SECOND);
    third.then = now -> wheel.remove(second);

    advance(SECOND);
    assertThat(fired).hasSize(2);
    assertThat(second.held()).isFalse();
    assertThat(first.held()).isFalse();
    assertThat(wheel.size()).isZero();
  }

  @Test
  void deadlineBeyondTheSpan_sharesABucket_firesOnItsOwnRoundOnly() {
    long t0 = wheel.now();
    Probe near = new Probe("near");
    Probe far = new Probe("far");
    wheel.add(near, t0 + 10 * SECOND);
    wheel.add(far, t0 + (10 + IdleWheel.BUCKETS) * SECOND);

    advance(10 * SECOND);
    assertThat(fired).containsExactly(t0 + 10 * SECOND);
    assertThat(far.held()).isTrue();

    advance(IdleWheel.BUCKETS * SECOND - 1);
    assertThat(fired).hasSize(1);
    advance(1);
    assertThat(fired).hasSize(2);
  }

  @Test
  void loopStalledLongerThanTheSpan_everyDueNodeFiresOnce() {
    long t0 = wheel.now();
    List<Probe> probes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Probe p = new Probe("p" + i);
      probes.add(p);
      wheel.add(p, t0 + (i + 1) * SECOND);
    }
    assertThat(wheel.size()).isEqualTo(1000);

    advance(2000 * SECOND);
    assertThat(fired).hasSize(1000);
    assertThat(probes).noneMatch(IdleWheel.Node::held);
    assertThat(wheel.size()).isZero();
  }

  @Test
  void emptyWheel_schedulesNoMoreTicks() {
    Probe p = new Probe("p");
    wheel.add(p, wheel.now() + SECOND);
    advance(SECOND);
    assertThat(fired).hasSize(1);
    long next = channel.runScheduledPendingTasks();
    assertThat(next).as("no tick pending once the wheel is empty").isEqualTo(-1);
  }

  @Test
  void perLoop_tickFollowsAShortOverride_sameWheelForTheSameLoop() {
    IdleWheel.PerLoop defaults = new IdleWheel.PerLoop(-1);
    assertThat(defaults.of(channel.eventLoop()).tickNanos).isEqualTo(IdleWheel.DEFAULT_TICK_NANOS);
    assertThat(defaults.of(channel.eventLoop())).isSameAs(defaults.of(channel.eventLoop()));
    IdleWheel.PerLoop shortOverride = new IdleWheel.PerLoop(TimeUnit.MILLISECONDS.toNanos(300));
    assertThat(shortOverride.of(channel.eventLoop()).tickNanos).isEqualTo(TimeUnit.MICROSECONDS.toNanos(37_500));
    IdleWheel.PerLoop tiny = new IdleWheel.PerLoop(TimeUnit.MICROSECONDS.toNanos(100));
    assertThat(tiny.of(channel.eventLoop()).tickNanos).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
  }

  @Test
  void newWheel_nonPositiveTick_rejectedNamingTheValue() {
    assertThatThrownBy(() -> new IdleWheel(channel.eventLoop(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tickNanos: 0 (expected: > 0)");
  }
}
