package io.nlb.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nlb.testing.etcd.EtcdProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
@SuppressWarnings("NullAway") // fields set in @BeforeAll; a failed CAS returns its current value
class EtcdClientIntegrationTest {
  @TempDir static Path dir;
  static @Nullable EtcdProcess server;
  static EtcdClient etcd;

  @BeforeAll
  static void startEtcd() throws Exception {
    Assumptions.assumeTrue(EtcdProcess.binary().isPresent(), EtcdProcess.MISSING);
    server = EtcdProcess.start(dir);
    etcd = EtcdClient.create(List.of(server.endpoint()), Duration.ofSeconds(2));
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void put_thenGet_returnsValueAndRevisions() {
    long rev = etcd.put("/t/get/a", "one".getBytes(UTF_8), 0);
    EtcdClient.KeyValue kv = etcd.get("/t/get/a").orElseThrow();
    assertThat(kv.text()).isEqualTo("one");
    assertThat(kv.modRevision()).isEqualTo(rev);
    assertThat(kv.version()).isEqualTo(1);
    assertThat(etcd.get("/t/get/missing")).isEmpty();
  }

  @Test
  void getPrefix_returnsOnlyKeysUnderThePrefix_inKeyOrder() {
    etcd.put("/t/prefix/b", "2".getBytes(UTF_8), 0);
    etcd.put("/t/prefix/a", "1".getBytes(UTF_8), 0);
    etcd.put("/t/prefiy", "outside".getBytes(UTF_8), 0);
    EtcdClient.Range r = etcd.getPrefix("/t/prefix/");
    assertThat(r.kvs()).extracting(EtcdClient.KeyValue::key).containsExactly("/t/prefix/a", "/t/prefix/b");
    assertThat(r.revision()).isGreaterThanOrEqualTo(r.kvs().get(1).modRevision());
  }

  @Test
  void compareAndPut_staleRevision_failsAndReturnsTheCurrentValue() {
    EtcdClient.TxnResult created = etcd.compareAndPut("/t/cas", 0, "v1".getBytes(UTF_8));
    assertThat(created.succeeded()).isTrue();
    EtcdClient.TxnResult second = etcd.compareAndPut("/t/cas", created.revision(), "v2".getBytes(UTF_8));
    assertThat(second.succeeded()).isTrue();

    EtcdClient.TxnResult stale = etcd.compareAndPut("/t/cas", created.revision(), "v3".getBytes(UTF_8));
    assertThat(stale.succeeded()).isFalse();
    assertThat(stale.current()).isNotNull();
    assertThat(stale.current().text()).isEqualTo("v2");
    assertThat(stale.current().modRevision()).isEqualTo(second.revision());
    assertThat(etcd.compareAndPut("/t/cas", 0, "again".getBytes(UTF_8)).succeeded()).as("create when it exists").isFalse();
  }

  @Test
  void lease_notKeptAlive_expiresAndTakesItsKeys() {
    long lease = etcd.grantLease(Duration.ofSeconds(1));
    etcd.put("/t/lease/k", "x".getBytes(UTF_8), lease);
    assertThat(etcd.keepAlive(lease)).isPositive();
    assertThat(etcd.get("/t/lease/k")).isPresent();
    await().atMost(Duration.ofSeconds(6)).until(() -> etcd.get("/t/lease/k").isEmpty());
    assertThat(etcd.keepAlive(lease)).as("an expired lease cannot be renewed").isZero();
  }

  @Test
  void revokeLease_deletesItsKeysAtOnce() {
    long lease = etcd.grantLease(Duration.ofSeconds(30));
    etcd.put("/t/revoke/k", "x".getBytes(UTF_8), lease);
    etcd.revokeLease(lease);
    assertThat(etcd.get("/t/revoke/k")).isEmpty();
    etcd.revokeLease(lease); // unknown now: not an error
  }

  @Test
  void watch_seesPutsAndDeletesInOrder_fromTheStartRevision() {
    long before = etcd.put("/t/watch/a", "old".getBytes(UTF_8), 0);
    List<EtcdClient.WatchEvent> seen = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> closed = new AtomicReference<>();
    EtcdClient.Watch w = etcd.watch("/t/watch/", before, new EtcdClient.WatchListener() {
      @Override
      public void onEvents(long revision, List<EtcdClient.WatchEvent> events) {
        seen.addAll(events);
      }

      @Override
      public void onClosed(@Nullable Throwable cause) {
        closed.set(cause == null ? new IllegalStateException("closed") : cause);
      }
    });
    etcd.put("/t/watch/b", "new".getBytes(UTF_8), 0);
    etcd.delete("/t/watch/a");
    etcd.put("/t/other", "not watched".getBytes(UTF_8), 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 3);
    assertThat(seen).extracting(e -> e.kv().key() + (e.delete() ? " deleted" : " = " + e.kv().text()))
        .containsExactly("/t/watch/a = old", "/t/watch/b = new", "/t/watch/a deleted");
    w.close();
    assertThat(closed.get()).hasMessage("closed");
  }

  @Test
  void call_noServerListening_failsNamingTheEndpoint() {
    EtcdClient dead = EtcdClient.create(List.of(URI.create("http://127.0.0.1:1")), Duration.ofMillis(500));
    assertThatThrownBy(() -> dead.get("/x")).isInstanceOf(EtcdException.class).hasMessageContaining("http://127.0.0.1:1");
  }

  @Test
  void call_firstEndpointDown_usesTheNext() {
    EtcdClient two = EtcdClient.create(List.of(URI.create("http://127.0.0.1:1"), server.endpoint()), Duration.ofSeconds(2));
    two.put("/t/failover", "ok".getBytes(UTF_8), 0);
    assertThat(two.get("/t/failover").orElseThrow().text()).isEqualTo("ok");
  }

  @Test
  void create_badArguments_namesFieldValueAndExpectation() {
    assertThatThrownBy(() -> EtcdClient.create(List.of(), Duration.ofSeconds(1)))
        .hasMessage("endpoints: [] (expected: at least one etcd client URL such as http://127.0.0.1:2379)");
    assertThatThrownBy(() -> EtcdClient.create(List.of(URI.create("https://x:1")), Duration.ofSeconds(1)))
        .hasMessageStartingWith("endpoints[0]: \"https://x:1\" (expected: an http URL");
  }

  @Test
  void prefixEnd_incrementsTheLastByte() {
    assertThat(new String(EtcdClient.prefixEnd("/a/"), UTF_8)).isEqualTo("/a0");
  }
}
