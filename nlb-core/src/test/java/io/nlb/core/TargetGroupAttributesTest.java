package io.nlb.core;

import static io.nlb.core.Fixtures.argError;
import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Target group attributes (every key, range, default and cross-rule) and the listener idle timeout. */
class TargetGroupAttributesTest {
  private final ManualScheduler time = new ManualScheduler();

  private static TargetGroupConfig.Builder group(Protocol p, TargetType type) {
    return TargetGroupConfig.builder("web", p, 8080).targetType(type);
  }

  // ------------------------------------------------------------------ defaults

  @Test
  void describeAttributes_ipTcp_everyKeyAtItsDefault() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("deregistration_delay.timeout_seconds", "300");
      expected.put("deregistration_delay.connection_termination.enabled", "false");
      expected.put("load_balancing.cross_zone.enabled", "use_load_balancer_configuration");
      expected.put("preserve_client_ip.enabled", "false");
      expected.put("proxy_protocol_v2.enabled", "false");
      expected.put("proxy_protocol_v2.tls_tlvs.enabled", "false");
      expected.put("stickiness.enabled", "false");
      expected.put("stickiness.type", "source_ip");
      expected.put("target_group_health.dns_failover.minimum_healthy_targets.count", "off");
      expected.put("target_group_health.dns_failover.minimum_healthy_targets.percentage", "off");
      expected.put("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "1");
      expected.put("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", "off");
      assertThat(Fixtures.ipGroup(nlb, "web").describeAttributes()).containsExactlyEntriesOf(expected);
    }
  }

  @Test
  void typedAccessors_defaults() {
    TargetGroupAttributes a = group(Protocol.TCP, TargetType.IP).build().attributes();
    assertThat(a.deregistrationDelay()).isEqualTo(Duration.ofSeconds(300));
    assertThat(a.connectionTermination()).isFalse();
    assertThat(a.crossZone()).isEqualTo(CrossZone.USE_LOAD_BALANCER_CONFIGURATION);
    assertThat(a.proxyProtocolV2()).isFalse();
    assertThat(a.stickiness()).isFalse();
    assertThat(a.dnsFailoverMinimumHealthyCount()).isEmpty();
    assertThat(a.dnsFailoverMinimumHealthyPercentage()).isEmpty();
    assertThat(a.routingFailoverMinimumHealthyCount()).isEqualTo(1);
    assertThat(a.routingFailoverMinimumHealthyPercentage()).isEmpty();
  }

  // ------------------------------------------------------------------ deregistration delay

  @Test
  void deregistrationDelay_0_isAccepted() {
    assertThat(group(Protocol.TCP, TargetType.IP).attribute("deregistration_delay.timeout_seconds", "0").build()
        .attributes().deregistrationDelay()).isZero();
  }

  @Test
  void deregistrationDelay_3600_isAccepted() {
    assertThat(group(Protocol.TCP, TargetType.IP).attribute("deregistration_delay.timeout_seconds", "3600").build()
        .attributes().deregistrationDelay()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void deregistrationDelay_minus1_isRejected() {
    assertThat(argError(() -> group(Protocol.TCP, TargetType.IP).attribute("deregistration_delay.timeout_seconds", "-1")))
        .hasMessage("deregistration_delay.timeout_seconds: \"-1\" (expected: 0-3600)");
  }

  @Test
  void deregistrationDelay_3601_isRejected() {
    assertThat(argError(() -> group(Protocol.TCP, TargetType.IP).attribute("deregistration_delay.timeout_seconds", "3601")))
        .hasMessage("deregistration_delay.timeout_seconds: \"3601\" (expected: 0-3600)");
  }

  @Test
  void deregistrationDelay_typed_boundaries() {
    assertThatCode(() -> TargetGroupAttributes.builder().deregistrationDelay(Duration.ofSeconds(3600))).doesNotThrowAnyException();
    assertThat(argError(() -> TargetGroupAttributes.builder().deregistrationDelay(Duration.ofSeconds(3601))))
        .hasMessage("deregistration_delay.timeout_seconds: PT1H1S (expected: whole seconds 0-3600)");
    assertThat(argError(() -> TargetGroupAttributes.builder().deregistrationDelay(Duration.ofMillis(1500))))
        .hasMessageStartingWith("deregistration_delay.timeout_seconds: PT1.5S");
  }

  @Test
  void deregistrationDelay_notANumber_isRejected() {
    assertThat(argError(() -> TargetGroupAttributes.builder().set("deregistration_delay.timeout_seconds", "5m")))
        .hasMessage("deregistration_delay.timeout_seconds: \"5m\" (expected: 0-3600)");
  }

  @Test
  void connectionTermination_badBoolean_isRejected() {
    assertThat(argError(() -> TargetGroupAttributes.builder().set("deregistration_delay.connection_termination.enabled", "on")))
        .hasMessage("deregistration_delay.connection_termination.enabled: \"on\" (expected: true or false)");
  }

  // ------------------------------------------------------------------ cross zone

  @Test
  void crossZone_threeValues_areAccepted() {
    assertThat(TargetGroupAttributes.builder().set("load_balancing.cross_zone.enabled", "true").build().crossZone()).isEqualTo(CrossZone.ENABLED);
    assertThat(TargetGroupAttributes.builder().set("load_balancing.cross_zone.enabled", "false").build().crossZone()).isEqualTo(CrossZone.DISABLED);
    assertThat(TargetGroupAttributes.builder().set("load_balancing.cross_zone.enabled", "use_load_balancer_configuration").build().crossZone())
        .isEqualTo(CrossZone.USE_LOAD_BALANCER_CONFIGURATION);
  }

  @Test
  void crossZone_otherValue_isRejected() {
    assertThat(argError(() -> TargetGroupAttributes.builder().set("load_balancing.cross_zone.enabled", "maybe")))
        .hasMessage("load_balancing.cross_zone.enabled: \"maybe\" (expected: true, false, use_load_balancer_configuration)");
  }

  @Test
  void crossZone_effective_groupOverridesLoadBalancer() {
    assertThat(CrossZone.ENABLED.effective(false)).isTrue();
    assertThat(CrossZone.DISABLED.effective(true)).isFalse();
    assertThat(CrossZone.USE_LOAD_BALANCER_CONFIGURATION.effective(true)).isTrue();
    assertThat(CrossZone.USE_LOAD_BALANCER_CONFIGURATION.effective(false)).isFalse();
  }

  // ------------------------------------------------------------------ client IP preservation

  @Test
  void preserveClientIp_defaults_followTypeAndProtocol() {
    assertThat(group(Protocol.TCP, TargetType.IP).build().attributes().preserveClientIp()).isFalse();
    assertThat(group(Protocol.TLS, TargetType.IP).build().attributes().preserveClientIp()).isFalse();
    assertThat(group(Protocol.UDP, TargetType.IP).build().attributes().preserveClientIp()).isTrue();
    assertThat(group(Protocol.TCP_UDP, TargetType.IP).build().attributes().preserveClientIp()).isTrue();
    assertThat(group(Protocol.TCP, TargetType.INSTANCE).build().attributes().preserveClientIp()).isTrue();
    assertThat(group(Protocol.TLS, TargetType.INSTANCE).build().attributes().preserveClientIp()).isTrue();
    assertThat(group(Protocol.UDP, TargetType.INSTANCE).build().attributes().preserveClientIp()).isTrue();
    assertThat(group(Protocol.TCP_UDP, TargetType.INSTANCE).build().attributes().preserveClientIp()).isTrue();
    assertThat(group(Protocol.TCP, TargetType.ALB).build().attributes().preserveClientIp()).isTrue();
  }

  @Test
  void preserveClientIp_disabledForUdp_isRejected() {
    NlbException e = nlbError(() -> group(Protocol.UDP, TargetType.IP).attribute("preserve_client_ip.enabled", "false").build());
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    assertThat(e).hasMessage("ValidationError: targetGroup[web].preserve_client_ip.enabled: \"false\" "
        + "(expected: true; client IP preservation cannot be disabled for UDP target groups)");
  }

  @Test
  void preserveClientIp_disabledForTcpUdp_isRejected() {
    NlbException e = nlbError(() -> group(Protocol.TCP_UDP, TargetType.INSTANCE).attribute("preserve_client_ip.enabled", "false").build());
    assertThat(e.problems()).singleElement().asString()
        .isEqualTo("targetGroup[web].preserve_client_ip.enabled: \"false\" (expected: true; client IP preservation cannot be disabled for TCP_UDP target groups)");
  }

  @Test
  void preserveClientIp_togglingForTcp_isAccepted() {
    assertThat(group(Protocol.TCP, TargetType.IP).attribute("preserve_client_ip.enabled", "true").build().attributes().preserveClientIp()).isTrue();
    assertThat(group(Protocol.TCP, TargetType.INSTANCE).attribute("preserve_client_ip.enabled", "false").build().attributes().preserveClientIp()).isFalse();
  }

  @Test
  void modifyAttributes_disablePreserveClientIpOnUdp_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "dns", Protocol.UDP, 53);
      NlbException e = nlbError(() -> tg.modifyAttributes(Map.of("preserve_client_ip.enabled", "false")));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).singleElement().asString().startsWith("targetGroup[dns].preserve_client_ip.enabled: \"false\"");
      assertThat(tg.attributes().preserveClientIp()).isTrue();
    }
  }

  // ------------------------------------------------------------------ proxy protocol

  @Test
  void proxyProtocolV2_default_isFalseAndCanBeEnabled() {
    assertThat(group(Protocol.TCP, TargetType.IP).build().attributes().proxyProtocolV2()).isFalse();
    assertThat(group(Protocol.TCP, TargetType.IP).attribute("proxy_protocol_v2.enabled", "true").build().attributes().proxyProtocolV2()).isTrue();
  }

  // ------------------------------------------------------------------ stickiness

  @Test
  void stickiness_enabledOnTcp_isAccepted() {
    TargetGroupAttributes a = group(Protocol.TCP, TargetType.IP).attribute("stickiness.enabled", "true").build().attributes();
    assertThat(a.stickiness()).isTrue();
    assertThat(a.get("stickiness.type")).isEqualTo("source_ip");
  }

  @Test
  void stickinessType_otherThanSourceIp_isRejected() {
    assertThat(argError(() -> TargetGroupAttributes.builder().set("stickiness.type", "lb_cookie")))
        .hasMessage("stickiness.type: \"lb_cookie\" (expected: source_ip)");
  }

  @Test
  void stickiness_onTlsGroup_isRejected() {
    NlbException e = nlbError(() -> group(Protocol.TLS, TargetType.IP).attribute("stickiness.enabled", "true").build());
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    assertThat(e.problems()).containsExactly(
        "targetGroup[web].stickiness.enabled: \"true\" (expected: false; sticky sessions are not supported with TLS target groups)");
  }

  @Test
  void modifyAttributes_stickinessOnTlsGroup_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "web", Protocol.TLS, 443);
      NlbException e = nlbError(() -> tg.modifyAttributes(Map.of("stickiness.enabled", "true")));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(tg.attributes().stickiness()).isFalse();
    }
  }

  @Test
  void tlsListener_onStickyGroup_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createTargetGroup(group(Protocol.TCP, TargetType.IP).attribute("stickiness.enabled", "true").build());
      NlbException e = nlbError(() -> nlb.createLoadBalancer(
          LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tls(443, "web")).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION_REQUEST);
      assertThat(e).hasMessage("InvalidConfigurationRequest: listener[TLS:443].defaultAction.targetGroup: \"web\" "
          + "(expected: a group without stickiness; sticky sessions are not supported with TLS listeners)");
      assertThat(nlb.loadBalancers()).isEmpty();
    }
  }

  @Test
  void createListener_tlsOnStickyGroup_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createTargetGroup(group(Protocol.TCP, TargetType.IP).attribute("stickiness.enabled", "true").build());
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tcp(80, "web")).build());
      NlbException e = nlbError(() -> lb.createListener(Fixtures.tls(443, "web")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION_REQUEST);
      assertThat(lb.listeners()).hasSize(1);
    }
  }

  @Test
  void modifyAttributes_stickinessWhileTlsListenerUsesGroup_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "web");
      nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).listener(Fixtures.tls(443, "web")).build());
      NlbException e = nlbError(() -> tg.modifyAttributes(Map.of("stickiness.enabled", "true")));
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION_REQUEST);
      assertThat(e).hasMessage("InvalidConfigurationRequest: stickiness.enabled: \"true\" "
          + "(expected: false; sticky sessions are not supported with TLS listeners (listener[TLS:443]))");
      assertThat(tg.attributes().stickiness()).isFalse();
    }
  }

  @Test
  void modifyAttributes_stickinessWhileTcpListenerUsesGroup_isAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "web");
      Fixtures.lb(nlb, "lb", "web");
      tg.modifyAttributes(Map.of("stickiness.enabled", "true"));
      assertThat(tg.attributes().stickiness()).isTrue();
    }
  }

  // ------------------------------------------------------------------ target group health

  @Test
  void targetGroupHealth_off_isAcceptedForDnsAndRoutingPercentage() {
    TargetGroupAttributes a = group(Protocol.TCP, TargetType.IP)
        .attribute("target_group_health.dns_failover.minimum_healthy_targets.count", "OFF")
        .attribute("target_group_health.dns_failover.minimum_healthy_targets.percentage", "off")
        .attribute("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", "off")
        .build().attributes();
    assertThat(a.dnsFailoverMinimumHealthyCount()).isEmpty();
    assertThat(a.get("target_group_health.dns_failover.minimum_healthy_targets.count")).isEqualTo("off");
  }

  @Test
  void routingFailoverCount_off_isRejected() {
    assertThat(argError(() -> TargetGroupAttributes.builder().set("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "off")))
        .hasMessage("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count: \"off\" (expected: 1-2147483647)");
  }

  @Test
  void percentages_1And100_areAccepted0And101Rejected() {
    for (String key : new String[] {TargetGroupAttributes.DNS_FAILOVER_PERCENTAGE, TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE}) {
      assertThatCode(() -> TargetGroupAttributes.builder().set(key, "1").set(key, "100")).doesNotThrowAnyException();
      assertThat(argError(() -> TargetGroupAttributes.builder().set(key, "0"))).hasMessage(key + ": \"0\" (expected: off or 1-100)");
      assertThat(argError(() -> TargetGroupAttributes.builder().set(key, "101"))).hasMessage(key + ": \"101\" (expected: off or 1-100)");
    }
  }

  @Test
  void counts_0_isRejected() {
    assertThat(argError(() -> TargetGroupAttributes.builder().set(TargetGroupAttributes.DNS_FAILOVER_COUNT, "0")))
        .hasMessage(TargetGroupAttributes.DNS_FAILOVER_COUNT + ": \"0\" (expected: off or 1-2147483647)");
    assertThat(argError(() -> TargetGroupAttributes.builder().set(TargetGroupAttributes.ROUTING_FAILOVER_COUNT, "0")))
        .hasMessage(TargetGroupAttributes.ROUTING_FAILOVER_COUNT + ": \"0\" (expected: 1-2147483647)");
  }

  @Test
  void counts_targetsPerGroupQuota_isAcceptedAndOneMoreRejected() {
    try (Nlb nlb = Fixtures.nlb(time, Quotas.builder().targetsPerTargetGroup(10).build())) {
      TargetGroup ok = nlb.createTargetGroup(TargetGroupConfig.builder("ok", Protocol.TCP, 80)
          .attribute(TargetGroupAttributes.DNS_FAILOVER_COUNT, "10").attribute(TargetGroupAttributes.ROUTING_FAILOVER_COUNT, "10").build());
      assertThat(ok.attributes().routingFailoverMinimumHealthyCount()).isEqualTo(10);
      NlbException e = nlbError(() -> nlb.createTargetGroup(TargetGroupConfig.builder("bad", Protocol.TCP, 80)
          .attribute(TargetGroupAttributes.DNS_FAILOVER_COUNT, "11").build()));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).containsExactly("targetGroup[bad]." + TargetGroupAttributes.DNS_FAILOVER_COUNT
          + ": 11 (expected: off or 1-10 (the maximum number of targets))");
      NlbException r = nlbError(() -> ok.modifyAttributes(Map.of(TargetGroupAttributes.ROUTING_FAILOVER_COUNT, "11")));
      assertThat(r.problems()).contains("targetGroup[ok]." + TargetGroupAttributes.ROUTING_FAILOVER_COUNT
          + ": 11 (expected: 1-10 (the maximum number of targets))");
      assertThat(nlb.targetGroup("bad")).isEmpty();
      assertThat(ok.attributes().routingFailoverMinimumHealthyCount()).isEqualTo(10);
    }
  }

  @Test
  void dnsCountBelowRoutingCount_isRejected() {
    NlbException e = nlbError(() -> group(Protocol.TCP, TargetType.IP)
        .attribute(TargetGroupAttributes.DNS_FAILOVER_COUNT, "2").attribute(TargetGroupAttributes.ROUTING_FAILOVER_COUNT, "3").build());
    assertThat(e.problems()).containsExactly("targetGroup[web]." + TargetGroupAttributes.DNS_FAILOVER_COUNT
        + ": 2 (expected: off or at least " + TargetGroupAttributes.ROUTING_FAILOVER_COUNT + " (3))");
  }

  @Test
  void dnsCountEqualToRoutingCount_isAccepted() {
    assertThatCode(() -> group(Protocol.TCP, TargetType.IP)
        .attribute(TargetGroupAttributes.DNS_FAILOVER_COUNT, "3").attribute(TargetGroupAttributes.ROUTING_FAILOVER_COUNT, "3").build())
        .doesNotThrowAnyException();
  }

  @Test
  void dnsCountOffWithRoutingCount_isAccepted() {
    assertThatCode(() -> group(Protocol.TCP, TargetType.IP).attribute(TargetGroupAttributes.ROUTING_FAILOVER_COUNT, "5").build())
        .doesNotThrowAnyException();
  }

  @Test
  void dnsPercentageBelowRoutingPercentage_isRejected() {
    NlbException e = nlbError(() -> group(Protocol.TCP, TargetType.IP)
        .attribute(TargetGroupAttributes.DNS_FAILOVER_PERCENTAGE, "49").attribute(TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE, "50").build());
    assertThat(e.problems()).containsExactly("targetGroup[web]." + TargetGroupAttributes.DNS_FAILOVER_PERCENTAGE
        + ": 49 (expected: off or at least " + TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE + " (50))");
  }

  @Test
  void dnsPercentageEqualOrOff_isAccepted() {
    assertThatCode(() -> group(Protocol.TCP, TargetType.IP)
        .attribute(TargetGroupAttributes.DNS_FAILOVER_PERCENTAGE, "50").attribute(TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE, "50").build())
        .doesNotThrowAnyException();
    assertThatCode(() -> group(Protocol.TCP, TargetType.IP).attribute(TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE, "50").build())
        .doesNotThrowAnyException();
  }

  @Test
  void modifyAttributes_dnsBelowRouting_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "web");
      tg.modifyAttributes(Map.of(TargetGroupAttributes.DNS_FAILOVER_PERCENTAGE, "60"));
      Map<String, String> before = tg.describeAttributes();
      NlbException e = nlbError(() -> tg.modifyAttributes(Map.of(TargetGroupAttributes.ROUTING_FAILOVER_PERCENTAGE, "70")));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(tg.describeAttributes()).isEqualTo(before);
    }
  }

  @Test
  void unknownKey_isRejectedWithTheListOfKeys() {
    assertThat(argError(() -> TargetGroupAttributes.builder().set("slow_start.duration_seconds", "30")))
        .hasMessage("targetGroup.attributes: \"slow_start.duration_seconds\" (expected: one of " + TargetGroupAttributes.keys() + ")");
  }

  // ------------------------------------------------------------------ listener attributes

  @Test
  void tcpIdleTimeout_default_is350() {
    assertThat(Fixtures.tcp(80, "web").attributes().tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(350));
    assertThat(ListenerAttributes.defaults().asMap()).containsExactly(Map.entry("tcp.idle_timeout.seconds", "350"));
  }

  /**
   * A deliberate difference (README, "Deliberate differences from the AWS guide"): this edition
   * of the guide ("Connection idle timeout") fixes the TCP idle timeout at 350 s; the library
   * keeps the later listener attribute {@code tcp.idle_timeout.seconds} (60-6000, default 350).
   */
  @Test
  void tcpIdleTimeout_isAListenerAttributeDeliberately() {
    assertThat(ListenerAttributes.defaults().asMap()).containsOnlyKeys("tcp.idle_timeout.seconds");
    assertThat(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").attribute("tcp.idle_timeout.seconds", "120").build()
        .attributes().tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void tcpIdleTimeout_60And6000_areAccepted() {
    assertThat(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").attribute("tcp.idle_timeout.seconds", "60").build()
        .attributes().tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").attribute("tcp.idle_timeout.seconds", "6000").build()
        .attributes().tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(6000));
  }

  @Test
  void tcpIdleTimeout_59And6001_areRejected() {
    assertThat(argError(() -> ListenerConfig.builder(Protocol.TCP, 80).attribute("tcp.idle_timeout.seconds", "59")))
        .hasMessage("tcp.idle_timeout.seconds: \"59\" (expected: 60-6000)");
    assertThat(argError(() -> ListenerConfig.builder(Protocol.TCP, 80).attribute("tcp.idle_timeout.seconds", "6001")))
        .hasMessage("tcp.idle_timeout.seconds: \"6001\" (expected: 60-6000)");
    assertThat(argError(() -> ListenerAttributes.builder().tcpIdleTimeout(Duration.ofSeconds(59))))
        .hasMessage("tcp.idle_timeout.seconds: PT59S (expected: whole seconds 60-6000)");
  }

  @Test
  void listenerAttribute_unknownKey_isRejected() {
    assertThat(argError(() -> ListenerAttributes.builder().set("udp.idle_timeout.seconds", "60")))
        .hasMessage("listener.attributes: \"udp.idle_timeout.seconds\" (expected: one of [tcp.idle_timeout.seconds])");
  }
}
