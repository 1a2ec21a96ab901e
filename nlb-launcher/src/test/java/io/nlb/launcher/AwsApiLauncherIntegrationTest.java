package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nlb.awsapi.AwsApiServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ElasticLoadBalancingV2Exception;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The daemon's {@code awsApi} section: the endpoint it starts is driven by the real AWS SDK for
 * Java v2, and what the SDK creates carries traffic next to the file's load balancer.
 */
@Timeout(90)
class AwsApiLauncherIntegrationTest {
  private static final String KEY = "AKIDNLBLAUNCHERTEST1";
  private static final String SECRET = "launcher/test/secret+EXAMPLE0123456789";
  private static final String SUBNET = "subnet-0a1b2c3d4e";

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private int target(String name) throws IOException {
    return Loopback.answeringTarget(name, resources);
  }

  private static String request(int port, String text) throws IOException {
    return Loopback.request("127.0.0.1", port, text);
  }


  private static String yaml(int fileTargetPort, int fileListenerPort, String awsApi) {
    return """
        transport: {ioMode: NIO}
        healthChecks: false
        targetGroups:
          - name: file-web
            protocol: TCP
            port: %d
            targetType: ip
            targets:
              - {id: 127.0.0.1}
        loadBalancers:
          - name: file-lb
            zones:
              - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
            listeners:
              - {protocol: TCP, port: %d, targetGroup: file-web}
        %s
        """.formatted(fileTargetPort, fileListenerPort, awsApi);
  }

  private static String awsApi(String extra) {
    return """
        awsApi:
          port: 0
          region: us-east-2
          accessKeys:
            - {id: %s, secretFile: secret.txt}
          subnets:
            - {id: %s, zone: zone-a}
        %s""".formatted(KEY, SUBNET, extra.indent(2));
  }

  private ElasticLoadBalancingV2Client client(AwsApiServer api) {
    ElasticLoadBalancingV2Client c = sdkClient(api, KEY, SECRET);
    resources.add(c);
    return c;
  }

