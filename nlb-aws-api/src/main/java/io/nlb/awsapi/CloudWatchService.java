package io.nlb.awsapi;

import io.nlb.core.LoadBalancer;
import io.nlb.core.TargetGroup;
import io.nlb.core.Zone;
import io.nlb.metrics.Dimension;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;
import io.nlb.metrics.Statistic;
import io.nlb.metrics.store.Datapoint;
import io.nlb.metrics.store.MetricStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * CloudWatch's {@code GetMetricStatistics} and {@code ListMetrics} for the {@code AWS/NetworkELB}
 * namespace over the library's {@link MetricStore}. Requests and answers are value trees (maps,
 * lists, strings, numbers, instants), so the same code serves the Query protocol (the AWS CLI)
 * and Smithy RPC v2 CBOR (the AWS SDK for Java v2). Dimension values carry the API's ARN suffixes
 * ({@code net/<name>/<id>}), translated to the library's resource ids for the store.
 *
 * <p>Not thread-safe: runs on the endpoint's operations thread.
 */
final class CloudWatchService {
  static final String XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";
  static final String VERSION = "2010-08-01";
  static final String SERVICE = "monitoring";
  private static final int LIST_PAGE = 500;

  private final @Nullable MetricStore store;
  private final ElbV2Service elb;
  private final Clock clock;

  CloudWatchService(@Nullable MetricStore store, ElbV2Service elb, Clock clock) {
    this.store = store;
    this.elb = elb;
    this.clock = clock;
  }

  Map<String, Object> handle(String action, Map<String, Object> in) {
    elb.reconcile();
    return switch (action) {
      case "GetMetricStatistics" -> getMetricStatistics(in);
      case "ListMetrics" -> listMetrics(in);
      default -> throw ApiException.badRequest("InvalidAction", "Action: " + action
          + " (expected: GetMetricStatistics or ListMetrics)");
    };
  }

  // ------------------------------------------------------------------ value access

  private static ApiException invalid(String message) {
    return ApiException.badRequest("InvalidParameterValue", message);
  }

  private static @Nullable Object get(Map<String, Object> in, String key) {
    Object v = in.get(key);
    return v == Cbor.NULL ? null : v;
  }

  private static String string(Map<String, Object> in, String key) {
    Object v = get(in, key);
    if (v == null) {
      throw ApiException.badRequest("MissingParameter", "The parameter " + key + " is required.");
    }
    return v.toString();
  }

  private static @Nullable String optionalString(Map<String, Object> in, String key) {
    Object v = get(in, key);
    return v == null ? null : v.toString();
  }

