package io.nlb.healthcheck;

import io.nlb.core.HealthCheck;
import io.nlb.core.TargetSet;
import io.nlb.core.Scheduler;
import io.nlb.core.spi.CheckOutcome;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.ProbeRequest;
import io.nlb.core.spi.ProbeResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one chain of checks per (target, checking node) on the injected {@link Scheduler}: the first
 * check at a random point of the first interval, each next one {@code interval × (1 ± jitter)}
 * after the previous one started (never earlier than now), scheduled when the previous one
 * completes — so checks of one pair never overlap and no thread is held per target. Each check
 * reads the target's settings when it starts, asks the {@link HealthProbe}, and feeds the outcome
 * to the node's {@link TargetHealthStateMachine}.
 *
 * <p>Thread-safe: a chain's state is guarded by its {@link TrackedTarget}'s monitor; probe results
 * may arrive on any thread.
 */
final class CheckScheduler {
  private static final Logger log = LoggerFactory.getLogger(CheckScheduler.class);

  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final double jitter;
  private final HealthProbe probe;
  private final ProbePreamble preamble;
  private final @Nullable Duration timeoutOverride;
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private volatile boolean closed;

  CheckScheduler(Scheduler scheduler, RandomGenerator random, double jitter, HealthProbe probe, ProbePreamble preamble,
      @Nullable Duration timeoutOverride) {
    this.scheduler = scheduler;
    this.random = random;
    this.jitter = jitter;
    this.probe = probe;
    this.preamble = preamble;
    this.timeoutOverride = timeoutOverride;
  }

  /** Starts the chains of every node of {@code t}, spread over its first interval. */
  void start(TrackedTarget t) {
    synchronized (t) {
      Duration interval = t.settings().interval();
      for (TrackedTarget.NodeChecker c : t.nodes) {
        scheduleNext(c, Duration.ofNanos((long) (nextDouble() * interval.toNanos())));
      }
    }
  }

  /** Checks started since creation. */
  long started() {
    return started.get();
  }

  /** Checks completed since creation. */
  long completed() {
    return completed.get();
  }

  /** No chain continues after this; results still in flight are counted and dropped. */
  void close() {
    closed = true;
  }

  /** Called with {@code c.owner} locked. */
  private void scheduleNext(TrackedTarget.NodeChecker c, Duration delay) {
    if (closed || c.owner.isRemoved()) {
      return;
    }
    c.next = scheduler.schedule(delay, () -> startCheck(c));
  }

  private void startCheck(TrackedTarget.NodeChecker c) {
    TrackedTarget t = c.owner;
    HealthCheck settings;
    synchronized (t) {
      c.next = null;
      if (closed || t.isRemoved() || c.inFlight) {
        return;
      }
      settings = t.settings();
      c.inFlight = true;
      c.startNanos = scheduler.nanoTime();
      if (c.machine.checkStarted()) {
        t.combine();
      }
    }
    started.incrementAndGet();
    TargetSet.Member member = t.member();
    InetSocketAddress address = checkAddress(member, settings, c.startNanos);
    if (address == null) {
      complete(c, settings, ProbeResult.of(CheckOutcome.ERROR, "the ALB endpoint has no address yet"));
      return;
    }
    ProbeRequest request = ProbeRequest.of(settings, address, c.node.host());
    Duration override = timeoutOverride;
    if (override != null) {
      request = request.withTimeout(override);
    }
    byte[] pre = preamble.preamble(t.use(), member);
    if (pre.length > 0) {
      request = request.withPreamble(pre);
    }
    try {
      probe.check(request, r -> complete(c, settings, r));
    } catch (RuntimeException e) {
      complete(c, settings, ProbeResult.of(CheckOutcome.ERROR, "probe failed to start: " + e));
    }
  }

  /** The member's address (for an ALB endpoint one of them, chosen by {@code salt}) on the check port. */
  private static @Nullable InetSocketAddress checkAddress(TargetSet.Member m, HealthCheck settings, long salt) {
    List<InetSocketAddress> all = m.addresses();
    if (all.isEmpty()) {
      return null;
    }
    InetSocketAddress a = all.get((int) Long.remainderUnsigned(salt, all.size()));
    int port = settings.port().orElse(m.port());
    return port == a.getPort() ? a : new InetSocketAddress(a.getAddress(), port);
  }


  private void complete(TrackedTarget.NodeChecker c, HealthCheck settings, ProbeResult result) {
    TrackedTarget t = c.owner;
    completed.incrementAndGet();
    synchronized (t) {
      c.inFlight = false;
      c.completed++;
      c.lastResult = result;
      if (t.isRemoved() || closed) {
        return;
      }
      if (c.machine.record(result.outcome(), settings)) {
        log.debug("{} seen from {}: {} ({})", t, c.node.zone(), c.machine.health(), result.detail());
        t.combine();
      }
      double factor = 1 + jitter * (2 * nextDouble() - 1);
      long dueNanos = c.startNanos + (long) (settings.interval().toNanos() * factor);
      scheduleNext(c, Duration.ofNanos(Math.max(0, dueNanos - scheduler.nanoTime())));
    }
  }

  private double nextDouble() {
    synchronized (random) {
      return random.nextDouble();
    }
  }
}
