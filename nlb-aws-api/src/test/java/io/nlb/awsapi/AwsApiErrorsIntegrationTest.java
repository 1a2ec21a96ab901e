package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Certificate;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.IpAddressType;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RedirectActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.SubnetMapping;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * Invalid requests through the real SDK, each answered with the error code (and HTTP status) the
 * elbv2 API reference gives for it, and each leaving the state as it was.
 */
@Timeout(60)
class AwsApiErrorsIntegrationTest {
  private static final String MISSING_LB = "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/net/nope/0123456789abcdef";
  private static final String MISSING_TG = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/nope/0123456789abcdef";
  private static final String MISSING_LISTENER =
      "arn:aws:elasticloadbalancing:us-east-2:123456789012:listener/net/nope/0123456789abcdef/0123456789abcdef";

  private final ApiFixture f = new ApiFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static AwsServiceException refused(Runnable call, String code) {
    AwsServiceException e = catchThrowableOfType(AwsServiceException.class, call::run);
    assertThat(e).as("expected %s", code).isNotNull();
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorMessage()).isNotBlank();
    assertThat(e.requestId()).isNotBlank();
    return e;
  }

  private TargetGroup tg(String name, ProtocolEnum protocol) {
    return f.elb.createTargetGroup(b -> b.name(name).protocol(protocol).port(80).targetType(TargetTypeEnum.IP))
        .targetGroups().get(0);
  }

  private LoadBalancer lb(String name) {
    return f.elb.createLoadBalancer(b -> b.name(name).type(LoadBalancerTypeEnum.NETWORK).subnets(ApiFixture.SUBNET_A))
        .loadBalancers().get(0);
  }

  private static Action forward(TargetGroup tg) {
    return Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn()).build();
  }

  @Test
  void invalidRequests_getTheApiReferenceCodes() {
    TargetGroup tcp = tg("tcp-group", ProtocolEnum.TCP);
    LoadBalancer lb = lb("errors");
    int port = Loop.freePort();
    var listener = f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TCP).port(port)
        .defaultActions(forward(tcp))).listeners().get(0);
    List<String> codes = new ArrayList<>();

    // CreateLoadBalancer
    codes.add(refused(() -> f.elb.createLoadBalancer(b -> b.name("x").type(LoadBalancerTypeEnum.NETWORK)
        .subnets("subnet-00000000000000000")), "SubnetNotFound").awsErrorDetails().errorCode());
    codes.add(refused(() -> lb("errors"), "DuplicateLoadBalancerName").awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.createLoadBalancer(b -> b.name("x").type(LoadBalancerTypeEnum.NETWORK)
        .subnetMappings(SubnetMapping.builder().subnetId(ApiFixture.SUBNET_A).privateIPv4Address("127.0.0.99").build())),
        "InvalidConfigurationRequest").awsErrorDetails().errorCode());
    // CreateTargetGroup
    codes.add(refused(() -> tg("tcp-group", ProtocolEnum.TCP), "DuplicateTargetGroupName").awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.createTargetGroup(b -> b.name("-bad-").protocol(ProtocolEnum.TCP).port(80)),
        "ValidationError").awsErrorDetails().errorCode());
    // Describe with ARNs that name nothing
    codes.add(refused(() -> f.elb.describeLoadBalancers(b -> b.loadBalancerArns(MISSING_LB)), "LoadBalancerNotFound")
        .awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.describeTargetGroups(b -> b.targetGroupArns(MISSING_TG)), "TargetGroupNotFound")
        .awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.describeListeners(b -> b.listenerArns(MISSING_LISTENER)), "ListenerNotFound")
        .awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.describeTargetHealth(b -> b.targetGroupArn("not-an-arn")), "ValidationError")
        .awsErrorDetails().errorCode());
    // CreateListener
    codes.add(refused(() -> f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TCP)
        .port(port).defaultActions(forward(tcp))), "DuplicateListener").awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TLS)
        .port(Loop.freePort()).certificates(Certificate.builder().certificateArn(
            "arn:aws:acm:us-east-2:123456789012:certificate/missing").build()).defaultActions(forward(tcp))),
        "CertificateNotFound").awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TLS)
        .port(Loop.freePort()).sslPolicy("ELBSecurityPolicy-Nonexistent")
        .certificates(Certificate.builder().certificateArn(ApiFixture.CERT_ARN).build()).defaultActions(forward(tcp))),
        "SSLPolicyNotFound").awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.UDP)
        .port(Loop.freePort()).defaultActions(forward(tcp))), "IncompatibleProtocols").awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TCP)
        .port(Loop.freePort()).defaultActions(Action.builder().type(ActionTypeEnum.REDIRECT)
            .redirectConfig(RedirectActionConfig.builder().statusCode("HTTP_301").build()).build())),
        "InvalidLoadBalancerAction").awsErrorDetails().errorCode());
    // Targets
    codes.add(refused(() -> f.elb.registerTargets(b -> b.targetGroupArn(tcp.targetGroupArn())
        .targets(TargetDescription.builder().id("2001:db8::1").build())), "InvalidTarget").awsErrorDetails().errorCode());
    // Tags
    codes.add(refused(() -> f.elb.addTags(b -> b.resourceArns(lb.loadBalancerArn()).tags(
        Tag.builder().key("a").value("1").build(), Tag.builder().key("a").value("2").build())), "DuplicateTagKeys")
        .awsErrorDetails().errorCode());
    List<Tag> many = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      many.add(Tag.builder().key("k" + i).value("v").build());
    }
    codes.add(refused(() -> f.elb.addTags(b -> b.resourceArns(lb.loadBalancerArn()).tags(many)), "TooManyTags")
        .awsErrorDetails().errorCode());
    // Attributes
    codes.add(refused(() -> f.elb.modifyTargetGroupAttributes(b -> b.targetGroupArn(tcp.targetGroupArn()).attributes(
        TargetGroupAttribute.builder().key("deregistration_delay.timeout_seconds").value("3601").build())),
        "ValidationError").awsErrorDetails().errorCode());
    // Deletion protection, a group in use, security groups that cannot be added
    f.elb.modifyLoadBalancerAttributes(b -> b.loadBalancerArn(lb.loadBalancerArn()).attributes(
        LoadBalancerAttribute.builder().key("deletion_protection.enabled").value("true").build()));
    codes.add(refused(() -> f.elb.deleteLoadBalancer(b -> b.loadBalancerArn(lb.loadBalancerArn())), "OperationNotPermitted")
        .awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.deleteTargetGroup(b -> b.targetGroupArn(tcp.targetGroupArn())), "ResourceInUse")
        .awsErrorDetails().errorCode());
    codes.add(refused(() -> f.elb.setSecurityGroups(b -> b.loadBalancerArn(lb.loadBalancerArn()).securityGroups("sg-1234")),
        "InvalidConfigurationRequest").awsErrorDetails().errorCode());
    // UDP is not available on a dualstack load balancer
    TargetGroup udp = tg("udp-group", ProtocolEnum.UDP);
    LoadBalancer dual = f.elb.createLoadBalancer(b -> b.name("dual").type(LoadBalancerTypeEnum.NETWORK)
        .subnets(ApiFixture.SUBNET_DUAL).ipAddressType(IpAddressType.DUALSTACK)).loadBalancers().get(0);
    codes.add(refused(() -> f.elb.createListener(b -> b.loadBalancerArn(dual.loadBalancerArn()).protocol(ProtocolEnum.UDP)
        .port(Loop.freePort()).defaultActions(forward(udp))), "UnsupportedProtocol").awsErrorDetails().errorCode());

    assertThat(codes).hasSizeGreaterThanOrEqualTo(15);
    // Nothing above changed anything.
    assertThat(f.elb.describeLoadBalancers().loadBalancers()).extracting(LoadBalancer::loadBalancerName)
        .containsExactly("errors", "dual");
    assertThat(f.elb.describeTargetGroups().targetGroups()).extracting(TargetGroup::targetGroupName)
        .containsExactly("tcp-group", "udp-group");
    assertThat(f.elb.describeListeners(b -> b.loadBalancerArn(lb.loadBalancerArn())).listeners())
        .singleElement().satisfies(l -> assertThat(l.listenerArn()).isEqualTo(listener.listenerArn()));
    assertThat(f.elb.describeTags(b -> b.resourceArns(lb.loadBalancerArn())).tagDescriptions().get(0).tags()).isEmpty();
    assertThat(f.elb.describeTargetHealth(b -> b.targetGroupArn(tcp.targetGroupArn())).targetHealthDescriptions()).isEmpty();
  }
}
