package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;

/**
 * Signature Version 4 at the wire: requests signed by the SDK's own signer (with a chosen clock,
 * key and region) sent with the JDK's HTTP client, so each refusal can be provoked exactly. Every
 * refused request would have created a target group; none is ever there.
 */
@Timeout(60)
class AwsApiSignatureIntegrationTest {
  private static final String CREATE = "Action=CreateTargetGroup&Version=2015-12-01&Name=sig-test&Protocol=TCP&Port=80"
      + "&TargetType=ip";

  private final ApiFixture f = new ApiFixture();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void close() {
    f.close();
  }

  private HttpRequest signed(String body, Clock clock, String accessKey, String secret, String region) {
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(f.api.endpoint().resolve("/"))
        .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(accessKey, secret))
        .request(request)
        .payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "elasticloadbalancing")
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    return toJdk(signed.request(), body);
  }

  private static HttpRequest toJdk(SdkHttpRequest r, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(r.getUri()).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (Map.Entry<String, List<String>> h : r.headers().entrySet()) {
      String name = h.getKey();
      if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")) {
        continue; // the JDK client sets these itself, to the same values
      }
      h.getValue().forEach(v -> b.header(name, v));
    }
    return b.build();
  }

  private HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.body()).contains("<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">")
        .contains("<Code>" + code + "</Code>").contains("<RequestId>");
  }

  private void assertNothingCreated() {
    assertThat(f.elb.describeTargetGroups().targetGroups()).isEmpty();
    assertThat(f.nlb.targetGroups()).isEmpty();
  }

  @Test
  void rightlySigned_isAccepted() throws Exception {
    HttpResponse<String> r = send(signed(CREATE, Clock.systemUTC(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET, ApiFixture.REGION));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).startsWith("<?xml").contains("<CreateTargetGroupResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">")
        .contains("<TargetGroupName>sig-test</TargetGroupName>")
        .containsPattern("</TargetGroups></CreateTargetGroupResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId>"
            + "</ResponseMetadata></CreateTargetGroupResponse>$");
    assertThat(f.nlb.targetGroups()).hasSize(1);
  }

  @Test
  void wrongSecret_isSignatureDoesNotMatch() throws Exception {
    assertError(send(signed(CREATE, Clock.systemUTC(), ApiFixture.ACCESS_KEY, "not-the-secret", ApiFixture.REGION)),
        403, "SignatureDoesNotMatch");
    // The SDK, given the wrong secret, reports the same code.
    try (ElasticLoadBalancingV2Client wrong = ApiFixture.client(f.api.endpoint(), ApiFixture.ACCESS_KEY, "not-the-secret")) {
      AwsServiceException e = org.assertj.core.api.Assertions.catchThrowableOfType(AwsServiceException.class,
          () -> wrong.createTargetGroup(b -> b.name("sdk").protocol(ProtocolEnum.TCP).port(80)));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
      assertThat(e.statusCode()).isEqualTo(403);
    }
    assertNothingCreated();
  }

  @Test
  void unsigned_isMissingAuthenticationToken() throws Exception {
    HttpRequest r = HttpRequest.newBuilder(f.api.endpoint().resolve("/")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(CREATE)).build();
    assertError(send(r), 403, "MissingAuthenticationToken");
    assertNothingCreated();
  }

  @Test
  void fifteenMinutesOld_isRequestExpired_fourteenIsNot() throws Exception {
    Clock old = Clock.fixed(Instant.now().minus(Duration.ofMinutes(15)).minusSeconds(5), ZoneOffset.UTC);
    assertError(send(signed(CREATE, old, ApiFixture.ACCESS_KEY, ApiFixture.SECRET, ApiFixture.REGION)), 400, "RequestExpired");
    Clock future = Clock.fixed(Instant.now().plus(Duration.ofMinutes(16)), ZoneOffset.UTC);
    assertError(send(signed(CREATE, future, ApiFixture.ACCESS_KEY, ApiFixture.SECRET, ApiFixture.REGION)), 400, "RequestExpired");
    assertNothingCreated();
    Clock recent = Clock.fixed(Instant.now().minus(Duration.ofMinutes(14)), ZoneOffset.UTC);
    assertThat(send(signed(CREATE, recent, ApiFixture.ACCESS_KEY, ApiFixture.SECRET, ApiFixture.REGION)).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownKey_wrongRegion_alteredBody_areRefused() throws Exception {
    assertError(send(signed(CREATE, Clock.systemUTC(), "AKIDUNKNOWN000000000", ApiFixture.SECRET, ApiFixture.REGION)),
        403, "InvalidClientTokenId");
    assertError(send(signed(CREATE, Clock.systemUTC(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET, "eu-west-1")),
        403, "SignatureDoesNotMatch");
    HttpRequest good = signed(CREATE, Clock.systemUTC(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET, ApiFixture.REGION);
    HttpRequest.Builder altered = HttpRequest.newBuilder(good.uri()).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(CREATE.replace("Port=80", "Port=81")));
    good.headers().map().forEach((k, vs) -> vs.forEach(v -> altered.header(k, v)));
    assertError(send(altered.build()), 403, "SignatureDoesNotMatch");
    assertNothingCreated();
  }

  @Test
  void actionProblems_andOversizeBodies_areRefused() throws Exception {
    assertError(send(signed("Version=2015-12-01", Clock.systemUTC(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET, ApiFixture.REGION)),
        400, "MissingAction");
    assertError(send(signed("Action=CreateRule&Version=2015-12-01", Clock.systemUTC(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET,
        ApiFixture.REGION)), 400, "InvalidAction");
    assertError(send(signed("Action=DescribeLoadBalancers&Version=2012-06-01", Clock.systemUTC(), ApiFixture.ACCESS_KEY,
        ApiFixture.SECRET, ApiFixture.REGION)), 400, "InvalidAction");
    assertError(send(signed("Action=CreateTargetGroup&Version=2015-12-01&Protocol=TCP&Port=80", Clock.systemUTC(),
        ApiFixture.ACCESS_KEY, ApiFixture.SECRET, ApiFixture.REGION)), 400, "MissingParameter");
    assertError(send(signed(CREATE + "&Tags.member.1.Key=%zz", Clock.systemUTC(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET,
        ApiFixture.REGION)), 404, "MalformedQueryString");
    String huge = CREATE + "&Padding=" + "x".repeat(2 << 20);
    HttpResponse<String> r = send(HttpRequest.newBuilder(f.api.endpoint().resolve("/")).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(huge)).build());
    assertThat(r.statusCode()).isEqualTo(413);
    assertNothingCreated();
  }

  @Test
  void endpoint_bindsLoopbackByDefault() {
    assertThat(f.api.localAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(f.api.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + f.api.localAddress().getPort()));
  }
}
