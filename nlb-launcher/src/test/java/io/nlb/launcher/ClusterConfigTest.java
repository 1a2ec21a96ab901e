package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.cluster.ClusterSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The file's {@code cluster} section and the shared document it implies. */
class ClusterConfigTest {
  private static final String GROUPS = """
      targetGroups:
        - {name: web, protocol: TCP, port: 9001, targetType: ip, targets: [{id: 127.0.0.1}]}
      loadBalancers:
        - name: local
          zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
          listeners: [{protocol: TCP, port: 8080, targetGroup: web}]
      """;

  @Test
  void cluster_parsedWithDefaults() {
    LauncherConfig c = LauncherConfig.parseYaml("cluster: {endpoints: [http://10.0.0.5:2379], nodeName: host-1}\n" + GROUPS);
    assertThat(c.sharedState()).isEqualTo(new ClusterSettings(List.of(URI.create("http://10.0.0.5:2379")), "/nlb", "host-1",
        Duration.ofSeconds(10), Duration.ofSeconds(2)));
  }

  @Test
  void cluster_absent_singleProcessMode() {
    assertThat(LauncherConfig.parseYaml(GROUPS).sharedState()).isNull();
  }

  @Test
  void cluster_badKeys_everyProblemWithItsPath() {
    assertThatThrownBy(() -> LauncherConfig.parseYaml("cluster: {endpoint: x, leaseTtlSeconds: soon}\n" + GROUPS))
        .isInstanceOf(LauncherConfig.ConfigException.class)
        .satisfies(e -> assertThat(((LauncherConfig.ConfigException) e).problems()).containsExactly(
            "cluster.endpoint: unknown key (expected: one of [endpoints, keyPrefix, leaseTtlSeconds, nodeName, requestTimeoutMillis])",
            "cluster.endpoints: missing (expected: a list of etcd client URLs such as http://127.0.0.1:2379)",
            "cluster.nodeName: missing (expected: this node's name, unique in the cluster)",
            "cluster.leaseTtlSeconds: \"soon\" (expected: a whole number)"));
    assertThatThrownBy(() -> LauncherConfig.parseYaml("cluster: {endpoints: [http://e:2379], nodeName: a, leaseTtlSeconds: 0}\n" + GROUPS))
        .hasMessage("cluster.leaseTtlSeconds: 0 (expected: 1-300)");
  }

  @Test
  void sharedDocument_holdsOnlyTargetGroupsAndLoadBalancers_andWithSharedKeepsLocalKeys() throws Exception {
    LauncherConfig c = LauncherConfig.parseYaml("transport: {threads: 3}\ncluster: {endpoints: [http://e:2379], nodeName: a}\n" + GROUPS);
    ObjectNode shared = c.sharedDocument();
    assertThat(shared.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("targetGroups", "loadBalancers");

    ((ObjectNode) shared.withArray("targetGroups").get(0)).put("port", 9002);
    LauncherConfig merged = c.withShared(shared);
    assertThat(merged.groups().get(0).config().port()).isEqualTo(9002);
    assertThat(merged.transport().threads()).isEqualTo(3);
    assertThat(merged.sharedState()).isEqualTo(c.sharedState());

    // The AWS API's records ride along in the document without being part of the file's configuration.
    shared.put(LauncherConfig.API_STATE_KEY, "nlb-aws-api-state 1\n");
    assertThat(c.withShared(shared).groups().get(0).config().port()).isEqualTo(9002);

    shared.put("transport", "x");
    assertThatThrownBy(() -> c.withShared(shared))
        .hasMessage("transport: unknown key in the shared configuration (expected: one of [targetGroups, loadBalancers] or awsApiState)");
  }
}
