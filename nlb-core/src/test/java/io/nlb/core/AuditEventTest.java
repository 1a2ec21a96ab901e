package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every control-plane operation emits one audit event with the right fields, refusals included. */
class AuditEventTest {
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private final ManualScheduler time = new ManualScheduler();
  private final Nlb nlb = Nlb.builder().scheduler(time).flowHashSeed(1).auditListener(events::add).build();

  @AfterEach
  void close() {
    nlb.close();
  }

  private TargetGroup group(String name) {
    return nlb.createTargetGroup(TargetGroupConfig.builder(name, Protocol.TCP, 80).targetType(TargetType.IP).build());
  }

  private LoadBalancer lb() {
    return nlb.createLoadBalancer(LoadBalancerConfig.builder("lb")
        .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
        .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
        .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
        .tag("env", "test")
        .build());
  }

  private AuditEvent last() {
    return events.get(events.size() - 1);
  }

  @Test
  void createTargetGroup_succeeds_eventCarriesRequestAndResponse() {
    TargetGroup tg = group("web");

    AuditEvent e = last();
    assertThat(e.operation()).isEqualTo("CreateTargetGroup");
    assertThat(e.succeeded()).isTrue();
    assertThat(e.time()).isEqualTo(time.now());
    assertThat(e.requestParameters()).containsEntry("name", "web").containsEntry("protocol", "TCP")
        .containsEntry("port", 80).containsEntry("targetType", "ip");
    assertThat(e.responseElements()).containsEntry("targetGroupArn", tg.resourceId());
  }

  @Test
  void createTargetGroup_duplicate_eventCarriesErrorCode() {
    group("web");
    assertThatThrownBy(() -> group("web")).isInstanceOf(NlbException.class);

    AuditEvent e = last();
    assertThat(e.operation()).isEqualTo("CreateTargetGroup");
    assertThat(e.succeeded()).isFalse();
    assertThat(e.errorCode()).contains(ErrorCode.DUPLICATE_TARGET_GROUP_NAME);
    assertThat(e.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("targetGroup.name: \"web\""));
    assertThat(e.responseElements()).isEmpty();
    assertThat(e.toJson()).contains("\"errorCode\":\"DuplicateTargetGroupName\"").doesNotContain("responseElements");
  }

