package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.NlbConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.Zone;
import io.nlb.transport.netty.IoMode;
import io.nlb.transport.netty.NettyTransport;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Tag;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * Two endpoints, each over its own {@link Nlb} serving one zone ("two processes"), whose API
 * records live in one shared state with compare-and-swap ({@link SharedApiState}; an in-memory
 * store here, etcd in the launcher): a change through either endpoint reaches both, under the same
 * ARNs; two changes at the same moment both survive; a refused change and a change while the store
 * is away write nothing.
 */
@Timeout(120)
class AwsApiSharedStateIntegrationTest {
  private static final String SUBNET_A = "subnet-0aaa000000example";
  private static final String SUBNET_B = "subnet-0bbb000000example";

  private final MemoryStore store = new MemoryStore();
  private Node a;
  private Node b;

  @BeforeEach
  void start() {
    a = new Node("us-east-2a", store);
    b = new Node("us-east-2b", store);
  }

  @AfterEach
  void stop() {
    b.close();
    a.close();
    store.close();
  }

  @Test
  void changesThroughEitherEndpoint_reachBoth_underTheSameArns_andCarryTraffic() throws Exception {
    try (Loop.TcpTarget target = new Loop.TcpTarget("shared")) {
      String tgArn = a.elb.createTargetGroup(r -> r.name("shared").protocol(ProtocolEnum.TCP).port(target.port())
          .targetType(TargetTypeEnum.IP).tags(Tag.builder().key("team").value("edge").build())).targetGroups().get(0).targetGroupArn();
      String lbArn = b.elb.createLoadBalancer(r -> r.name("shared-lb").type(LoadBalancerTypeEnum.NETWORK)
          .subnets(SUBNET_A, SUBNET_B)).loadBalancers().get(0).loadBalancerArn();
      int port = Loop.freePort();
      String listenerArn = a.elb.createListener(r -> r.loadBalancerArn(lbArn).protocol(ProtocolEnum.TCP).port(port)
          .defaultActions(Action.builder().type(ActionTypeEnum.FORWARD).targetGroupArn(tgArn).build())
          .tags(Tag.builder().key("tier").value("front").build())).listeners().get(0).listenerArn();
      b.elb.registerTargets(r -> r.targetGroupArn(tgArn).targets(TargetDescription.builder().id("127.0.0.1").port(target.port()).build()));
      // The target sits in zone a; zone b's node reaches it across zones.
      a.elb.modifyLoadBalancerAttributes(r -> r.loadBalancerArn(lbArn).attributes(
          LoadBalancerAttribute.builder().key("load_balancing.cross_zone.enabled").value("true").build()));

      // Each answer came after its own process ran the change; the other runs it too, soon.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(describe(b.elb)).isEqualTo(describe(a.elb)));
      String view = describe(a.elb);
      assertThat(view).contains(tgArn, lbArn, listenerArn, "team", "tier", "127.0.0.1");
      assertThat(a.elb.describeLoadBalancerAttributes(r -> r.loadBalancerArn(lbArn)).attributes().toString())
          .isEqualTo(b.elb.describeLoadBalancerAttributes(r -> r.loadBalancerArn(lbArn)).attributes().toString())
          .contains("load_balancing.cross_zone.enabled, Value=true");
      assertThat(a.nlb.targetGroups()).extracting(io.nlb.core.TargetGroup::name).containsExactlyInAnyOrder("configured", "shared");
      assertThat(b.nlb.loadBalancers()).extracting(io.nlb.core.LoadBalancer::name).containsExactly("shared-lb");

      // Node a serves zone a's address, node b zone b's: both reach the target registered through b.
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
        assertThat(Loop.tcpRequest("127.0.0.1", port, "via-a")).isEqualTo("shared:via-a");
        assertThat(Loop.tcpRequest("127.0.0.2", port, "via-b")).isEqualTo("shared:via-b");
      });

      // What the processes' configuration holds is seen by both under one ARN, and is not the API's.
      String configuredArn = a.elb.describeTargetGroups(r -> r.names("configured")).targetGroups().get(0).targetGroupArn();
      assertThat(b.elb.describeTargetGroups(r -> r.names("configured")).targetGroups().get(0).targetGroupArn()).isEqualTo(configuredArn);
      AwsServiceException refused = catchThrowableOfType(AwsServiceException.class, () -> b.elb.registerTargets(r -> r
          .targetGroupArn(configuredArn).targets(TargetDescription.builder().id("127.0.0.9").build())));
      assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("OperationNotPermitted");

