package io.nlb.healthcheck;

import io.nlb.core.HealthCheck;
import io.nlb.core.Listener;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.Scheduler;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetHealthListener;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetHealthState;
import io.nlb.core.Zone;
import io.nlb.core.spi.PassiveHealthSink;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricsRecorder;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health-check engine: attaches to an {@link Nlb}, actively checks every target that can
 * receive traffic, runs each target's {@link TargetHealthStateMachine}, reports every transition
 * to the core ({@link TargetGroup#reportHealth}, which republishes routing) and to application
 * listeners, and receives passive signals from the data plane ({@link PassiveHealthSink}).
 *
 * <pre>{@code
 * Nlb nlb = Nlb.builder().build();
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
 * Every {@link Builder#reconcileInterval reconcile interval} (and at {@link #start()}) the engine
 * reads the configuration: a target is checked when its group is used by a listener of a load
 * balancer and it is in an enabled zone — exactly the targets the core does not report {@code
 * unused}. Draining targets keep being checked until they are removed: their health stays
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
 * thread only starts non-blocking {@link HealthProbe} checks. Settings are read from the group at
 * the start of every check, so a change applies from the next check.
 *
 * <h2>Reporting</h2>
 *
 * Transitions are queued in order and handed to the core in batches, at most one {@link
 * TargetGroup#reportHealth(java.util.Map)} per group per {@link Builder#reportDelay report delay}
 * (default 50 ms): ten thousand targets becoming healthy at start-up then cost a few routing
 * republications rather than ten thousand. The engine's own listeners are called from the same
 * flush, for every transition (none coalesced), in order per target, on the scheduler thread.
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
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final HealthProbe probe;
  private final boolean ownsProbe;
  private final Consensus consensus;
  private final double jitter;
  private final Duration reconcileInterval;
  private final Duration reportDelay;
  private final ProbePreamble preamble;
  private final MetricsRecorder metrics;
  /** Host-count gauges by dimensions; resolved once, set after every reconcile and report. */
  private final Map<Dimensions, Gauge[]> hostGauges = new ConcurrentHashMap<>();
  private final @Nullable Duration timeoutOverride;
  private final List<TargetHealthListener> listeners;

  /** By registration id. */
  private final ConcurrentHashMap<Long, Tracked> tracked = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Transition> transitions = new ConcurrentLinkedQueue<>();
  private final Object lifecycle = new Object();
  private final AtomicLong checksStarted = new AtomicLong();
  private final AtomicLong checksCompleted = new AtomicLong();
  private boolean flushScheduled;
  private boolean started;
  private volatile boolean closed;
  private Scheduler.@Nullable Cancellable reconcileTask;

  private HealthCheckEngine(Builder b) {
    this.nlb = b.nlb;
    this.scheduler = b.scheduler != null ? b.scheduler : nlb.scheduler();
    this.random = b.random != null ? b.random : new SplittableRandom();
    this.ownsProbe = b.probe == null;
    this.probe = b.probe != null ? b.probe : HealthProbe.nio();
    this.consensus = b.consensus;
    this.jitter = b.jitter;
    this.reconcileInterval = b.reconcileInterval;
    this.reportDelay = b.reportDelay;
    this.preamble = b.preamble;
    this.metrics = b.metrics;
    this.timeoutOverride = b.timeoutOverride;
    this.listeners = new CopyOnWriteArrayList<>(b.listeners);
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
   * Starts checking: reconciles now (on the calling thread), then every reconcile interval, and
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
    reconcileAndReschedule();
  }

  /**
   * Adds an application listener told about every transition (see the class comment).
   *
   * @param listener the listener
   */
  public void addListener(TargetHealthListener listener) {
    listeners.add(listener);
  }

  /**
   * Removes a listener; unknown listeners are ignored.
   *
   * @param listener the listener
   */
  public void removeListener(TargetHealthListener listener) {
    listeners.remove(listener);
  }

  // ------------------------------------------------------------------ queries

  /**
   * {@return the health the engine holds for {@code target}; empty when it is not being checked}
   *
   * @param target the target
   */
  public java.util.Optional<TargetHealth> health(RegisteredTarget target) {
    Tracked t = tracked.get(target.registrationId());
    if (t == null) {
      return java.util.Optional.empty();
    }
    synchronized (t) {
      return java.util.Optional.of(t.health);
    }
  }

  /**
   * Checks of {@code target} completed so far, over every checking node; 0 when not checked.
   *
   * @param target the target
   * @return the completed checks
   */
  public long completedChecks(RegisteredTarget target) {
    Tracked t = tracked.get(target.registrationId());
    if (t == null) {
      return 0;
    }
    synchronized (t) {
      long n = 0;
      for (NodeChecker c : t.nodes) {
        n += c.completed;
      }
      return n;
    }
  }

  /**
   * Checks completed since the engine was built, over all targets.
   *
   * @return the completed checks
   */
  public long completedChecks() {
    return checksCompleted.get();
  }

  /**
   * Checks started since the engine was built, over all targets.
   *
   * @return the started checks
   */
  public long startedChecks() {
    return checksStarted.get();
  }

  /** {@return how many targets are being checked} */
  public int checkedTargetCount() {
    return tracked.size();
  }

  /**
   * {@return the {@code HealthyHostCount} metric: targets of {@code group} in {@code zone} that the engine
   * holds healthy, not counting ALB targets nor draining ones}
   *
   * @param group the target group
   * @param zone the zone's name
   */
  public int healthyHostCount(TargetGroup group, String zone) {
    return count(group, zone, TargetHealthState.HEALTHY);
  }

  /**
   * {@return the {@code UnHealthyHostCount} metric: targets of {@code group} in {@code zone} that the engine
   * holds unhealthy, not counting ALB targets nor draining ones}
   *
   * @param group the target group
   * @param zone the zone's name
   */
  public int unhealthyHostCount(TargetGroup group, String zone) {
    return count(group, zone, TargetHealthState.UNHEALTHY);
  }

  private int count(TargetGroup group, String zone, TargetHealthState state) {
    int n = 0;
    for (Tracked t : tracked.values()) {
      if (t.group == group && !t.target.isAlb() && zone.equals(t.zone) && !t.target.isDraining()) {
        synchronized (t) {
          if (t.health.state() == state) {
            n++;
          }
        }
      }
    }
    return n;
  }

  /** Sets the host-count gauges of every (load balancer, zone, group) the engine checks. */
  private void publishHostCounts() {
    for (LoadBalancer lb : nlb.loadBalancers()) {
      Set<TargetGroup> groups = new LinkedHashSet<>();
      for (Listener l : lb.listeners()) {
        nlb.targetGroup(l.config().targetGroup()).ifPresent(groups::add);
      }
      for (TargetGroup g : groups) {
        for (Zone z : lb.zones()) {
          Dimensions dims = Dimensions.of(lb.resourceId(), z.name(), g.resourceId());
          Gauge[] gauges = hostGauges.computeIfAbsent(dims, d -> new Gauge[] {
              metrics.gauge(Metric.HEALTHY_HOST_COUNT, d), metrics.gauge(Metric.UNHEALTHY_HOST_COUNT, d)});
          gauges[0].set(healthyHostCount(g, z.name()));
          gauges[1].set(unhealthyHostCount(g, z.name()));
        }
      }
    }
  }

  // ------------------------------------------------------------------ passive signals

  @Override
  public void connectFailed(RegisteredTarget target) {
    passive(target, true);
  }

  @Override
  public void targetReset(RegisteredTarget target) {
    passive(target, true);
  }

  @Override
  public void connected(RegisteredTarget target) {
    passive(target, false);
  }

  private void passive(RegisteredTarget target, boolean failure) {
    Tracked t = tracked.get(target.registrationId());
    if (t == null) {
      return;
    }
    synchronized (t) {
      if (t.removed) {
        return;
      }
      for (NodeChecker c : t.nodes) {
        if (failure) {
          c.machine.passiveFailure();
        } else {
          c.machine.passiveSuccess();
        }
      }
      if (failure) {
        t.combine();
      }
    }
  }

  // ------------------------------------------------------------------ reconcile

  private void reconcileAndReschedule() {
    if (closed) {
      return;
    }
    try {
      reconcile();
      publishHostCounts();
    } catch (RuntimeException e) {
      log.warn("health-check reconcile failed; retrying in {}", reconcileInterval, e);
    }
    synchronized (lifecycle) {
      if (!closed) {
        reconcileTask = scheduler.schedule(reconcileInterval, this::reconcileAndReschedule);
      }
    }
  }

  /** Brings the set of checked targets in line with the configuration now. */
  void reconcile() {
    Map<Long, Desired> desired = new HashMap<>();
    for (LoadBalancer lb : nlb.loadBalancers()) {
      List<Zone> zones = lb.zones();
      if (zones.isEmpty()) {
        continue;
      }
      Map<String, Integer> listenerPort = new LinkedHashMap<>();
      for (Listener l : lb.listeners()) {
        listenerPort.merge(l.config().targetGroup(), l.config().port(), Math::min);
      }
      for (Map.Entry<String, Integer> e : listenerPort.entrySet()) {
        TargetGroup group = nlb.targetGroup(e.getKey()).orElse(null);
        if (group == null) {
          continue;
        }
        Map<String, RegisteredTarget> byKey = new HashMap<>();
        for (RegisteredTarget r : group.registeredTargets()) {
          byKey.put(r.id() + "#" + r.port(), r);
        }
        for (TargetHealthDescription d : group.describeTargetHealth()) {
          if (d.health().state() == TargetHealthState.UNUSED) {
            continue;
          }
          Target shown = d.target();
          RegisteredTarget r = byKey.get(shown.id() + "#" + shown.port().orElse(group.port()));
          if (r == null) {
            continue;
          }
          String zone = shown.zone().orElse(null);
          List<Node> nodes = new ArrayList<>();
          for (Zone z : zones) {
            boolean checks = consensus == Consensus.MAJORITY || (r.isAlb() ? z == zones.get(0) : z.name().equals(zone));
            if (checks) {
              nodes.add(new Node(z.name(), hostHeader(z, e.getValue())));
            }
          }
          if (!nodes.isEmpty()) {
            desired.put(r.registrationId(), new Desired(r, group, zone, nodes));
          }
        }
      }
    }
    for (Tracked t : tracked.values()) {
      Desired d = desired.get(t.target.registrationId());
      if (d == null || !d.nodes.equals(t.nodeList())) {
        remove(t);
      }
    }
    for (Desired d : desired.values()) {
      if (!tracked.containsKey(d.target.registrationId()) && !closed) {
        add(d);
      }
    }
  }

  private static String hostHeader(Zone zone, int listenerPort) {
    InetAddress a = zone.ipv4Address().orElse(zone.addresses().get(0));
    String literal = a.getHostAddress();
    return (a instanceof Inet6Address ? "[" + literal + "]" : literal) + ":" + listenerPort;
  }

  private void add(Desired d) {
    Tracked t = new Tracked(d.target, d.group, d.zone, d.target.health());
    for (Node n : d.nodes) {
      t.nodes.add(new NodeChecker(t, n, new TargetHealthStateMachine(t.health)));
    }
    tracked.put(d.target.registrationId(), t);
    synchronized (t) {
      for (NodeChecker c : t.nodes) {
        // Spread the first checks over the first interval.
        scheduleNext(c, Duration.ofNanos((long) (nextDouble() * interval(t).toNanos())));
      }
    }
  }

  private void remove(Tracked t) {
    synchronized (t) {
      t.removed = true;
      for (NodeChecker c : t.nodes) {
        Scheduler.Cancellable next = c.next;
        if (next != null) {
          next.cancel();
        }
        c.next = null;
      }
    }
    tracked.remove(t.target.registrationId(), t);
  }

  private Duration interval(Tracked t) {
    try {
      return t.group.healthCheck().interval();
    } catch (RuntimeException e) {
      return HealthCheck.defaults().interval();
    }
  }

  private double nextDouble() {
    synchronized (random) {
      return random.nextDouble();
    }
  }

  // ------------------------------------------------------------------ checks

  /** Called with {@code c.owner} locked. */
  private void scheduleNext(NodeChecker c, Duration delay) {
    if (closed || c.owner.removed) {
      return;
    }
    c.next = scheduler.schedule(delay, () -> startCheck(c));
  }

  private void startCheck(NodeChecker c) {
    Tracked t = c.owner;
    HealthCheck settings;
    ProbeRequest request;
    synchronized (t) {
      c.next = null;
      if (closed || t.removed || c.inFlight) {
        return;
      }
      settings = t.group.healthCheck();
      c.inFlight = true;
      c.startNanos = scheduler.nanoTime();
      if (c.machine.checkStarted()) {
        t.combine();
      }
    }
    checksStarted.incrementAndGet();
    InetSocketAddress address = checkAddress(t.target, settings, c.startNanos);
    if (address == null) {
      complete(c, settings, ProbeResult.of(CheckOutcome.ERROR, "the ALB endpoint has no address yet"));
      return;
    }
    request = ProbeRequest.of(settings, address, c.node.host);
    Duration override = timeoutOverride;
    if (override != null) {
      request = request.withTimeout(override);
    }
    byte[] pre = preamble.preamble(t.group, t.target);
    if (pre.length > 0) {
      request = request.withPreamble(pre);
    }
    try {
      probe.check(request, r -> complete(c, settings, r));
    } catch (RuntimeException e) {
      complete(c, settings, ProbeResult.of(CheckOutcome.ERROR, "probe failed to start: " + e));
    }
  }

  private static @Nullable InetSocketAddress checkAddress(RegisteredTarget r, HealthCheck settings, long salt) {
    InetSocketAddress a = r.address(salt);
    if (a == null) {
      return null;
    }
    int port = settings.port().orElse(r.port());
    return port == a.getPort() ? a : new InetSocketAddress(a.getAddress(), port);
  }

  private void complete(NodeChecker c, HealthCheck settings, ProbeResult result) {
    Tracked t = c.owner;
    checksCompleted.incrementAndGet();
    synchronized (t) {
      c.inFlight = false;
      c.completed++;
      c.lastResult = result;
      if (t.removed || closed) {
        return;
      }
      if (c.machine.record(result.outcome(), settings)) {
        log.debug("{} seen from {}: {} ({})", t.target, c.node.zone, c.machine.health(), result.detail());
        t.combine();
      }
      double factor = 1 + jitter * (2 * nextDouble() - 1);
      long dueNanos = c.startNanos + (long) (settings.interval().toNanos() * factor);
      scheduleNext(c, Duration.ofNanos(Math.max(0, dueNanos - scheduler.nanoTime())));
    }
  }

  // ------------------------------------------------------------------ reporting

  /** Called with {@code t} locked, so the transitions of one target are queued in order. */
  private void enqueue(Tracked t, TargetHealth previous, TargetHealth current) {
    transitions.add(new Transition(t, previous, current));
    synchronized (lifecycle) {
      if (!flushScheduled && !closed) {
        flushScheduled = true;
        scheduler.schedule(reportDelay, this::flush);
      }
    }
  }

  private void flush() {
    synchronized (lifecycle) {
      flushScheduled = false;
    }
    List<Transition> batch = new ArrayList<>();
    Transition x;
    while ((x = transitions.poll()) != null) {
      batch.add(x);
    }
    Map<TargetGroup, Map<Target, TargetHealth>> byGroup = new LinkedHashMap<>();
    for (Transition tr : batch) {
      byGroup.computeIfAbsent(tr.tracked.group, g -> new LinkedHashMap<>()).put(tr.tracked.target.target(), tr.current);
    }
    for (Map.Entry<TargetGroup, Map<Target, TargetHealth>> e : byGroup.entrySet()) {
      try {
        e.getKey().reportHealth(e.getValue());
      } catch (NlbException | IllegalStateException ex) {
        // Deregistered or deleted meanwhile, or the Nlb closed: report one by one what still can be.
        for (Map.Entry<Target, TargetHealth> one : e.getValue().entrySet()) {
          try {
            e.getKey().reportHealth(one.getKey(), one.getValue());
          } catch (NlbException | IllegalStateException ignored) {
            log.debug("health of {} not reported: {}", one.getKey(), ignored.getMessage());
          }
        }
      }
    }
    try {
      publishHostCounts();
    } catch (RuntimeException e) {
      log.debug("host counts not published: {}", e.toString());
    }
    for (Transition tr : batch) {
      for (TargetHealthListener l : listeners) {
        try {
          l.onTransition(tr.tracked.target, tr.previous, tr.current);
        } catch (RuntimeException ex) {
          log.warn("health listener failed for {}", tr.tracked.target, ex);
        }
      }
    }
  }

  /** Stops checking, detaches from the {@link Nlb} and closes the built-in probe. Idempotent. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      Scheduler.Cancellable r = reconcileTask;
      if (r != null) {
        r.cancel();
      }
    }
    nlb.detachPassiveHealthSink(this);
    for (Tracked t : tracked.values()) {
      remove(t);
    }
    if (ownsProbe) {
      probe.close();
    }
  }

  // ------------------------------------------------------------------ state

  private static final class Node {
    final String zone;
    final String host;

    Node(String zone, String host) {
      this.zone = zone;
      this.host = host;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Node && ((Node) o).zone.equals(zone) && ((Node) o).host.equals(host);
    }

    @Override
    public int hashCode() {
      return Objects.hash(zone, host);
    }
  }

  private static final class Desired {
    final RegisteredTarget target;
    final TargetGroup group;
    final @Nullable String zone;
    final List<Node> nodes;

    Desired(RegisteredTarget target, TargetGroup group, @Nullable String zone, List<Node> nodes) {
      this.target = target;
      this.group = group;
      this.zone = zone;
      this.nodes = nodes;
    }
  }

  private static final TargetHealth FAILED = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  private static final TargetHealth INTERNAL_ERROR = TargetHealth.of(TargetHealthReason.ELB_INTERNAL_ERROR);
  private static final TargetHealth REGISTRATION = TargetHealth.of(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  private static final TargetHealth INITIAL_CHECKING = TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);

  /** One checked registration: its checkers and the combined health. Guarded by its own monitor. */
  private final class Tracked {
    final RegisteredTarget target;
    final TargetGroup group;
    final @Nullable String zone;
    final List<NodeChecker> nodes = new ArrayList<>(1);
    TargetHealth health;
    boolean removed;

    Tracked(RegisteredTarget target, TargetGroup group, @Nullable String zone, TargetHealth health) {
      this.target = target;
      this.group = group;
      this.zone = zone;
      this.health = new TargetHealthStateMachine(health).health();
    }

    List<Node> nodeList() {
      List<Node> l = new ArrayList<>(nodes.size());
      for (NodeChecker c : nodes) {
        l.add(c.node);
      }
      return l;
    }

    /** Recomputes the combined health from the nodes' views and queues a transition. Locked. */
    void combine() {
      TargetHealth next = combined(nodes, health);
      if (!next.equals(health)) {
        TargetHealth previous = health;
        health = next;
        enqueue(this, previous, next);
      }
    }
  }

  static TargetHealth combined(List<NodeChecker> nodes, TargetHealth previous) {
    int n = nodes.size();
    if (n == 1) {
      return nodes.get(0).machine.health();
    }
    int healthy = 0;
    int unhealthy = 0;
    int unavailable = 0;
    boolean checking = false;
    for (NodeChecker c : nodes) {
      TargetHealth h = c.machine.health();
      switch (h.state()) {
        case HEALTHY:
          healthy++;
          break;
        case UNHEALTHY:
          unhealthy++;
          break;
        case UNAVAILABLE:
          unavailable++;
          break;
        default:
          checking |= !h.equals(REGISTRATION);
      }
    }
    if (2 * healthy > n) {
      return TargetHealth.healthy();
    }
    if (2 * unhealthy > n) {
      return FAILED;
    }
    if (2 * unavailable > n) {
      return INTERNAL_ERROR;
    }
    if (previous.equals(REGISTRATION) && (checking || healthy + unhealthy + unavailable > 0)) {
      return INITIAL_CHECKING;
    }
    return previous;
  }

  /** The checks of one registration from one node. Guarded by {@code owner}'s monitor. */
  static final class NodeChecker {
    final Node node;
    final TargetHealthStateMachine machine;
    private final Tracked owner;
    Scheduler.@Nullable Cancellable next;
    boolean inFlight;
    long startNanos;
    long completed;
    @Nullable ProbeResult lastResult;

    NodeChecker(Tracked owner, Node node, TargetHealthStateMachine machine) {
      this.owner = owner;
      this.node = node;
      this.machine = machine;
    }
  }

  private static final class Transition {
    final Tracked tracked;
    final TargetHealth previous;
    final TargetHealth current;

    Transition(Tracked tracked, TargetHealth previous, TargetHealth current) {
      this.tracked = tracked;
      this.previous = previous;
      this.current = current;
    }
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
     * The probe performing checks; defaults to {@link HealthProbe#nio()}, which the engine then owns and closes.
     *
     * @param probe the probe performing checks; defaults to {@link HealthProbe#nio()}, which the engine then owns and closes
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
     * How often the set of checked targets is brought in line with the configuration, 10 ms-60 s; defaults to 1 s.
     *
     * @param interval how often the set of checked targets is brought in line with the configuration, 10 ms-60 s; defaults to 1 s
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
     * @return the new {@code HealthCheckEngine}
     */
    public HealthCheckEngine build() {
      return new HealthCheckEngine(this);
    }
  }
}
