package io.nlb.cluster;

import io.nlb.common.Problems;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a node finds the shared state and who it is: the etcd endpoints, the key prefix under which
 * one load-balancer cluster keeps its state, this node's name (unique in the cluster) and the TTL
 * of the lease under which it publishes itself. The launcher's {@code cluster:} section maps onto
 * it one key for one component.
 *
 * <p>Keys used under the prefix: {@code <prefix>/config} (the desired configuration, one JSON
 * document) and {@code <prefix>/members/<node name>} (each node's published state, under its lease).
 *
 * <pre>{@code
 * ClusterSettings s = new ClusterSettings(List.of(URI.create("http://127.0.0.1:2379")), "/nlb/prod", "node-a",
 *     Duration.ofSeconds(10), Duration.ofSeconds(2));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param endpoints the client URLs of the etcd members, at least one ({@code http://host:port})
 * @param keyPrefix the prefix of every key, starting with {@code /} and not ending with one, such as {@code /nlb/prod}
 * @param nodeName this node's name: 1-63 letters, digits, {@code -}, {@code _} or {@code .}
 * @param leaseTtl how long the node stays listed after its last keep-alive: 1-300 s (etcd rounds up
 *     to its minimum, about 1.5 election timeouts; 2 s with etcd's defaults)
 * @param requestTimeout how long one call to etcd may take: 100 ms to 60 s
 *
 * @since 0.1
 */
public record ClusterSettings(List<URI> endpoints, String keyPrefix, String nodeName, Duration leaseTtl, Duration requestTimeout) {
  /** The lease TTL when none is given: 10 s. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  /** The request timeout when none is given: 2 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);
  /** The key prefix when none is given. */
  public static final String DEFAULT_KEY_PREFIX = "/nlb";

  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,63}");
  private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9_.-]+)+");

  /**
   * Checks every component.
   *
   * @param endpoints the etcd client URLs, at least one
   * @param keyPrefix the prefix of every key
   * @param nodeName this node's name
   * @param leaseTtl the TTL of the node's lease
   * @param requestTimeout how long one call to etcd may take
   * @throws IllegalArgumentException {@code "field: value (expected: ...)"} for the first bad component
   */
  public ClusterSettings {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw Problems.invalid("cluster.endpoints", endpoints, "at least one etcd client URL such as http://127.0.0.1:2379");
    }
    for (int i = 0; i < endpoints.size(); i++) {
      URI u = endpoints.get(i);
      if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() <= 0) {
        throw Problems.invalid("cluster.endpoints[" + i + "]", u.toString(), "an http URL with a host and a port, such as http://127.0.0.1:2379");
      }
    }
    if (!PREFIX.matcher(keyPrefix).matches()) {
      throw Problems.invalid("cluster.keyPrefix", keyPrefix, "a key path such as /nlb/prod: segments of letters, digits, -, _ or ., each after a /");
    }
    if (!NODE_NAME.matcher(nodeName).matches()) {
      throw Problems.invalid("cluster.nodeName", nodeName, "1-63 letters, digits, -, _ or .");
    }
    if (leaseTtl.compareTo(Duration.ofSeconds(1)) < 0 || leaseTtl.compareTo(Duration.ofSeconds(300)) > 0) {
      throw Problems.invalid("cluster.leaseTtlSeconds", leaseTtl.toSeconds(), "1-300");
    }
    if (requestTimeout.compareTo(Duration.ofMillis(100)) < 0 || requestTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
      throw Problems.invalid("cluster.requestTimeoutMillis", requestTimeout.toMillis(), "100-60000");
    }
  }

  /** {@return the key of the desired configuration: {@code <prefix>/config}} */
  public String configKey() {
    return keyPrefix + "/config";
  }

  /** {@return the prefix of the members' keys: {@code <prefix>/members/}} */
  public String membersPrefix() {
    return keyPrefix + "/members/";
  }

  /** {@return this node's member key: {@code <prefix>/members/<nodeName>}} */
  public String memberKey() {
    return membersPrefix() + nodeName;
  }
}
