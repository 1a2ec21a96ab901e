package io.nlb.core;

import static io.nlb.core.Fixtures.ipGroup;
import static io.nlb.core.Fixtures.targets;
import static io.nlb.core.Fixtures.tcp;
import static io.nlb.core.Fixtures.zoneA;
import static io.nlb.core.Fixtures.zoneB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Binding is asynchronous: the control plane publishes routing, starts the bind and keeps serving
 * other commands while the transport binds; a failed bind takes its change back.
 */
@Timeout(30)
class AsyncBindingTest {
  /** A transport whose binds complete only when the test says so. */
  static final class SlowTransport implements Transport {
    final List<CompletableFuture<Void>> binds = new ArrayList<>();
    final List<RoutingSnapshot> appliedAfterPublish = new ArrayList<>();
    final List<Boolean> publishedFirst = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Void> apply(LoadBalancer lb, io.nlb.core.RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next) {
      publishedFirst.add(lb.routingSnapshot() == next);
      appliedAfterPublish.add(next);
      CompletableFuture<Void> f = new CompletableFuture<>();
      binds.add(f);
      notifyAll();
      return f;
    }

    synchronized CompletableFuture<Void> awaitBind(int index) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (binds.size() <= index && System.nanoTime() < deadline) {
        wait(100);
      }
      return binds.get(index);
    }

    @Override
    public CompletionStage<Void> remove(LoadBalancer lb) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  }

  private final ManualScheduler time = new ManualScheduler();
  private final SlowTransport transport = new SlowTransport();
  private final Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).transport(transport).build();
  private final ExecutorService caller = Executors.newSingleThreadExecutor();

  @AfterEach
  void tearDown() {
    caller.shutdownNow();
  }

  @Test
  void healthChange_whileABindIsPending_reachesRoutingAtOnce() throws Exception {
    TargetGroup web = ipGroup(nlb, "web");
    List<Target> a = targets(1, 2);
    web.registerTargets(a);
    Future<LoadBalancer> creating = caller.submit(() -> nlb.createLoadBalancer(
        LoadBalancerConfig.builder("lb").zone(zoneA()).zone(zoneB()).listener(tcp(80, "web")).build()));
    CompletableFuture<Void> bind = transport.awaitBind(0);

    // The bind is still pending (a transport stuck for seconds): health reports go through.
    web.reportHealth(a.get(0), TargetHealth.healthy());
    LoadBalancer lb = nlb.loadBalancer("lb").orElseThrow();
    assertThat(lb.routingSnapshot().listeners().get(0).node(0).healthyCount()).isEqualTo(1);
    assertThat(lb.state()).isEqualTo(LoadBalancerState.PROVISIONING);
    assertThat(creating.isDone()).isFalse();

    bind.complete(null);
    assertThat(creating.get(5, TimeUnit.SECONDS).state()).isEqualTo(LoadBalancerState.ACTIVE);
    assertThat(transport.publishedFirst).containsOnly(true);
  }

  @Test
  void createListener_bindFails_listenerIsTakenBackAndRoutingRestored() throws Exception {
    ipGroup(nlb, "web");
    Future<LoadBalancer> creating = caller.submit(() -> nlb.createLoadBalancer(
        LoadBalancerConfig.builder("lb").zone(zoneA()).listener(tcp(80, "web")).build()));
    transport.awaitBind(0).complete(null);
    LoadBalancer lb = creating.get(5, TimeUnit.SECONDS);
    long before = lb.routingSnapshot().version();

    Future<Listener> adding = caller.submit(() -> lb.createListener(tcp(81, "web")));
    CompletableFuture<Void> bind = transport.awaitBind(1);
    // Routing for port 81 is published before its socket would accept.
    assertThat(lb.routingSnapshot().listeners()).hasSize(2);
    bind.completeExceptionally(new java.io.IOException("TCP zone-a 127.0.0.1:81: Address already in use"));

    assertThatThrownBy(() -> {
      try {
        adding.get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause();
      }
    }).isInstanceOf(NlbException.class)
        .hasMessageContaining("Address already in use")
        .satisfies(e -> assertThat(((NlbException) e).code()).isEqualTo(ErrorCode.INTERNAL_FAILURE));
    assertThat(lb.listeners()).hasSize(1);
    assertThat(lb.routingSnapshot().listeners()).hasSize(1);
    assertThat(lb.routingSnapshot().version()).isGreaterThan(before);
    // The undo asked the transport to bind the old state again.
    assertThat(transport.appliedAfterPublish.get(transport.appliedAfterPublish.size() - 1).listeners()).hasSize(1);
  }

  @Test
  void createLoadBalancer_bindFails_loadBalancerIsFailedWithTheReason() throws Exception {
    ipGroup(nlb, "web");
    Future<LoadBalancer> creating = caller.submit(() -> nlb.createLoadBalancer(
        LoadBalancerConfig.builder("lb").zone(zoneA()).listener(tcp(80, "web")).build()));
    transport.awaitBind(0).completeExceptionally(new java.io.IOException("port 80: Permission denied"));
    LoadBalancer lb = creating.get(5, TimeUnit.SECONDS);
    assertThat(lb.state()).isEqualTo(LoadBalancerState.FAILED);
    assertThat(lb.stateReason()).hasValueSatisfying(r -> assertThat(r).contains("Permission denied"));
  }
}
