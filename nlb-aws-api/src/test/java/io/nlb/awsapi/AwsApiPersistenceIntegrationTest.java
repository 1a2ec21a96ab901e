package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.Zone;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Certificate;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ListenerAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The state file: everything created through the API comes back after a restart with the same
 * ARNs, settings and traffic; what the API did not create is visible but not the API's to change.
 */
@Timeout(90)
class AwsApiPersistenceIntegrationTest {
  /** Every describe call whose answer must be the same before and after a restart. */
  private static String describeAll(ElasticLoadBalancingV2Client elb) {
    StringBuilder sb = new StringBuilder();
    List<TargetGroup> tgs = elb.describeTargetGroups().targetGroups();
    sb.append(tgs).append('\n');
    for (TargetGroup tg : tgs) {
      sb.append(elb.describeTargetGroupAttributes(b -> b.targetGroupArn(tg.targetGroupArn())).attributes()).append('\n');
      sb.append(elb.describeTargetHealth(b -> b.targetGroupArn(tg.targetGroupArn())).targetHealthDescriptions().stream()
          .map(d -> d.target()).toList()).append('\n');
      sb.append(elb.describeTags(b -> b.resourceArns(tg.targetGroupArn())).tagDescriptions()).append('\n');
    }
    for (LoadBalancer lb : elb.describeLoadBalancers().loadBalancers()) {
      sb.append(lb.toBuilder().state((software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerState) null).build())
          .append('\n');
      sb.append(elb.describeLoadBalancerAttributes(b -> b.loadBalancerArn(lb.loadBalancerArn())).attributes()).append('\n');
      sb.append(elb.describeTags(b -> b.resourceArns(lb.loadBalancerArn())).tagDescriptions()).append('\n');
      for (var l : elb.describeListeners(b -> b.loadBalancerArn(lb.loadBalancerArn())).listeners()) {
        sb.append(l).append('\n');
        sb.append(elb.describeListenerAttributes(b -> b.listenerArn(l.listenerArn())).attributes()).append('\n');
        sb.append(elb.describeTags(b -> b.resourceArns(l.listenerArn())).tagDescriptions()).append('\n');
        sb.append(elb.describeListenerCertificates(b -> b.listenerArn(l.listenerArn())).certificates()).append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void restart_restoresEverythingUnderTheSameArns(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state/aws-api.state");
    int tcpPort = Loop.freePort();
    int tlsPort = Loop.freePort();
    String before;
    try (Loop.TcpTarget target = new Loop.TcpTarget("kept")) {
      try (ApiFixture f = new ApiFixture(state, b -> { })) {
        TargetGroup tg = f.elb.createTargetGroup(b -> b.name("kept").protocol(ProtocolEnum.TCP).port(target.port())
            .targetType(TargetTypeEnum.IP).healthCheckProtocol(ProtocolEnum.HTTP).healthCheckPath("/health")
            .healthCheckIntervalSeconds(10).tags(Tag.builder().key("team").value("edge").build())).targetGroups().get(0);
        f.elb.modifyTargetGroupAttributes(b -> b.targetGroupArn(tg.targetGroupArn()).attributes(
            TargetGroupAttribute.builder().key("deregistration_delay.timeout_seconds").value("17").build(),
            TargetGroupAttribute.builder().key("preserve_client_ip.enabled").value("false").build()));
        f.elb.registerTargets(b -> b.targetGroupArn(tg.targetGroupArn()).targets(TargetDescription.builder().id("127.0.0.1").build()));
        LoadBalancer lb = f.elb.createLoadBalancer(b -> b.name("kept").type(LoadBalancerTypeEnum.NETWORK)
            .subnetMappings(m -> m.subnetId(ApiFixture.SUBNET_A).privateIPv4Address("127.0.0.3"))
            .tags(Tag.builder().key("env").value("dev").build())).loadBalancers().get(0);
        f.elb.modifyLoadBalancerAttributes(b -> b.loadBalancerArn(lb.loadBalancerArn()).attributes(
            LoadBalancerAttribute.builder().key("deletion_protection.enabled").value("true").build()));
        var tcp = f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TCP).port(tcpPort)
            .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn()).build()))
            .listeners().get(0);
        f.elb.modifyListenerAttributes(b -> b.listenerArn(tcp.listenerArn()).attributes(
            ListenerAttribute.builder().key("tcp.idle_timeout.seconds").value("90").build()));
        f.elb.addTags(b -> b.resourceArns(tcp.listenerArn()).tags(Tag.builder().key("port").value("tcp").build()));
        f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TLS).port(tlsPort)
            .certificates(Certificate.builder().certificateArn(ApiFixture.CERT_ARN).build())
            .sslPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06").alpnPolicy("HTTP2Preferred")
            .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn()).build()));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> Loop.tcpRequest("127.0.0.3", tcpPort, "one").equals("kept:one"));
        before = describeAll(f.elb);
        assertThat(Files.readString(state, StandardCharsets.UTF_8)).startsWith(StateFile.HEADER + "\n");
      }
      try (ApiFixture f = new ApiFixture(state, b -> { })) {
        assertThat(describeAll(f.elb)).isEqualTo(before);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> Loop.tcpRequest("127.0.0.3", tcpPort, "two").equals("kept:two"));
        assertThat(before).contains("127.0.0.3", "deletion_protection.enabled, Value=true", "tcp.idle_timeout.seconds, Value=90",
            "HTTP2Preferred", ApiFixture.CERT_ARN, "Key=team, Value=edge", "Key=port, Value=tcp");
      }
    }
  }

  @Test
  void configurationResources_areVisibleButNotTheApis(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("aws-api.state");
    java.util.function.Consumer<ApiFixture> configure = f -> {
      // What the daemon's configuration file creates, straight through the library.
      f.nlb.createTargetGroup(TargetGroupConfig.builder("from-config", Protocol.TCP, 8080).build());
      f.nlb.createLoadBalancer(LoadBalancerConfig.builder("from-config")
          .zone(Zone.builder("us-east-2b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, Loop.freePort()).forwardTo("from-config").build()).build());
    };
    String ownedArn;
    try (ApiFixture f = new ApiFixture(state, b -> { })) {
      configure.accept(f);
      ownedArn = f.elb.createTargetGroup(b -> b.name("from-api").protocol(ProtocolEnum.TCP).port(80)).targetGroups().get(0)
          .targetGroupArn();
      LoadBalancer config = f.elb.describeLoadBalancers(b -> b.names("from-config")).loadBalancers().get(0);
      assertThat(config.loadBalancerArn()).endsWith("loadbalancer/net/from-config/" + f.nlb.loadBalancer("from-config")
          .orElseThrow().id());
      assertThat(config.availabilityZones().get(0).subnetId()).isEqualTo(ApiFixture.SUBNET_B);
      assertThat(f.elb.describeListeners(b -> b.loadBalancerArn(config.loadBalancerArn())).listeners()).hasSize(1);
      TargetGroup configTg = f.elb.describeTargetGroups(b -> b.names("from-config")).targetGroups().get(0);
      for (Runnable change : List.<Runnable>of(
          () -> f.elb.deleteLoadBalancer(b -> b.loadBalancerArn(config.loadBalancerArn())),
          () -> f.elb.addTags(b -> b.resourceArns(configTg.targetGroupArn()).tags(Tag.builder().key("k").value("v").build())),
          () -> f.elb.registerTargets(b -> b.targetGroupArn(configTg.targetGroupArn())
              .targets(TargetDescription.builder().id("10.0.2.9").build())))) {
        AwsServiceException e = catchThrowableOfType(AwsServiceException.class, change::run);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("OperationNotPermitted");
        assertThat(e.awsErrorDetails().errorMessage()).contains("not created through this API");
      }
      // A name the configuration uses is taken for the API too.
      AwsServiceException dup = catchThrowableOfType(AwsServiceException.class,
          () -> f.elb.createTargetGroup(b -> b.name("from-config").protocol(ProtocolEnum.TCP).port(80)));
      assertThat(dup.awsErrorDetails().errorCode()).isEqualTo("DuplicateTargetGroupName");
      assertThat(Files.readString(state)).contains("from-api").doesNotContain("from-config");
    }
    // After a restart the configuration's resources come from the configuration, the API's from the state file.
    try (ApiFixture f = new ApiFixture(state, b -> { })) {
      configure.accept(f);
      assertThat(f.elb.describeTargetGroups().targetGroups()).extracting(TargetGroup::targetGroupName)
          .containsExactlyInAnyOrder("from-api", "from-config");
      assertThat(f.elb.describeTargetGroups(b -> b.names("from-api")).targetGroups().get(0).targetGroupArn()).isEqualTo(ownedArn);
    }
  }

  @Test
  void brokenStateFile_stopsStartNamingTheProblem(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("aws-api.state");
    Files.writeString(state, "something else\n");
    assertThatThrownBy(() -> new ApiFixture(state, b -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("first line something else (expected: " + StateFile.HEADER + ")");
    Files.writeString(state, StateFile.HEADER + "\nloadBalancer id=0123456789abcdef&name=gone&created=0&scheme=internet-facing"
        + "&ipAddressType=ipv4&subnet.1.id=subnet-0000000000000000a&subnet.1.address=127.0.0.1\n");
    assertThatThrownBy(() -> new ApiFixture(state, b -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not be restored").hasMessageContaining("subnet-0000000000000000a");
  }

  @Test
  void crashWhileWritingTheTemporaryFile_leavesTheLastStateIntact(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("aws-api.state");
    String arn;
    try (ApiFixture f = new ApiFixture(state, b -> { })) {
      arn = f.elb.createTargetGroup(b -> b.name("before-crash").protocol(ProtocolEnum.TCP).port(80)).targetGroups().get(0)
          .targetGroupArn();
    }
    String committed = Files.readString(state);
    // A crash half way through the next write leaves a torn temporary file beside the state file.
    Files.writeString(dir.resolve("aws-api.state.tmp"), StateFile.HEADER + "\ntargetGroup id=00");
    try (ApiFixture f = new ApiFixture(state, b -> { })) {
      assertThat(f.elb.describeTargetGroups().targetGroups()).singleElement()
          .satisfies(t -> assertThat(t.targetGroupArn()).isEqualTo(arn));
      assertThat(Files.readString(state)).isEqualTo(committed);
      f.elb.createTargetGroup(b -> b.name("after-crash").protocol(ProtocolEnum.TCP).port(80));
      assertThat(Files.readString(state)).contains("before-crash", "after-crash");
    }
  }
}
