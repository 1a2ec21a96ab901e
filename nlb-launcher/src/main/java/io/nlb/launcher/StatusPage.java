package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.core.Listener;
import io.nlb.core.LoadBalancer;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.Zone;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricKind;
import io.nlb.metrics.Statistic;
import io.nlb.metrics.store.Datapoint;
import io.nlb.metrics.store.MetricStore;
import java.net.InetAddress;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the status endpoint shows, apart from serving it: the status document ({@code
 * /status.json}) built from the launcher's control plane and metric store, and the same document
 * rendered as the HTML page ({@code /}).
 *
 * <p>Stateless and thread-safe; runs on the status server's page thread.
 */
final class StatusPage {
  /** Flow metrics shown per load balancer, with the statistic shown. */
  private static final Map<Metric, Statistic> FLOW_METRICS = orderedMetrics();

  private StatusPage() {}

  private static Map<Metric, Statistic> orderedMetrics() {
    Map<Metric, Statistic> m = new java.util.LinkedHashMap<>();
    m.put(Metric.NEW_FLOW_COUNT, Statistic.SUM);
    m.put(Metric.ACTIVE_FLOW_COUNT, Statistic.MAXIMUM);
    m.put(Metric.PROCESSED_BYTES, Statistic.SUM);
    m.put(Metric.TCP_CLIENT_RESET_COUNT, Statistic.SUM);
    m.put(Metric.TCP_ELB_RESET_COUNT, Statistic.SUM);
    m.put(Metric.TCP_TARGET_RESET_COUNT, Statistic.SUM);
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * The status document of {@code launcher} now ({@code /status.json}; see {@link StatusServer}).
   *
   * @param launcher the launcher to describe
   * @return a new document
   */
  static ObjectNode document(Launcher launcher) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("time", Instant.now().toString());
    MetricStore store = launcher.metrics();
    root.put("metricsPeriodSeconds", store.period().toSeconds());
    ObjectNode live = root.putObject("liveness");
    List<String> problems = launcher.livenessProblems();
    live.put("ok", problems.isEmpty());
    ArrayNode problemLines = live.putArray("problems");
    problems.forEach(problemLines::add);
    launcher.cluster().ifPresent(node -> {
      // --- cluster (nlb-cluster)
      io.nlb.cluster.ClusterStatus cs = node.clusterStatus();
      ObjectNode c = root.putObject("cluster");
      c.put("node", cs.node());
      c.put("connected", cs.connected());
      c.put("since", cs.since().toString());
      c.put("appliedRevision", cs.appliedRevision());
      c.put("seenRevision", cs.seenRevision());
      c.put("liveMembers", cs.liveMembers());
      c.put("lastError", cs.lastError());
      c.put("summary", cs.summary());
    });
    ObjectNode tr = root.putObject("transport");
    tr.put("ioMode", launcher.transport().ioMode().toString());
    tr.put("activeTcpFlows", launcher.transport().activeTcpFlows());
    tr.put("activeUdpFlows", launcher.transport().activeUdpFlows());
    tr.put("udpFlowTableOverflows", launcher.transport().udpFlowTableOverflows());
    tr.put("eventLoopStalls", launcher.transport().eventLoopStalls());
    ArrayNode lbs = root.putArray("loadBalancers");
    for (LoadBalancer lb : launcher.nlb().loadBalancers()) {
      ObjectNode l = lbs.addObject();
      l.put("name", lb.name());
      l.put("resourceId", lb.resourceId());
      l.put("state", lb.state().toString());
      lb.stateReason().ifPresent(r -> l.put("stateReason", r));
      ObjectNode dns = l.putObject("dns");
      dns.put("name", lb.dnsRecords().name());
      ArrayNode a = dns.putArray("a");
      lb.dnsRecords().a().forEach(x -> a.add(x.getHostAddress()));
      ArrayNode aaaa = dns.putArray("aaaa");
      lb.dnsRecords().aaaa().forEach(x -> aaaa.add(x.getHostAddress()));
      ArrayNode zones = l.putArray("zones");
      for (Zone z : lb.zones()) {
        ObjectNode zn = zones.addObject();
        zn.put("name", z.name());
        ArrayNode addrs = zn.putArray("addresses");
        for (InetAddress x : z.addresses()) {
          addrs.add(x.getHostAddress());
        }
      }
      List<String> bindings = launcher.transport().bindings(lb);
      ArrayNode listeners = l.putArray("listeners");
      for (Listener li : lb.listeners()) {
        ObjectNode ln = listeners.addObject();
        ln.put("protocol", li.config().protocol().toString());
        ln.put("port", li.config().port());
        ln.put("targetGroup", li.config().targetGroup());
        ArrayNode bs = ln.putArray("bindings");
        for (String b : bindings) {
          if (bindingMatches(b, li)) {
            bs.add(b);
          }
        }
      }
      ObjectNode m = l.putObject("metrics");
      Instant now = Instant.now();
      for (Map.Entry<Metric, Statistic> e : FLOW_METRICS.entrySet()) {
        Double v = last(store, e.getKey(), Dimensions.of(lb.resourceId()), e.getValue(), now);
        if (v != null) {
          m.put(e.getKey().metricName(), v.longValue());
        }
      }
      // The library's own counters (rejections, full flow buffers): always shown, 0 when the last
      // complete period had none, so that refusals are visible where operators look.
      for (Metric metric : Metric.values()) {
        Dimensions lbOnly = Dimensions.of(lb.resourceId());
        if (metric.isLibraryExtension() && metric.kind() == MetricKind.COUNTER && metric.isPublishedUnder(lbOnly)) {
          Double v = last(store, metric, lbOnly, Statistic.SUM, now);
          m.put(metric.metricName(), v == null ? 0 : v.longValue());
        }
      }
      ObjectNode hosts = m.putObject("HealthyHostCount");
      for (TargetGroup tg : launcher.nlb().targetGroups()) {
        if (tg.loadBalancer().filter(x -> x == lb).isEmpty()) {
          continue;
        }
        ObjectNode perZone = hosts.putObject(tg.name());
        for (Zone z : lb.zones()) {
          Double v = last(store, Metric.HEALTHY_HOST_COUNT, Dimensions.of(lb.resourceId(), z.name(), tg.resourceId()), Statistic.MINIMUM,
              now);
          if (v != null) {
            perZone.put(z.name(), v.longValue());
          }
        }
      }
    }
    ArrayNode groups = root.putArray("targetGroups");
    for (TargetGroup tg : launcher.nlb().targetGroups()) {
      ObjectNode g = groups.addObject();
      g.put("name", tg.name());
      g.put("resourceId", tg.resourceId());
      g.put("protocol", tg.protocol().toString());
      g.put("port", tg.port());
      g.put("targetType", tg.targetType().toString());
      ArrayNode targets = g.putArray("targets");
      for (TargetHealthDescription d : tg.describeTargetHealth()) {
        ObjectNode t = targets.addObject();
        t.put("id", d.target().id());
        d.target().port().ifPresent(p -> t.put("port", p));
        d.target().zone().ifPresent(z -> t.put("zone", z));
        TargetHealth h = d.health();
        t.put("state", h.state().toString());
        h.reason().ifPresent(r -> t.put("reason", r.code()));
        h.description().ifPresent(x -> t.put("description", x));
      }
    }
    return root;
  }

