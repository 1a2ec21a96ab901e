package io.nlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.NodeRoute;
import io.nlb.core.Protocol;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.RouteDecision;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthReason;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.core.routing.FlowKey;
import io.nlb.core.spi.CheckOutcome;
import io.nlb.core.spi.HealthProbe;
import io.nlb.core.spi.ProbeRequest;
import io.nlb.core.spi.ProbeResult;
import io.nlb.core.spi.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine under a manual clock with a scripted probe that answers at once. */
class HealthCheckEngineTest {
  static final TargetHealth REGISTRATION = TargetHealth.of(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
  static final TargetHealth CHECKING = TargetHealth.of(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);
  static final TargetHealth FAILED = TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  static final Duration INTERVAL = Duration.ofSeconds(5);

  /** nextDouble() is always 0: first checks at once, no jitter drift. */
  static final RandomGenerator ZERO = () -> 0L;

  final ManualScheduler time = new ManualScheduler();
  final Nlb nlb = Nlb.builder().scheduler(time).build();
  final ScriptedProbe probe = new ScriptedProbe();
  final List<String> transitions = new ArrayList<>();
  TargetGroup web;
  LoadBalancer lb;
  @SuppressWarnings("NullAway.Init") // set by start() or by the test
  HealthCheckEngine engine;

  /** Answers each check from a per-address script; can also hold checks without answering. */
  static final class ScriptedProbe implements HealthProbe {
    final Map<Integer, CheckOutcome> byPort = new ConcurrentHashMap<>();
    volatile Function<ProbeRequest, CheckOutcome> script = r -> byPortOrSuccess(r);
    final List<ProbeRequest> requests = new ArrayList<>();
    final List<Consumer<ProbeResult>> held = new ArrayList<>();
    volatile boolean hold;

    CheckOutcome byPortOrSuccess(ProbeRequest r) {
      return byPort.getOrDefault(r.address().getPort(), CheckOutcome.SUCCESS);
    }

    @Override
    public synchronized void check(ProbeRequest request, Consumer<ProbeResult> onResult) {
      requests.add(request);
      if (hold) {
        held.add(onResult);
        return;
      }
      onResult.accept(ProbeResult.of(script.apply(request), "scripted"));
    }

    synchronized int requestCount() {
      return requests.size();
    }
  }

  @BeforeEach
  void setUp() {
    web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP)
        .healthCheck(HealthCheck.builder().interval(INTERVAL).healthyThreshold(3).unhealthyThreshold(2).build())
        .build());
    lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("my-nlb")
        .zone(Zone.builder("zone-a").address("10.0.0.10").targetRange("10.0.1.0/24").build())
        .zone(Zone.builder("zone-b").address("10.0.0.20").targetRange("10.0.2.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .build());
    nlb.addTargetHealthListener((t, p, c) -> {
      synchronized (transitions) {
        transitions.add("core " + t + ": " + p + " -> " + c);
      }
    });
  }

  @AfterEach
  void tearDown() {
    @SuppressWarnings("NullAway") // not every test starts an engine
    boolean started = engine != null;
    if (started) {
      engine.close();
    }
    nlb.close();
  }

  HealthCheckEngine start(Consensus consensus) {
    engine = HealthCheckEngine.builder(nlb).scheduler(time).random(ZERO).jitter(0).probe(probe)
        .reportDelay(Duration.ZERO).consensus(consensus).build();
    engine.start();
    time.runDueTasks();
    return engine;
  }

  HealthCheckEngine start() {
    return start(Consensus.SINGLE_NODE);
  }

  RegisteredTarget reg(Target t) {
    return web.registeredTargets().stream().filter(r -> r.target().equals(t)).findFirst().orElseThrow();
  }

  void interval() {
    time.advance(INTERVAL);
  }

  @Test
  void build_noProbeAndNoTransport_failsNamingProbe() {
    assertThatThrownBy(() -> HealthCheckEngine.builder(nlb).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("probe: none (expected: an Nlb whose transport supplies a health probe, such as NettyTransport,"
            + " or Builder.probe(...))");
  }

  @Test
  void build_noProbeGiven_usesTheTransportsProbeAndNeverClosesIt() {
    List<String> calls = new ArrayList<>();
    Transport transport = new Transport() {
      @Override
      public java.util.concurrent.CompletionStage<Void> apply(LoadBalancer lb, io.nlb.core.RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> remove(LoadBalancer lb) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }

      @Override
      public Optional<HealthProbe> healthProbe() {
        return Optional.of(probe);
      }

      @Override
      public void close() {
        calls.add("close");
      }
    };
    try (Nlb withTransport = Nlb.builder().scheduler(time).transport(transport).build()) {
      withTransport.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build())
          .registerTargets(Target.ip("10.0.1.5"));
      withTransport.createLoadBalancer(LoadBalancerConfig.builder("lb")
          .zone(Zone.builder("zone-a").address("10.0.0.10").targetRange("10.0.1.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build()).build());
      try (HealthCheckEngine e = HealthCheckEngine.builder(withTransport).scheduler(time).random(ZERO).build()) {
        e.start();
        time.runDueTasks();
        assertThat(probe.requestCount()).isEqualTo(1);
        assertThat(probe.requests.get(0).address()).isEqualTo(new InetSocketAddress("10.0.1.5", 8080));
      }
      assertThat(calls).as("the engine leaves the probe, and the transport, to their owner").isEmpty();
    }
    assertThat(calls).containsExactly("close");
  }

  @Test
  void start_passingTarget_initialHealthCheckingThenHealthyAfterOneCheck() {
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    List<String> seen = new ArrayList<>();
    nlb.addTargetHealthListener((t, p, c) -> seen.add(p + " -> " + c));
    probe.hold = true;
    start();
    assertThat(engine.completedChecks(reg(a))).isZero();
    assertThat(reg(a).health()).isEqualTo(CHECKING);
    probe.hold = false;
    probe.held.remove(0).accept(ProbeResult.of(CheckOutcome.SUCCESS, "scripted"));
    time.runDueTasks();
    assertThat(engine.completedChecks(reg(a))).isEqualTo(1);
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
    assertThat(seen).containsExactly(
        "initial (Elb.RegistrationInProgress: Target registration is in progress) -> initial (Elb.InitialHealthChecking: Initial health checks in progress)",
        "initial (Elb.InitialHealthChecking: Initial health checks in progress) -> healthy");
  }

  @Test
  void check_failingNewTarget_unhealthyAfterExactlyUnhealthyThresholdChecks() {
    Target a = Target.ip("10.0.1.5", 9001);
    web.registerTargets(a);
    probe.byPort.put(9001, CheckOutcome.FAILURE);
    start();
    assertThat(engine.completedChecks(reg(a))).isEqualTo(1);
    assertThat(reg(a).health()).isEqualTo(CHECKING);
    interval();
    assertThat(engine.completedChecks(reg(a))).isEqualTo(2);
    assertThat(reg(a).health()).isEqualTo(FAILED);
    assertThat(web.describeTargetHealth(a).get(0).health().reason()).contains(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS);
  }

  @Test
  void check_healthyTargetStartsFailingThenRecovers_exactCheckCounts() {
    Target a = Target.ip("10.0.1.5", 9001);
    web.registerTargets(a);
    start();
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
    probe.byPort.put(9001, CheckOutcome.TIMEOUT);
    interval(); // check 2
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
    interval(); // check 3: second consecutive failure
    assertThat(reg(a).health()).isEqualTo(FAILED);
    probe.byPort.put(9001, CheckOutcome.SUCCESS);
    interval();
    interval();
    assertThat(reg(a).health()).isEqualTo(FAILED);
    interval(); // third consecutive success (healthy threshold 3)
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
    assertThat(engine.completedChecks(reg(a))).isEqualTo(6);
  }

  @Test
  void modifyHealthCheck_thresholdLoweredBelowRunningCount_appliesFromTheNextCheck() {
    Target a = Target.ip("10.0.1.5", 9001);
    web.registerTargets(a);
    web.modifyHealthCheck(web.healthCheck().toBuilder().unhealthyThreshold(5).build());
    start();
    probe.byPort.put(9001, CheckOutcome.FAILURE);
    for (int i = 0; i < 3; i++) {
      interval();
    }
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
    web.modifyHealthCheck(web.healthCheck().toBuilder().unhealthyThreshold(2).build());
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
    interval();
    assertThat(reg(a).health()).isEqualTo(FAILED);
    assertThat(engine.completedChecks(reg(a))).isEqualTo(5);
  }

  @Test
  void modifyHealthCheck_intervalChanged_nextCheckFollowsTheNewInterval() {
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    start();
    web.modifyHealthCheck(web.healthCheck().toBuilder().interval(Duration.ofSeconds(30)).build());
    interval(); // the check scheduled under the old settings
    assertThat(engine.completedChecks(reg(a))).isEqualTo(2);
    interval();
    assertThat(engine.completedChecks(reg(a))).isEqualTo(2);
    time.advance(Duration.ofSeconds(25));
    assertThat(engine.completedChecks(reg(a))).isEqualTo(3);
  }

  @Test
  void check_portAndHost_trafficPortOrConfiguredPortAndNodeAddressWithListenerPort() {
    web.modifyHealthCheck(web.healthCheck().toBuilder().protocol(HealthCheckProtocol.HTTP).path("/ping").build());
    Target a = Target.ip("10.0.1.5", 9001);
    Target b = Target.ip("10.0.2.5");
    web.registerTargets(a, b);
    start();
    assertThat(probe.requests).extracting(r -> r.address() + " " + r.host() + " " + r.path())
        .containsExactlyInAnyOrder("/10.0.1.5:9001 10.0.0.10:80 /ping", "/10.0.2.5:8080 10.0.0.20:80 /ping");
    web.modifyHealthCheck(web.healthCheck().toBuilder().port(7000).build());
    interval();
    assertThat(probe.requests.subList(2, 4)).extracting(r -> r.address().getPort()).containsOnly(7000);
  }

  @Test
  void reconcile_targetOutsideEnabledZonesOrGroupWithoutListener_notChecked() {
    Target outside = Target.ip("10.0.9.5");
    web.registerTargets(outside);
    TargetGroup idle = nlb.createTargetGroup(TargetGroupConfig.builder("idle", Protocol.TCP, 8080).targetType(TargetType.IP).build());
    Target idleTarget = Target.ip("10.0.1.7");
    idle.registerTargets(idleTarget);
    start();
    for (int i = 0; i < 3; i++) {
      interval();
    }
    assertThat(probe.requestCount()).isZero();
    assertThat(engine.checkedTargetCount()).isZero();
    assertThat(web.describeTargetHealth(outside).get(0).health().reason()).contains(TargetHealthReason.TARGET_NOT_IN_USE);
    assertThat(idle.describeTargetHealth(idleTarget).get(0).health().reason()).contains(TargetHealthReason.TARGET_NOT_IN_USE);
  }

  @Test
  void targetSet_appliedAtStartAndOnControlPlaneEventsOnly_neverOnATimer() {
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    start();
    long reads = engine.targetSetsApplied();
    assertThat(reads).isEqualTo(1);
    for (int i = 0; i < 120; i++) {
      interval(); // ten minutes of checks, and of health reports by the engine
    }
    assertThat(engine.completedChecks(reg(a))).isGreaterThan(100);
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
    assertThat(engine.targetSetsApplied()).isEqualTo(reads);

    // A change is an event carrying the set: the engine applies once, however many events one change raised.
    Target b = Target.ip("10.0.1.6");
    web.registerTargets(b);
    lb.modifyAttributes(Map.of("deletion_protection.enabled", "false"));
    time.runDueTasks();
    assertThat(engine.targetSetsApplied()).isEqualTo(reads + 1);
    assertThat(engine.completedChecks(reg(b))).isEqualTo(1);
    for (int i = 0; i < 12; i++) {
      interval();
    }
    assertThat(engine.targetSetsApplied()).isEqualTo(reads + 1);
  }

  /**
   * The engine receives the target set and reads nothing of the {@link Nlb}: its compiled classes
   * call no read of {@code Nlb}, {@code LoadBalancer}, {@code TargetGroup}, {@code Listener} or
   * {@code RegisteredTarget} (checked with {@code javap}, so every call site counts). What remains
   * is wiring (scheduler, probe, sinks, listeners), the one command it sends ({@code
   * Nlb.reportHealth}, by group resource id and registration id) and the ids of a handle a caller
   * passes in. No class is left out: {@code ProbePreamble} decides from the target set's values.
   */
  @Test
  void engine_callsNoReadOfThePublicApi() throws Exception {
    java.nio.file.Path dir = java.nio.file.Path.of(HealthCheckEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(HealthCheckEngine.class.getPackageName().replace('.', '/'));
    java.util.regex.Pattern call = java.util.regex.Pattern.compile(
        "(?:Method|InterfaceMethod) io/nlb/core/(Nlb|LoadBalancer|TargetGroup|Listener|RegisteredTarget)\\.(\\w+)");
    java.util.Set<String> allowed = java.util.Set.of("Nlb.scheduler", "Nlb.transport", "Nlb.attachPassiveHealthSink",
        "Nlb.detachPassiveHealthSink", "Nlb.addTargetSetListener", "Nlb.removeTargetSetListener", "Nlb.reportHealth",
        "RegisteredTarget.registrationId", "TargetGroup.resourceId");
    java.util.spi.ToolProvider javap = java.util.spi.ToolProvider.findFirst("javap").orElseThrow();
    List<String> calls = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      for (java.nio.file.Path c : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
        String name = c.getFileName().toString();
        classes.add(name);
        java.io.StringWriter out = new java.io.StringWriter();
        assertThat(javap.run(new java.io.PrintWriter(out), new java.io.PrintWriter(out), "-v", "-p", c.toString())).isZero();
        java.util.regex.Matcher m = call.matcher(out.toString());
        while (m.find()) {
          String used = m.group(1) + "." + m.group(2);
          if (!allowed.contains(used)) {
            calls.add(name + ": " + used);
          }
        }
      }
    }
    assertThat(classes).contains("HealthCheckEngine.class", "DesiredTargetsReader.class", "Reconciler.class", "HostCounts.class",
        "CheckScheduler.class", "TrackedTarget.class", "HealthReporter.class");
    assertThat(calls).as("reads of the public API by the engine").isEmpty();
  }

  @Test
  void close_stopsListeningForTargetSetEvents() {
    start();
    long reads = engine.targetSetsApplied();
    engine.close();
    web.registerTargets(Target.ip("10.0.1.5"));
    time.runDueTasks();
    assertThat(engine.targetSetsApplied()).isEqualTo(reads);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void reconcile_targetRegisteredLater_checkedFromTheNextReconcile() {
    start();
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    assertThat(engine.completedChecks(reg(a))).isZero();
    time.advance(Duration.ofSeconds(1)); // reconcile interval
    assertThat(engine.completedChecks(reg(a))).isEqualTo(1);
    assertThat(reg(a).health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void deregister_drainingTarget_keepsBeingCheckedUntilRemoved() {
    Target a = Target.ip("10.0.1.5", 9001);
    web.registerTargets(a);
    web.modifyAttributes(Map.of("deregistration_delay.timeout_seconds", "20"));
    start();
    RegisteredTarget r = reg(a);
    web.deregisterTargets(a);
    probe.byPort.put(9001, CheckOutcome.FAILURE);
    interval();
    interval();
    assertThat(engine.completedChecks(r)).isEqualTo(3);
    assertThat(r.health()).isEqualTo(FAILED);
    assertThat(web.describeTargetHealth(a).get(0).health().reason()).contains(TargetHealthReason.TARGET_DEREGISTRATION_IN_PROGRESS);
    time.advance(Duration.ofSeconds(15)); // the delay ends; the next reconcile drops it
    int before = probe.requestCount();
    for (int i = 0; i < 4; i++) {
      interval();
    }
    assertThat(probe.requestCount()).isEqualTo(before);
    assertThat(engine.checkedTargetCount()).isZero();
  }

  @Test
  void check_probeNeverAnswers_noSecondCheckOfTheSameTargetStarts() {
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    probe.hold = true;
    start();
    for (int i = 0; i < 10; i++) {
      interval();
    }
    assertThat(probe.requestCount()).isEqualTo(1);
    probe.held.remove(0).accept(ProbeResult.of(CheckOutcome.SUCCESS, "late"));
    // Its start was 50 s ago: the next check is due at once.
    time.runDueTasks();
    assertThat(probe.requestCount()).isEqualTo(2);
  }

  @Test
  void schedule_jitter_spreadsFirstChecksAndVariesIntervalsWithinBounds() {
    for (int i = 0; i < 50; i++) {
      web.registerTargets(Target.ip("10.0.1." + (i + 10)));
    }
    Map<String, List<Long>> starts = new ConcurrentHashMap<>();
    probe.script = r -> {
      starts.computeIfAbsent(r.address().toString(), k -> new ArrayList<>()).add(time.nanoTime());
      return CheckOutcome.SUCCESS;
    };
    // One checker per target, so that each target's check times form one schedule.
    engine = HealthCheckEngine.builder(nlb).scheduler(time).random(new java.util.SplittableRandom(7)).jitter(0.1)
        .probe(probe).reportDelay(Duration.ZERO).consensus(Consensus.SINGLE_NODE).build();
    engine.start();
    time.advance(Duration.ofSeconds(60));
    assertThat(starts).hasSize(50);
    List<Long> firsts = new ArrayList<>();
    List<Long> gaps = new ArrayList<>();
    for (List<Long> l : starts.values()) {
      firsts.add(l.get(0));
      for (int i = 1; i < l.size(); i++) {
        gaps.add(l.get(i) - l.get(i - 1));
      }
    }
    assertThat(firsts).allSatisfy(t -> assertThat(t).isBetween(0L, INTERVAL.toNanos() - 1));
    assertThat(firsts.stream().distinct().count()).isGreaterThan(45); // spread, not a thundering herd
    assertThat(gaps).allSatisfy(g -> assertThat(g).isBetween(4_500_000_000L, 5_500_000_000L));
    assertThat(gaps.stream().distinct().count()).isGreaterThan(gaps.size() / 2); // really jittered
  }

  @Test
  void allTargetsFail_inAllEnabledZones_loadBalancerFailsOpen() {
    Target a = Target.ip("10.0.1.5", 9001);
    Target b = Target.ip("10.0.2.5", 9002);
    web.registerTargets(a, b);
    start();
    FlowKey flow = FlowKey.tcp(new InetSocketAddress("198.51.100.7", 50123), new InetSocketAddress("10.0.0.10", 80), 42);
    assertThat(lb.whatIf("zone-a", flow).outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
    probe.byPort.put(9001, CheckOutcome.FAILURE);
    probe.byPort.put(9002, CheckOutcome.FAILURE);
    interval();
    interval();
    assertThat(reg(a).health()).isEqualTo(FAILED);
    assertThat(reg(b).health()).isEqualTo(FAILED);
    RouteDecision d = lb.whatIf("zone-a", flow);
    assertThat(d.outcome()).isEqualTo(RouteDecision.Outcome.ROUTED_FAIL_OPEN);
    var route = java.util.Objects.requireNonNull(lb.routingSnapshot().listener(flow.protocol(), 80));
    assertThat(route.node(0).mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);
    assertThat(route.node(1).mode()).isEqualTo(NodeRoute.Mode.FAIL_OPEN);
  }

  @Test
  void passive_threeConnectFailures_outOfServiceBeforeActiveChecksWouldThenOnlyActiveBringsBack() {
    Target a = Target.ip("10.0.1.5", 9001);
    Target b = Target.ip("10.0.1.6", 9002);
    web.registerTargets(a, b);
    start();
    RegisteredTarget r = reg(a);
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    probe.byPort.put(9001, CheckOutcome.FAILURE); // the target broke; the next active check is 5 s away
    nlb.passiveHealth().connectFailed(value(r));
    nlb.passiveHealth().targetReset(value(r));
    time.runDueTasks();
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    nlb.passiveHealth().connectFailed(value(r));
    time.runDueTasks();
    assertThat(r.health()).isEqualTo(FAILED);
    assertThat(engine.completedChecks(r)).isEqualTo(1); // no active failure yet
    // Passive success does not bring it back; healthyThreshold (3) active successes do.
    probe.byPort.put(9001, CheckOutcome.SUCCESS);
    nlb.passiveHealth().connected(value(r));
    interval();
    interval();
    assertThat(r.health()).isEqualTo(FAILED);
    interval();
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    assertThat(reg(b).health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void passive_connectedBetweenFailures_staysHealthy() {
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    start();
    RegisteredTarget r = reg(a);
    for (int i = 0; i < 5; i++) {
      nlb.passiveHealth().connectFailed(value(r));
      nlb.passiveHealth().connectFailed(value(r));
      nlb.passiveHealth().connected(value(r));
    }
    time.runDueTasks();
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
  }

  @Test
  void close_detachesPassiveSinkAndStopsChecks() {
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    start();
    engine.close();
    assertThat(nlb.passiveHealth()).isNotSameAs(engine);
    int before = probe.requestCount();
    for (int i = 0; i < 3; i++) {
      interval();
    }
    assertThat(probe.requestCount()).isEqualTo(before);
  }

  @Test
  void majority_threeNodes_healthOnlyChangesWhenMostNodesAgree() {
    lb.addZone(Zone.builder("zone-c").address("10.0.0.30").targetRange("10.0.3.0/24").build());
    Target a = Target.ip("10.0.1.5");
    web.registerTargets(a);
    Map<String, CheckOutcome> byNode = new ConcurrentHashMap<>();
    probe.script = req -> byNode.getOrDefault(req.host(), CheckOutcome.SUCCESS);
    start(Consensus.MAJORITY);
    RegisteredTarget r = reg(a);
    assertThat(probe.requests).extracting(ProbeRequest::host).containsExactlyInAnyOrder("10.0.0.10:80", "10.0.0.20:80", "10.0.0.30:80");
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    assertThat(engine.completedChecks(r)).isEqualTo(3);
    byNode.put("10.0.0.10:80", CheckOutcome.FAILURE); // one node sees it failing
    interval();
    interval();
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    byNode.put("10.0.0.20:80", CheckOutcome.FAILURE); // now two of three
    interval();
    assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    interval();
    assertThat(r.health()).isEqualTo(FAILED);
    assertThat(engine.completedChecks(r)).isEqualTo(15);
  }

  @Test
  void metrics_healthyAndUnhealthyHostCount_perZoneWithoutDrainingTargets() {
    web.registerTargets(Target.ip("10.0.1.5", 9001), Target.ip("10.0.1.6"), Target.ip("10.0.1.7"), Target.ip("10.0.2.5", 9001));
    probe.byPort.put(9001, CheckOutcome.FAILURE);
    start();
    interval();
    assertThat(engine.healthyHostCount(web, "zone-a")).isEqualTo(2);
    assertThat(engine.unhealthyHostCount(web, "zone-a")).isEqualTo(1);
    assertThat(engine.healthyHostCount(web, "zone-b")).isZero();
    assertThat(engine.unhealthyHostCount(web, "zone-b")).isEqualTo(1);
    web.deregisterTargets(Target.ip("10.0.1.7"));
    time.runDueTasks(); // the engine applies the target set the deregistration delivered (now draining)
    assertThat(engine.healthyHostCount(web, "zone-a")).isEqualTo(1);
  }

  @Test
  void metrics_recorder_gaugesPerLoadBalancerZoneAndGroup() {
    io.nlb.metrics.InMemoryMetricsRecorder recorder = io.nlb.metrics.InMemoryMetricsRecorder.create();
    web.registerTargets(Target.ip("10.0.1.5", 9001), Target.ip("10.0.1.6"), Target.ip("10.0.1.7"), Target.ip("10.0.2.5", 9001));
    probe.byPort.put(9001, CheckOutcome.FAILURE);
    engine = HealthCheckEngine.builder(nlb).scheduler(time).random(ZERO).jitter(0).probe(probe)
        .reportDelay(Duration.ZERO).metrics(recorder).build();
    engine.start();
    time.runDueTasks();
    interval();
    io.nlb.metrics.Dimensions a = io.nlb.metrics.Dimensions.of(lb.resourceId(), "zone-a", web.resourceId());
    io.nlb.metrics.Dimensions b = io.nlb.metrics.Dimensions.of(lb.resourceId(), "zone-b", web.resourceId());

    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, a)).isEqualTo(2);
    assertThat(recorder.value(io.nlb.metrics.Metric.UNHEALTHY_HOST_COUNT, a)).isEqualTo(1);
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, b)).isZero();
    assertThat(recorder.value(io.nlb.metrics.Metric.UNHEALTHY_HOST_COUNT, b)).isEqualTo(1);

    probe.byPort.clear();
    for (int i = 0; i < 3; i++) {
      interval();
    }
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, a)).isEqualTo(3);
    assertThat(recorder.value(io.nlb.metrics.Metric.UNHEALTHY_HOST_COUNT, a)).isZero();
    assertThat(recorder.value(io.nlb.metrics.Metric.HEALTHY_HOST_COUNT, b)).isEqualTo(1);
  }

  @Test
  void listener_engineListener_seesEveryTransitionInOrder() {
    List<String> seen = new ArrayList<>();
    Target a = Target.ip("10.0.1.5", 9001);
    web.registerTargets(a);
    probe.byPort.put(9001, CheckOutcome.FAILURE);
    engine = HealthCheckEngine.builder(nlb).scheduler(time).random(ZERO).jitter(0).probe(probe).reportDelay(Duration.ofMillis(50))
        .listener((t, p, c) -> seen.add(t + " " + c.state() + c.reason().map(x -> " " + x.code()).orElse(""))).build();
    engine.start();
    time.advance(Duration.ofMillis(50));
    interval();
    assertThat(seen).containsExactly(
        "web/10.0.1.5:9001 initial Elb.InitialHealthChecking",
        "web/10.0.1.5:9001 unhealthy Target.FailedHealthChecks");
  }

  @Test
  void report_registrationRemovedBeforeTheFlush_skippedSafely_engineListenersToldOnlyOfTheOthers() {
    Target a = Target.ip("10.0.1.5", 9001);
    Target b = Target.ip("10.0.1.6", 9001);
    web.modifyAttributes(Map.of("deregistration_delay.timeout_seconds", "0"));
    web.registerTargets(a, b);
    probe.byPort.put(9001, CheckOutcome.FAILURE); // one failure: both stay in initial checks
    List<String> seen = new ArrayList<>();
    engine = HealthCheckEngine.builder(nlb).scheduler(time).random(ZERO).jitter(0).probe(probe).reportDelay(Duration.ofMillis(50))
        .listener((t, p, c) -> seen.add(t.id() + " " + c.state())).build();
    engine.start();
    long staleId = reg(a).registrationId();
    web.deregisterTargets(a); // gone from the core while its first transition waits for the flush
    time.advance(Duration.ofMillis(50));
    assertThat(seen).containsExactly("10.0.1.6 initial");
    assertThat(reg(b).health().reason()).contains(TargetHealthReason.ELB_INITIAL_HEALTH_CHECKING);
    assertThat(nlb.reportHealth(web.resourceId(), Map.of(staleId, TargetHealth.healthy()))).isEmpty();
  }

  /** {@code r} as a route holds it: what the data plane reports passive signals with. */
  private static io.nlb.core.RouteTarget value(RegisteredTarget r) {
    return new io.nlb.core.RouteTarget(r.registrationId(), r.group().name(), r.id(), r.port(), r.address(), null, r.health(),
        r.isDraining(), r.isRemoved(), r.isAlb(), r.albAddresses());
  }
}
