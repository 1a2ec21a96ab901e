package io.nlb.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.core.TargetHealthState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one node publishes about itself under its lease: the node addresses it runs (with whether
 * each zone may serve) and its own view of every target's health. {@link ClusterView} reads the
 * live members' states; the DNS answer and the cross-node health consensus are computed from them.
 *
 * <p>Stored as JSON at {@code <prefix>/members/<node name>}:
 *
 * <pre>{@code
 * {"member": "node-a",
 *  "endpoints": [{"loadBalancer": "web-nlb", "dnsName": "web-nlb-1a2b.elb.local", "zone": "zone-a",
 *                 "address": "192.0.2.10", "serving": true}],
 *  "targets": {"web": {"10.0.1.10:8080": "healthy", "10.0.2.10:8080": "unhealthy"}}}
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param member the node name
 * @param endpoints the node addresses it runs, one per (load balancer, zone, address)
 * @param targets per target group name, per target ({@code id:port}), the state this node sees
 *
 * @since 0.1
 */
public record MemberState(String member, List<Endpoint> endpoints, Map<String, Map<String, TargetHealthState>> targets) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One node address a member runs.
   *
   * @param loadBalancer the load balancer's name
   * @param dnsName its DNS name
   * @param zone the zone
   * @param address the address literal
   * @param serving whether the zone is in the member's DNS answer
   */
  public record Endpoint(String loadBalancer, String dnsName, String zone, String address, boolean serving) {}

  /**
   * Copies every collection.
   *
   * @param member the node name
   * @param endpoints the node addresses it runs; copied
   * @param targets per group, per target, the state it sees; copied
   */
  public MemberState {
    endpoints = List.copyOf(endpoints);
    Map<String, Map<String, TargetHealthState>> copy = new LinkedHashMap<>();
    targets.forEach((g, m) -> copy.put(g, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m))));
    targets = java.util.Collections.unmodifiableMap(copy);
  }

  /** {@return the state as the JSON document stored in etcd} */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("member", member);
    ArrayNode eps = root.putArray("endpoints");
    for (Endpoint e : endpoints) {
      ObjectNode n = eps.addObject();
      n.put("loadBalancer", e.loadBalancer());
      n.put("dnsName", e.dnsName());
      n.put("zone", e.zone());
      n.put("address", e.address());
      n.put("serving", e.serving());
    }
    ObjectNode ts = root.putObject("targets");
    targets.forEach((group, states) -> {
      ObjectNode g = ts.putObject(group);
      states.forEach((target, state) -> g.put(target, state.toString()));
    });
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a published state.
   *
   * @param json the stored document
   * @return the state
   * @throws IllegalArgumentException naming the bad field when the document is not a member state
   */
  public static MemberState fromJson(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("member: not JSON (expected: a member state document): " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("member").isTextual()) {
      throw new IllegalArgumentException("member: " + (root == null ? "empty" : root.getNodeType()) + " (expected: an object with a member name)");
    }
    List<Endpoint> eps = new ArrayList<>();
    for (JsonNode n : root.path("endpoints")) {
      eps.add(new Endpoint(n.path("loadBalancer").asText(""), n.path("dnsName").asText(""), n.path("zone").asText(""),
          n.path("address").asText(""), n.path("serving").asBoolean(false)));
    }
    Map<String, Map<String, TargetHealthState>> targets = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> groups = root.path("targets").fields();
    while (groups.hasNext()) {
      Map.Entry<String, JsonNode> g = groups.next();
      Map<String, TargetHealthState> states = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> ts = g.getValue().fields();
      while (ts.hasNext()) {
        Map.Entry<String, JsonNode> t = ts.next();
        try {
          states.put(t.getKey(), TargetHealthState.valueOf(t.getValue().asText("").toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          states.put(t.getKey(), TargetHealthState.UNAVAILABLE);
        }
      }
      targets.put(g.getKey(), states);
    }
    return new MemberState(root.path("member").asText(), eps, targets);
  }
}