  /** Bindings print as {@code TCP zone-a 127.0.0.1:8080}; match on the protocol and port. */
  private static boolean bindingMatches(String binding, Listener l) {
    String[] parts = binding.split(" ");
    String end = parts[parts.length - 1];
    return binding.startsWith(l.config().protocol() + " ") && end.endsWith(":" + l.config().port());
  }

  /** The last complete period's value, or {@code null} when there is none (yet). */
  private static @Nullable Double last(MetricStore store, Metric metric, Dimensions d, Statistic stat, Instant now) {
    List<Datapoint> points = store.statistics(metric, d, now.minus(store.period().multipliedBy(3)), now, store.period(), EnumSet.of(stat));
    return points.isEmpty() ? null : points.get(points.size() - 1).value(stat);
  }

  // ------------------------------------------------------------------ HTML

  /**
   * The page {@code GET /} shows: {@code status} (a {@link #document}) as HTML, every value escaped.
   *
   * @param status a status document
   * @return the page
   */
  static String html(ObjectNode status) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>nlb status</title>")
        .append("<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1em}")
        .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}.healthy{color:#070}.unhealthy{color:#b00}</style>")
        .append("</head><body><h1>nlb status</h1><p>").append(esc(status.path("time").asText()))
        .append(" &middot; metrics: last complete ").append(status.path("metricsPeriodSeconds").asLong())
        .append(" s period &middot; <a href=\"/status.json\">status.json</a> &middot; <a href=\"/metrics\">metrics</a></p>");
    JsonNode live = status.path("liveness");
    b.append("<p>liveness: ").append(live.path("ok").asBoolean() ? "<span class=\"healthy\">ok</span>" : "<span class=\"unhealthy\">"
        + esc(String.join("; ", toStrings(live.path("problems")))) + "</span>").append("</p>");
    if (status.has("cluster")) {
      JsonNode c = status.path("cluster");
      b.append("<p>cluster: <span class=\"").append(c.path("connected").asBoolean() ? "healthy" : "unhealthy").append("\">")
          .append(esc(c.path("summary").asText())).append("</span></p>");
    }
    for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = status.path("loadBalancers").elements(); it.hasNext();) {
      var lb = it.next();
      b.append("<h2>").append(esc(lb.path("name").asText())).append("</h2><p>").append(esc(lb.path("resourceId").asText()))
          .append(" &middot; ").append(esc(lb.path("state").asText())).append(" &middot; DNS ")
          .append(esc(lb.path("dns").path("name").asText())).append(" ").append(esc(lb.path("dns").path("a").toString())).append("</p>");
      b.append("<table><tr><th>zone</th><th>addresses</th></tr>");
      lb.path("zones").forEach(z -> b.append("<tr><td>").append(esc(z.path("name").asText())).append("</td><td>")
          .append(esc(z.path("addresses").toString())).append("</td></tr>"));
      b.append("</table><table><tr><th>listener</th><th>target group</th><th>bindings</th></tr>");
      lb.path("listeners").forEach(l -> b.append("<tr><td>").append(esc(l.path("protocol").asText() + ":" + l.path("port").asText()))
          .append("</td><td>").append(esc(l.path("targetGroup").asText())).append("</td><td>")
          .append(esc(String.join(", ", toStrings(l.path("bindings"))))).append("</td></tr>"));
      b.append("</table><table><tr><th>metric</th><th>value</th></tr>");
      lb.path("metrics").fields().forEachRemaining(e -> b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>")
          .append(esc(e.getValue().isObject() ? e.getValue().toString() : e.getValue().asText())).append("</td></tr>"));
      b.append("</table>");
    }
    b.append("<h2>target groups</h2>");
    status.path("targetGroups").forEach(g -> {
      b.append("<h3>").append(esc(g.path("name").asText())).append(" (").append(esc(g.path("protocol").asText())).append(":")
          .append(g.path("port").asInt()).append(")</h3><table><tr><th>target</th><th>state</th><th>reason</th><th>description</th></tr>");
      g.path("targets").forEach(t -> {
        String state = t.path("state").asText();
        b.append("<tr><td>").append(esc(t.path("id").asText() + (t.has("port") ? ":" + t.path("port").asText() : "")))
            .append("</td><td class=\"").append(esc(state)).append("\">").append(esc(state)).append("</td><td>")
            .append(esc(t.path("reason").asText(""))).append("</td><td>").append(esc(t.path("description").asText("")))
            .append("</td></tr>");
      });
      b.append("</table>");
    });
    return b.append("</body></html>\n").toString();
  }

  private static List<String> toStrings(com.fasterxml.jackson.databind.JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
