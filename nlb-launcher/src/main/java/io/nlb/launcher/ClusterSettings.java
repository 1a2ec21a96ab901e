package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Zone;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The optional top-level keys that let several launcher processes act as one load balancer:
 * {@code identity}, {@code node} and {@code dns}.
 *
 * <pre>{@code
 * identity: {name: prod-eu-1}            # ids, ARNs, DNS names and the flow-hash seed derive from it
 * node: {zones: [zone-a], reusePort: true}   # this process runs zone-a's node; others may share its address
 * dns: {port: 5353}                      # an authoritative DNS server for the load balancers' names
 * }</pre>
 *
 * <p>Every process started from the same file (same {@code identity}, same load balancers and
 * groups) presents the same resource ids and DNS names and sends every flow to the same target.
 * Changing any of these keys needs a restart. Immutable.
 *
 * <p>A class rather than a record: the fuzz test's instrumentation (Jazzer) broke the field
 * writes of this record's compact constructor when the class was already loaded.
 */
public final class ClusterSettings {
  /** The identity of a file without {@code identity.name}: ids then derive from the names alone. */
  public static final String DEFAULT_IDENTITY = "nlb";

  /** A file without these keys: the default identity, every zone, no SO_REUSEPORT, no DNS server. */
  static final ClusterSettings DEFAULTS = new ClusterSettings(DEFAULT_IDENTITY, null, null, false, null);

  private final String identity;
  private final @Nullable Long flowHashSeed;
  private final @Nullable Set<String> zones;
  private final boolean reusePort;
  private final @Nullable InetSocketAddress dns;

  ClusterSettings(String identity, @Nullable Long flowHashSeed, @Nullable Set<String> zones, boolean reusePort,
      @Nullable InetSocketAddress dns) {
    this.identity = identity;
    this.flowHashSeed = flowHashSeed;
    this.zones = zones == null ? null : Set.copyOf(zones);
    this.reusePort = reusePort;
    this.dns = dns;
  }

  /** {@return the deployment's identity, {@link #DEFAULT_IDENTITY} unless given} */
  public String identity() {
    return identity;
  }

  /** {@return the flow-hash seed, or {@code null} to derive it from the identity} */
  public @Nullable Long flowHashSeed() {
    return flowHashSeed;
  }

  /** {@return the zones whose nodes this process runs, or {@code null} for every zone} */
  public @Nullable Set<String> zones() {
    return zones;
  }

  /** {@return whether listening sockets take {@code SO_REUSEPORT}} */
  public boolean reusePort() {
    return reusePort;
  }

  /** {@return where the DNS server listens, or {@code null} for none} */
  public @Nullable InetSocketAddress dns() {
    return dns;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ClusterSettings c && identity.equals(c.identity) && java.util.Objects.equals(flowHashSeed, c.flowHashSeed)
        && java.util.Objects.equals(zones, c.zones) && reusePort == c.reusePort && java.util.Objects.equals(dns, c.dns);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(identity, flowHashSeed, zones, reusePort, dns);
  }

  @Override
  public String toString() {
    return "{identity: " + identity + (flowHashSeed == null ? "" : ", flowHashSeed: (set)") + ", zones: "
        + (zones == null ? "all" : new TreeSet<>(zones)) + ", reusePort: " + reusePort + ", dns: " + (dns == null ? "none" : dns) + "}";
  }

