package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nlb.testing.etcd.EtcdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.nlb.cluster.ClusterNode;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The AWS API in cluster mode, against a real etcd: two launchers, each running one zone of the
 * same load balancers with its own API endpoint. A change through either endpoint is a
 * compare-and-swap on the shared configuration; both nodes run it, under the same ARNs, and carry
 * its traffic; changes at the same moment through both endpoints all survive; a reload of a
 * node's file keeps what the API created.
 */
@Timeout(120)
@SuppressWarnings("NullAway") // fields set in @BeforeEach
class ClusterAwsApiIntegrationTest {
  private static final String KEY = "AKIDNLBCLUSTERTEST01";
  private static final String SECRET = "cluster/test/secret+EXAMPLE0123456789";

  @TempDir Path dir;
  @Nullable EtcdProcess etcd;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeEach
  void startEtcd() throws Exception {
    Assumptions.assumeTrue(EtcdProcess.binary().isPresent(), EtcdProcess.MISSING);
    etcd = EtcdProcess.start(Files.createDirectories(dir.resolve("etcd")));
    Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  private int target(String name) throws IOException {
    return Loopback.answeringTarget(name, resources);
  }

  private static String request(String host, int port, String text) throws IOException {
    return Loopback.request(host, port, text);
  }


  /** One node's file: the shared load balancer in zones a and b, this node running {@code zone}. */
  private String yaml(String node, String zone, int fileTarget, int fileListener, String extraApi) {
    return """
        transport: {ioMode: NIO}
        healthChecks: false
        cluster:
          endpoints: [%s]
          keyPrefix: /nlb/api-it
          nodeName: %s
          leaseTtlSeconds: 2
          requestTimeoutMillis: 800
        node: {zones: [%s]}
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
              - {name: zone-b, addresses: [127.0.0.2]}
            listeners:
              - {protocol: TCP, port: %d, targetGroup: file-web}
        awsApi:
          port: 0
          region: us-east-2
          accessKeys:
            - {id: %s, secretFile: secret.txt}
          subnets:
            - {id: subnet-0aaaa, zone: zone-a}
            - {id: subnet-0bbbb, zone: zone-b}
        %s
        """.formatted(etcd.endpoint(), node, zone, fileTarget, fileListener, KEY, extraApi.indent(2));
  }

  private Launcher start(String yaml) {
    Launcher l = Launcher.start(LauncherConfig.parseYaml(yaml, dir));
    resources.add(l);
    return l;
  }

  private ElasticLoadBalancingV2Client client(Launcher l) {
    ElasticLoadBalancingV2Client c = AwsApiLauncherIntegrationTest.sdkClient(l.awsApiServer().orElseThrow(), KEY, SECRET);
    resources.add(c);
    return c;
  }

  @Test
  void changesThroughEitherNodesApi_runOnBoth_andSurviveEachOtherAndAFileReload() throws Exception {
    int fileTarget = target("file");
    int fileListener = Loopback.freePort();
    Path file1 = dir.resolve("node-1.yaml");
    Files.writeString(file1, yaml("node-1", "zone-a", fileTarget, fileListener, ""));
    Launcher one = start(Files.readString(file1));
    Launcher two = start(yaml("node-2", "zone-b", fileTarget, fileListener, ""));
    ElasticLoadBalancingV2Client api1 = client(one);
    ElasticLoadBalancingV2Client api2 = client(two);

    int apiTarget = target("api");
    String tgArn = api1.createTargetGroup(r -> r.name("api-web").protocol(ProtocolEnum.TCP).port(apiTarget)
        .targetType(TargetTypeEnum.IP)).targetGroups().get(0).targetGroupArn();
    String lbArn = api2.createLoadBalancer(r -> r.name("api-lb").type(LoadBalancerTypeEnum.NETWORK).subnets("subnet-0aaaa", "subnet-0bbbb"))
        .loadBalancers().get(0).loadBalancerArn();
    // The target is in zone a only: zone b's node reaches it across zones.
    api1.modifyLoadBalancerAttributes(r -> r.loadBalancerArn(lbArn).attributes(
        LoadBalancerAttribute.builder().key("load_balancing.cross_zone.enabled").value("true").build()));
    int port = Loopback.freePort();
    api2.createListener(r -> r.loadBalancerArn(lbArn).protocol(ProtocolEnum.TCP).port(port)
        .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tgArn).build()));

