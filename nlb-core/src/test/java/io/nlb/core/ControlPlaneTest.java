package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ControlPlaneTest {
  private final ControlPlane control = new ControlPlane();

  @Test
  void call_fromManyThreads_runsOneCommandAtATime() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            control.run(() -> {
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              done.incrementAndGet();
              running.decrementAndGet();
            });
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(done).hasValue(8_000);
    assertThat(maxRunning).hasValue(1);
  }

  @Test
  void call_fromACommand_runsInline() {
    int v = control.call(() -> control.call(() -> 7) + 1);
    assertThat(v).isEqualTo(8);
  }

  @Test
  void execute_fromACommand_runsAfterIt() {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    control.run(() -> {
      control.execute(() -> order.add("queued"));
      order.add("first");
    });
    assertThat(order).containsExactly("first", "queued");
  }

  @Test
  void call_rethrowsWhatTheCommandThrew_andKeepsServing() {
    assertThatThrownBy(() -> control.run(() -> {
      throw new NlbException(ErrorCode.VALIDATION_ERROR, "x: 1 (expected: 2)");
    })).isInstanceOf(NlbException.class).hasMessageContaining("x: 1");
    assertThat(control.call(() -> "ok")).isEqualTo("ok");
  }

  @Test
  void call_whileAnotherThreadRunsACommand_waitsAndIsRunByIt() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> control.run(() -> {
      inside.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    holder.start();
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> waiting = pool.submit(() -> control.call(() -> control.inControl()));
      Thread.sleep(50);
      assertThat(waiting.isDone()).isFalse();
      release.countDown();
      assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
      holder.join(5_000);
    }
  }
}
