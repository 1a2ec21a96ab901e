package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.nlb.metrics.store.MetricStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.DimensionFilter;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * CloudWatch over the metric store: flows sent through a listener made with the SDK show up in
 * {@code GetMetricStatistics} and {@code ListMetrics} asked by the SDK's CloudWatch client (Smithy
 * RPC v2 CBOR) and by a Query-protocol request (what the AWS CLI sends).
 */
@Timeout(60)
class AwsApiCloudWatchIntegrationTest {
  /** A clock the test moves; the store reads it, the data plane never does. */
  static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES);
  private final MovableClock clock = new MovableClock(t0.plusSeconds(5));
  private final MetricStore store = MetricStore.builder().period(Duration.ofMinutes(1)).clock(clock).build();
  private final ApiFixture f = new ApiFixture(null, b -> { }, store);
  private final CloudWatchClient cw = CloudWatchClient.builder()
      .endpointOverride(f.api.endpoint())
      .region(Region.of(ApiFixture.REGION))
      .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ApiFixture.ACCESS_KEY, ApiFixture.SECRET)))
      .httpClient(UrlConnectionHttpClient.create())
      .overrideConfiguration(c -> c.retryStrategy(s -> s.maxAttempts(1)))
      .build();

  @AfterEach
  void close() {
    cw.close();
    f.close();
  }

  @Test
  void flowsThroughAnApiListener_areCountedInCloudWatch() throws Exception {
    String dimension;
    try (Loop.TcpTarget target = new Loop.TcpTarget("counted")) {
      var tg = f.elb.createTargetGroup(b -> b.name("counted").protocol(ProtocolEnum.TCP).port(target.port())
          .targetType(TargetTypeEnum.IP)).targetGroups().get(0);
      f.elb.registerTargets(b -> b.targetGroupArn(tg.targetGroupArn()).targets(TargetDescription.builder().id("127.0.0.1").build()));
      String lbArn = f.elb.createLoadBalancer(b -> b.name("counted").type(LoadBalancerTypeEnum.NETWORK)
          .subnets(ApiFixture.SUBNET_A)).loadBalancers().get(0).loadBalancerArn();
      int port = Loop.freePort();
      f.elb.createListener(b -> b.loadBalancerArn(lbArn).protocol(ProtocolEnum.TCP).port(port)
          .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn()).build()));
      dimension = lbArn.substring(lbArn.indexOf(":loadbalancer/") + ":loadbalancer/".length());
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> Loop.tcpRequest(port, "a").equals("counted:a"));
      Loop.tcpRequest(port, "b");
      Loop.tcpRequest(port, "c");
    }
    clock.now = t0.plus(Duration.ofMinutes(2));

    // The SDK's CloudWatch client (Smithy RPC v2 CBOR).
    List<Datapoint> points = cw.getMetricStatistics(b -> b.namespace("AWS/NetworkELB").metricName("NewFlowCount_TCP")
        .dimensions(Dimension.builder().name("LoadBalancer").value(dimension).build())
        .startTime(t0).endTime(t0.plus(Duration.ofMinutes(2))).period(60).statistics(Statistic.SUM)).datapoints();
    assertThat(points).singleElement().satisfies(p -> {
      assertThat(p.sum()).isEqualTo(3.0);
      assertThat(p.timestamp()).isEqualTo(t0);
      assertThat(p.unitAsString()).isEqualTo("Count");
    });
    assertThat(cw.listMetrics(b -> b.namespace("AWS/NetworkELB").metricName("NewFlowCount_TCP")
        .dimensions(DimensionFilter.builder().name("LoadBalancer").value(dimension).build())).metrics())
        .anySatisfy(m -> assertThat(m.dimensions()).containsExactly(Dimension.builder().name("LoadBalancer").value(dimension).build()))
        .anySatisfy(m -> assertThat(m.dimensions()).extracting(Dimension::name).containsExactly("AvailabilityZone", "LoadBalancer"));
    AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> cw.getMetricStatistics(b -> b
        .namespace("AWS/NetworkELB").metricName("NewFlowCount").startTime(t0).endTime(t0).period(60).statistics(Statistic.SUM)));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue");
    assertThat(e.statusCode()).isEqualTo(400);

    // The Query protocol, as the AWS CLI sends it.
    String body = "Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FNetworkELB&MetricName=NewFlowCount_TCP"
        + "&Dimensions.member.1.Name=LoadBalancer&Dimensions.member.1.Value=" + dimension.replace("/", "%2F")
        + "&StartTime=" + t0 + "&EndTime=" + t0.plus(Duration.ofMinutes(2)) + "&Period=60&Statistics.member.1=Sum";
    HttpResponse<String> r = query(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">")
        .contains("<Label>NewFlowCount_TCP</Label>").contains("<Sum>3.0</Sum>").contains("<Timestamp>" + t0 + "</Timestamp>");
  }

  private HttpResponse<String> query(String body) throws Exception {
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(f.api.endpoint().resolve("/"))
        .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build();
    SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(ApiFixture.ACCESS_KEY, ApiFixture.SECRET))
        .request(request).payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "monitoring")
        .putProperty(AwsV4HttpSigner.REGION_NAME, ApiFixture.REGION)).request();
    HttpRequest.Builder b = HttpRequest.newBuilder(signed.getUri()).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (Map.Entry<String, List<String>> h : signed.headers().entrySet()) {
      if (!h.getKey().equalsIgnoreCase("host") && !h.getKey().equalsIgnoreCase("content-length")) {
        h.getValue().forEach(v -> b.header(h.getKey(), v));
      }
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