      // Deletions travel the same way.
      b.elb.deleteListener(r -> r.listenerArn(listenerArn));
      a.elb.deleteLoadBalancer(r -> r.loadBalancerArn(lbArn));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(a.nlb.loadBalancers()).isEmpty();
        assertThat(b.nlb.loadBalancers()).isEmpty();
      });
      assertThat(store.text()).contains("targetGroup ").doesNotContain("loadBalancer ", "listener ");
    }
  }

  @Test
  void zonalShifts_startedOnOneEndpoint_runOnBoth_andAreListedUnderOneId() throws Exception {
    String lbArn = a.elb.createLoadBalancer(r -> r.name("shifted").type(LoadBalancerTypeEnum.NETWORK).subnets(SUBNET_A, SUBNET_B))
        .loadBalancers().get(0).loadBalancerArn();
    Map<String, Object> started = shiftCall(b, "POST", "/zonalshifts", Map.of("resourceIdentifier", lbArn,
        "awayFrom", "us-east-2b", "expiresIn", "30m", "comment", "drill"), 201);
    String id = (String) started.get("zonalShiftId");
    assertThat(started).containsEntry("status", "ACTIVE").containsEntry("awayFrom", "us-east-2b");
    for (Node n : List.of(a, b)) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(n.nlb.loadBalancer("shifted").orElseThrow().zonalShift())
          .hasValueSatisfying(z -> assertThat(z.zone()).isEqualTo("us-east-2b")));
    }
    assertThat(shiftText(a, "GET", "/zonalshifts", null, 200)).contains(id, "ACTIVE", "drill");
    assertThat(shiftText(b, "GET", "/zonalshifts", null, 200)).isEqualTo(shiftText(a, "GET", "/zonalshifts", null, 200));
    // One shift per load balancer, whichever endpoint is asked.
    Map<String, Object> conflict = shiftCall(a, "POST", "/zonalshifts", Map.of("resourceIdentifier", lbArn,
        "awayFrom", "us-east-2a", "expiresIn", "30m", "comment", "again"), 409);
    assertThat(conflict.get("reason")).isEqualTo("ZonalShiftAlreadyExists");

    assertThat(shiftCall(a, "PATCH", "/zonalshifts/" + id, Map.of("comment", "drill, longer", "expiresIn", "2h"), 200))
        .containsEntry("comment", "drill, longer");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.nlb.loadBalancer("shifted").orElseThrow().zonalShift())
        .hasValueSatisfying(z -> assertThat(z.comment()).isEqualTo("drill, longer")));

    assertThat(shiftCall(b, "DELETE", "/zonalshifts/" + id, null, 200)).containsEntry("status", "CANCELED");
    for (Node n : List.of(a, b)) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(n.nlb.loadBalancer("shifted").orElseThrow().zonalShift())
          .isEmpty());
    }
    assertThat(shiftText(a, "GET", "/zonalshifts?status=CANCELED", null, 200)).contains(id);
  }

  /** One signed ARC zonal-shift request whose answer is one flat JSON object; its members. */
  private static Map<String, Object> shiftCall(Node n, String method, String path, @Nullable Map<String, Object> json, int status)
      throws Exception {
    return Json.readObject(shiftText(n, method, path, json, status));
  }

  /** One signed ARC zonal-shift request; the answer's body after checking its status. */
  private static String shiftText(Node n, String method, String path, @Nullable Map<String, Object> json, int status)
      throws Exception {
    String body = json == null ? "" : Json.write(json);
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(n.api.endpoint().resolve(path))
        .putHeader("Content-Type", "application/json").build();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(ApiFixture.ACCESS_KEY, ApiFixture.SECRET))
        .request(request)
        .payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "arc-zonal-shift")
        .putProperty(AwsV4HttpSigner.REGION_NAME, ApiFixture.REGION));
    HttpRequest.Builder b = HttpRequest.newBuilder(signed.request().getUri()).timeout(Duration.ofSeconds(10))
        .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    signed.request().headers().forEach((name, values) -> {
      if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
        values.forEach(v -> b.header(name, v));
      }
    });
    HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body();
  }

  @Test
  void twoChangesAtTheSameMoment_bothSurvive() throws Exception {
    String tgArn = a.elb.createTargetGroup(r -> r.name("both").protocol(ProtocolEnum.TCP).port(7000).targetType(TargetTypeEnum.IP))
        .targetGroups().get(0).targetGroupArn();
    int before = store.changesRun.get();
    // While a computes its change on one revision, b writes another first: a's write must fail
    // and a's action must run again on b's state.
    store.beforeNextWrite(() -> b.elb.registerTargets(r -> r.targetGroupArn(tgArn)
        .targets(TargetDescription.builder().id("127.0.0.12").build())));
    a.elb.registerTargets(r -> r.targetGroupArn(tgArn).targets(TargetDescription.builder().id("127.0.0.11").build()));

    assertThat(store.changesRun.get() - before).as("a's change ran twice, b's once").isEqualTo(3);
    for (Node n : List.of(a, b)) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(n.elb.describeTargetHealth(r -> r.targetGroupArn(tgArn))
          .targetHealthDescriptions()).extracting(d -> d.target().id()).containsExactlyInAnyOrder("127.0.0.11", "127.0.0.12"));
    }
  }

  @Test
  void refusedChange_writesNothing() {
    a.elb.createTargetGroup(r -> r.name("once").protocol(ProtocolEnum.TCP).port(7000).targetType(TargetTypeEnum.IP));
    long revision = store.revision();
    String text = store.text();
    AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () ->
        b.elb.createTargetGroup(r -> r.name("once").protocol(ProtocolEnum.UDP).port(7001).targetType(TargetTypeEnum.IP)));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("DuplicateTargetGroupName");
    e = catchThrowableOfType(AwsServiceException.class, () ->
        b.elb.createLoadBalancer(r -> r.name("bad").type(LoadBalancerTypeEnum.NETWORK).subnets("subnet-0nothere0000example")));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SubnetNotFound");
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(store.text()).isEqualTo(text);
  }

  @Test
  void storeAway_refusesChangesWith503_andReadsGoOn() {
    String tgArn = a.elb.createTargetGroup(r -> r.name("kept").protocol(ProtocolEnum.TCP).port(7000).targetType(TargetTypeEnum.IP))
        .targetGroups().get(0).targetGroupArn();
    store.down = true;
    AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> a.elb.registerTargets(r -> r.targetGroupArn(tgArn)
        .targets(TargetDescription.builder().id("127.0.0.11").build())));
    assertThat(e.statusCode()).isEqualTo(503);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
    assertThat(e.awsErrorDetails().errorMessage()).contains("nothing was changed");
    assertThat(a.elb.describeTargetHealth(r -> r.targetGroupArn(tgArn)).targetHealthDescriptions()).isEmpty();
    assertThat(a.nlb.targetGroups().stream().filter(g -> g.name().equals("kept")).findFirst().orElseThrow().registeredTargets()).isEmpty();
    store.down = false;
    a.elb.registerTargets(r -> r.targetGroupArn(tgArn).targets(TargetDescription.builder().id("127.0.0.11").build()));
    assertThat(a.elb.describeTargetHealth(r -> r.targetGroupArn(tgArn)).targetHealthDescriptions()).hasSize(1);
  }

  @Test
  void stateFileAndSharedState_areRefusedTogether() {
    try (Nlb nlb = Nlb.builder().build()) {
      AwsApiServer.Builder builder = AwsApiServer.builder(nlb).accessKey(ApiFixture.ACCESS_KEY, ApiFixture.SECRET)
          .stateFile(Path.of("api.state")).sharedState(store.view(null), Duration.ofSeconds(1));
      assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("awsApi.stateFile").hasMessageContaining("expected: absent with a shared state");
      assertThatThrownBy(() -> AwsApiServer.builder(nlb).sharedState(store.view(null), Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("awsApi.sharedApplyWait: PT0S");
    }
  }

  /** Everything a client reads that must be equal on both endpoints (health aside). */
  private static String describe(ElasticLoadBalancingV2Client elb) {
    StringBuilder sb = new StringBuilder();
    for (var tg : elb.describeTargetGroups().targetGroups()) {
      sb.append(tg).append('\n');
      sb.append(elb.describeTags(r -> r.resourceArns(tg.targetGroupArn())).tagDescriptions()).append('\n');
      sb.append(elb.describeTargetHealth(r -> r.targetGroupArn(tg.targetGroupArn())).targetHealthDescriptions().stream()
          .map(d -> d.target()).toList()).append('\n');
    }
    for (var lb : elb.describeLoadBalancers().loadBalancers()) {
      sb.append(lb.toBuilder().state((software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancerState) null).build())
          .append('\n');
      for (var l : elb.describeListeners(r -> r.loadBalancerArn(lb.loadBalancerArn())).listeners()) {
        sb.append(l).append('\n');
        sb.append(elb.describeTags(r -> r.resourceArns(l.listenerArn())).tagDescriptions()).append('\n');
      }
    }
    return sb.toString();
  }

  /** One process: a data plane serving one zone, its Nlb, and its endpoint on the shared state. */
  private static final class Node implements AutoCloseable {
    final Nlb nlb;
    final AwsApiServer api;
    final ElasticLoadBalancingV2Client elb;
    private final ExecutorService watch = Executors.newSingleThreadExecutor();
    private long applied;

    Node(String zone, MemoryStore store) {
      NettyTransport transport = NettyTransport.builder().ioMode(IoMode.NIO).threads(1).servedZones(Set.of(zone)).build();
      nlb = Nlb.builder().identity("shared-test").transport(transport.spi()).build();
      api = AwsApiServer.builder(nlb).region(ApiFixture.REGION).accessKey(ApiFixture.ACCESS_KEY, ApiFixture.SECRET)
          .subnet(Subnet.of(SUBNET_A, Zone.builder("us-east-2a").address("127.0.0.1").targetRange("127.0.0.0/8").build()))
          .subnet(Subnet.of(SUBNET_B, Zone.builder("us-east-2b").address("127.0.0.2").targetRange("127.0.0.0/8").build()))
          .sharedState(store.view(this), Duration.ofSeconds(5))
          .build().start();
      elb = ApiFixture.client(api.endpoint(), ApiFixture.ACCESS_KEY, ApiFixture.SECRET);
      store.join(this);
    }

    /** What the launcher's applier does with each revision: one apply of the whole desired state. */
    void apply(NlbConfig configured, String apiState, long revision) {
      watch.execute(() -> {
        NlbConfig.Builder desired = NlbConfig.builder();
        configured.targetGroups().forEach(g -> desired.targetGroup(g.config(), g.targets()));
        configured.loadBalancers().forEach(desired::loadBalancer);
        NlbConfig api = this.api.desiredState(apiState);
        api.targetGroups().forEach(g -> desired.targetGroup(g.config(), g.targets()));
        api.loadBalancers().forEach(desired::loadBalancer);
        nlb.apply(desired.build());
        this.api.sharedStateApplied(apiState);
        synchronized (this) {
          applied = revision;
          notifyAll();
        }
      });
    }

    synchronized boolean awaitApplied(long revision, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (applied < revision) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }

    @Override
    public void close() {
      elb.close();
      api.close();
      watch.shutdownNow();
      nlb.close();
    }
  }

  /** The shared state: a configured part, the API's text and a revision, changed by compare-and-swap. */
  private static final class MemoryStore implements AutoCloseable {
    private final NlbConfig configured = NlbConfig.builder()
        .targetGroup(TargetGroupConfig.builder("configured", Protocol.TCP, 9000).targetType(io.nlb.core.TargetType.IP).build(), Target.ip("127.0.0.7")).build();
    private final List<Node> nodes = new ArrayList<>();
    private String text = "";
    private long revision = 1;
    private @Nullable Runnable beforeNextWrite;
    volatile boolean down;
    final AtomicInteger changesRun = new AtomicInteger();

    synchronized void join(Node n) {
      nodes.add(n);
      n.apply(configured, text, revision);
    }

    synchronized String text() {
      return text;
    }

    synchronized long revision() {
      return revision;
    }

    synchronized void beforeNextWrite(Runnable r) {
      beforeNextWrite = r;
    }

    SharedApiState view(@Nullable Node node) {
      return new SharedApiState() {
        @Override
        public long update(Function<Current, String> change) {
          for (int attempt = 0; attempt < 5; attempt++) {
            if (down) {
              throw new UncheckedIOException(new java.io.IOException("store unreachable"));
            }
            long base;
            String current;
            Runnable hook;
            synchronized (MemoryStore.this) {
              base = revision;
              current = text;
              hook = beforeNextWrite;
              beforeNextWrite = null;
            }
            changesRun.incrementAndGet();
            String next = change.apply(new Current(configured, current));
            if (hook != null) {
              hook.run();
            }
            synchronized (MemoryStore.this) {
              if (next.equals(current) && revision == base) {
                return base;
              }
              if (revision == base) {
                text = next;
                revision++;
                for (Node n : nodes) {
                  n.apply(configured, text, revision);
                }
                return revision;
              }
            }
          }
          throw new UncheckedIOException(new java.io.IOException("too many conflicting writers"));
        }

        @Override
        public boolean awaitApplied(long revision, Duration timeout) throws InterruptedException {
          return node == null || node.awaitApplied(revision, timeout);
        }

        @Override
        public Nlb scratch() {
          return Nlb.builder().identity("shared-test").scheduler(new ManualScheduler()).build();
        }
      };
    }

    @Override
    public void close() {
      // the nodes close themselves
    }
  }
}