  /** The AWS SDK's elbv2 client for an endpoint in us-east-2, signing with the key, without retries. */
  static ElasticLoadBalancingV2Client sdkClient(AwsApiServer api, String key, String secret) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(api.endpoint())
        .region(Region.of("us-east-2"))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(s -> s.maxAttempts(1)))
        .build();
  }

  @Test
  void awsApiSection_sdkCreatesLoadBalancer_trafficFlowsNextToTheFilesLoadBalancer(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
    int fileListener = Loopback.freePort();
    String text = yaml(target("file"), fileListener, awsApi("stateFile: api.state"));
    Launcher launcher = Launcher.start(LauncherConfig.parseYaml(text, dir));
    resources.add(launcher);
    AwsApiServer api = launcher.awsApiServer().orElseThrow();
    assertThat(api.localAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(api.region()).isEqualTo("us-east-2");
    ElasticLoadBalancingV2Client elb = client(api);

    // The file's load balancer is listed, and it is the file's: the API may not delete it.
    LoadBalancer fileLb = elb.describeLoadBalancers(b -> b.names("file-lb")).loadBalancers().get(0);
    assertThatThrownBy(() -> elb.deleteLoadBalancer(b -> b.loadBalancerArn(fileLb.loadBalancerArn())))
        .isInstanceOfSatisfying(ElasticLoadBalancingV2Exception.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("OperationNotPermitted"));

    int targetPort = target("api");
    TargetGroup tg = elb.createTargetGroup(b -> b.name("api-targets").protocol(ProtocolEnum.TCP).port(targetPort)
        .vpcId("vpc-0598c7d356example").targetType(TargetTypeEnum.IP)).targetGroups().get(0);
    elb.registerTargets(b -> b.targetGroupArn(tg.targetGroupArn()).targets(TargetDescription.builder().id("127.0.0.1").build()));
    LoadBalancer lb = elb.createLoadBalancer(b -> b.name("api-lb").type(LoadBalancerTypeEnum.NETWORK).subnets(SUBNET))
        .loadBalancers().get(0);
    assertThat(lb.loadBalancerArn()).startsWith("arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/net/api-lb/");
    assertThat(lb.availabilityZones()).singleElement().satisfies(z -> {
      assertThat(z.zoneName()).isEqualTo("zone-a");
      assertThat(z.subnetId()).isEqualTo(SUBNET);
    });
    int port = Loopback.freePort();
    elb.createListener(b -> b.loadBalancerArn(lb.loadBalancerArn()).protocol(ProtocolEnum.TCP).port(port)
        .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tg.targetGroupArn()).build()));

    await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> request(port, "hello").equals("api:hello"));
    assertThat(request(fileListener, "ping")).isEqualTo("file:ping");
    assertThat(launcher.nlb().loadBalancer("api-lb")).isPresent();
    assertThat(elb.describeLoadBalancers().loadBalancers()).extracting(LoadBalancer::loadBalancerName)
        .containsExactlyInAnyOrder("file-lb", "api-lb");
    // Written before the answer: what the API created is in the state file beside the config.
    assertThat(Files.readString(dir.resolve("api.state"))).contains("api-lb").contains("api-targets");

    // A reload of the file changes the file's part and leaves what the API created alone.
    int second = target("file2");
    String changed = text.replace("      - {id: 127.0.0.1}\n", "      - {id: 127.0.0.1}\n      - {id: 127.0.0.1, port: " + second + "}\n");
    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(changed, dir));
    assertThat(r.refused()).isEmpty();
    assertThat(r.applied()).singleElement().asString().startsWith("targetGroups[file-web].targets: register");
    assertThat(request(port, "again")).isEqualTo("api:again");
    assertThat(elb.describeTargetHealth(b -> b.targetGroupArn(tg.targetGroupArn())).targetHealthDescriptions()).hasSize(1);
    // A file that takes a name the API created is refused, naming it.
    String clash = changed.replace("name: file-web", "name: api-targets").replace("targetGroup: file-web", "targetGroup: api-targets");
    ConfigReloader.Result refused = launcher.reloader().reload(LauncherConfig.parseYaml(clash, dir));
    assertThat(refused.refused()).anySatisfy(p -> assertThat(p).startsWith("targetGroups[api-targets]"));
    assertThat(request(port, "still")).isEqualTo("api:still");

    // The ARC zonal-shift API comes from the same endpoint (REST-JSON, signed for arc-zonal-shift).
    Arc resource = arc(api, "GET", "/managedresources/" + URLEncoder.encode(lb.loadBalancerArn(), StandardCharsets.UTF_8), null);
    assertThat(resource.status()).as(resource.body()).isEqualTo(200);
    assertThat(resource.body()).contains("\"name\":\"api-lb\"").contains("\"appliedWeights\":{\"zone-a\":1.0}");
    Arc oneZone = arc(api, "POST", "/zonalshifts", "{\"resourceIdentifier\":\"" + lb.loadBalancerArn()
        + "\",\"awayFrom\":\"zone-a\",\"expiresIn\":\"1h\",\"comment\":\"one zone only\"}");
    assertThat(oneZone.status()).as(oneZone.body()).isEqualTo(400);
    assertThat(oneZone.errorType()).isEqualTo("ValidationException");
    assertThat(oneZone.body()).contains("\"reason\":\"UnsupportedAz\"");
    assertThat(launcher.nlb().loadBalancer("api-lb").orElseThrow().zonalShift()).isEmpty();
  }

  private record Arc(int status, String errorType, String body) {}

  /** One zonal-shift request, signed with the SDK's SigV4 signer for arc-zonal-shift. */
  private static Arc arc(AwsApiServer api, String method, String path, @Nullable String body) throws IOException {
    URI uri = URI.create(api.endpoint() + path);
    SdkHttpRequest.Builder req = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
    if (body != null) {
      req.putHeader("Content-Type", "application/json");
    }
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> {
      r.identity(AwsCredentialsIdentity.create(KEY, SECRET)).request(req.build())
          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "arc-zonal-shift")
          .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-2");
      if (body != null) {
        r.payload(ContentStreamProvider.fromUtf8String(body));
      }
    });
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setRequestMethod(method);
    c.setConnectTimeout(5000);
    c.setReadTimeout(10000);
    signed.request().forEachHeader((name, values) -> {
      if (!name.equalsIgnoreCase("Host")) {
        values.forEach(v -> c.addRequestProperty(name, v));
      }
    });
    if (body != null) {
      c.setDoOutput(true);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
    }
    int status = c.getResponseCode();
    InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
    String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    String type = String.valueOf(c.getHeaderField("x-amzn-ErrorType"));
    c.disconnect();
    return new Arc(status, type, text);
  }

  @Test
  void reload_awsApiSectionChanged_refusedWithItsPath(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("secret.txt"), SECRET);
    int target = target("file");
    int listener = Loopback.freePort();
    Launcher launcher = Launcher.start(LauncherConfig.parseYaml(yaml(target, listener, awsApi("")), dir));
    resources.add(launcher);
    int port = launcher.awsApiServer().orElseThrow().localAddress().getPort();

    ConfigReloader.Result r = launcher.reloader().reload(LauncherConfig.parseYaml(yaml(target, listener,
        awsApi("accountId: \"210987654321\"")), dir));

    assertThat(r.refused()).singleElement().asString().startsWith("awsApi: changed (expected: unchanged;")
        .contains("needs a restart");
    assertThat(launcher.awsApiServer().orElseThrow().localAddress().getPort()).isEqualTo(port);
    // The same section again is no change at all.
    assertThat(launcher.reloader().reload(LauncherConfig.parseYaml(yaml(target, listener, awsApi("")), dir)).ok()).isTrue();
  }

  @Test
  void parse_awsApiErrors_eachNamesItsPath(@TempDir Path dir) {
    String bad = """
        awsApi:
          port: 70000
          address: localhost
          accessKeys:
            - {id: %s, secretFile: missing-secret.txt}
          subnets:
            - {id: %s, zone: zone-x}
        """.formatted(KEY, SUBNET);

    assertThatThrownBy(() -> LauncherConfig.parseYaml(yaml(9001, 9002, bad), dir))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).isEqualTo("awsApi.port: 70000 (expected: 0-65535)"))
            .anySatisfy(p -> assertThat(p).startsWith("awsApi.address: \"localhost\" (expected: an IPv4 or IPv6 literal"))
            .anySatisfy(p -> assertThat(p).startsWith("awsApi.accessKeys[0].secretFile: \"missing-secret.txt\" (expected: a readable file")
                .contains(dir.toAbsolutePath().toString()))
            .anySatisfy(p -> assertThat(p).startsWith("awsApi.subnets[0].zone: \"zone-x\" (expected: a zone of awsApi.zones or of the"
                + " load balancers: zone-a)")));
  }

  @Test
  void parse_awsApiWithoutAccessKeysOrWithUnknownKey_refused(@TempDir Path dir) {
    String bad = """
        awsApi:
          port: 0
          secretKey: x
        """;

    assertThatThrownBy(() -> LauncherConfig.parseYaml(yaml(9001, 9002, bad), dir))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).startsWith("awsApi.accessKeys: missing (expected: at least one"))
            .anySatisfy(p -> assertThat(p).startsWith("awsApi.secretKey")));
  }

  @Test
  void parse_awsApiDefaults_loopbackAndOwnZones(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("secret.txt"), SECRET);
    String extra = """
        zones:
          - {name: zone-b, addresses: [127.0.0.2], targetRanges: [127.0.0.0/8]}
        """;
    String text = yaml(9001, 9002, awsApi(extra).replace("zone: zone-a}", "zone: zone-b}"));

    AwsApiSettings s = java.util.Objects.requireNonNull(LauncherConfig.parseYaml(text, dir).awsApi());

    assertThat(s.address().isLoopbackAddress()).isTrue();
    assertThat(s.region()).isEqualTo("us-east-2");
    assertThat(s.accountId()).isEqualTo("123456789012");
    assertThat(s.subnets()).singleElement().satisfies(sn -> {
      assertThat(sn.id()).isEqualTo(SUBNET);
      assertThat(sn.zone().name()).isEqualTo("zone-b");
      assertThat(sn.zone().addresses().get(0).getHostAddress()).isEqualTo("127.0.0.2");
    });
    assertThat(s.stateFile()).isNull();
  }
}
