package io.nlb.healthcheck;

import io.nlb.core.Nlb;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.RouteTarget;
import io.nlb.core.Scheduler;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthListener;
import io.nlb.core.TargetHealthState;
import io.nlb.core.TargetSet;
import io.nlb.core.TargetSetListener;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.PassiveHealthSink;
import io.nlb.core.spi.Transport;
import io.nlb.metrics.MetricsRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health-check engine: attaches to an {@link Nlb}, actively checks every target that can
 * receive traffic, runs each target's {@link TargetHealthStateMachine}, reports every transition
 * to the core by ids ({@link Nlb#reportHealth(String, java.util.Map)}, a command that republishes
 * routing) and to application
 * listeners, and receives passive signals from the data plane ({@link PassiveHealthSink}).
 *
 * <pre>{@code
 * Nlb nlb = Nlb.builder().transport(NettyTransport.builder().build()).build(); // the probe comes from the transport
 * // ... target groups, load balancer, listeners, targets ...
 * try (HealthCheckEngine health = HealthCheckEngine.builder(nlb)
 *     .listener((target, previous, current) -> log.info("{}: {} -> {}", target, previous, current))
 *     .build()) {
 *   health.start();
 *   ...
 *   int up = health.healthyHostCount(web, "zone-a");
 * }
 * }</pre>
 *
 * <h2>Which targets are checked</h2>
 *
 * At {@link #start()}, and whenever the control plane reports that the target set may have changed
 * ({@link Nlb#addTargetSetListener(io.nlb.core.TargetSetListener)}: a registration, a deregistration
 * ending, a listener, zone or health-check setting changed), the control plane delivers the {@link
 * TargetSet} — the targets as values — and the engine makes its running checks match it; it reads
 * nothing of the {@link Nlb} itself. A target is checked when its group is
 * used by a listener of a load balancer and it is in an enabled zone — exactly the targets the
 * core does not report {@code unused}. Draining targets keep being checked until they are removed: their health stays
 * current, so a target registered again while draining comes back with a fresh health and not
 * with the one it had when it was deregistered. A target that stops being checked keeps the
 * health the core holds; when checking resumes, its state machine starts from that health.
 *
 * <h2>Scheduling</h2>
 *
 * All timing comes from the injected {@link Scheduler} (the {@link Nlb}'s by default), so tests
 * drive it with a {@code ManualScheduler}. Each (target, checking node) pair has one chain of
 * checks: the first starts at a random point of the first interval, so that thousands of targets
 * registered together spread out; each next check is scheduled when the previous one completes,
 * {@code interval × (1 ± jitter)} after the previous one <em>started</em> (never earlier than
 * now). So checks of one target never overlap, and no thread is held per target: the scheduler
 * thread only starts non-blocking {@link HealthProbe} checks, which the transport performs on its
 * event loops. Settings are read from the group at every reconcile and used from the next check.
 *
 * <h2>Reporting</h2>
 *
 * Transitions are queued in order and handed to the core in batches, at most one {@link
 * Nlb#reportHealth(String, java.util.Map)} per group per {@link Builder#reportDelay report delay}
 * (default 50 ms): ten thousand targets becoming healthy at start-up then cost a few routing
 * republications rather than ten thousand. Reports name groups and registrations by id; a
 * registration deregistered meanwhile is skipped by the core. The engine's own listeners are called
 * from the same flush, for every transition (none coalesced) of a registration the core still
 * holds, in order per target, on the scheduler thread.
 *
 * <h2>Consensus</h2>
 *
 * See {@link Consensus}: by default one checker (the node of the target's zone); with {@link
 * Consensus#MAJORITY} every node checks and the majority view is reported.
 *
 * <h2>Passive checks</h2>
 *
 * {@link #start()} attaches the engine as the {@link Nlb}'s {@link PassiveHealthSink}; the
 * transport reports connection outcomes there. {@value TargetHealthStateMachine#PASSIVE_FAILURE_THRESHOLD}
 * consecutive failures take a healthy target out of service at once; only active checks bring it
 * back (see {@link TargetHealthStateMachine}).
 *
 * <p>Thread-safe. {@link #close()} stops checking and detaches; the {@link Nlb} is not closed.
 *
 * @since 0.1
 */
public final class HealthCheckEngine implements AutoCloseable, PassiveHealthSink {
  private static final Logger log = LoggerFactory.getLogger(HealthCheckEngine.class);
  private final Nlb nlb;
  private final CheckScheduler checks;
  private final HealthReporter reporter;
  private final Reconciler reconciler;
  private final HostCounts hostCounts;
  private final Scheduler scheduler;
  private final Consensus consensus;
  private final Duration retryDelay;
  /** The target set the control plane delivered last. */
  private final AtomicReference<TargetSet> latest = new AtomicReference<>(TargetSet.EMPTY);
  /** The target set the checks match (guarded by {@link #lifecycle}); null before the first. */
  private @Nullable TargetSet applied;
  /** Told by the control plane the target set whenever it may have changed; schedules one reconcile. */
  private final TargetSetListener targetSetChanged = set -> {
    latest.set(set);
    reconcileSoon();
  };
  private final Object lifecycle = new Object();
  private boolean started;
  private boolean closed;
  /** Whether a re-read is scheduled and has not started yet (guarded by {@link #lifecycle}). */
  private boolean pending;
  private Scheduler.@Nullable Cancellable retry;
  /** How many target sets the engine has made its checks match (tests). */
  private final AtomicLong applies = new AtomicLong();

  private HealthCheckEngine(Builder b) {
    this.nlb = b.nlb;
    Scheduler scheduler = b.scheduler != null ? b.scheduler : nlb.scheduler();
    this.scheduler = scheduler;
    this.consensus = b.consensus;
    this.retryDelay = b.reconcileInterval;
    RandomGenerator random = b.random != null ? b.random : new SplittableRandom();
    this.checks = new CheckScheduler(scheduler, random, b.jitter, probeOf(b), b.preamble, b.timeoutOverride);
    // The reporter publishes host counts after each batch; the counts read the reconciler's targets.
    this.reporter = new HealthReporter(scheduler, b.reportDelay, b.listeners, nlb::reportHealth, this::publishHostCounts);
    this.reconciler = new Reconciler(checks, reporter);
    this.hostCounts = new HostCounts(b.metrics, reconciler);
  }

  /** Schedules one re-read of the target set, unless one is already waiting to start. */
  private void reconcileSoon() {
    synchronized (lifecycle) {
      if (!started || closed || pending) {
        return;
      }
      pending = true;
    }
    scheduler.schedule(Duration.ZERO, this::reconcileNow);
  }

  /**
   * Makes the checks match the target set delivered last, unless they already do; on failure,
   * tries again after the retry delay.
   */
  private void reconcileNow() {
    TargetSet set = java.util.Objects.requireNonNull(latest.get());
    synchronized (lifecycle) {
      pending = false;
      if (closed || set == applied) {
        return;
      }
      applied = set;
    }
    applies.incrementAndGet();
    try {
      reconcile(DesiredTargetsReader.from(set, consensus));
    } catch (RuntimeException e) {
      log.warn("health-check reconcile failed; retrying in {}", retryDelay, e);
      synchronized (lifecycle) {
        applied = null;
        if (!closed) {
          retry = scheduler.schedule(retryDelay, this::reconcileSoon);
        }
      }
    }
  }

  /** {@return how many target sets the engine has made its checks match (each delivered by the control plane)} */
  long targetSetsApplied() {
    return applies.get();
  }

  /** Makes the checks match {@code desired}. */
  void reconcile(DesiredTargets desired) {
    reconciler.apply(desired);
    publishHostCounts();
  }

  private void publishHostCounts() {
    TargetSet set;
    synchronized (lifecycle) {
      set = applied;
    }
    if (set != null) {
      hostCounts.publish(set);
    }
  }

  private static HealthProbe probeOf(Builder b) {
    HealthProbe given = b.probe;
    if (given != null) {
      return given;
    }
    return b.nlb.transport().flatMap(Transport::healthProbe).orElseThrow(() -> new IllegalStateException(
        "probe: none (expected: an Nlb whose transport supplies a health probe, such as NettyTransport, or Builder.probe(...))"));
  }

  /**
   * Starts a builder for an engine checking the targets of {@code nlb}.
   *
   * @param nlb the nlb
   * @return a new builder
   */
  public static Builder builder(Nlb nlb) {
    return new Builder(nlb);
  }

  /**
   * Starts checking: reconciles now (on the calling thread) with the target set the control plane
   * delivers when the engine subscribes, then with every later one (on the scheduler), and
   * attaches the engine as the {@link Nlb}'s passive health sink. Idempotent.
   */
  public void start() {
    synchronized (lifecycle) {
      if (started || closed) {
        return;
      }
      started = true;
    }
    nlb.attachPassiveHealthSink(this);
    nlb.addTargetSetListener(targetSetChanged);
    reconcileNow();
  }

  /**
   * Adds an application listener told about every transition (see the class comment).
   *
   * @param listener the listener
   */
  public void addListener(TargetHealthListener listener) {
    reporter.addListener(listener);
  }

  /**
   * Removes a listener; unknown listeners are ignored.
   *
   * @param listener the listener
   */
  public void removeListener(TargetHealthListener listener) {
    reporter.removeListener(listener);
  }

  /**
   * The health the engine holds for {@code target}.
   *
   * @param target a registered target
   * @return its health; empty when it is not being checked
   */
  public Optional<TargetHealth> health(RegisteredTarget target) {
    TrackedTarget t = reconciler.get(target.registrationId());
    return t == null ? Optional.empty() : Optional.of(t.health());
  }

  /**
   * Checks of {@code target} completed so far, over every checking node; 0 when not checked.
   *
   * @param target the target
   * @return the completed checks
   */
  public long completedChecks(RegisteredTarget target) {
    TrackedTarget t = reconciler.get(target.registrationId());
    return t == null ? 0 : t.completedChecks();
  }

  /**
   * Checks completed since the engine was built, over all targets.
   *
   * @return the completed checks
   */
  public long completedChecks() {
    return checks.completed();
  }

  /**
   * Checks started since the engine was built, over all targets.
   *
   * @return the started checks
   */
  public long startedChecks() {
    return checks.started();
  }

  /** {@return how many targets are being checked} */
  public int checkedTargetCount() {
    return reconciler.size();
  }

  /**
   * {@return the {@code HealthyHostCount} metric: targets of {@code group} in {@code zone} that the engine
   * holds healthy, not counting ALB targets nor draining ones}
   *
   * @param group the target group
   * @param zone the zone's name
   */
  public int healthyHostCount(TargetGroup group, String zone) {
    return hostCounts.count(group.resourceId(), zone, TargetHealthState.HEALTHY);
  }

  /**
   * {@return the {@code UnHealthyHostCount} metric: targets of {@code group} in {@code zone} that the engine
   * holds unhealthy, not counting ALB targets nor draining ones}
   *
   * @param group the target group
   * @param zone the zone's name
   */
  public int unhealthyHostCount(TargetGroup group, String zone) {
    return hostCounts.count(group.resourceId(), zone, TargetHealthState.UNHEALTHY);
  }

  @Override
  public void connectFailed(RouteTarget target) {
    passive(target, true);
  }

  @Override
  public void targetReset(RouteTarget target) {
    passive(target, true);
  }

  @Override
  public void connected(RouteTarget target) {
    passive(target, false);
  }

  private void passive(RouteTarget target, boolean failure) {
    TrackedTarget t = reconciler.get(target.registrationId());
    if (t != null) {
      t.passive(failure);
    }
  }

  /** Stops checking and detaches from the {@link Nlb}; the probe is left to its owner. Idempotent. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    nlb.removeTargetSetListener(targetSetChanged);
    synchronized (lifecycle) {
      Scheduler.Cancellable r = retry;
      if (r != null) {
        r.cancel();
      }
    }
    checks.close();
    reporter.close();
    nlb.detachPassiveHealthSink(this);
    reconciler.close();
  }

  /**
   * Builds a {@link HealthCheckEngine}. Everything but the {@link Nlb} has a default. Not
   * thread-safe.
   */
  public static final class Builder {
    private final Nlb nlb;
    private @Nullable Scheduler scheduler;
    private @Nullable RandomGenerator random;
    private @Nullable HealthProbe probe;
    private Consensus consensus = Consensus.MAJORITY;
    private double jitter = 0.1;
    private Duration reconcileInterval = Duration.ofSeconds(1);
    private Duration reportDelay = Duration.ofMillis(50);
    private ProbePreamble preamble = ProbePreamble.PROXY_V2_LOCAL;
    private MetricsRecorder metrics = MetricsRecorder.noop();
    private @Nullable Duration timeoutOverride;
    private final List<TargetHealthListener> listeners = new ArrayList<>();

    Builder(Nlb nlb) {
      this.nlb = nlb;
    }

    /**
     * The timer and clock of the checks; defaults to the {@link Nlb}'s scheduler.
     *
     * @param scheduler the timer and clock of the checks; defaults to the {@link Nlb}'s scheduler
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * The source of jitter; defaults to a {@link SplittableRandom}. Used under a lock.
     *
     * @param random the source of jitter; defaults to a {@link SplittableRandom}
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /**
     * The probe performing checks; defaults to the one the {@link Nlb}'s transport supplies ({@link
     * Transport#healthProbe()}), which runs on the transport's event loops. The engine never
     * closes a probe: its creator does (the transport closes its own).
     *
     * @param probe the probe performing checks; its creator closes it
     * @return this builder
     */
    public Builder probe(HealthProbe probe) {
      this.probe = probe;
      return this;
    }

    /**
     * Which nodes check and how their views combine; defaults to {@link Consensus#MAJORITY}.
     *
     * @param consensus the consensus rule
     * @return this builder
     */
    public Builder consensus(Consensus consensus) {
      this.consensus = consensus;
      return this;
    }

    /**
     * The interval varies by ± this fraction, 0-0.5; defaults to 0.1.
     *
     * @param fraction the interval varies by ± this fraction, 0-0.5; defaults to 0.1
     * @return this builder
     */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 0.5)) {
        throw new IllegalArgumentException("jitter: " + fraction + " (expected: 0-0.5)");
      }
      this.jitter = fraction;
      return this;
    }

    /**
     * How long the engine waits before reading the target set again after a read failed, 10 ms-60
     * s; defaults to 1 s. (The target set is read at start and when the control plane reports a
     * change, never on a timer.)
     *
     * @param interval the retry delay after a failed read, 10 ms-60 s
     * @return this builder
     */
    public Builder reconcileInterval(Duration interval) {
      if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("reconcileInterval: " + interval + " (expected: 10 ms-60 s)");
      }
      this.reconcileInterval = interval;
      return this;
    }

    /**
     * How long transitions may wait to be reported together, 0-1 s; defaults to 50 ms.
     *
     * @param delay how long transitions may wait to be reported together, 0-1 s; defaults to 50 ms
     * @return this builder
     */
    public Builder reportDelay(Duration delay) {
      if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("reportDelay: " + delay + " (expected: 0-1 s)");
      }
      this.reportDelay = delay;
      return this;
    }

    /**
     * Where {@code HealthyHostCount} and {@code UnHealthyHostCount} are recorded, per load
     * balancer, zone and target group (default: nowhere). ALB targets are not counted.
     *
     * @param recorder the metrics recorder
     * @return this builder
     */
    public Builder metrics(MetricsRecorder recorder) {
      this.metrics = recorder;
      return this;
    }

    /**
     * The bytes written first on every check connection; defaults to {@link
     * ProbePreamble#PROXY_V2_LOCAL} (a PROXY v2 LOCAL header for groups with PROXY protocol on).
     *
     * @param preamble the bytes written first on every check connection; defaults to {@link ProbePreamble#PROXY_V2_LOCAL} (a PROXY v2 LOCAL header for groups with PROXY protocol on)
     * @return this builder
     */
    public Builder preamble(ProbePreamble preamble) {
      this.preamble = preamble;
      return this;
    }

    /**
     * Adds an application listener told about every transition.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(TargetHealthListener listener) {
      listeners.add(listener);
      return this;
    }

    /** Tests only: a probe timeout replacing the settings' (which cannot go below 2 s). */
    Builder timeoutOverride(Duration timeout) {
      this.timeoutOverride = timeout;
      return this;
    }

    /**
     * Builds the engine; call {@link HealthCheckEngine#start()} to begin checking.
     *
     * @throws IllegalStateException when no probe was given and the {@link Nlb}'s transport (if
     *     any) supplies none
     *
     * @return the new {@code HealthCheckEngine}
     */
    public HealthCheckEngine build() {
      return new HealthCheckEngine(this);
    }
  }
}
