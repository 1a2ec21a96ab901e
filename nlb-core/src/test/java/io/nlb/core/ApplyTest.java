package io.nlb.core;

import static io.nlb.core.Fixtures.zoneA;
import static io.nlb.core.Fixtures.zoneB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Nlb#plan} and {@link Nlb#apply}: the desired state as one value, applied all or nothing. */
@Timeout(30)
class ApplyTest {
  private final ManualScheduler time = new ManualScheduler();
  private final AsyncBindingTest.SlowTransport transport = new AsyncBindingTest.SlowTransport();
  private final Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).transport(transport).build();
  private final ExecutorService caller = Executors.newSingleThreadExecutor();

  @AfterEach
  void tearDown() {
    caller.shutdownNow();
  }

  private static TargetGroupConfig web(String delay) {
    return TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP)
        .attribute("deregistration_delay.timeout_seconds", delay).build();
  }

  private static NlbConfig state(String delay, List<Target> targets, ListenerConfig... listeners) {
    LoadBalancerConfig.Builder lb = LoadBalancerConfig.builder("lb").zone(zoneA()).zone(zoneB());
    for (ListenerConfig l : listeners) {
      lb.listener(l);
    }
    return NlbConfig.builder().targetGroup(web(delay), targets).loadBalancer(lb.build()).build();
  }

  private static ListenerConfig tcp(int port) {
    return ListenerConfig.builder(Protocol.TCP, port).forwardTo("web").build();
  }

  /** Applies on another thread, completing every bind the transport is asked for with success. */
  private List<NlbConfig.PlannedChange> applyBinding(NlbConfig desired, int bindsSoFar, int binds) throws Exception {
    Future<List<NlbConfig.PlannedChange>> f = caller.submit(() -> nlb.apply(desired));
    for (int i = bindsSoFar; i < bindsSoFar + binds; i++) {
      transport.awaitBind(i).complete(null);
    }
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void apply_fromNothing_createsEverything_andAgainChangesNothing() throws Exception {
    NlbConfig desired = state("30", List.of(Target.ip("10.0.1.1"), Target.ip("10.0.2.1")), tcp(80));
    assertThat(nlb.plan(desired)).extracting(NlbConfig.PlannedChange::path)
        .containsExactly("targetGroups[web]", "loadBalancers[lb]");
    assertThat(nlb.loadBalancers()).isEmpty(); // plan is a dry run

    List<NlbConfig.PlannedChange> changes = applyBinding(desired, 0, 1);
    assertThat(changes).hasSize(2);
    LoadBalancer lb = nlb.loadBalancer("lb").orElseThrow();
    assertThat(lb.state()).isEqualTo(LoadBalancerState.ACTIVE);
    assertThat(nlb.targetGroup("web").orElseThrow().registeredTargets()).hasSize(2);
    assertThat(nlb.plan(desired)).isEmpty();
    assertThat(nlb.apply(desired)).isEmpty();
  }

  @Test
  void apply_invalidDesiredState_reportsEveryProblemWithItsPath_andChangesNothing() throws Exception {
    applyBinding(state("30", List.of(Target.ip("10.0.1.1")), tcp(80)), 0, 1);
    LoadBalancer lb = nlb.loadBalancer("lb").orElseThrow();
    long version = lb.routingSnapshot().version();
    NlbConfig bad = NlbConfig.builder()
        .targetGroup(TargetGroupConfig.builder("web", Protocol.UDP, 8080).targetType(TargetType.IP).build())
        .loadBalancer(LoadBalancerConfig.builder("lb").zone(zoneB()).listener(tcp(81)).build())
        .build();
    assertThatThrownBy(() -> nlb.apply(bad)).isInstanceOfSatisfying(NlbException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("targetGroups[web].protocol: UDP (expected: unchanged, TCP"));
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("loadBalancers[lb].zones[zone-a]: \"removed\""));
    });
    assertThat(lb.routingSnapshot().version()).isEqualTo(version);
    assertThat(lb.listeners()).hasSize(1);
  }

  @Test
  void configBuilder_listenerToAGroupTheStateLacks_isRefusedWithItsPath() {
    assertThatThrownBy(() -> NlbConfig.builder()
        .loadBalancer(LoadBalancerConfig.builder("lb").zone(zoneA()).listener(tcp(80)).build()).build())
        .isInstanceOfSatisfying(NlbException.class, e -> assertThat(e.problems()).containsExactly(
            "loadBalancers[lb].listener[TCP:80].defaultAction.targetGroup: \"web\" (expected: a target group of the configuration [])"));
  }

  @Test
  void apply_bindFailsHalfWay_leavesTheRunningStateExactlyAsBefore() throws Exception {
    Target a = Target.ip("10.0.1.1");
    Target b = Target.ip("10.0.1.2");
    applyBinding(state("0", List.of(a, b), tcp(80)), 0, 1);
    TargetGroup web = nlb.targetGroup("web").orElseThrow();
    web.reportHealth(a, TargetHealth.healthy());
    web.reportHealth(b, TargetHealth.healthy());
    LoadBalancer lb = nlb.loadBalancer("lb").orElseThrow();
    Listener l80 = lb.listeners().get(0);
    RoutingSnapshot before = lb.routingSnapshot();
    List<RegisteredTarget> registrations = web.registeredTargets();

    // The new state adds a target, drops b (no delay: removed at once), changes an attribute and
    // adds two listeners, the second of whose sockets cannot be bound.
    NlbConfig next = NlbConfig.builder()
        .targetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP)
            .attribute("deregistration_delay.timeout_seconds", "0").attribute("stickiness.enabled", "true").build(),
            List.of(a, Target.ip("10.0.1.3")))
        .loadBalancer(LoadBalancerConfig.builder("lb").zone(zoneA()).zone(zoneB())
            .listener(tcp(80)).listener(tcp(81)).listener(tcp(82)).build())
        .build();
    Future<List<NlbConfig.PlannedChange>> f = caller.submit(() -> nlb.apply(next));
    transport.awaitBind(1).completeExceptionally(new java.io.IOException("TCP zone-a 127.0.0.1:82: Address already in use"));

    assertThatThrownBy(() -> {
      try {
        f.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause();
      }
    }).isInstanceOfSatisfying(NlbException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_FAILURE);
      assertThat(e.getMessage()).contains("loadBalancers[lb]: \"TCP zone-a 127.0.0.1:82: Address already in use\"");
    });
    assertThat(web.registeredTargets()).isEqualTo(registrations);
    assertThat(web.registeredTargets()).allSatisfy(r -> {
      assertThat(r.isDraining()).isFalse();
      assertThat(r.isRemoved()).isFalse();
      assertThat(r.health()).isEqualTo(TargetHealth.healthy());
    });
    assertThat(web.attributes().stickiness()).isFalse();
    assertThat(lb.listeners()).containsExactly(l80);
    RoutingSnapshot after = lb.routingSnapshot();
    assertThat(after.listeners()).hasSize(1);
    assertThat(after.listeners().get(0).node(0).targets()).isEqualTo(before.listeners().get(0).node(0).targets());
    // The old state was handed to the transport again, so that it keeps exactly the old sockets.
    assertThat(transport.appliedAfterPublish.get(transport.appliedAfterPublish.size() - 1).listeners()).hasSize(1);
    // And the next apply of the same state, once the port is free, goes through whole.
    Future<List<NlbConfig.PlannedChange>> again = caller.submit(() -> nlb.apply(next));
    transport.awaitBind(3).complete(null);
    assertThat(again.get(10, TimeUnit.SECONDS)).isNotEmpty();
    assertThat(lb.listeners()).hasSize(3);
    assertThat(web.registeredTargets()).extracting(RegisteredTarget::id).containsExactly("10.0.1.1", "10.0.1.3");
  }

  @Test
  void apply_removesWhatTheDesiredStateLacks() throws Exception {
    applyBinding(state("30", List.of(Target.ip("10.0.1.1")), tcp(80), tcp(81)), 0, 1);
    LoadBalancer lb = nlb.loadBalancer("lb").orElseThrow();
    List<NlbConfig.PlannedChange> changes = applyBinding(state("30", List.of(), tcp(80)), 1, 1);
    assertThat(changes).extracting(NlbConfig.PlannedChange::toString).containsExactly(
        "loadBalancers[lb].listener[TCP:81]: delete",
        "targetGroups[web].targets: deregister [10.0.1.1] (draining 30 s)");
    assertThat(lb.listeners()).hasSize(1);
    assertThat(nlb.targetGroup("web").orElseThrow().registeredTargets()).singleElement()
        .satisfies(r -> assertThat(r.isDraining()).isTrue());

    applyBinding(NlbConfig.builder().build(), 2, 0);
    assertThat(nlb.loadBalancers()).isEmpty();
    assertThat(nlb.targetGroups()).isEmpty();
    assertThat(lb.state()).isEqualTo(LoadBalancerState.DELETED);
  }
}
