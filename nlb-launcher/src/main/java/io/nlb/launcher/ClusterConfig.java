package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.cluster.ClusterSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The optional top-level {@code cluster} key of the launcher's file: the etcd cluster through which
 * several launcher processes share one configuration and publish their health ({@code nlb-cluster},
 * {@code docs/cluster.md}).
 *
 * <pre>{@code
 * cluster:
 *   endpoints: [http://10.0.0.5:2379, http://10.0.0.6:2379]
 *   keyPrefix: /nlb/prod          # default /nlb
 *   nodeName: node-a              # unique in the cluster
 *   leaseTtlSeconds: 10           # default 10
 *   requestTimeoutMillis: 2000    # default 2000
 * }</pre>
 *
 * <p>Absent means single-process mode: no etcd. Immutable.
 */
final class ClusterConfig {
  private static final Set<String> KEYS = ConfigKeys.CLUSTER.names();

  private ClusterConfig() {}

  /**
   * Parses the {@code cluster} node; adds one line per problem to {@code problems}.
   *
   * @return the settings, or {@code null} when the key is absent or has problems
   */
  static @Nullable ClusterSettings parse(@Nullable JsonNode node, List<String> problems) {
    if (node == null || node.isNull()) {
      return null;
    }
    int before = problems.size();
    if (!ConfigParser.mapping("cluster", node, KEYS, "a mapping with endpoints and nodeName", problems)) {
      return null;
    }
    List<URI> endpoints = new ArrayList<>();
    JsonNode eps = node.get("endpoints");
    if (eps == null || eps.isNull()) {
      problems.add("cluster.endpoints: missing (expected: a list of etcd client URLs such as http://127.0.0.1:2379)");
    } else if (!eps.isArray()) {
      problems.add("cluster.endpoints: " + eps.getNodeType() + " (expected: a list of etcd client URLs such as http://127.0.0.1:2379)");
    } else {
      for (int i = 0; i < eps.size(); i++) {
        String t = eps.get(i).asText("").trim();
        try {
          endpoints.add(new URI(t));
        } catch (java.net.URISyntaxException e) {
          problems.add("cluster.endpoints[" + i + "]: \"" + t + "\" (expected: an http URL such as http://127.0.0.1:2379)");
        }
      }
    }
    String prefix = text(node, "keyPrefix", ClusterSettings.DEFAULT_KEY_PREFIX);
    String name = text(node, "nodeName", "");
    if (name.isEmpty()) {
      problems.add("cluster.nodeName: missing (expected: this node's name, unique in the cluster)");
    }
    long ttl = number(node, "leaseTtlSeconds", ClusterSettings.DEFAULT_LEASE_TTL.toSeconds(), problems);
    long timeout = number(node, "requestTimeoutMillis", ClusterSettings.DEFAULT_REQUEST_TIMEOUT.toMillis(), problems);
    if (problems.size() > before) {
      return null;
    }
    try {
      return new ClusterSettings(endpoints, prefix, name, Duration.ofSeconds(ttl), Duration.ofMillis(timeout));
    } catch (IllegalArgumentException e) {
      problems.add(String.valueOf(e.getMessage()));
      return null;
    }
  }

  private static String text(JsonNode node, String key, String dflt) {
    JsonNode n = node.get(key);
    return n == null || n.isNull() ? dflt : n.asText("").trim();
  }

  private static long number(JsonNode node, String key, long dflt, List<String> problems) {
    JsonNode n = node.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    String t = n.asText("").trim();
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      problems.add("cluster." + key + ": \"" + t + "\" (expected: a whole number)");
      return dflt;
    }
  }
}
