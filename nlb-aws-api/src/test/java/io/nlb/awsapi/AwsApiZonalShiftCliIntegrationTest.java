package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.LoadBalancer;
import io.nlb.core.ZonalShift;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;

/**
 * The ARC zonal-shift API on the endpoint, driven by the AWS CLI v2 ({@code aws arc-zonal-shift},
 * REST-JSON, signed for {@code arc-zonal-shift}): start, inspect, update, cancel, and the errors
 * the API reference gives. Skipped where no CLI v2 is installed, except in CI.
 */
@Timeout(300)
class AwsApiZonalShiftCliIntegrationTest {
  private final ApiFixture f = new ApiFixture();
  @TempDir Path home = Path.of("unused"); // replaced by JUnit before each test

  @AfterEach
  void close() {
    f.close();
  }

  private record Run(int exit, String out) {}

  private Run aws(String cli, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(cli, "--endpoint-url", f.api.endpoint().toString(), "--output", "json",
        "arc-zonal-shift"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("AWS_ACCESS_KEY_ID", ApiFixture.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", ApiFixture.SECRET);
    env.put("AWS_DEFAULT_REGION", ApiFixture.REGION);
    env.remove("AWS_PROFILE");
    env.remove("AWS_SESSION_TOKEN");
    env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("credentials").toString());
    env.put("AWS_PAGER", "");
    env.put("AWS_MAX_ATTEMPTS", "1");
    env.put("HOME", home.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": \"([^\"]*)\"").matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return m.group(1);
  }

  private static void refused(Run r, String code, String operation, String messagePart) {
    assertThat(r.exit()).as(r.out()).isNotZero();
    assertThat(r.out()).as(r.out()).contains("An error occurred (" + code + ") when calling the " + operation + " operation")
        .contains(messagePart);
  }

  @Test
  void zonalShift_startInspectUpdateCancel_throughTheCli() throws Exception {
    String cli = AwsCliScriptIntegrationTest.cli();
    String arn = f.elb.createLoadBalancer(b -> b.name("shifty").type(LoadBalancerTypeEnum.NETWORK)
        .subnets(ApiFixture.SUBNET_A, ApiFixture.SUBNET_B)).loadBalancers().get(0).loadBalancerArn();
    LoadBalancer lb = f.nlb.loadBalancer("shifty").orElseThrow();

    Run resources = aws(cli, "list-managed-resources");
    assertThat(resources.exit()).as(resources.out()).isZero();
    assertThat(resources.out()).contains("\"arn\": \"" + arn + "\"").contains("\"name\": \"shifty\"")
        .contains("\"us-east-2a\"").contains("\"us-east-2b\"");

    Instant before = Instant.now();
    Run started = aws(cli, "start-zonal-shift", "--resource-identifier", arn, "--away-from", "us-east-2b",
        "--expires-in", "30m", "--comment", "bad deploy in 2b");
    assertThat(started.exit()).as(started.out()).isZero();
    assertThat(field(started.out(), "status")).isEqualTo("ACTIVE");
    assertThat(field(started.out(), "awayFrom")).isEqualTo("us-east-2b");
    assertThat(field(started.out(), "resourceIdentifier")).isEqualTo(arn);
    String id = field(started.out(), "zonalShiftId");
    ZonalShift shift = lb.zonalShift().orElseThrow();
    assertThat(shift.zone()).isEqualTo("us-east-2b");
    assertThat(shift.comment()).isEqualTo("bad deploy in 2b");
    assertThat(Duration.between(before, shift.expiryTime())).isBetween(Duration.ofMinutes(29), Duration.ofMinutes(31));
    assertThat(lb.routingSnapshot().zonalShift()).isPresent();

    Run resource = aws(cli, "get-managed-resource", "--resource-identifier", arn);
    assertThat(resource.exit()).as(resource.out()).isZero();
    assertThat(resource.out()).containsPattern("\"us-east-2a\": 1\\.0").containsPattern("\"us-east-2b\": 0\\.0")
        .contains("\"appliedStatus\": \"APPLIED\"").contains("\"zonalShiftId\": \"" + id + "\"");

    refused(aws(cli, "start-zonal-shift", "--resource-identifier", arn, "--away-from", "us-east-2a", "--expires-in", "1h",
        "--comment", "second"), "ConflictException", "StartZonalShift", id);

    Run updated = aws(cli, "update-zonal-shift", "--zonal-shift-id", id, "--expires-in", "2h", "--comment", "still bad");
    assertThat(updated.exit()).as(updated.out()).isZero();
    assertThat(field(updated.out(), "comment")).isEqualTo("still bad");
    assertThat(Duration.between(before, lb.zonalShift().orElseThrow().expiryTime())).isGreaterThan(Duration.ofMinutes(110));

    Run active = aws(cli, "list-zonal-shifts", "--status", "ACTIVE");
    assertThat(active.exit()).as(active.out()).isZero();
    assertThat(active.out()).contains("\"zonalShiftId\": \"" + id + "\"").contains("\"comment\": \"still bad\"");

    Run canceled = aws(cli, "cancel-zonal-shift", "--zonal-shift-id", id);
    assertThat(canceled.exit()).as(canceled.out()).isZero();
    assertThat(field(canceled.out(), "status")).isEqualTo("CANCELED");
    assertThat(lb.zonalShift()).isEmpty();
    refused(aws(cli, "cancel-zonal-shift", "--zonal-shift-id", id), "ConflictException", "CancelZonalShift", "CANCELED");
    Run none = aws(cli, "list-zonal-shifts", "--status", "ACTIVE");
    assertThat(none.out()).as(none.out()).doesNotContain(id);
    Run all = aws(cli, "list-zonal-shifts");
    assertThat(all.out()).as(all.out()).contains("\"status\": \"CANCELED\"");
  }

  @Test
  void zonalShift_invalidRequests_answeredWithTheApisErrors() throws Exception {
    String cli = AwsCliScriptIntegrationTest.cli();
    String arn = f.elb.createLoadBalancer(b -> b.name("shifty").type(LoadBalancerTypeEnum.NETWORK)
        .subnets(ApiFixture.SUBNET_A, ApiFixture.SUBNET_B)).loadBalancers().get(0).loadBalancerArn();
    String single = f.elb.createLoadBalancer(b -> b.name("single").type(LoadBalancerTypeEnum.NETWORK)
        .subnets(ApiFixture.SUBNET_DUAL)).loadBalancers().get(0).loadBalancerArn();

    refused(aws(cli, "start-zonal-shift", "--resource-identifier", arn, "--away-from", "us-east-2b", "--expires-in", "73h",
        "--comment", "x"), "ValidationException", "StartZonalShift", "expiresIn: 73h");
    refused(aws(cli, "start-zonal-shift", "--resource-identifier", arn, "--away-from", "us-east-2z", "--expires-in", "1h",
        "--comment", "x"), "ValidationException", "StartZonalShift", "awayFrom: us-east-2z");
    refused(aws(cli, "start-zonal-shift", "--resource-identifier", "arn:aws:ec2:us-east-2:123456789012:instance/i-1",
        "--away-from", "us-east-2a", "--expires-in", "1h", "--comment", "x"), "ValidationException", "StartZonalShift",
        "resourceIdentifier");
    String unknown = arn.substring(0, arn.lastIndexOf('/') + 1) + "0123456789abcdef";
    refused(aws(cli, "get-managed-resource", "--resource-identifier", unknown), "ResourceNotFoundException",
        "GetManagedResource", unknown);
    refused(aws(cli, "start-zonal-shift", "--resource-identifier", single, "--away-from", "us-east-2c", "--expires-in", "1h",
        "--comment", "x"), "ValidationException", "StartZonalShift", "another zone");
    refused(aws(cli, "cancel-zonal-shift", "--zonal-shift-id", "00000000-0000-0000-0000-000000000000"),
        "ResourceNotFoundException", "CancelZonalShift", "zonalShiftId");
    refused(aws(cli, "list-zonal-shifts", "--status", "PAUSED"), "ValidationException", "ListZonalShifts", "status: PAUSED");
    assertThat(f.nlb.loadBalancer("shifty").orElseThrow().zonalShift()).isEmpty();
  }
}
