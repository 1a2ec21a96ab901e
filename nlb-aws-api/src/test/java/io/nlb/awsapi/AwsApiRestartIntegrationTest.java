package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The daemon killed with SIGKILL during a burst of changes and started again: every change
 * that was acknowledged is there, under the same ARNs, and the listener carries traffic again.
 */
@Timeout(120)
class AwsApiRestartIntegrationTest {
  private static final int BURST = 400;

  /** A child JVM running {@link ApiDaemonChild}, and its endpoint. */
  private record Child(Process process, URI endpoint) {}

  private static Child start(Path state) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ApiDaemonChild.class.getName(),
        state.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l = out.readLine(); l != null; l = out.readLine()) {
          if (l.startsWith("endpoint ")) {
            return l.substring("endpoint ".length());
          }
        }
        return "";
      } catch (java.io.IOException e) {
        return "";
      }
    });
    try {
      String endpoint = line.get(60, TimeUnit.SECONDS);
      assertThat(endpoint).as("child printed its endpoint").startsWith("http://127.0.0.1:");
      return new Child(p, URI.create(endpoint));
    } catch (Exception | AssertionError e) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw e;
    }
  }

  @Test
  void sigkillDuringBurst_everyAcknowledgedChangeSurvives(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("aws-api.state");
    int port = Loop.freePort();
    List<String> acknowledged = new ArrayList<>();
    String tgArn;
    String lbArn;
    String listenerArn;
    Child first = start(state);
    try (Loop.TcpTarget target = new Loop.TcpTarget("survivor")) {
      try (ElasticLoadBalancingV2Client elb = ApiFixture.client(first.endpoint(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET)) {
        TargetGroup tg = elb.createTargetGroup(b -> b.name("survivor").protocol(ProtocolEnum.TCP).port(target.port())
            .targetType(TargetTypeEnum.IP)).targetGroups().get(0);
        tgArn = tg.targetGroupArn();
        elb.registerTargets(b -> b.targetGroupArn(tg.targetGroupArn()).targets(TargetDescription.builder().id("127.0.0.1").build()));
        lbArn = elb.createLoadBalancer(b -> b.name("survivor").type(LoadBalancerTypeEnum.NETWORK).subnets(ApiFixture.SUBNET_A))
            .loadBalancers().get(0).loadBalancerArn();
        listenerArn = elb.createListener(b -> b.loadBalancerArn(lbArn).protocol(ProtocolEnum.TCP).port(port)
            .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tgArn).build()))
            .listeners().get(0).listenerArn();

        // The burst: alternate new target groups and new tags; kill the process once 30 are acknowledged.
        for (int i = 0; i < BURST; i++) {
          String name = "burst-" + i;
          try {
            if (i % 2 == 0) {
              elb.createTargetGroup(b -> b.name(name).protocol(ProtocolEnum.TCP).port(80));
            } else {
              elb.addTags(b -> b.resourceArns(lbArn).tags(Tag.builder().key(name).value("v").build()));
            }
          } catch (RuntimeException e) {
            break; // the connection died with the process
          }
          acknowledged.add(name);
          if (acknowledged.size() == 30) {
            // SIGKILL from another thread while the next requests are under way.
            CompletableFuture.runAsync(() -> first.process().destroyForcibly());
          }
        }
      } finally {
        first.process().destroyForcibly();
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(30).hasSizeLessThan(BURST);
      assertThat(Files.list(dir).map(p -> p.getFileName().toString())).contains("aws-api.state");

      Child second = start(state);
      try (ElasticLoadBalancingV2Client elb = ApiFixture.client(second.endpoint(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET)) {
        List<String> groups = elb.describeTargetGroups().targetGroups().stream().map(TargetGroup::targetGroupName).toList();
        List<String> tags = elb.describeTags(b -> b.resourceArns(lbArn)).tagDescriptions().get(0).tags().stream()
            .map(Tag::key).toList();
        for (String change : acknowledged) {
          int i = Integer.parseInt(change.substring("burst-".length()));
          assertThat(i % 2 == 0 ? groups : tags).as("acknowledged change %s", change).contains(change);
        }
        assertThat(elb.describeTargetGroups(b -> b.names("survivor")).targetGroups().get(0).targetGroupArn()).isEqualTo(tgArn);
        assertThat(elb.describeListeners(b -> b.loadBalancerArn(lbArn)).listeners()).singleElement()
            .satisfies(l -> assertThat(l.listenerArn()).isEqualTo(listenerArn));
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
            .until(() -> Loop.tcpRequest(port, "again").equals("survivor:again"));
      } finally {
        second.process().destroyForcibly();
        assertThat(second.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
