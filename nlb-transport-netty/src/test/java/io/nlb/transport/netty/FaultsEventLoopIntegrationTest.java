package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.nlb.core.ListenerConfig;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An event loop blocked by user code (here: a task of the embedding application on the event loop
 * group it shares with the transport) is detected and logged once per stall, with the blocked
 * thread's stack, and the loop serves again once the code returns. The watchdog's clock is a
 * {@link ManualScheduler}, so the test does not wait for the threshold.
 */
@NullUnmarked
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultsEventLoopIntegrationTest {
  private static final Duration THRESHOLD = Duration.ofSeconds(1);

  private static void runQueued(EventLoop loop) throws Exception {
    // Tasks run in order: once this one ran, every task queued before it has run.
    loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
  }

  private static void echoThrough(int port, String text) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(text);
    }
  }

  /** Blocks {@code loop} until the returned latch is counted down; returns once the block runs. */
  private static CountDownLatch block(EventLoop loop) throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Thread> runner = new java.util.concurrent.atomic.AtomicReference<>();
    loop.execute(() -> {
      runner.set(Thread.currentThread());
      started.countDown();
      try {
        release.await(20, TimeUnit.SECONDS); // the embedding application's blocking call
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    // Returns once the task is parked in its blocking call, so that a stack taken from now on shows
    // that call (not the instructions between countDown and await).
    Thread t = runner.get();
    for (int i = 0; i < 500 && t != null && t.getState() != Thread.State.TIMED_WAITING; i++) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    assertThat(t).isNotNull();
    assertThat(t.getState()).isEqualTo(Thread.State.TIMED_WAITING);
    return release;
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void userCodeBlocksASharedEventLoop_oneWarnPerStallWithStack_loopRecovers(IoMode mode) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, IoTransport.resolve(mode).handlerFactory);
    ManualScheduler clock = new ManualScheduler();
    List<String> warnings = new CopyOnWriteArrayList<>();
    Targets targets = new Targets();
    try (Harness h = new Harness(mode, b -> b.eventLoopGroup(group).eventLoopStallThreshold(THRESHOLD)
        .watchdogScheduler(clock).stallHook(warnings::add))) {
      Targets.Echo echo = targets.echo("127.0.0.1");
      TargetGroup g = h.group("web", Protocol.TCP);
      g.registerTargets(Target.ip("127.0.0.1", echo.port()));
      int port = Harness.freePort();
      h.lb("lb-watchdog", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
      echoThrough(port, "before");
      EventLoop blocked = (EventLoop) group.iterator().next();
      EventLoop other = (EventLoop) group.next();
      if (other == blocked) {
        other = (EventLoop) group.next();
      }
      String blockedThread = threadOf(blocked);
      EventLoop free = other;
      // One watchdog tick (half the threshold); then the free loop runs its heartbeat, as it would
      // in real time long before the next tick.
      Runnable step = () -> {
        clock.advance(THRESHOLD.dividedBy(2));
        try {
          runQueued(free);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      };
      step.run(); // heartbeats posted to both loops
      runQueued(blocked);

      CountDownLatch release = block(blocked);
      try {
        step.run(); // a heartbeat posted behind the blocking task
        step.run(); // waiting half the threshold: not yet a stall
        assertThat(h.transport.eventLoopStalls()).isZero();
        step.run(); // waiting the threshold
        assertThat(h.transport.eventLoopStalls()).isEqualTo(1);
        for (int i = 0; i < 6; i++) {
          step.run(); // the same stall is not logged again
        }
        assertThat(h.transport.eventLoopStalls()).isEqualTo(1);
        assertThat(warnings).hasSize(1);
        String w = warnings.get(0);
        assertThat(w).contains("event loop " + blockedThread + " ").contains("has not run a task for 1000 ms")
            .contains("threshold 1000 ms").contains("CountDownLatch.await")
            .contains(FaultsEventLoopIntegrationTest.class.getName());
      } finally {
        release.countDown();
      }
      runQueued(blocked);
      step.run();
      for (int i = 0; i < 10; i++) {
        echoThrough(port, "after " + i); // the loops serve again
      }
      for (int i = 0; i < 4; i++) {
        step.run();
        runQueued(blocked);
      }
      assertThat(h.transport.eventLoopStalls()).isEqualTo(1);

      // A second stall is a second warning.
      CountDownLatch again = block(blocked);
      try {
        for (int i = 0; i < 3; i++) {
          step.run();
        }
        assertThat(h.transport.eventLoopStalls()).isEqualTo(2);
        assertThat(warnings).hasSize(2);
      } finally {
        again.countDown();
      }
      runQueued(blocked);
      echoThrough(port, "end");
    } finally {
      targets.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static String threadOf(EventLoop loop) throws Exception {
    return loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
  }

  @Test
  void watchdogOff_countsNothing_andTheThresholdIsValidated() throws Exception {
    NettyTransport off = NettyTransport.builder().ioMode(IoMode.NIO).threads(1).eventLoopStallThreshold(Duration.ZERO)
        .build();
    try {
      assertThat(off.eventLoopStalls()).isZero();
    } finally {
      off.close();
    }
    assertThatThrownBy(() -> NettyTransport.builder().eventLoopStallThreshold(Duration.ofMillis(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eventLoopStallThreshold: PT0.005S (expected: 0 to turn the watchdog off, or at least 10 ms)");
    assertThatThrownBy(() -> NettyTransport.builder().eventLoopStallThreshold(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("eventLoopStallThreshold: PT-1S");
  }
}
