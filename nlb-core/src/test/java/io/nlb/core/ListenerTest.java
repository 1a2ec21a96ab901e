package io.nlb.core;

import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.routing.IpProtocol;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Listeners: the listener x target group compatibility table, dualstack and ipv6 rules, duplicate
 * ports, target group association, TLS settings and modify-listener.
 */
class ListenerTest {
  private final ManualScheduler time = new ManualScheduler();

  private static ListenerConfig listener(Protocol p, int port, String group) {
    ListenerConfig.Builder b = ListenerConfig.builder(p, port).forwardTo(group);
    if (p == Protocol.TLS) {
      b.certificate(Fixtures.CERT_1);
    }
    return b.build();
  }

  /** Creates a group and a load balancer with one listener; returns the refusal, or null when accepted. */
  private @Nullable NlbException attach(Protocol listener, Protocol group, TargetType type) {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createTargetGroup(TargetGroupConfig.builder("g", group, 9000).targetType(type).build());
      try {
        nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(listener(listener, 80, "g")).build());
        return null;
      } catch (NlbException e) {
        assertThat(nlb.loadBalancers()).isEmpty();
        return e;
      }
    }
  }

  private void assertCompatible(Protocol listener, Protocol group, TargetType type, boolean ok) {
    NlbException e = attach(listener, group, type);
    if (ok) {
      assertThat(e).as(listener + " -> " + group + " " + type).isNull();
    } else {
      assertThat(e).as(listener + " -> " + group + " " + type).isNotNull();
      assertThat(java.util.Objects.requireNonNull(e).code()).as(listener + " -> " + group + " " + type).isEqualTo(ErrorCode.INCOMPATIBLE_PROTOCOLS);
    }
  }

  @Test
  void compatibility_tableFromTheGuide_isEnforced() {
    for (TargetType type : List.of(TargetType.INSTANCE, TargetType.IP)) {
      assertCompatible(Protocol.TCP, Protocol.TCP, type, true);
      assertCompatible(Protocol.TCP, Protocol.TCP_UDP, type, true);
      assertCompatible(Protocol.TCP, Protocol.TLS, type, false);
      assertCompatible(Protocol.TCP, Protocol.UDP, type, false);
      assertCompatible(Protocol.TLS, Protocol.TCP, type, true);
      assertCompatible(Protocol.TLS, Protocol.TLS, type, true);
      assertCompatible(Protocol.TLS, Protocol.UDP, type, false);
      assertCompatible(Protocol.TLS, Protocol.TCP_UDP, type, false);
      assertCompatible(Protocol.UDP, Protocol.UDP, type, true);
      assertCompatible(Protocol.UDP, Protocol.TCP_UDP, type, true);
      assertCompatible(Protocol.UDP, Protocol.TCP, type, false);
      assertCompatible(Protocol.UDP, Protocol.TLS, type, false);
      assertCompatible(Protocol.TCP_UDP, Protocol.TCP_UDP, type, true);
      assertCompatible(Protocol.TCP_UDP, Protocol.TCP, type, false);
      assertCompatible(Protocol.TCP_UDP, Protocol.UDP, type, false);
      assertCompatible(Protocol.TCP_UDP, Protocol.TLS, type, false);
    }
    assertCompatible(Protocol.TCP, Protocol.TCP, TargetType.ALB, true);
    assertCompatible(Protocol.TLS, Protocol.TCP, TargetType.ALB, false);
    assertCompatible(Protocol.UDP, Protocol.TCP, TargetType.ALB, false);
    assertCompatible(Protocol.TCP_UDP, Protocol.TCP, TargetType.ALB, false);
  }

  @Test
  void compatibility_violation_namesListenerGroupAndExpectation() {
    NlbException e = attach(Protocol.UDP, Protocol.TCP, TargetType.IP);
    assertThat(e).isNotNull();
    assertThat(e).hasMessage("IncompatibleProtocols: listener[UDP:80].defaultAction.targetGroup: \"g (TCP, ip)\" "
        + "(expected: a UDP or TCP_UDP group of instance or ip targets for a UDP listener)");
  }

  @Test
  void albGroup_nonTcpProtocol_isRejected() {
    NlbException e = nlbError(() -> TargetGroupConfig.builder("alb", Protocol.TLS, 443).targetType(TargetType.ALB).build());
    assertThat(e.code()).isEqualTo(ErrorCode.INCOMPATIBLE_PROTOCOLS);
    assertThat(e.problems()).containsExactly("targetGroup[alb].protocol: \"TLS\" (expected: TCP for alb target groups)");
  }

  // ------------------------------------------------------------------ dualstack and ipv6

  private static Zone dualZone() {
    return Zone.builder("zone-a").address("127.0.0.1").address("::1").targetRange("10.0.1.0/24").targetRange("fd00:1::/64").build();
  }

  @Test
  void dualstack_tcpAndTlsListeners_areAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      Fixtures.ipGroup(nlb, "h");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.DUALSTACK).zone(dualZone())
          .listener(listener(Protocol.TCP, 80, "g")).listener(listener(Protocol.TLS, 443, "h")).build());
      assertThat(lb.listeners()).hasSize(2);
      assertThat(lb.dnsRecords().a()).hasSize(1);
      assertThat(lb.dnsRecords().aaaa()).hasSize(1);
    }
  }

  @Test
  void dualstack_udpListener_isRejectedWithUnsupportedProtocol() {
    NlbException e = nlbError(() -> LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.DUALSTACK).zone(dualZone())
        .listener(listener(Protocol.UDP, 53, "g")).build());
    assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_PROTOCOL);
    assertThat(e).hasMessage("UnsupportedProtocol: listener[UDP:53].protocol: \"UDP\" (expected: TCP or TLS on a dualstack load balancer)");
  }

  @Test
  void dualstack_createListenerTcpUdp_isRejectedWithUnsupportedProtocol() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g", Protocol.TCP_UDP, 53);
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.DUALSTACK).zone(dualZone()).build());
      NlbException e = nlbError(() -> lb.createListener(listener(Protocol.TCP_UDP, 53, "g")));
      assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_PROTOCOL);
      assertThat(lb.listeners()).isEmpty();
    }
  }

  /**
   * Guide, "Create your dualstack load balancer": only TCP or TLS target groups may be used with
   * a dualstack load balancer; a TCP listener must not forward to a TCP_UDP group there, at
   * creation, on create-listener, or when the type changes to dualstack.
   */
  @Test
  void dualstack_tcpListenerToTcpUdpTargetGroup_isRejected() {
    String problem = "listener[TCP:80].defaultAction.targetGroup.protocol: \"TCP_UDP\" (expected: a TCP or TLS target group on a dualstack load balancer)";
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g", Protocol.TCP_UDP, 80);
      NlbException e = nlbError(() -> nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.DUALSTACK)
          .zone(dualZone()).listener(listener(Protocol.TCP, 80, "g")).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_PROTOCOL);
      assertThat(e.problems()).containsExactly(problem);
      assertThat(nlb.loadBalancers()).isEmpty();

      LoadBalancer dual = nlb.createLoadBalancer(LoadBalancerConfig.builder("dual").ipAddressType(IpAddressType.DUALSTACK).zone(dualZone()).build());
      e = nlbError(() -> dual.createListener(listener(Protocol.TCP, 80, "g")));
      assertThat(e.problems()).containsExactly(problem);
      assertThat(dual.listeners()).isEmpty();

      LoadBalancer v4 = nlb.createLoadBalancer(LoadBalancerConfig.builder("v4").zone(dualZone()).listener(listener(Protocol.TCP, 80, "g")).build());
      e = nlbError(() -> v4.setIpAddressType(IpAddressType.DUALSTACK));
      assertThat(e.problems()).containsExactly(problem);
      assertThat(v4.ipAddressType()).isEqualTo(IpAddressType.IPV4);
    }
  }

  @Test
  void dualstack_zoneWithoutIpv6Address_isRejected() {
    NlbException e = nlbError(() -> LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.DUALSTACK).zone(Fixtures.zoneA()).build());
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    assertThat(e.problems()).singleElement().asString().startsWith("loadBalancer[lb].zone[zone-a].addresses: ");
  }

  @Test
  void ipv6Group_instanceTargets_isRejected() {
    NlbException e = nlbError(() -> TargetGroupConfig.builder("g", Protocol.TCP, 80).ipAddressType(IpAddressType.IPV6).build());
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    assertThat(e.problems()).containsExactly("targetGroup[g].ipAddressType: \"ipv6\" (expected: ipv4 for instance targets; ipv6 groups take ip targets only)");
  }

  @Test
  void ipv6Group_behindIpv4LoadBalancer_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP).ipAddressType(IpAddressType.IPV6).build());
      NlbException e = nlbError(() -> nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(listener(Protocol.TCP, 80, "g")).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION_REQUEST);
      assertThat(e.problems()).containsExactly(
          "listener[TCP:80].defaultAction.targetGroup: \"g\" (expected: an ipv4 target group; ipv6 groups need a dualstack load balancer)");
      assertThat(nlb.loadBalancers()).isEmpty();
    }
  }

  @Test
  void ipv6Group_behindDualstackTcpListener_routesIpv6Targets() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = nlb.createTargetGroup(
          TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP).ipAddressType(IpAddressType.IPV6).build());
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.DUALSTACK).zone(dualZone())
          .listener(listener(Protocol.TCP, 80, "g")).build());
      g.registerTargets(Target.ip("fd00:1::5"));
      g.reportHealth(Target.ip("fd00:1::5"), TargetHealth.healthy());
      assertThat(lb.whatIf("zone-a", Fixtures.flow(3)).target()).map(RouteTarget::id).hasValue(Target.ip("fd00:1::5").id());
      NlbException e = nlbError(() -> g.registerTargets(Target.ip("10.0.1.5")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TARGET);
      assertThat(e.problems()).containsExactly("targets[0].id: \"10.0.1.5\" (expected: an ipv6 address for the ipv6 target group g)");
    }
  }

  @Test
  void setIpAddressType_ipv4WhileIpv6GroupAttached_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createTargetGroup(TargetGroupConfig.builder("g", Protocol.TCP, 80).targetType(TargetType.IP).ipAddressType(IpAddressType.IPV6).build());
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.DUALSTACK).zone(dualZone())
          .listener(listener(Protocol.TCP, 80, "g")).build());
      NlbException e = nlbError(() -> lb.setIpAddressType(IpAddressType.IPV4));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION_REQUEST);
      assertThat(lb.ipAddressType()).isEqualTo(IpAddressType.DUALSTACK);
    }
  }

  @Test
  void setIpAddressType_dualstackWithUdpListener_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g", Protocol.UDP, 53);
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(dualZone()).listener(listener(Protocol.UDP, 53, "g")).build());
      NlbException e = nlbError(() -> lb.setIpAddressType(IpAddressType.DUALSTACK));
      assertThat(e.problems()).contains("listener[UDP:53].protocol: \"UDP\" (expected: TCP or TLS on a dualstack load balancer)");
      assertThat(lb.ipAddressType()).isEqualTo(IpAddressType.IPV4);
    }
  }

  // ------------------------------------------------------------------ duplicate ports

  private static LoadBalancerConfig.Builder two(Protocol first, Protocol second) {
    return LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(listener(first, 80, "g")).listener(listener(second, 80, "h"));
  }

  @Test
  void duplicatePort_tcpAndTls_clash() {
    NlbException e = nlbError(() -> two(Protocol.TCP, Protocol.TLS).build());
    assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
    assertThat(e).hasMessage("DuplicateListener: listener[TLS:80]: \"TLS:80\" (expected: a port not used by listener[TCP:80] for the same transport protocol)");
  }

  @Test
  void duplicatePort_sameProtocol_clash() {
    assertThat(nlbError(() -> two(Protocol.TCP, Protocol.TCP).build()).code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
    assertThat(nlbError(() -> two(Protocol.UDP, Protocol.UDP).build()).code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
  }

  @Test
  void duplicatePort_tcpAndUdp_isAccepted() {
    assertThat(two(Protocol.TCP, Protocol.UDP).build().listeners()).hasSize(2);
    assertThat(two(Protocol.TLS, Protocol.UDP).build().listeners()).hasSize(2);
  }

  @Test
  void duplicatePort_tcpUdpClashesWithTcpAndUdp() {
    assertThat(nlbError(() -> two(Protocol.TCP_UDP, Protocol.TCP).build()).code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
    assertThat(nlbError(() -> two(Protocol.TCP_UDP, Protocol.UDP).build()).code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
    assertThat(nlbError(() -> two(Protocol.TLS, Protocol.TCP_UDP).build()).code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
  }

  @Test
  void createListener_duplicatePort_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      Fixtures.ipGroup(nlb, "h", Protocol.UDP, 80);
      Fixtures.ipGroup(nlb, "k", Protocol.TCP_UDP, 80);
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      long version = lb.routingSnapshot().version();
      NlbException e = nlbError(() -> lb.createListener(listener(Protocol.TLS, 80, "g")));
      assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
      assertThat(e.problems()).containsExactly(
          "listener[TLS:80]: \"TLS:80\" (expected: a port not used by listener[TCP:80] for the same transport protocol)");
      lb.createListener(listener(Protocol.UDP, 80, "h"));
      assertThat(nlbError(() -> lb.createListener(listener(Protocol.TCP_UDP, 80, "k"))).code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
      assertThat(lb.listeners()).extracting(l -> l.config().path()).containsExactly("listener[TCP:80]", "listener[UDP:80]");
      assertThat(lb.routingSnapshot().version()).isGreaterThan(version);
    }
  }

  // ------------------------------------------------------------------ association and lookup

  @Test
  void targetGroupUsedByAnotherLoadBalancer_isRejectedWithAssociationLimit() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb1", "g");
      NlbException e = nlbError(() -> nlb.createLoadBalancer(LoadBalancerConfig.builder("lb2").zone(Fixtures.zoneA()).listener(Fixtures.tcp(80, "g")).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.TARGET_GROUP_ASSOCIATION_LIMIT);
      assertThat(e).hasMessage("TargetGroupAssociationLimit: listener[TCP:80].defaultAction.targetGroup: \"g\" "
          + "(expected: a target group not used by another load balancer (used by lb1))");
      assertThat(nlb.loadBalancer("lb2")).isEmpty();
    }
  }

  @Test
  void targetGroupUsedTwiceBySameLoadBalancer_isAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      lb.createListener(Fixtures.tcp(81, "g"));
      assertThat(lb.listeners()).hasSize(2);
    }
  }

  @Test
  void listener_unknownTargetGroup_isRejectedWithTargetGroupNotFound() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      NlbException e = nlbError(() -> Fixtures.lb(nlb, "lb", "nope"));
      assertThat(e.code()).isEqualTo(ErrorCode.TARGET_GROUP_NOT_FOUND);
      assertThat(e.problems()).containsExactly("listener[TCP:80].defaultAction.targetGroup: \"nope\" (expected: the name of an existing target group)");
    }
  }

  @Test
  void deleteTargetGroup_whileUsed_isRejectedWithResourceInUse() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      Fixtures.lb(nlb, "lb", "g");
      NlbException e = nlbError(g::delete);
      assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_IN_USE);
      assertThat(nlb.targetGroup("g")).isPresent();
    }
  }

  // ------------------------------------------------------------------ listener config

  @Test
  void listenerConfig_withoutTargetGroup_isRejected() {
    NlbException e = nlbError(() -> ListenerConfig.builder(Protocol.TCP, 80).build());
    assertThat(e).hasMessage("ValidationError: listener[TCP:80].defaultAction: null (expected: a target group to forward to)");
  }

  @Test
  void listenerConfig_port0_isRejected() {
    assertThat(Fixtures.argError(() -> ListenerConfig.builder(Protocol.TCP, 0))).hasMessage("listener.port: 0 (expected: 1-65535)");
    assertThat(Fixtures.argError(() -> ListenerConfig.builder(Protocol.TCP, 65536))).hasMessage("listener.port: 65536 (expected: 1-65535)");
  }

  @Test
  void tlsListener_withoutCertificate_isRejected() {
    NlbException e = nlbError(() -> ListenerConfig.builder(Protocol.TLS, 443).forwardTo("g").build());
    assertThat(e.problems()).containsExactly("listener[TLS:443].certificate: null (expected: exactly one default certificate for a TLS listener)");
  }

  @Test
  void tlsListener_defaultPolicy_is2016_08() {
    ListenerConfig c = Fixtures.tls(443, "g");
    assertThat(c.sslPolicy()).hasValue("ELBSecurityPolicy-2016-08");
    assertThat(c.alpnPolicy()).isEqualTo(AlpnPolicy.NONE);
  }

  @Test
  void tlsListener_unknownPolicy_isRejected() {
    assertThat(Fixtures.argError(() -> ListenerConfig.builder(Protocol.TLS, 443).sslPolicy("ELBSecurityPolicy-Nope")))
        .hasMessageStartingWith("listener.sslPolicy: \"ELBSecurityPolicy-Nope\" (expected: one of [");
  }

  @Test
  void tlsListener_sameCertificateTwiceInList_isRejected() {
    NlbException e = nlbError(() -> ListenerConfig.builder(Protocol.TLS, 443).forwardTo("g").certificate(Fixtures.CERT_1)
        .addCertificate(Fixtures.CERT_2).addCertificate(Fixtures.cert("cert-2")).build());
    assertThat(e.problems()).containsExactly("listener[TLS:443].certificates: \"cert-2\" (expected: each certificate once)");
  }

  /**
   * Guide, "Add certificates to the certificate list": the default certificate may be added to
   * the list as well, so that SNI selection uses it (even after it is replaced as the default).
   */
  @Test
  void certificateList_mayHoldTheDefaultCertificate() {
    ListenerConfig c = ListenerConfig.builder(Protocol.TLS, 443).forwardTo("g").certificate(Fixtures.CERT_1)
        .addCertificate(Fixtures.cert("cert-1")).build();
    assertThat(c.certificates()).extracting(ServerCertificate::id).containsExactly("cert-1");
    assertThat(c.certificateCount()).isEqualTo(1);
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA())
          .listener(Fixtures.tls(443, "g")).build());
      Listener tls = lb.listeners().get(0);
      tls.addCertificates(Fixtures.CERT_1, Fixtures.CERT_2);
      assertThat(tls.config().certificates()).extracting(ServerCertificate::id).containsExactly("cert-1", "cert-2");
      // Replacing the default keeps the old one in the list, for SNI.
      tls.modify(tls.config().toBuilder().certificate(Fixtures.cert("cert-3")).build());
      assertThat(tls.config().certificates()).extracting(ServerCertificate::id).containsExactly("cert-1", "cert-2");
      // Removing it from the list works while it is the default too; the default stays.
      tls.modify(tls.config().toBuilder().certificate(Fixtures.CERT_1).build());
      tls.removeCertificates(Fixtures.CERT_1);
      assertThat(tls.config().certificates()).extracting(ServerCertificate::id).containsExactly("cert-2");
      assertThat(tls.config().certificate().orElseThrow().id()).isEqualTo("cert-1");
      NlbException e = nlbError(() -> tls.removeCertificates(Fixtures.CERT_1));
      assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_PERMITTED);
    }
  }

  @Test
  void tcpListener_withTlsSettings_isRejected() {
    NlbException e = nlbError(() -> ListenerConfig.builder(Protocol.TCP, 80).forwardTo("g").certificate(Fixtures.CERT_1)
        .sslPolicy(SecurityPolicies.RECOMMENDED).build());
    assertThat(e.problems()).containsExactly(
        "listener[TCP:80].certificate: \"cert-1\" (expected: no certificates; only TLS listeners take them)",
        "listener[TCP:80].sslPolicy: \"ELBSecurityPolicy-TLS13-1-2-2021-06\" (expected: no policy; only TLS listeners take one)");
  }

  // ------------------------------------------------------------------ modify listener

  @Test
  void modify_port_snapshotFollows() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      Listener l = lb.listeners().get(0);
      l.modify(l.config().toBuilder().port(8080).build());
      assertThat(l.config().port()).isEqualTo(8080);
      assertThat(lb.routingSnapshot().listener(IpProtocol.TCP, 80)).isNull();
      assertThat(lb.routingSnapshot().listener(IpProtocol.TCP, 8080)).isNotNull();
      assertThat(lb.listener(Protocol.TCP, 8080)).containsSame(l);
    }
  }

  @Test
  void modify_portTakenByAnotherListener_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      lb.createListener(Fixtures.tcp(81, "g"));
      Listener l = lb.listeners().get(0);
      NlbException e = nlbError(() -> l.modify(l.config().toBuilder().port(81).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_LISTENER);
      assertThat(l.config().port()).isEqualTo(80);
      l.modify(l.config().toBuilder().attribute("tcp.idle_timeout.seconds", "60").build());
      assertThat(Fixtures.route(lb, 80).config().attributes().tcpIdleTimeout()).hasSeconds(60);
    }
  }

  @Test
  void tcpUdpListener_takesTcpAndUdpFlows() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g", Protocol.TCP_UDP, 53);
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(listener(Protocol.TCP_UDP, 53, "g")).build());
      g.registerTargets(Target.ip("10.0.1.1"));
      g.reportHealth(Target.ip("10.0.1.1"), TargetHealth.healthy());
      java.net.InetSocketAddress client = new java.net.InetSocketAddress("192.0.2.1", 5353);
      java.net.InetSocketAddress node = new java.net.InetSocketAddress("127.0.0.1", 53);
      assertThat(lb.whatIf("zone-a", io.nlb.core.routing.FlowKey.udp(client, node)).outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
      assertThat(lb.whatIf("zone-a", io.nlb.core.routing.FlowKey.tcp(client, node, 1)).outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
    }
  }

  @Test
  void udpListener_takesUdpFlowsOnly() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g", Protocol.UDP, 53);
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(listener(Protocol.UDP, 53, "g")).build());
      g.registerTargets(Target.ip("10.0.1.1"));
      java.net.InetSocketAddress client = new java.net.InetSocketAddress("192.0.2.1", 5353);
      java.net.InetSocketAddress node = new java.net.InetSocketAddress("127.0.0.1", 53);
      assertThat(lb.whatIf("zone-a", io.nlb.core.routing.FlowKey.udp(client, node)).routed()).isTrue();
      assertThat(lb.whatIf("zone-a", io.nlb.core.routing.FlowKey.tcp(client, node, 1)).outcome()).isEqualTo(RouteDecision.Outcome.NO_LISTENER);
    }
  }

  @Test
  void setIpAddressType_dualstack_publishesAaaaRecords() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(dualZone()).listener(Fixtures.tcp(80, "g")).build());
      assertThat(lb.dnsRecords().aaaa()).isEmpty();
      lb.setIpAddressType(IpAddressType.DUALSTACK);
      assertThat(lb.ipAddressType()).isEqualTo(IpAddressType.DUALSTACK);
      assertThat(lb.dnsRecords().aaaa()).hasSize(1);
      lb.setIpAddressType(IpAddressType.IPV4);
      assertThat(lb.dnsRecords().aaaa()).isEmpty();
    }
  }

  @Test
  void modify_targetGroup_snapshotFollows() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      TargetGroup h = Fixtures.ipGroup(nlb, "h");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      Listener l = lb.listeners().get(0);
      l.modify(l.config().toBuilder().forwardTo("h").build());
      assertThat(Fixtures.route(lb, 80).targetGroup()).isEqualTo(h.name());
      assertThat(h.loadBalancer()).containsSame(lb);
      assertThat(nlb.targetGroup("g").orElseThrow().loadBalancer()).isEmpty();
    }
  }

  @Test
  void modify_tlsToTcp_dropsCertificateAndPolicy() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(
          ListenerConfig.builder(Protocol.TLS, 443).forwardTo("g").certificate(Fixtures.CERT_1).addCertificate(Fixtures.CERT_2)
              .alpnPolicy(AlpnPolicy.HTTP2_PREFERRED).build()).build());
      Listener l = lb.listeners().get(0);
      l.modify(l.config().toBuilder().protocol(Protocol.TCP).build());
      ListenerConfig c = l.config();
      assertThat(c.protocol()).isEqualTo(Protocol.TCP);
      assertThat(c.certificate()).isEmpty();
      assertThat(c.certificates()).isEmpty();
      assertThat(c.sslPolicy()).isEmpty();
      assertThat(c.alpnPolicy()).isEqualTo(AlpnPolicy.NONE);
      assertThat(java.util.Objects.requireNonNull(lb.routingSnapshot().listener(l)).config().protocol()).isEqualTo(Protocol.TCP);
    }
  }

  @Test
  void modify_tcpToTls_needsCertificate() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      Listener l = lb.listeners().get(0);
      NlbException e = nlbError(() -> l.config().toBuilder().protocol(Protocol.TLS).build());
      assertThat(e.problems()).containsExactly("listener[TLS:80].certificate: null (expected: exactly one default certificate for a TLS listener)");
      l.modify(l.config().toBuilder().protocol(Protocol.TLS).certificate(Fixtures.CERT_1).build());
      assertThat(l.config().protocol()).isEqualTo(Protocol.TLS);
      assertThat(l.config().sslPolicy()).hasValue(SecurityPolicies.DEFAULT);
    }
  }

  @Test
  void modify_toIncompatibleGroup_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "g");
      Fixtures.ipGroup(nlb, "u", Protocol.UDP, 53);
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      Listener l = lb.listeners().get(0);
      ListenerConfig before = l.config();
      RoutingSnapshot snapshot = lb.routingSnapshot();
      NlbException e = nlbError(() -> l.modify(before.toBuilder().forwardTo("u").build()));
      assertThat(e.code()).isEqualTo(ErrorCode.INCOMPATIBLE_PROTOCOLS);
      assertThat(l.config()).isSameAs(before);
      assertThat(lb.routingSnapshot()).isSameAs(snapshot);
    }
  }

  @Test
  void modify_toStickyGroupAsTls_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      g.modifyAttributes(java.util.Map.of("stickiness.enabled", "true"));
      Listener l = lb.listeners().get(0);
      NlbException e = nlbError(() -> l.modify(l.config().toBuilder().protocol(Protocol.TLS).certificate(Fixtures.CERT_1).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION_REQUEST);
      assertThat(l.config().protocol()).isEqualTo(Protocol.TCP);
    }
  }

  @Test
  void deleteListener_removesRouteAndFreesGroup() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup g = Fixtures.ipGroup(nlb, "g");
      LoadBalancer lb = Fixtures.lb(nlb, "lb", "g");
      Listener l = lb.listeners().get(0);
      l.delete();
      assertThat(lb.listeners()).isEmpty();
      assertThat(lb.routingSnapshot().listeners()).isEmpty();
      assertThat(g.loadBalancer()).isEmpty();
      assertThat(nlbError(() -> l.modify(Fixtures.tcp(81, "g"))).code()).isEqualTo(ErrorCode.LISTENER_NOT_FOUND);
    }
  }
}
