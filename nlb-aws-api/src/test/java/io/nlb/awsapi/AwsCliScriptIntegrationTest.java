package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nlb.metrics.store.MetricStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code examples/aws-cli/walkthrough.sh} with the AWS CLI v2 of the distribution's packages
 * against an endpoint, as a person would: the guide's walkthrough, traffic through the listener,
 * the flow in CloudWatch, the clean-up. Skipped where no CLI v2 is installed, except in CI, where
 * its absence fails the build (CI installs Debian's {@code awscli}).
 */
@Timeout(180)
class AwsCliScriptIntegrationTest {
  private static final Path SCRIPT = Path.of("..", "examples", "aws-cli", "walkthrough.sh");

  static String cli() {
    String configured = System.getenv("AWS_CLI");
    String cli = configured != null ? configured : "/usr/bin/aws";
    String version = "";
    try {
      Process p = new ProcessBuilder(cli, "--version").redirectErrorStream(true).start();
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      version = e.toString();
    }
    boolean v2 = version.startsWith("aws-cli/2.");
    if (!v2 && System.getenv("CI") != null) {
      throw new AssertionError(cli + ": " + version.strip() + " (expected: AWS CLI v2; CI installs it with "
          + "apt-get install -y awscli)");
    }
    assumeTrue(v2, cli + " is not AWS CLI v2 (" + version.strip() + ")");
    return cli;
  }

  @Test
  void walkthroughScript_runsAgainstTheEndpoint(@TempDir Path home) throws Exception {
    String cli = cli();
    MetricStore store = MetricStore.builder().period(Duration.ofSeconds(1)).build();
    try (ApiFixture f = new ApiFixture(null, b -> { }, store); Loop.TcpTarget target = new Loop.TcpTarget("cli")) {
      int port = Loop.freePort();
      ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      env.put("AWS_CLI", cli);
      env.put("NLB_ENDPOINT", f.api.endpoint().toString());
      env.put("NLB_SUBNET", ApiFixture.SUBNET_A);
      env.put("NLB_NODE", "127.0.0.1");
      env.put("NLB_PORT", Integer.toString(port));
      env.put("TARGET_PORT", Integer.toString(target.port()));
      env.put("AWS_ACCESS_KEY_ID", ApiFixture.ACCESS_KEY);
      env.put("AWS_SECRET_ACCESS_KEY", ApiFixture.SECRET);
      env.put("AWS_DEFAULT_REGION", ApiFixture.REGION);
      env.remove("AWS_PROFILE");
      env.remove("AWS_SESSION_TOKEN");
      env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
      env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("credentials").toString());
      env.put("AWS_PAGER", "");
      env.put("HOME", home.toString());
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
      Files.writeString(home.resolve("walkthrough.log"), output);
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).as(output)
          .contains("using aws-cli/2.")
          .containsPattern("target group: arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/[0-9a-f]{16}")
          .containsPattern("load balancer: arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/net/my-load-balancer/[0-9a-f]{16}")
          .containsPattern("my-load-balancer-[0-9a-f]{16}\\.elb\\.us-east-2\\.amazonaws\\.com\\s+us-east-2a\\s+127\\.0\\.0\\.1")
          .containsPattern("listener: arn:aws:elasticloadbalancing:us-east-2:123456789012:listener/net/my-load-balancer/[0-9a-f]{16}/[0-9a-f]{16}")
          .containsPattern("127\\.0\\.0\\.1\\s+" + target.port() + "\\s+initial\\s+Elb\\.RegistrationInProgress")
          .contains("answer: cli:hello")
          .containsPattern("NewFlowCount_TCP: [1-9]")
          .contains("remaining load balancers: 0");
      assertThat(f.nlb.loadBalancers()).isEmpty();
    }
  }
}
