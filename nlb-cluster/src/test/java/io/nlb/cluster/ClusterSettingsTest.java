package io.nlb.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {
  private static final List<URI> ETCD = List.of(URI.create("http://127.0.0.1:2379"));
  private static final Duration TTL = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @Test
  void keys_areUnderThePrefix() {
    ClusterSettings s = new ClusterSettings(ETCD, "/nlb/prod", "node-a", TTL, TIMEOUT);
    assertThat(s.configKey()).isEqualTo("/nlb/prod/config");
    assertThat(s.membersPrefix()).isEqualTo("/nlb/prod/members/");
    assertThat(s.memberKey()).isEqualTo("/nlb/prod/members/node-a");
  }

  @Test
  void badValues_nameFieldValueAndExpectation() {
    assertThatThrownBy(() -> new ClusterSettings(List.of(), "/nlb", "a", TTL, TIMEOUT))
        .hasMessage("cluster.endpoints: [] (expected: at least one etcd client URL such as http://127.0.0.1:2379)");
    assertThatThrownBy(() -> new ClusterSettings(List.of(URI.create("http://etcd")), "/nlb", "a", TTL, TIMEOUT))
        .hasMessage("cluster.endpoints[0]: \"http://etcd\" (expected: an http URL with a host and a port, such as http://127.0.0.1:2379)");
    assertThatThrownBy(() -> new ClusterSettings(ETCD, "nlb/", "a", TTL, TIMEOUT)).hasMessageStartingWith("cluster.keyPrefix: \"nlb/\" (expected: a key path");
    assertThatThrownBy(() -> new ClusterSettings(ETCD, "/nlb", "a b", TTL, TIMEOUT))
        .hasMessage("cluster.nodeName: \"a b\" (expected: 1-63 letters, digits, -, _ or .)");
    assertThatThrownBy(() -> new ClusterSettings(ETCD, "/nlb", "a", Duration.ofSeconds(301), TIMEOUT))
        .hasMessage("cluster.leaseTtlSeconds: 301 (expected: 1-300)");
    assertThatThrownBy(() -> new ClusterSettings(ETCD, "/nlb", "a", TTL, Duration.ofMillis(10)))
        .hasMessage("cluster.requestTimeoutMillis: 10 (expected: 100-60000)");
  }
}
