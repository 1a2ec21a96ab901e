package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Certificate;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeTargetHealthResponse;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The guide's "Getting started using the AWS CLI" sequence driven by the real AWS SDK for Java v2
 * against the endpoint, then real traffic through the listeners it created.
 */
@Timeout(60)
class AwsApiSdkIntegrationTest {
  private final ApiFixture f = new ApiFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private TargetGroup targetGroup(String name, ProtocolEnum protocol, int port) {
    return f.elb.createTargetGroup(b -> b.name(name).protocol(protocol).port(port).vpcId("vpc-0598c7d356example")
        .targetType(TargetTypeEnum.IP)).targetGroups().get(0);
  }

  private LoadBalancer loadBalancer(String name) {
    return f.elb.createLoadBalancer(b -> b.name(name).type(LoadBalancerTypeEnum.NETWORK).subnets(ApiFixture.SUBNET_A))
        .loadBalancers().get(0);
  }

  private Listener listener(LoadBalancer lb, ProtocolEnum protocol, int port, TargetGroup tg) {
    return f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(protocol).port(port)
        .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn()).build()))
        .listeners().get(0);
  }

  @Test
  void gettingStarted_tcpListener_carriesTraffic() throws Exception {
    try (Loop.TcpTarget t1 = new Loop.TcpTarget("t1"); Loop.TcpTarget t2 = new Loop.TcpTarget("t2")) {
      TargetGroup tg = targetGroup("my-targets", ProtocolEnum.TCP, 80);
      assertThat(tg.targetGroupArn()).matches("arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/[0-9a-f]{16}");
      assertThat(tg.healthCheckProtocolAsString()).isEqualTo("TCP");
      assertThat(tg.healthCheckPort()).isEqualTo("traffic-port");

      f.elb.registerTargets(b -> b.targetGroupArn(tg.targetGroupArn()).targets(
          TargetDescription.builder().id("127.0.0.1").port(t1.port()).build(),
          TargetDescription.builder().id("127.0.0.1").port(t2.port()).build()));

      LoadBalancer lb = loadBalancer("my-load-balancer");
      assertThat(lb.loadBalancerArn()).matches("arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/net/my-load-balancer/[0-9a-f]{16}");
      String id = lb.loadBalancerArn().substring(lb.loadBalancerArn().lastIndexOf('/') + 1);
      assertThat(lb.dnsName()).isEqualTo("my-load-balancer-" + id + ".elb.us-east-2.amazonaws.com");
      assertThat(lb.type()).isEqualTo(LoadBalancerTypeEnum.NETWORK);
      assertThat(lb.availabilityZones()).singleElement().satisfies(z -> {
        assertThat(z.zoneName()).isEqualTo("us-east-2a");
        assertThat(z.subnetId()).isEqualTo(ApiFixture.SUBNET_A);
        assertThat(z.loadBalancerAddresses().get(0).ipAddress()).isEqualTo("127.0.0.1");
      });

      int port = Loop.freePort();
      Listener listener = listener(lb, ProtocolEnum.TCP, port, tg);
      assertThat(listener.listenerArn()).isEqualTo(lb.loadBalancerArn().replace(":loadbalancer/", ":listener/")
          + listener.listenerArn().substring(listener.listenerArn().lastIndexOf('/')));
      assertThat(listener.defaultActions().get(0).targetGroupArn()).isEqualTo(tg.targetGroupArn());

      DescribeTargetHealthResponse health = f.elb.describeTargetHealth(b -> b.targetGroupArn(tg.targetGroupArn()));
      assertThat(health.targetHealthDescriptions()).hasSize(2).allSatisfy(d -> {
        assertThat(d.target().id()).isEqualTo("127.0.0.1");
        assertThat(d.targetHealth().state()).isEqualTo(TargetHealthStateEnum.INITIAL);
        assertThat(d.targetHealth().reasonAsString()).isEqualTo("Elb.RegistrationInProgress");
      });
      assertThat(health.targetHealthDescriptions().stream().map(d -> d.target().port()).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder(t1.port(), t2.port());

      assertThat(f.elb.describeTargetGroups(b -> b.loadBalancerArn(lb.loadBalancerArn())).targetGroups())
          .singleElement().satisfies(g -> assertThat(g.loadBalancerArns()).containsExactly(lb.loadBalancerArn()));
      assertThat(f.elb.describeLoadBalancers(b -> b.names("my-load-balancer")).loadBalancers().get(0).state().codeAsString())
          .isIn("provisioning", "active");

      // Real traffic through the listener the SDK created: both targets answer over time.
      await().atMost(Duration.ofSeconds(10)).until(() -> Loop.tcpRequest(port, "hello").endsWith(":hello"));
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < 40 && seen.size() < 2; i++) {
        String answer = Loop.tcpRequest(port, "ping" + i);
        assertThat(answer).endsWith(":ping" + i);
        seen.add(answer.substring(0, answer.indexOf(':')));
      }
      assertThat(seen).containsExactlyInAnyOrder("t1", "t2");
      await().atMost(Duration.ofSeconds(10)).until(() -> f.elb.describeLoadBalancers(b -> b.loadBalancerArns(lb.loadBalancerArn()))
          .loadBalancers().get(0).state().codeAsString().equals("active"));

      // Delete, as the guide's last step does: the port is released.
      f.elb.deleteListener(b -> b.listenerArn(listener.listenerArn()));
      f.elb.deleteLoadBalancer(b -> b.loadBalancerArn(lb.loadBalancerArn()));
      f.elb.deleteTargetGroup(b -> b.targetGroupArn(tg.targetGroupArn()));
      assertThat(f.elb.describeLoadBalancers().loadBalancers()).isEmpty();
      assertThat(f.elb.describeTargetGroups().targetGroups()).isEmpty();
      assertThat(f.nlb.loadBalancers()).isEmpty();
    }
  }

  @Test
  void udpAndTlsListeners_carryTraffic() throws Exception {
    try (Loop.UdpTarget udp = new Loop.UdpTarget("u1"); Loop.TcpTarget tcp = new Loop.TcpTarget("plain")) {
      TargetGroup udpGroup = targetGroup("udp-targets", ProtocolEnum.UDP, udp.port());
      f.elb.registerTargets(b -> b.targetGroupArn(udpGroup.targetGroupArn())
          .targets(TargetDescription.builder().id("127.0.0.1").build()));
      TargetGroup tlsGroup = targetGroup("tls-targets", ProtocolEnum.TCP, tcp.port());
      f.elb.modifyTargetGroupAttributes(b -> b.targetGroupArn(tlsGroup.targetGroupArn())
          .attributes(TargetGroupAttribute.builder().key("preserve_client_ip.enabled").value("false").build()));
      f.elb.registerTargets(b -> b.targetGroupArn(tlsGroup.targetGroupArn())
          .targets(TargetDescription.builder().id("127.0.0.1").build()));
      LoadBalancer lb = loadBalancer("udp-tls");

      int udpPort = Loop.freePort();
      Listener u = listener(lb, ProtocolEnum.UDP, udpPort, udpGroup);
      assertThat(u.protocol()).isEqualTo(ProtocolEnum.UDP);
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> Loop.udpRequest(udpPort, "dgram").equals("u1:dgram"));

      int tlsPort = Loop.freePort();
      Listener tls = f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TLS).port(tlsPort)
          .sslPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06")
          .certificates(Certificate.builder().certificateArn(ApiFixture.CERT_ARN).build())
          .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tlsGroup.targetGroupArn()).build()))
          .listeners().get(0);
      assertThat(tls.certificates()).extracting(Certificate::certificateArn).containsExactly(ApiFixture.CERT_ARN);
      assertThat(tls.sslPolicy()).isEqualTo("ELBSecurityPolicy-TLS13-1-2-2021-06");
      assertThat(f.elb.describeListenerCertificates(b -> b.listenerArn(tls.listenerArn())).certificates())
          .singleElement().satisfies(c -> assertThat(c.isDefault()).isTrue());

      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> tlsRequest(tlsPort, "secret").equals("plain:secret"));
      assertThat(f.elb.describeListeners(b -> b.loadBalancerArn(lb.loadBalancerArn())).listeners())
          .extracting(Listener::port).containsExactlyInAnyOrder(udpPort, tlsPort);
    }
  }

  private static String tlsRequest(int port, String line) throws Exception {
    try (SSLSocket s = (SSLSocket) ApiFixture.trustingCert().getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
      s.setSoTimeout(5_000);
      SSLParameters params = s.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(ApiFixture.TLS_HOST)));
      params.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(params);
      OutputStream out = s.getOutputStream();
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return Loop.readLine(s.getInputStream());
    }
  }

  @Test
  void attributesAndTags_roundTrip() {
    TargetGroup tg = targetGroup("attrs", ProtocolEnum.TCP, 8080);
    LoadBalancer lb = f.elb.createLoadBalancer(b -> b.name("tagged").type(LoadBalancerTypeEnum.NETWORK)
        .subnets(ApiFixture.SUBNET_A, ApiFixture.SUBNET_B).tags(Tag.builder().key("env").value("test").build()))
        .loadBalancers().get(0);
    assertThat(lb.availabilityZones()).extracting(z -> z.zoneName()).containsExactly("us-east-2a", "us-east-2b");

    Map<String, String> lbAttrs = f.elb.modifyLoadBalancerAttributes(b -> b.loadBalancerArn(lb.loadBalancerArn())
        .attributes(LoadBalancerAttribute.builder().key("load_balancing.cross_zone.enabled").value("true").build()))
        .attributes().stream().collect(Collectors.toMap(LoadBalancerAttribute::key, LoadBalancerAttribute::value));
    assertThat(lbAttrs).containsEntry("load_balancing.cross_zone.enabled", "true").containsEntry("deletion_protection.enabled", "false");
    assertThat(f.elb.describeLoadBalancerAttributes(b -> b.loadBalancerArn(lb.loadBalancerArn())).attributes())
        .contains(LoadBalancerAttribute.builder().key("load_balancing.cross_zone.enabled").value("true").build());

    f.elb.modifyTargetGroupAttributes(b -> b.targetGroupArn(tg.targetGroupArn()).attributes(
        TargetGroupAttribute.builder().key("deregistration_delay.timeout_seconds").value("45").build(),
        TargetGroupAttribute.builder().key("proxy_protocol_v2.enabled").value("true").build()));
    assertThat(f.elb.describeTargetGroupAttributes(b -> b.targetGroupArn(tg.targetGroupArn())).attributes())
        .contains(TargetGroupAttribute.builder().key("deregistration_delay.timeout_seconds").value("45").build(),
            TargetGroupAttribute.builder().key("proxy_protocol_v2.enabled").value("true").build());

    int port = Loop.freePort();
    Listener l = listener(lb, ProtocolEnum.TCP, port, tg);
    f.elb.modifyListenerAttributes(b -> b.listenerArn(l.listenerArn()).attributes(
        software.amazon.awssdk.services.elasticloadbalancingv2.model.ListenerAttribute.builder()
            .key("tcp.idle_timeout.seconds").value("120").build()));
    assertThat(f.elb.describeListenerAttributes(b -> b.listenerArn(l.listenerArn())).attributes())
        .anySatisfy(a -> assertThat(a.key() + "=" + a.value()).isEqualTo("tcp.idle_timeout.seconds=120"));

    f.elb.addTags(b -> b.resourceArns(lb.loadBalancerArn(), tg.targetGroupArn(), l.listenerArn())
        .tags(Tag.builder().key("team").value("edge").build()));
    f.elb.removeTags(b -> b.resourceArns(lb.loadBalancerArn()).tagKeys("env"));
    var described = f.elb.describeTags(b -> b.resourceArns(lb.loadBalancerArn(), tg.targetGroupArn(), l.listenerArn()))
        .tagDescriptions();
    assertThat(described).hasSize(3);
    assertThat(described.get(0).resourceArn()).isEqualTo(lb.loadBalancerArn());
    assertThat(described.get(0).tags()).containsExactly(Tag.builder().key("team").value("edge").build());
    assertThat(described.get(1).tags()).containsExactly(Tag.builder().key("team").value("edge").build());
    assertThat(described.get(2).tags()).containsExactly(Tag.builder().key("team").value("edge").build());

    var modified = f.elb.modifyTargetGroup(b -> b.targetGroupArn(tg.targetGroupArn()).healthCheckProtocol(ProtocolEnum.HTTP)
        .healthCheckPath("/ping").healthCheckIntervalSeconds(10).healthyThresholdCount(3)).targetGroups().get(0);
    assertThat(modified.healthCheckPath()).isEqualTo("/ping");
    assertThat(modified.healthCheckIntervalSeconds()).isEqualTo(10);
    assertThat(modified.healthyThresholdCount()).isEqualTo(3);
    assertThat(modified.matcher().httpCode()).isEqualTo("200-399");
  }

  @Test
  void deregistration_drainsThenForgets() {
    TargetGroup tg = targetGroup("drain", ProtocolEnum.TCP, 8080);
    f.elb.modifyTargetGroupAttributes(b -> b.targetGroupArn(tg.targetGroupArn()).attributes(
        TargetGroupAttribute.builder().key("deregistration_delay.timeout_seconds").value("2").build()));
    LoadBalancer lb = loadBalancer("drainer");
    listener(lb, ProtocolEnum.TCP, Loop.freePort(), tg);
    f.elb.registerTargets(b -> b.targetGroupArn(tg.targetGroupArn())
        .targets(TargetDescription.builder().id("127.0.0.1").port(9).build()));
    f.elb.deregisterTargets(b -> b.targetGroupArn(tg.targetGroupArn())
        .targets(TargetDescription.builder().id("127.0.0.1").port(9).build()));
    List<TargetHealthDescription> during = f.elb.describeTargetHealth(b -> b.targetGroupArn(tg.targetGroupArn()))
        .targetHealthDescriptions();
    assertThat(during).singleElement().satisfies(d -> {
      assertThat(d.targetHealth().state()).isEqualTo(TargetHealthStateEnum.DRAINING);
      assertThat(d.targetHealth().reasonAsString()).isEqualTo("Target.DeregistrationInProgress");
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> f.elb.describeTargetHealth(b -> b.targetGroupArn(tg.targetGroupArn()))
        .targetHealthDescriptions().isEmpty());
  }

  @Test
  void describeCalls_pageWithMarker() {
    for (int i = 0; i < 5; i++) {
      targetGroup("page-" + i, ProtocolEnum.TCP, 80);
    }
    var first = f.elb.describeTargetGroups(b -> b.pageSize(2));
    assertThat(first.targetGroups()).extracting(TargetGroup::targetGroupName).containsExactly("page-0", "page-1");
    assertThat(first.nextMarker()).isNotNull();
    var second = f.elb.describeTargetGroups(b -> b.pageSize(2).marker(first.nextMarker()));
    assertThat(second.targetGroups()).extracting(TargetGroup::targetGroupName).containsExactly("page-2", "page-3");
    var all = f.elb.describeTargetGroupsPaginator(b -> b.pageSize(2)).targetGroups().stream()
        .map(TargetGroup::targetGroupName).toList();
    assertThat(all).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4");

    assertThat(f.elb.describeSSLPolicies(b -> b.names("ELBSecurityPolicy-TLS13-1-2-2021-06")).sslPolicies())
        .singleElement().satisfies(p -> {
          assertThat(p.sslProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
          assertThat(p.ciphers()).isNotEmpty();
          assertThat(p.supportedLoadBalancerTypes()).containsExactly("network");
        });
    assertThat(f.elb.describeAccountLimits().limits())
        .anySatisfy(l -> assertThat(l.name() + "=" + l.max()).isEqualTo("network-load-balancers=50"));
  }

  @Test
  void subnetsAddressTypeSecurityGroupsAndCertificates_change() {
    TargetGroup tg = targetGroup("changes", ProtocolEnum.TCP, 8080);
    LoadBalancer lb = f.elb.createLoadBalancer(b -> b.name("changes").type(LoadBalancerTypeEnum.NETWORK)
        .subnets(ApiFixture.SUBNET_A).securityGroups("sg-0123456789abcdef0")).loadBalancers().get(0);
    assertThat(lb.securityGroups()).containsExactly("sg-0123456789abcdef0");

    // SetSubnets adds a zone (zones are added, never removed).
    var zones = f.elb.setSubnets(b -> b.loadBalancerArn(lb.loadBalancerArn()).subnets(ApiFixture.SUBNET_A, ApiFixture.SUBNET_B))
        .availabilityZones();
    assertThat(zones).extracting(z -> z.zoneName()).containsExactly("us-east-2a", "us-east-2b");
    assertThat(f.nlb.loadBalancer("changes").orElseThrow().zones()).extracting(z -> z.name())
        .containsExactly("us-east-2a", "us-east-2b");

    // SetSecurityGroups replaces the groups of a load balancer created with some.
    assertThat(f.elb.setSecurityGroups(b -> b.loadBalancerArn(lb.loadBalancerArn()).securityGroups("sg-0fedcba987654321f"))
        .securityGroupIds()).containsExactly("sg-0fedcba987654321f");

    // SetIpAddressType to dualstack needs IPv6 node addresses in every zone; these zones have none.
    var e = org.assertj.core.api.Assertions.catchThrowableOfType(
        software.amazon.awssdk.awscore.exception.AwsServiceException.class,
        () -> f.elb.setIpAddressType(b -> b.loadBalancerArn(lb.loadBalancerArn())
            .ipAddressType(software.amazon.awssdk.services.elasticloadbalancingv2.model.IpAddressType.DUALSTACK)));
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(f.elb.describeLoadBalancers(b -> b.loadBalancerArns(lb.loadBalancerArn())).loadBalancers().get(0)
        .ipAddressTypeAsString()).isEqualTo("ipv4");

    // Listener certificates: the default one, then one added to the SNI list and removed again.
    String second = "arn:aws:acm:us-east-2:123456789012:certificate/second";
    Listener tls;
    try (ApiFixture g = new ApiFixture(null, b -> b.certificates(CertificateStore.of(java.util.Map.of(
        ApiFixture.CERT_ARN, ApiFixture.CERT, second, ApiFixture.certificate("second.example")))))) {
      TargetGroup gtg = g.elb.createTargetGroup(b -> b.name("certs").protocol(ProtocolEnum.TCP).port(8443)
          .targetType(TargetTypeEnum.IP)).targetGroups().get(0);
      LoadBalancer glb = g.elb.createLoadBalancer(b -> b.name("certs").type(LoadBalancerTypeEnum.NETWORK)
          .subnets(ApiFixture.SUBNET_A)).loadBalancers().get(0);
      // The listener default, ELBSecurityPolicy-2016-08, needs TLS 1.0 and 1.1, which a stock JDK refuses to serve.
      tls = g.elb.createListener(b -> b.loadBalancerArn(glb.loadBalancerArn()).protocol(ProtocolEnum.TLS).port(Loop.freePort())
          .sslPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06").certificates(Certificate.builder().certificateArn(ApiFixture.CERT_ARN).build())
          .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(gtg.targetGroupArn()).build()))
          .listeners().get(0);
      g.elb.addListenerCertificates(b -> b.listenerArn(tls.listenerArn()).certificates(Certificate.builder().certificateArn(second).build()));
      assertThat(g.elb.describeListenerCertificates(b -> b.listenerArn(tls.listenerArn())).certificates())
          .extracting(Certificate::certificateArn, Certificate::isDefault)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(ApiFixture.CERT_ARN, true), org.assertj.core.groups.Tuple.tuple(second, false));
      g.elb.removeListenerCertificates(b -> b.listenerArn(tls.listenerArn()).certificates(Certificate.builder().certificateArn(second).build()));
      assertThat(g.elb.describeListenerCertificates(b -> b.listenerArn(tls.listenerArn())).certificates())
          .extracting(Certificate::certificateArn).containsExactly(ApiFixture.CERT_ARN);
      var removeDefault = org.assertj.core.api.Assertions.catchThrowableOfType(
          software.amazon.awssdk.awscore.exception.AwsServiceException.class,
          () -> g.elb.removeListenerCertificates(b -> b.listenerArn(tls.listenerArn())
              .certificates(Certificate.builder().certificateArn(ApiFixture.CERT_ARN).build())));
      assertThat(removeDefault.awsErrorDetails().errorCode()).isEqualTo("OperationNotPermitted");

      // ModifyListener: a new port and the TLS 1.3-only policy.
      int newPort = Loop.freePort();
      Listener modified = g.elb.modifyListener(b -> b.listenerArn(tls.listenerArn()).port(newPort)
          .sslPolicy("ELBSecurityPolicy-TLS13-1-3-2021-06")).listeners().get(0);
      assertThat(modified.port()).isEqualTo(newPort);
      assertThat(modified.sslPolicy()).isEqualTo("ELBSecurityPolicy-TLS13-1-3-2021-06");
      assertThat(g.nlb.loadBalancer("certs").orElseThrow().listeners()).singleElement()
          .satisfies(l -> assertThat(l.config().port()).isEqualTo(newPort));
    }
    assertThat(tg.targetGroupName()).isEqualTo("changes");
  }
}