    // Registered through node 2: both nodes carry traffic to it within 2 s.
    api2.registerTargets(r -> r.targetGroupArn(tgArn).targets(TargetDescription.builder().id("127.0.0.1").build()));
    await().atMost(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
      assertThat(request("127.0.0.1", port, "one")).isEqualTo("api:one");
      assertThat(request("127.0.0.2", port, "two")).isEqualTo("api:two");
    });
    assertThat(api2.describeTargetGroups(r -> r.names("api-web")).targetGroups().get(0).targetGroupArn()).isEqualTo(tgArn);
    assertThat(api1.describeListeners(r -> r.loadBalancerArn(lbArn)).listeners().toString())
        .isEqualTo(api2.describeListeners(r -> r.loadBalancerArn(lbArn)).listeners().toString());
    assertThat(one.cluster().orElseThrow().current().document().path(LauncherConfig.API_STATE_KEY).asText())
        .contains("targetGroup ", "name=api-web", "loadBalancer ", "listener ", "target ");

    // Changes at the same moment through both endpoints: none is lost.
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ElasticLoadBalancingV2Client c = i % 2 == 0 ? api1 : api2;
      int targetPort = 20_000 + i;
      writes.add(CompletableFuture.runAsync(() -> c.registerTargets(r -> r.targetGroupArn(tgArn)
          .targets(TargetDescription.builder().id("127.0.0.1").port(targetPort).build()))));
    }
    CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get();
    for (Launcher l : List.of(one, two)) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(l.nlb().targetGroup("api-web").orElseThrow()
          .registeredTargets().stream().filter(t -> !t.isDraining()).count()).isEqualTo(7));
    }

    // The six were never listening: deregistered through one node, they take no new flow on either.
    List<TargetDescription> dead = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      dead.add(TargetDescription.builder().id("127.0.0.1").port(20_000 + i).build());
    }
    api1.deregisterTargets(r -> r.targetGroupArn(tgArn).targets(dead));
    for (Launcher l : List.of(one, two)) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(l.nlb().targetGroup("api-web").orElseThrow()
          .registeredTargets().stream().filter(t -> !t.isDraining()).count()).isEqualTo(1));
    }

    // A reload of node 1's file (one more file target) is shared; what the API created stays.
    Files.writeString(file1, yaml("node-1", "zone-a", fileTarget, fileListener, "").replace(
        "      - {id: 127.0.0.1}\n", "      - {id: 127.0.0.1}\n      - {id: 127.0.0.3}\n"));
    assertThat(one.reloader().reload(file1).ok()).isTrue();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(two.nlb().targetGroup("file-web").orElseThrow()
        .registeredTargets()).hasSize(2));
    assertThat(two.nlb().targetGroup("api-web")).isPresent();
    assertThat(request("127.0.0.2", port, "after")).isEqualTo("api:after");

    // What the file configures is visible through the API, and not the API's to change.
    String fileTg = api2.describeTargetGroups(r -> r.names("file-web")).targetGroups().get(0).targetGroupArn();
    assertThatThrownBy(() -> api2.deleteTargetGroup(r -> r.targetGroupArn(fileTg)))
        .isInstanceOfSatisfying(AwsServiceException.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("OperationNotPermitted"));
  }

  @Test
  void zonalShiftThroughOneNode_dropsTheZoneFromWhatEveryNodeSees() throws Exception {
    int fileTarget = target("file");
    int fileListener = Loopback.freePort();
    Launcher one = start(yaml("node-1", "zone-a", fileTarget, fileListener, ""));
    Launcher two = start(yaml("node-2", "zone-b", fileTarget, fileListener, ""));
    String lbArn = client(one).describeLoadBalancers(r -> r.names("file-lb")).loadBalancers().get(0).loadBalancerArn();

    // Started on node 1, away from zone b, which node 2 runs: node 2 stops publishing it as serving.
    HttpResponse<String> started = shift(one, "POST", "/zonalshifts", "{\"resourceIdentifier\":\"" + lbArn
        + "\",\"awayFrom\":\"zone-b\",\"expiresIn\":\"30m\",\"comment\":\"drill\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    ClusterNode view = one.cluster().orElseThrow();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(view.liveNodes())
        .filteredOn(n -> n.loadBalancer().equals("file-lb"))
        .extracting(n -> n.zone() + "=" + n.serving()).containsExactlyInAnyOrder("zone-a=true", "zone-b=false"));
    assertThat(two.nlb().loadBalancer("file-lb").orElseThrow().zonalShift()).isPresent();
    String id = started.body().replaceAll(".*\"zonalShiftId\":\"([^\"]+)\".*", "$1");
    assertThat(shift(two, "GET", "/zonalshifts", "").body()).contains(id, "ACTIVE");

    // Canceled through node 2: zone b serves again everywhere.
    assertThat(shift(two, "DELETE", "/zonalshifts/" + id, "").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(view.liveNodes())
        .filteredOn(n -> n.loadBalancer().equals("file-lb")).allMatch(n -> n.serving()));
  }

  /** One ARC zonal-shift request to a node's endpoint, signed with the SDK's signer. */
  private static HttpResponse<String> shift(Launcher l, String method, String path, String body) throws Exception {
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method))
        .uri(l.awsApiServer().orElseThrow().endpoint().resolve(path)).putHeader("Content-Type", "application/json").build();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(KEY, SECRET))
        .request(request).payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "arc-zonal-shift")
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-2"));
    HttpRequest.Builder b = HttpRequest.newBuilder(signed.request().getUri()).timeout(Duration.ofSeconds(10))
        .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    signed.request().headers().forEach((name, values) -> {
      if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
        values.forEach(v -> b.header(name, v));
      }
    });
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void stateFileWithClusterSection_refusedWithItsPath() {
    assertThatThrownBy(() -> LauncherConfig.parseYaml(yaml("node-1", "zone-a", 9000, 9001, "stateFile: api.state"), dir))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("awsApi.stateFile: ").contains("expected: absent with a cluster section"));
  }
}