  @Test
  void everyOperation_emitsItsEventInOrder() {
    TargetGroup tg = group("web");
    LoadBalancer lb = lb();
    Listener listener = lb.createListener(ListenerConfig.builder(Protocol.UDP, 53).forwardTo(
        nlb.createTargetGroup(TargetGroupConfig.builder("dns", Protocol.UDP, 53).targetType(TargetType.IP).build())).build());
    lb.modifyAttributes(Map.of("deletion_protection.enabled", "false"));
    lb.addTags(Map.of("team", "a"));
    lb.removeTags(List.of("team"));
    lb.addZone(Zone.builder("zone-c").address("127.0.0.3").build());
    lb.startZonalShift("zone-b", Duration.ofMinutes(5), "maintenance");
    lb.updateZonalShift(Duration.ofMinutes(10), "longer");
    lb.cancelZonalShift();
    tg.registerTargets(Target.ip("10.0.1.5"));
    tg.modifyAttributes(Map.of("deregistration_delay.timeout_seconds", "0"));
    tg.deregisterTargets(Target.ip("10.0.1.5"));
    tg.modifyHealthCheck(HealthCheck.builder().interval(Duration.ofSeconds(10)).build());
    tg.addTags(Map.of("k", "v"));
    tg.removeTags(List.of("k"));
    listener.modify(listener.config().toBuilder().port(54).build());
    listener.delete();
    lb.delete();
    tg.delete();
    nlb.createAlbEndpoint(AlbEndpoint.builder("alb", 80).addresses(() -> List.of(InetAddress.getLoopbackAddress())).build());
    nlb.deleteAlbEndpoint("alb");

    List<String> names = new ArrayList<>();
    events.forEach(e -> names.add(e.operation()));
    assertThat(names).containsExactly("CreateTargetGroup", "CreateLoadBalancer", "CreateTargetGroup", "CreateListener",
        "ModifyLoadBalancerAttributes", "AddTags", "RemoveTags", "SetSubnets", "StartZonalShift", "UpdateZonalShift",
        "CancelZonalShift", "RegisterTargets", "ModifyTargetGroupAttributes", "DeregisterTargets", "ModifyTargetGroup",
        "AddTags", "RemoveTags", "ModifyListener", "DeleteListener", "DeleteLoadBalancer", "DeleteTargetGroup",
        "CreateAlbEndpoint", "DeleteAlbEndpoint");
    assertThat(events).allMatch(AuditEvent::succeeded);
    assertThat(events).extracting(AuditEvent::eventId).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void createLoadBalancer_eventCarriesListenersZonesAndResponse() {
    group("web");
    LoadBalancer lb = lb();

    AuditEvent e = last();
    assertThat(e.operation()).isEqualTo("CreateLoadBalancer");
    assertThat(e.requestParameters()).containsEntry("name", "lb").containsEntry("scheme", "internet-facing")
        .containsEntry("tags", Map.of("env", "test"));
    assertThat(String.valueOf(e.requestParameters().get("listeners"))).contains("protocol=TCP", "port=80", "targetGroupName=web");
    assertThat(e.responseElements()).containsEntry("loadBalancerArn", lb.resourceId()).containsEntry("dNSName", lb.dnsName())
        .containsEntry("state", "active");
  }

  @Test
  void registerTargets_refused_eventNamesTheTargetsAndTheCode() {
    TargetGroup tg = group("web");
    assertThatThrownBy(() -> tg.registerTargets(Target.ip("2001:db8::1"))).isInstanceOf(NlbException.class);

    AuditEvent e = last();
    assertThat(e.operation()).isEqualTo("RegisterTargets");
    assertThat(e.errorCode()).contains(ErrorCode.INVALID_TARGET);
    assertThat(e.requestParameters()).containsEntry("targetGroupArn", tg.resourceId());
    assertThat(String.valueOf(e.requestParameters().get("targets"))).contains("2001:db8:0:0:0:0:0:1");
  }

  @Test
  void deleteLoadBalancer_deletionProtection_refusalIsAudited() {
    group("web");
    LoadBalancer lb = lb();
    lb.modifyAttributes(Map.of("deletion_protection.enabled", "true"));
    assertThatThrownBy(lb::delete).isInstanceOf(NlbException.class);

    assertThat(last().operation()).isEqualTo("DeleteLoadBalancer");
    assertThat(last().errorCode()).contains(ErrorCode.OPERATION_NOT_PERMITTED);
    assertThat(last().requestParameters()).containsEntry("loadBalancerArn", lb.resourceId());
  }

  @Test
  void zonalShift_refusedWithCrossZone_isAudited() {
    group("web");
    LoadBalancer lb = lb();
    lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
    assertThatThrownBy(() -> lb.startZonalShift("zone-a", Duration.ofMinutes(5), "x")).isInstanceOf(NlbException.class);

    assertThat(last().operation()).isEqualTo("StartZonalShift");
    assertThat(last().errorCode()).contains(ErrorCode.OPERATION_NOT_PERMITTED);
    assertThat(last().requestParameters()).containsEntry("awayFrom", "zone-a").containsEntry("comment", "x");
  }

  @Test
  void listenerCertificates_addAndRemove_areAudited() {
    group("web");
    LoadBalancer lb = lb();
    ServerCertificate a = Fixtures.cert("cert-a");
    ServerCertificate b = Fixtures.cert("cert-b");
    ServerCertificate c = Fixtures.cert("cert-c");
    Listener tls = lb.createListener(ListenerConfig.builder(Protocol.TLS, 443).forwardTo("web").certificate(a).build());

    tls.addCertificates(b, c);
    tls.removeCertificates(b);
    assertThatThrownBy(() -> tls.removeCertificates(a)).isInstanceOf(NlbException.class)
        .hasMessageContaining("default certificate");
    assertThatThrownBy(() -> tls.removeCertificates(b)).isInstanceOf(NlbException.class)
        .satisfies(t -> assertThat(((NlbException) t).code()).isEqualTo(ErrorCode.CERTIFICATE_NOT_FOUND));

    assertThat(tls.config().certificates()).extracting(ServerCertificate::id).containsExactly("cert-c");
    assertThat(events.subList(events.size() - 4, events.size())).extracting(AuditEvent::operation)
        .containsExactly("AddListenerCertificates", "RemoveListenerCertificates", "RemoveListenerCertificates", "RemoveListenerCertificates");
    assertThat(last().errorCode()).contains(ErrorCode.CERTIFICATE_NOT_FOUND);
  }

  @Test
  void toJson_escapesAndOrdersFields() {
    nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).targetType(TargetType.IP).tag("note", "a/b").build());

    String json = last().toJson();
    assertThat(json).startsWith("{\"eventId\":1,\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventName\":\"CreateTargetGroup\",\"requestParameters\":{\"name\":\"web\"");
    assertThat(json).contains("\"tags\":{\"note\":\"a/b\"}").endsWith("}}");
  }

  @Test
  void listenerThrows_operationStillSucceeds() {
    try (Nlb n = Nlb.builder().scheduler(time).auditListener(e -> {
      throw new IllegalStateException("broken listener");
    }).build()) {
      TargetGroup tg = n.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).build());
      assertThat(tg.name()).isEqualTo("web");
    }
  }
}