  /**
   * Parses {@code identity}, {@code node} and {@code dns} of the root; adds one line per problem.
   * {@code loadBalancers} are the file's, for checking {@code node.zones}.
   */
  static ClusterSettings parse(JsonNode root, List<LoadBalancerConfig> loadBalancers, List<String> problems) {
    String identity = DEFAULT_IDENTITY;
    Long seed = null;
    JsonNode id = root.get("identity");
    if (mapping("identity", id, ConfigKeys.IDENTITY.names(), "{name: prod-eu-1}", problems)) {
      String name = text("identity.name", id.get("name"), problems);
      if (name != null) {
        if (name.isEmpty() || name.length() > 256) {
          problems.add("identity.name: \"" + name + "\" (expected: 1-256 characters)");
        } else {
          identity = name;
        }
      }
      String s = text("identity.flowHashSeed", id.get("flowHashSeed"), problems);
      if (s != null) {
        try {
          seed = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
          problems.add("identity.flowHashSeed: \"" + s + "\" (expected: a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE + ")");
        }
      }
    }
    Set<String> zones = null;
    boolean reusePort = false;
    JsonNode node = root.get("node");
    if (mapping("node", node, ConfigKeys.NODE.names(), "{zones: [zone-a]}", problems)) {
      JsonNode z = node.get("zones");
      if (z != null && !z.isNull()) {
        if (!z.isArray() || z.isEmpty()) {
          problems.add("node.zones: " + z.getNodeType() + " (expected: a non-empty list of zone names)");
        } else {
          Set<String> known = new TreeSet<>();
          for (LoadBalancerConfig c : loadBalancers) {
            for (Zone zone : c.zones()) {
              known.add(zone.name());
            }
          }
          zones = new LinkedHashSet<>();
          for (int i = 0; i < z.size(); i++) {
            String name = text("node.zones[" + i + "]", z.get(i), problems);
            if (name != null && !known.contains(name)) {
              problems.add("node.zones[" + i + "]: \"" + name + "\" (expected: a zone of a load balancer in the file, one of " + known + ")");
            } else if (name != null) {
              zones.add(name);
            }
          }
        }
      }
      String r = text("node.reusePort", node.get("reusePort"), problems);
      if (r != null) {
        if (!r.equalsIgnoreCase("true") && !r.equalsIgnoreCase("false")) {
          problems.add("node.reusePort: \"" + r + "\" (expected: true or false)");
        } else {
          reusePort = Boolean.parseBoolean(r);
        }
      }
    }
    InetSocketAddress dns = null;
    JsonNode d = root.get("dns");
    if (mapping("dns", d, ConfigKeys.DNS.names(), "{port: 5353}", problems)) {
      int port = -1;
      String p = text("dns.port", d.get("port"), problems);
      if (p == null) {
        problems.add("dns.port: missing (expected: a value)");
      } else {
        try {
          port = Integer.parseInt(p.trim());
          if (port < 0 || port > 65535) {
            problems.add("dns.port: " + port + " (expected: 0-65535)");
          }
        } catch (NumberFormatException e) {
          problems.add("dns.port: \"" + p + "\" (expected: a whole number)");
        }
      }
      InetAddress address = InetAddress.getLoopbackAddress();
      String a = text("dns.address", d.get("address"), problems);
      if (a != null) {
        InetAddress parsed = literal(a.trim());
        if (parsed == null) {
          problems.add("dns.address: \"" + a + "\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)");
        } else {
          address = parsed;
        }
      }
      if (port >= 0 && port <= 65535) {
        dns = new InetSocketAddress(address, port);
      }
    }
    return new ClusterSettings(identity, seed, zones, reusePort, dns);
  }

  private static boolean mapping(String path, @Nullable JsonNode node, Set<String> keys, String example, List<String> problems) {
    if (node == null || node.isNull()) {
      return false;
    }
    return ConfigParser.mapping(path, node, keys, "a mapping such as " + example, problems);
  }

  private static @Nullable String text(String path, @Nullable JsonNode node, List<String> problems) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isValueNode()) {
      problems.add(path + ": " + node.getNodeType() + " (expected: a single value)");
      return null;
    }
    return node.asText();
  }

  private static final java.util.regex.Pattern IPV4 =
      java.util.regex.Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

  /**
   * Literals only: a host name (or a malformed IPv4 literal, which the JDK takes for one) would make
   * {@code getByName} do a DNS lookup at parse time. With a colon, the JDK parses an IPv6 literal
   * and never looks the text up.
   */
  private static @Nullable InetAddress literal(String s) {
    boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9a-fA-F.:]+");
    if (!v6 && !IPV4.matcher(s).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