  private static Instant time(Map<String, Object> in, String key) {
    Object v = get(in, key);
    if (v == null) {
      throw ApiException.badRequest("MissingParameter", "The parameter " + key + " is required.");
    }
    if (v instanceof Instant t) {
      return t;
    }
    if (v instanceof Number n) {
      return Instant.ofEpochMilli(Math.round(n.doubleValue() * 1000));
    }
    try {
      return Instant.parse(v.toString());
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(v.toString()).toInstant();
      } catch (DateTimeParseException e2) {
        throw invalid(key + ": " + v + " (expected: an ISO 8601 time such as 2024-05-01T00:00:00Z)");
      }
    }
  }

  private static long number(Map<String, Object> in, String key) {
    Object v = get(in, key);
    if (v == null) {
      throw ApiException.badRequest("MissingParameter", "The parameter " + key + " is required.");
    }
    try {
      return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw invalid(key + ": " + v + " (expected: an integer)");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> in, String key) {
    Object v = get(in, key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw invalid(key + ": " + v + " (expected: a list)");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> struct(Object v, String field) {
    if (v instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw invalid(field + ": " + v + " (expected: a structure)");
  }

  /** The Query protocol's flat parameters as a value tree ({@code A.member.1.B} becomes A[0].B). */
  static Map<String, Object> tree(Map<String, String> params) {
    Map<String, Object> root = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : params.entrySet()) {
      String[] parts = e.getKey().split("\\.");
      put(root, parts, 0, e.getValue());
    }
    return lists(root);
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> node, String[] parts, int i, String value) {
    String key = parts[i];
    if (i == parts.length - 1) {
      node.put(key, value);
      return;
    }
    if (parts[i + 1].equals("member") && i + 2 < parts.length) {
      int index;
      try {
        index = Integer.parseInt(parts[i + 2]);
      } catch (NumberFormatException ex) {
        throw invalid(String.join(".", parts) + ": (parameter name) (expected: member indexes 1, 2, ...)");
      }
      TreeMap<Integer, Object> members = (TreeMap<Integer, Object>) node.computeIfAbsent(key, k -> new TreeMap<Integer, Object>());
      if (i + 3 == parts.length) {
        members.put(index, value);
      } else {
        Map<String, Object> child = (Map<String, Object>) members.computeIfAbsent(index, k -> new LinkedHashMap<String, Object>());
        put(child, parts, i + 3, value);
      }
      return;
    }
    Object child = node.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
    if (child instanceof Map<?, ?> m) {
      put((Map<String, Object>) m, parts, i + 1, value);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> lists(Map<String, Object> node) {
    Map<String, Object> out = new LinkedHashMap<>();
    node.forEach((k, v) -> {
      if (v instanceof TreeMap<?, ?> t) {
        List<Object> l = new ArrayList<>();
        for (Object x : t.values()) {
          l.add(x instanceof Map<?, ?> m ? lists((Map<String, Object>) m) : x);
        }
        out.put(k, l);
      } else if (v instanceof Map<?, ?> m) {
        out.put(k, lists((Map<String, Object>) m));
      } else {
        out.put(k, v);
      }
    });
    return out;
  }

  // ------------------------------------------------------------------ dimension values

  /** The library's load balancer for an API dimension value {@code net/<name>/<id>}. */
  private @Nullable LoadBalancer loadBalancer(String value) {
    for (ElbState.LbRec l : elb.loadBalancers.values()) {
      if (l.arn.endsWith(":loadbalancer/" + value)) {
        return l.lb;
      }
    }
    return null;
  }

  private @Nullable TargetGroup targetGroup(String value) {
    for (ElbState.TgRec t : elb.targetGroups.values()) {
      if (t.arn.endsWith(":" + value)) {
        return t.tg;
      }
    }
    return null;
  }

  private String apiValue(LoadBalancer lb) {
    for (ElbState.LbRec l : elb.loadBalancers.values()) {
      if (l.lb == lb) {
        return l.arn.substring(l.arn.indexOf(":loadbalancer/") + ":loadbalancer/".length());
      }
    }
    return lb.resourceId();
  }

  private String apiValue(TargetGroup tg) {
    for (ElbState.TgRec t : elb.targetGroups.values()) {
      if (t.tg == tg) {
        return t.arn.substring(t.arn.lastIndexOf(':') + 1);
      }
    }
    return tg.resourceId();
  }

  // ------------------------------------------------------------------ GetMetricStatistics

  private Map<String, Object> getMetricStatistics(Map<String, Object> in) {
    String namespace = string(in, "Namespace");
    String metricName = string(in, "MetricName");
    Instant start = time(in, "StartTime");
    Instant end = time(in, "EndTime");
    long period = number(in, "Period");
    if (period < 1) {
      throw invalid("The parameter Period must be greater than 0: " + period + " (expected: a positive number of seconds)");
    }
    if (!start.isBefore(end)) {
      throw invalid("The parameter StartTime must be less than the parameter EndTime: " + start + ", " + end);
    }
    List<Object> statNames = list(in, "Statistics");
    List<Object> extended = list(in, "ExtendedStatistics");
    if (statNames.isEmpty() && extended.isEmpty()) {
      throw ApiException.badRequest("MissingParameter", "Statistics: (absent) (expected: Statistics or ExtendedStatistics)");
    }
    if (!statNames.isEmpty() && !extended.isEmpty()) {
      throw ApiException.badRequest("InvalidParameterCombination",
          "Statistics, ExtendedStatistics: (both given) (expected: one of them)");
    }
    if (!extended.isEmpty()) {
      throw invalid("ExtendedStatistics: " + extended + " (expected: absent; percentiles are not kept by the metric store)");
    }
    Set<Statistic> statistics = EnumSet.noneOf(Statistic.class);
    for (Object s : statNames) {
      statistics.add(statistic(s.toString()));
    }
    Map<String, String> dims = new LinkedHashMap<>();
    for (Object d : list(in, "Dimensions")) {
      Map<String, Object> m = struct(d, "Dimensions");
      dims.put(string(m, "Name"), string(m, "Value"));
    }
    String unit = optionalString(in, "Unit");

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Label", metricName);
    List<Object> points = new ArrayList<>();
    out.put("Datapoints", points);
    Metric metric = Metric.find(metricName).orElse(null);
    Dimensions dimensions = dimensions(dims);
    MetricStore s = store;
    if (s == null || metric == null || dimensions == null || !namespace.equals(Metric.NAMESPACE)
        || !metric.isPublishedUnder(dimensions) || (unit != null && !unit.equals(metric.unit().cloudWatchName()))) {
      return out; // CloudWatch answers a query for a series it does not have with no data points
    }
    List<Datapoint> found;
    try {
      found = s.statistics(metric, dimensions, start, end, Duration.ofSeconds(period), statistics);
    } catch (IllegalArgumentException e) {
      throw invalid(String.valueOf(e.getMessage()));
    }
    for (Datapoint p : found) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Timestamp", p.timestamp());
      for (Statistic st : statistics) {
        m.put(st.cloudWatchName(), p.value(st));
      }
      m.put("Unit", p.unit().cloudWatchName());
      points.add(m);
    }
    return out;
  }

  private static Statistic statistic(String name) {
    for (Statistic s : Statistic.values()) {
      if (s.cloudWatchName().equals(name)) {
        return s;
      }
    }
    throw invalid("Statistics: " + name + " (expected: SampleCount, Average, Sum, Minimum or Maximum)");
  }

  /** The store's dimensions for API dimensions; null when they name nothing the library has. */
  private @Nullable Dimensions dimensions(Map<String, String> dims) {
    String lbValue = dims.get(Dimension.LOAD_BALANCER.cloudWatchName());
    for (String name : dims.keySet()) {
      boolean known = false;
      for (Dimension d : Dimension.values()) {
        known |= d.cloudWatchName().equals(name);
      }
      if (!known) {
        return null;
      }
    }
    if (lbValue == null) {
      return null;
    }
    LoadBalancer lb = loadBalancer(lbValue);
    if (lb == null) {
      return null;
    }
    String tgValue = dims.get(Dimension.TARGET_GROUP.cloudWatchName());
    String tgId = null;
    if (tgValue != null) {
      TargetGroup tg = targetGroup(tgValue);
      if (tg == null) {
        return null;
      }
      tgId = tg.resourceId();
    }
    try {
      return Dimensions.of(lb.resourceId(), dims.get(Dimension.AVAILABILITY_ZONE.cloudWatchName()), tgId);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ ListMetrics

  private Map<String, Object> listMetrics(Map<String, Object> in) {
    String namespace = optionalString(in, "Namespace");
    String metricName = optionalString(in, "MetricName");
    List<String[]> filters = new ArrayList<>();
    for (Object d : list(in, "Dimensions")) {
      Map<String, Object> m = struct(d, "Dimensions");
      String value = optionalString(m, "Value");
      filters.add(new String[] {string(m, "Name"), value == null ? "" : value});
    }
    String token = optionalString(in, "NextToken");
    List<Object> all = new ArrayList<>();
    MetricStore s = store;
    if (s != null && (namespace == null || namespace.equals(Metric.NAMESPACE))) {
      // The store keeps its own clock; asking from two windows back to one window ahead covers
      // every retained period whatever the difference, and the store uses only closed ones.
      Instant now = clock.instant();
      Duration window = s.period().multipliedBy(s.retentionPeriods());
      Instant from = now.minus(window.multipliedBy(2));
      Instant until = now.plus(window);
      Duration whole = window.multipliedBy(3);
      for (ElbState.LbRec l : elb.loadBalancers.values()) {
        List<TargetGroup> groups = new ArrayList<>();
        for (ElbState.TgRec t : elb.targetGroups.values()) {
          if (t.tg.loadBalancer().map(x -> x == l.lb).orElse(false)) {
            groups.add(t.tg);
          }
        }
        for (Metric metric : Metric.values()) {
          if (metricName != null && !metricName.equals(metric.metricName())) {
            continue;
          }
          for (Set<Dimension> set : metric.dimensionSets()) {
            for (Zone z : set.contains(Dimension.AVAILABILITY_ZONE) ? l.lb.zones() : java.util.Collections.<Zone>singletonList(null)) {
              for (TargetGroup tg : set.contains(Dimension.TARGET_GROUP) ? groups : java.util.Collections.<TargetGroup>singletonList(null)) {
                Map<String, String> apiDims = new LinkedHashMap<>();
                if (z != null) {
                  apiDims.put(Dimension.AVAILABILITY_ZONE.cloudWatchName(), z.name());
                }
                apiDims.put(Dimension.LOAD_BALANCER.cloudWatchName(), apiValue(l.lb));
                if (tg != null) {
                  apiDims.put(Dimension.TARGET_GROUP.cloudWatchName(), apiValue(tg));
                }
                if (!matches(apiDims, filters)) {
                  continue;
                }
                Dimensions dims = Dimensions.of(l.lb.resourceId(), z == null ? null : z.name(), tg == null ? null : tg.resourceId());
                if (s.statistics(metric, dims, from, until, whole, EnumSet.of(Statistic.SAMPLE_COUNT)).isEmpty()) {
                  continue; // no data in the retained periods, as CloudWatch lists only metrics with recent data
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Namespace", Metric.NAMESPACE);
                m.put("MetricName", metric.metricName());
                List<Object> dl = new ArrayList<>();
                apiDims.forEach((k, v) -> {
                  Map<String, Object> d = new LinkedHashMap<>();
                  d.put("Name", k);
                  d.put("Value", v);
                  dl.add(d);
                });
                m.put("Dimensions", dl);
                all.add(m);
              }
            }
          }
        }
      }
    }
    int offset = Markers.start(token, all.size(), t -> invalid("NextToken: " + t + " (expected: a NextToken this endpoint returned)"));
    int to = Math.min(all.size(), offset + LIST_PAGE);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Metrics", new ArrayList<>(all.subList(offset, to)));
    if (to < all.size()) {
      out.put("NextToken", Integer.toString(to));
    }
    return out;
  }

  private static boolean matches(Map<String, String> dims, List<String[]> filters) {
    for (String[] f : filters) {
      String v = dims.get(f[0]);
      if (v == null || (!f[1].isEmpty() && !f[1].equals(v))) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ Query protocol output

  /** The Query protocol's XML for a result tree: lists as {@code member} elements. */
  static String xml(String action, Map<String, Object> result, String requestId) {
    Xml out = new Xml().root(action + "Response", XML_NAMESPACE).start(action + "Result");
    writeFields(out, result);
    out.end().start("ResponseMetadata").text("RequestId", requestId).end();
    return out.finish();
  }

  @SuppressWarnings("unchecked")
  private static void writeFields(Xml out, Map<String, Object> m) {
    m.forEach((k, v) -> writeValue(out, k, v));
  }

  @SuppressWarnings("unchecked")
  private static void writeValue(Xml out, String name, Object v) {
    if (v instanceof Map<?, ?> m) {
      out.start(name);
      writeFields(out, (Map<String, Object>) m);
      out.end();
    } else if (v instanceof List<?> l) {
      out.start(name);
      for (Object x : l) {
        writeValue(out, "member", x);
      }
      out.end();
    } else if (v instanceof Instant t) {
      out.text(name, t.toString());
    } else if (v instanceof Double d) {
      out.text(name, d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) + ".0" : d.toString());
    } else {
      out.text(name, String.valueOf(v));
    }
  }
}
