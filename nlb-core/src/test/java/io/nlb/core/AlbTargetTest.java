package io.nlb.core;

import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** ALB-type target groups: one endpoint, matching port, TCP listeners only, endpoint lifecycle, address refresh. */
class AlbTargetTest {
  private final ManualScheduler time = new ManualScheduler();
  private final AtomicReference<List<InetAddress>> addresses = new AtomicReference<>(List.of(addr("10.0.1.50")));

  private static InetAddress addr(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private void endpoint(Nlb nlb, String name, int port) {
    nlb.createAlbEndpoint(AlbEndpoint.builder(name, port).addresses(this::current).refreshInterval(Duration.ofSeconds(10)).build());
  }

  private List<InetAddress> current() {
    return Objects.requireNonNull(addresses.get());
  }

  private static TargetGroup albGroup(Nlb nlb, String name, int port) {
    return nlb.createTargetGroup(TargetGroupConfig.builder(name, Protocol.TCP, port).targetType(TargetType.ALB).build());
  }

  @Test
  void albGroup_exactlyOneTarget() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      endpoint(nlb, "alb1", 80);
      endpoint(nlb, "alb2", 80);
      TargetGroup g = albGroup(nlb, "g", 80);
      g.registerTargets(Target.alb("alb1"));
      NlbException e = nlbError(() -> g.registerTargets(Target.alb("alb2")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TARGETS);
      assertThat(e).hasMessage("TooManyTargets: targetGroup[g].targets: 2 (expected: at most 1 (an alb group holds one endpoint))");
      assertThat(g.registeredTargets()).extracting(RegisteredTarget::id).containsExactly("alb1");
    }
  }

