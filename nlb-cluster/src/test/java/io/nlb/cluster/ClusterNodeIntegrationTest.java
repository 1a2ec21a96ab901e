package io.nlb.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nlb.testing.etcd.EtcdProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.core.TargetHealthState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Nodes against a real etcd: shared configuration, compare-and-swap, membership, and etcd going away. */
@Timeout(90)
@SuppressWarnings("NullAway") // fields set in @BeforeEach
class ClusterNodeIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TTL = Duration.ofSeconds(1);

  @TempDir Path dir;
  @Nullable EtcdProcess etcd;
  final List<ClusterNode> nodes = new ArrayList<>();
  int prefixCounter;
  String prefix = "/nlbtest";

  /** Records what a node applied; refuses documents with a "bad" key. */
  static final class Recorder implements DesiredStateApplier {
    final List<Long> revisions = new CopyOnWriteArrayList<>();
    final AtomicReference<ObjectNode> last = new AtomicReference<>(JSON.createObjectNode());

    @Override
    public void apply(ObjectNode document, long revision) {
      if (document.has("unappliable")) {
        throw new IllegalStateException("bind failed");
      }
      last.set(document.deepCopy());
      revisions.add(revision);
    }

    @Override
    public List<String> check(ObjectNode document) {
      return document.has("bad") ? List.of("bad: " + document.get("bad") + " (expected: no such key)") : List.of();
    }
  }

  @BeforeEach
  void startEtcd() throws Exception {
    Assumptions.assumeTrue(EtcdProcess.binary().isPresent(), EtcdProcess.MISSING);
    etcd = EtcdProcess.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    for (ClusterNode n : nodes) {
      n.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  ClusterSettings settings(String name) {
    return new ClusterSettings(List.of(etcd.endpoint()), prefix, name, TTL, Duration.ofMillis(800));
  }

  ClusterNode start(String name, Recorder applier, @Nullable ObjectNode seed, MemberState state) throws InterruptedException {
    ClusterNode.Builder b = ClusterNode.builder(settings(name)).applier(applier).tick(Duration.ofMillis(100)).memberState(() -> state);
    if (seed != null) {
      b.seed(seed);
    }
    ClusterNode n = b.start();
    nodes.add(n);
    return n;
  }

  static ObjectNode doc(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  static MemberState member(String name, String zone, String address, boolean serving, Map<String, Map<String, TargetHealthState>> targets) {
    return new MemberState(name, List.of(new MemberState.Endpoint("web", "web-1.elb.test", zone, address, serving)), targets);
  }

  @Test
  void start_noSharedConfiguration_firstNodeSeedsIt_secondNodeRunsItInsteadOfItsOwn() throws Exception {
    Recorder a = new Recorder();
    ClusterNode na = start("a", a, doc("{\"owner\":\"a\"}"), member("a", "zone-a", "127.0.0.1", true, Map.of()));
    Recorder b = new Recorder();
    ClusterNode nb = start("b", b, doc("{\"owner\":\"b\"}"), member("b", "zone-b", "127.0.0.2", true, Map.of()));

    assertThat(a.last.get().path("owner").asText()).isEqualTo("a");
    assertThat(b.last.get().path("owner").asText()).as("the shared document wins over the second node's seed").isEqualTo("a");
    assertThat(nb.clusterStatus().appliedRevision()).isEqualTo(na.clusterStatus().appliedRevision()).isPositive();
    assertThat(na.clusterStatus().connected()).isTrue();
  }

  @Test
  void update_isAppliedByEveryNode_andAwaitAppliedSeesIt() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    ClusterNode na = start("a", a, doc("{\"targets\":[]}"), member("a", "zone-a", "127.0.0.1", true, Map.of()));
    ClusterNode nb = start("b", b, null, member("b", "zone-b", "127.0.0.2", true, Map.of()));

    ClusterState.Version v = nb.update(d -> {
      d.withArray("targets").add("10.0.0.1:80");
      return d;
    });
    assertThat(nb.awaitApplied(v.revision(), Duration.ofSeconds(5))).isTrue();
    assertThat(na.awaitApplied(v.revision(), Duration.ofSeconds(5))).isTrue();
    assertThat(a.last.get().path("targets").toString()).isEqualTo("[\"10.0.0.1:80\"]");
    assertThat(na.current().document()).isEqualTo(v.document());
  }

  @Test
  void update_twoWritersRacing_bothChangesPresent() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    ClusterNode na = start("a", a, doc("{\"targets\":[]}"), member("a", "zone-a", "127.0.0.1", true, Map.of()));
    ClusterNode nb = start("b", b, null, member("b", "zone-b", "127.0.0.2", true, Map.of()));
    int perWriter = 15;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      List<Future<Long>> done = new ArrayList<>();
      for (ClusterNode n : List.of(na, nb)) {
        done.add(writers.submit(() -> {
          go.await();
          long last = 0;
          for (int i = 0; i < perWriter; i++) {
            String target = n.settings().nodeName() + "-" + i;
            last = n.update(d -> {
              d.withArray("targets").add(target);
              return d;
            }).revision();
          }
          return last;
        }));
      }
      go.countDown();
      long latest = Math.max(done.get(0).get(), done.get(1).get());
      assertThat(na.awaitApplied(latest, Duration.ofSeconds(5))).isTrue();
      assertThat(nb.awaitApplied(latest, Duration.ofSeconds(5))).isTrue();
    } finally {
      writers.shutdownNow();
    }
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < perWriter; i++) {
      expected.add("a-" + i);
      expected.add("b-" + i);
    }
    for (Recorder r : List.of(a, b)) {
      List<String> got = new ArrayList<>();
      for (JsonNode t : r.last.get().path("targets")) {
        got.add(t.asText());
      }
      assertThat(got).as("no change lost, none twice").hasSize(2 * perWriter).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void update_invalidDocument_refusedWithEveryProblem_nothingWritten() throws Exception {
    Recorder a = new Recorder();
    ClusterNode na = start("a", a, doc("{\"targets\":[]}"), member("a", "zone-a", "127.0.0.1", true, Map.of()));
    long before = na.current().revision();
    assertThatThrownBy(() -> na.update(d -> d.put("bad", 7))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad: 7 (expected: no such key)");
    EtcdClient raw = EtcdClient.create(List.of(etcd.endpoint()), Duration.ofSeconds(1));
    assertThat(raw.get(prefix + "/config").orElseThrow().modRevision()).isEqualTo(before);
  }

  @Test
  void documentThatCannotBeApplied_nodeKeepsThePreviousOne_andSaysSo() throws Exception {
    Recorder a = new Recorder();
    ClusterNode na = start("a", a, doc("{\"v\":1}"), member("a", "zone-a", "127.0.0.1", true, Map.of()));
    long good = na.clusterStatus().appliedRevision();
    ClusterState.Version v = na.update(d -> d.put("unappliable", true));
    await().atMost(Duration.ofSeconds(5)).until(() -> na.clusterStatus().seenRevision() == v.revision());
    assertThat(na.clusterStatus().appliedRevision()).isEqualTo(good);
    assertThat(na.clusterStatus().lastError()).contains("revision " + v.revision() + " not applied").contains("bind failed");
    assertThat(a.last.get().path("v").asInt()).isEqualTo(1);
  }

  @Test
  void members_publishUnderLeases_viewListsLiveNodes_deadNodeLeavesWithinTheLease() throws Exception {
    Map<String, Map<String, TargetHealthState>> seenByA = Map.of("web", Map.of("10.0.0.1:80", TargetHealthState.HEALTHY));
    Map<String, Map<String, TargetHealthState>> seenByB = Map.of("web", Map.of("10.0.0.1:80", TargetHealthState.UNHEALTHY));
    ClusterNode na = start("a", new Recorder(), doc("{}"), member("a", "zone-a", "127.0.0.1", true, seenByA));
    // b runs on an executor the test owns, so that the test can make it die without leaving (no revoke).
    ScheduledExecutorService bLoop = Executors.newSingleThreadScheduledExecutor();
    ClusterNode nb = ClusterNode.builder(settings("b")).executor(bLoop).tick(Duration.ofMillis(100))
        .memberState(() -> member("b", "zone-b", "127.0.0.2", false, seenByB)).start();

    await().atMost(Duration.ofSeconds(5)).until(() -> na.liveNodes().size() == 2);
    assertThat(na.liveNodes()).containsExactly(new LiveNode("a", "web", "web-1.elb.test", "zone-a", "127.0.0.1", true),
        new LiveNode("b", "web", "web-1.elb.test", "zone-b", "127.0.0.2", false));
    assertThat(na.healthyForRouting("web", "10.0.0.1:80")).as("one healthy, one unhealthy: a tie keeps it").contains(true);
    assertThat(na.healthyForRouting("web", "10.0.0.9:80")).isEmpty();
    assertThat(na.clusterStatus().liveMembers()).isEqualTo(2);

    long killed = System.nanoTime();
    bLoop.shutdownNow(); // the process "dies": no more keep-alives, no revoke
    await().atMost(Duration.ofSeconds(8)).until(() -> na.liveNodes().size() == 1);
    Duration gone = Duration.ofNanos(System.nanoTime() - killed);
    assertThat(na.liveNodes()).extracting(LiveNode::member).containsExactly("a");
    // etcd checks expiry every 500 ms and rounds the TTL to its minimum of 1 s here.
    assertThat(gone).isLessThan(TTL.plusSeconds(3));
    assertThat(nb.clusterStatus().node()).isEqualTo("b");
  }

  @Test
  void close_revokesTheLease_memberLeavesAtOnce() throws Exception {
    ClusterNode na = start("a", new Recorder(), doc("{}"), member("a", "zone-a", "127.0.0.1", true, Map.of()));
    ClusterNode nb = start("b", new Recorder(), null, member("b", "zone-b", "127.0.0.2", true, Map.of()));
    await().atMost(Duration.ofSeconds(5)).until(() -> na.members().size() == 2);
    nb.close();
    await().atMost(Duration.ofMillis(900)).until(() -> na.members().keySet().equals(Set.of("a")));
  }

  @Test
  void etcdKilled_nodesKeepTheirState_reportIt_andResumeWhenItReturns() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    ClusterNode na = start("a", a, doc("{\"targets\":[\"t0\"]}"), member("a", "zone-a", "127.0.0.1", true, Map.of()));
    ClusterNode nb = start("b", b, null, member("b", "zone-b", "127.0.0.2", true, Map.of()));
    await().atMost(Duration.ofSeconds(5)).until(() -> na.members().size() == 2);
    long running = na.clusterStatus().appliedRevision();

    etcd.kill();
    await().atMost(Duration.ofSeconds(5)).until(() -> !na.clusterStatus().connected() && !nb.clusterStatus().connected());
    assertThat(na.clusterStatus().summary()).startsWith("etcd unreachable since").contains("serving with the last configuration");
    assertThat(na.clusterStatus().appliedRevision()).isEqualTo(running);
    assertThat(na.isCurrent()).isFalse();
    assertThat(na.members()).as("the last view is kept").containsOnlyKeys("a", "b");
    assertThat(na.current().document().path("targets").toString()).isEqualTo("[\"t0\"]");
    assertThatThrownBy(() -> na.update(d -> d.put("x", 1))).isInstanceOf(EtcdException.class);
    assertThat(b.last.get().path("targets").toString()).isEqualTo("[\"t0\"]");

    etcd.restart();
    await().atMost(Duration.ofSeconds(10)).until(() -> na.clusterStatus().connected() && nb.clusterStatus().connected());
    ClusterState.Version v = na.update(d -> {
      d.withArray("targets").add("t1");
      return d;
    });
    assertThat(nb.awaitApplied(v.revision(), Duration.ofSeconds(5))).as("changes resume").isTrue();
    assertThat(b.last.get().path("targets").toString()).isEqualTo("[\"t0\",\"t1\"]");
    await().atMost(Duration.ofSeconds(5)).until(() -> na.members().size() == 2 && na.isCurrent());
  }
}
