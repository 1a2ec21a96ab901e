package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ServerCertificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Certificate;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;

/**
 * Requests run one at a time; past {@code maxPendingRequests} waiting ones, a request is refused
 * at once with {@code ThrottlingException} instead of queueing without end.
 */
@Timeout(60)
class AwsApiThrottlingIntegrationTest {
  @Test
  void pastThePendingBound_requestsAreThrottledAtOnce() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean blocked = new AtomicBoolean();
    // A certificate store that holds the operations thread until the test lets it go.
    CertificateStore slow = arn -> {
      if (blocked.compareAndSet(false, true)) {
        entered.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Optional.<ServerCertificate>of(ApiFixture.CERT);
    };
    try (ApiFixture f = new ApiFixture(null, b -> b.maxPendingRequests(2).certificates(slow));
        ElasticLoadBalancingV2Client second = ApiFixture.client(f.api.endpoint(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET);
        ElasticLoadBalancingV2Client third = ApiFixture.client(f.api.endpoint(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET)) {
      String tg = f.elb.createTargetGroup(b -> b.name("slow").protocol(ProtocolEnum.TCP).port(80)).targetGroups().get(0)
          .targetGroupArn();
      String lb = f.elb.createLoadBalancer(b -> b.name("slow").type(LoadBalancerTypeEnum.NETWORK).subnets(ApiFixture.SUBNET_A))
          .loadBalancers().get(0).loadBalancerArn();
      CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> f.elb.createListener(b -> b.loadBalancerArn(lb)
          .protocol(ProtocolEnum.TLS).port(Loop.freePort()).sslPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06")
          .certificates(Certificate.builder().certificateArn(ApiFixture.CERT_ARN).build())
          .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg).build())).listeners().get(0).listenerArn());
      assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Integer> queued = CompletableFuture.supplyAsync(() -> second.describeLoadBalancers().loadBalancers().size());
      // The queued request is counted before the third is sent.
      await().atMost(Duration.ofSeconds(10)).until(() -> f.api.pendingRequests() == 2);
      long sent = System.nanoTime();
      AwsServiceException e = org.assertj.core.api.Assertions.catchThrowableOfType(AwsServiceException.class,
          third::describeTargetGroups);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
      assertThat(first).isNotDone();
      release.countDown();
      assertThat(first.get(20, TimeUnit.SECONDS)).contains(":listener/net/slow/");
      assertThat(queued.get(20, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(third.describeTargetGroups().targetGroups()).hasSize(1);
    } finally {
      release.countDown();
    }
  }
}