  @Test
  void albGroup_portMustEqualEndpointPort() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      endpoint(nlb, "alb", 8080);
      TargetGroup g = albGroup(nlb, "g", 80);
      NlbException e = nlbError(() -> g.registerTargets(Target.alb("alb")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).containsExactly("targets[0].id: \"alb\" (expected: an endpoint whose listener port (8080) equals the group port 80)");
    }
  }

  @Test
  void albTarget_portOverride_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      endpoint(nlb, "alb", 80);
      TargetGroup g = albGroup(nlb, "g", 80);
      NlbException e = nlbError(() -> g.registerTargets(Target.alb("alb").withPort(81)));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).singleElement().asString().startsWith("targets[0].port: 81");
    }
  }

  @Test
  void albTarget_unknownEndpoint_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = albGroup(nlb, "g", 80);
      NlbException e = nlbError(() -> g.registerTargets(Target.alb("nope")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e).hasMessage("InvalidTarget: target.id: \"nope\" (expected: the name of an ALB endpoint created with createAlbEndpoint)");
    }
  }

  @Test
  void albGroup_onlyTcpListeners() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      albGroup(nlb, "g", 80);
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      NlbException e = nlbError(() -> lb.createListener(Fixtures.tls(443, "g")));
      assertThat(e.code()).isEqualTo(ErrorCode.INCOMPATIBLE_PROTOCOLS);
      assertThat(lb.listeners()).hasSize(1);
    }
  }

  @Test
  void albTarget_isInEveryNodesScope() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      endpoint(nlb, "alb", 80);
      TargetGroup g = albGroup(nlb, "g", 80);
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.alb("alb"));
      assertThat(g.describeTargetHealth().get(0).health().reason()).hasValue(TargetHealthReason.ELB_REGISTRATION_IN_PROGRESS);
      g.reportHealth(Target.alb("alb"), TargetHealth.healthy());
      for (String zone : List.of("zone-a", "zone-b")) {
        RouteDecision d = lb.whatIf(zone, Fixtures.flow(1));
        assertThat(d.outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
        assertThat(d.address()).hasValue(new InetSocketAddress(addr("10.0.1.50"), 80));
      }
    }
  }

  @Test
  void deleteAlbEndpoint_whileRegistered_isRefused() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      endpoint(nlb, "alb", 80);
      TargetGroup g = albGroup(nlb, "g", 80);
      g.registerTargets(Target.alb("alb"));
      NlbException e = nlbError(() -> nlb.deleteAlbEndpoint("alb"));
      assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_IN_USE);
      assertThat(e.problems()).containsExactly("albEndpoint: \"alb\" (expected: an endpoint no target group has registered; deregister it from g first)");
      assertThat(nlb.albEndpointAddresses("alb")).containsExactly(addr("10.0.1.50"));

      g.deregisterTargets(Target.alb("alb"));
      assertThat(nlbError(() -> nlb.deleteAlbEndpoint("alb")).code()).isEqualTo(ErrorCode.RESOURCE_IN_USE);
      time.advance(Duration.ofSeconds(300));
      nlb.deleteAlbEndpoint("alb");
      assertThat(nlbError(() -> nlb.albEndpointAddresses("alb")).code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(time.pendingTasks()).isZero();
    }
  }

  @Test
  void createAlbEndpoint_duplicateName_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      endpoint(nlb, "alb", 80);
      NlbException e = nlbError(() -> endpoint(nlb, "alb", 80));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    }
  }

  @Test
  void addressChange_isFollowedAfterRefreshInterval() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      endpoint(nlb, "alb", 80);
      TargetGroup g = albGroup(nlb, "g", 80);
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.registerTargets(Target.alb("alb"));
      g.reportHealth(Target.alb("alb"), TargetHealth.healthy());
      RegisteredTarget r = g.registeredTargets().get(0);
      long version = lb.routingSnapshot().version();

      addresses.set(List.of(addr("10.0.1.60"), addr("10.0.2.60")));
      time.advance(Duration.ofSeconds(9));
      assertThat(nlb.albEndpointAddresses("alb")).containsExactly(addr("10.0.1.50"));
      assertThat(r.albAddresses()).containsExactly(new InetSocketAddress(addr("10.0.1.50"), 80));

      time.advance(Duration.ofSeconds(1));
      assertThat(nlb.albEndpointAddresses("alb")).containsExactly(addr("10.0.1.60"), addr("10.0.2.60"));
      assertThat(r.albAddresses()).containsExactly(new InetSocketAddress(addr("10.0.1.60"), 80), new InetSocketAddress(addr("10.0.2.60"), 80));
      assertThat(lb.routingSnapshot().version()).isGreaterThan(version);
      assertThat(lb.whatIf("zone-a", Fixtures.flow(1)).address().orElseThrow().getAddress())
          .isIn(addr("10.0.1.60"), addr("10.0.2.60"));

      addresses.set(List.of(addr("10.0.1.70")));
      time.advance(Duration.ofSeconds(10));
      assertThat(r.albAddresses()).containsExactly(new InetSocketAddress(addr("10.0.1.70"), 80));
    }
  }

  @Test
  void addressSourceFailing_keepsLastAddresses() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      AtomicBoolean fail = new AtomicBoolean(false);
      nlb.createAlbEndpoint(AlbEndpoint.builder("alb", 80).addresses(() -> {
        if (fail.get()) {
          throw new IllegalStateException("dns down");
        }
        return current();
      }).refreshInterval(Duration.ofSeconds(10)).build());
      fail.set(true);
      time.advance(Duration.ofSeconds(30));
      assertThat(nlb.albEndpointAddresses("alb")).containsExactly(addr("10.0.1.50"));
      fail.set(false);
      addresses.set(List.of(addr("10.0.1.51")));
      time.advance(Duration.ofSeconds(10));
      assertThat(nlb.albEndpointAddresses("alb")).containsExactly(addr("10.0.1.51"));
    }
  }

  @Test
  void albEndpoint_builderRules() {
    assertThat(Fixtures.argError(() -> AlbEndpoint.builder("alb", 80).build()))
        .hasMessage("albEndpoint[alb].addresses: null (expected: an address source)");
    assertThat(Fixtures.argError(() -> AlbEndpoint.builder("alb", 80).refreshInterval(Duration.ofMillis(999))))
        .hasMessage("albEndpoint.refreshInterval: PT0.999S (expected: 1 second to 1 hour)");
    assertThat(Fixtures.argError(() -> AlbEndpoint.builder("-alb", 80))).hasMessageStartingWith("albEndpoint.name: \"-alb\"");
  }
}
