package io.nlb.awsapi;

import io.nlb.awsapi.ElbState.LbRec;
import io.nlb.awsapi.ElbState.LnRec;
import io.nlb.awsapi.ElbState.Rec;
import io.nlb.awsapi.ElbState.SubnetUse;
import io.nlb.awsapi.ElbState.TgRec;
import io.nlb.core.AlpnPolicy;
import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.IpAddressType;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.NlbConfig;
import io.nlb.core.Protocol;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.Scheme;
import io.nlb.core.ServerCertificate;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The records the API owns as state-file entries, and back: {@link #snapshot()} lists them in
 * restore order, {@link #restore} recreates them under their old ids.
 *
 * <p>Not thread-safe: every call runs on the endpoint's one operations thread.
 */
final class ElbPersistence {
  private final ElbState state;

  ElbPersistence(ElbState state) {
    this.state = state;
  }

  /** Every record the API owns, in restore order. */
  List<StateFile.Entry> snapshot() {
    state.reconcile();
    List<StateFile.Entry> out = new ArrayList<>();
    for (TgRec t : apiOwned(state.targetGroups)) {
      TargetGroup tg = t.tg;
      HealthCheck hc = tg.healthCheck();
      Map<String, String> f = new LinkedHashMap<>();
      f.put("id", t.id);
      f.put("name", tg.name());
      f.put("protocol", tg.protocol().name());
      f.put("port", Integer.toString(tg.port()));
      f.put("vpc", t.vpcId);
      f.put("targetType", tg.targetType().apiName());
      f.put("ipAddressType", tg.ipAddressType().apiName());
      f.put("hc.protocol", hc.protocol().name());
      f.put("hc.port", hc.portSpec());
      if (hc.protocol() != HealthCheckProtocol.TCP) {
        f.put("hc.path", hc.path());
        f.put("hc.matcher", hc.matcher().toString());
      }
      f.put("hc.interval", Long.toString(hc.interval().toSeconds()));
      f.put("hc.timeout", Long.toString(hc.timeout().toSeconds()));
      f.put("hc.healthy", Integer.toString(hc.healthyThreshold()));
      f.put("hc.unhealthy", Integer.toString(hc.unhealthyThreshold()));
      tg.attributes().explicitValues().forEach((k, v) -> f.put("attr." + k, v));
      tg.tags().forEach((k, v) -> f.put("tag." + k, v));
      out.add(new StateFile.Entry("targetGroup", f));
    }
    for (LbRec l : apiOwned(state.loadBalancers)) {
      LoadBalancer lb = l.lb;
      Map<String, String> f = new LinkedHashMap<>();
      f.put("id", l.id);
      f.put("name", lb.name());
      f.put("created", Long.toString(l.created.toEpochMilli()));
      f.put("scheme", lb.scheme().apiName());
      f.put("ipAddressType", lb.ipAddressType().apiName());
      int i = 1;
      for (SubnetUse u : l.subnets) {
        f.put("subnet." + i + ".id", u.subnetId());
        f.put("subnet." + i + ".address", u.address().getHostAddress());
        if (u.allocationId() != null) {
          f.put("subnet." + i + ".allocation", u.allocationId());
        }
        i++;
      }
      i = 1;
      for (String g : l.securityGroups) {
        f.put("sg." + i++, g);
      }
      lb.attributes().explicitValues().forEach((k, v) -> f.put("attr." + k, v));
      lb.tags().forEach((k, v) -> f.put("tag." + k, v));
      out.add(new StateFile.Entry("loadBalancer", f));
    }
    for (LnRec r : apiOwned(state.listeners)) {
      ListenerConfig c = r.listener.config();
      TgRec tg = state.targetGroupByName(c.targetGroup());
      Map<String, String> f = new LinkedHashMap<>();
      f.put("id", r.id);
      f.put("lb", r.lb.id);
      f.put("protocol", c.protocol().name());
      f.put("port", Integer.toString(c.port()));
      f.put("tg", tg == null ? "" : tg.id);
      c.certificate().ifPresent(x -> f.put("cert.default", state.certificateArn(x)));
      int i = 1;
      for (ServerCertificate x : c.certificates()) {
        f.put("cert." + i++, state.certificateArn(x));
      }
      c.sslPolicy().ifPresent(x -> f.put("sslPolicy", x));
      if (c.protocol() == Protocol.TLS) {
        f.put("alpn", c.alpnPolicy().apiName());
      }
      c.attributes().explicitValues().forEach((k, v) -> f.put("attr." + k, v));
      r.tags.forEach((k, v) -> f.put("tag." + k, v));
      out.add(new StateFile.Entry("listener", f));
    }
    for (TgRec t : apiOwned(state.targetGroups)) {
      for (RegisteredTarget r : t.tg.registeredTargets()) {
        if (r.isDraining() || r.isRemoved()) {
          continue;
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("tg", t.id);
        f.put("id", r.target().id());
        f.put("port", Integer.toString(r.port()));
        r.target().zone().ifPresent(z -> f.put("zone", z));
        out.add(new StateFile.Entry("target", f));
      }
    }
    return out;
  }

  /** The records of {@code records} the API created, in order; the others belong to the configuration. */
  private static <T extends Rec> List<T> apiOwned(Map<String, T> records) {
    List<T> out = new ArrayList<>();
    for (T r : records.values()) {
      if (!r.external) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * Recreates the records of a state file, under their old ids. All or nothing: on any failure
   * what was recreated is deleted again and the failure is thrown, naming the record.
   */
  void restore(List<StateFile.Entry> entries) {
    state.reconcile();
    List<Runnable> undo = new ArrayList<>();
    Map<String, Map<String, String>> lbAttributes = new LinkedHashMap<>();
    StateFile.Entry current = null;
    try {
      for (StateFile.Entry e : entries) {
        current = e;
        switch (e.kind()) {
          case "targetGroup" -> {
            TargetGroup tg = state.nlb.createTargetGroup(targetGroupConfig(e));
            undo.add(tg::delete);
            TgRec rec = new TgRec(e.get("id"), state.arns.targetGroup(tg.name(), e.get("id")), tg, e.get("vpc"), false);
            state.targetGroups.put(rec.arn, rec);
          }
          case "loadBalancer" -> {
            List<SubnetUse> uses = subnetUses(e);
            LoadBalancer lb = state.nlb.createLoadBalancer(loadBalancerConfig(e, uses).build());
            undo.add(lb::delete);
            LbRec rec = new LbRec(e.get("id"), state.arns.loadBalancer(lb.name(), e.get("id")), lb,
                Instant.ofEpochMilli(Long.parseLong(e.get("created"))), List.copyOf(uses), securityGroups(e), false);
            state.loadBalancers.put(rec.arn, rec);
            // Attributes last: deletion protection would stop the undo of a failed restore.
            lbAttributes.put(rec.arn, e.under("attr"));
          }
          case "listener" -> {
            LbRec l = byId(state.loadBalancers, e.get("lb"));
            TgRec tg = byId(state.targetGroups, e.get("tg"));
            Listener x = l.lb.createListener(listenerConfig(e, tg.tg.name(), state::certificate));
            undo.add(x::delete);
            LnRec rec = new LnRec(e.get("id"), state.arns.listener(l.lb.name(), l.id, e.get("id")), l, x,
                new LinkedHashMap<>(e.under("tag")), false);
            state.listeners.put(rec.arn, rec);
          }
          case "target" -> {
            TgRec t = byId(state.targetGroups, e.get("tg"));
            t.tg.registerTargets(target(e, t.tg.targetType()));
          }
          case SharedShifts.KIND -> {
            // a zonal shift: applied to the load balancers by SharedShifts, not a resource
          }
          default -> throw unknownKind(e);
        }
      }
      current = null;
      for (Map.Entry<String, Map<String, String>> a : lbAttributes.entrySet()) {
        if (!a.getValue().isEmpty()) {
          byArn(state.loadBalancers, a.getKey()).lb.modifyAttributes(a.getValue());
        }
      }
    } catch (RuntimeException ex) {
      for (int i = undo.size() - 1; i >= 0; i--) {
        try {
          undo.get(i).run();
        } catch (RuntimeException ignored) {
          // best effort: the failure below is what the caller must see
        }
      }
      state.targetGroups.clear();
      state.loadBalancers.clear();
      state.listeners.clear();
      state.reconcile();
      String what = current == null ? "load balancer attributes" : current.kind() + " " + current.fields();
      throw new IllegalStateException("state file: " + what + " could not be restored: " + ex.getMessage(), ex);
    }
  }

  /**
   * The target groups (with their targets) and load balancers (with their listeners and
   * attributes) that {@code entries} describe, as desired state for {@link io.nlb.core.Nlb#apply},
   * without touching the running records. Reads only the endpoint's settings (subnets,
   * certificate store), so any thread may call it.
   *
   * @throws IllegalStateException naming the first record that does not describe a resource
   */
  NlbConfig desired(List<StateFile.Entry> entries) {
    Map<String, TargetGroupConfig> groups = new LinkedHashMap<>();
    Map<String, List<Target>> targets = new LinkedHashMap<>();
    Map<String, LoadBalancerConfig.Builder> lbs = new LinkedHashMap<>();
    for (StateFile.Entry e : entries) {
      try {
        switch (e.kind()) {
          case "targetGroup" -> {
            groups.put(e.get("id"), targetGroupConfig(e));
            targets.put(e.get("id"), new ArrayList<>());
          }
          case "loadBalancer" -> {
            LoadBalancerConfig.Builder b = loadBalancerConfig(e, subnetUses(e));
            e.under("attr").forEach(b::attribute);
            lbs.put(e.get("id"), b);
          }
          case "listener" -> {
            TargetGroupConfig tg = known(groups, "tg", e.get("tg"));
            known(lbs, "lb", e.get("lb")).listener(listenerConfig(e, tg.name(), state::certificateOf));
          }
          case "target" -> known(targets, "tg", e.get("tg")).add(target(e, known(groups, "tg", e.get("tg")).targetType()));
          case SharedShifts.KIND -> {
            // a zonal shift: an operation on a load balancer, not desired state
          }
          default -> throw unknownKind(e);
        }
      } catch (RuntimeException ex) {
        throw new IllegalStateException("API state: " + e.kind() + " " + e.fields() + ": " + ex.getMessage(), ex);
      }
    }
    NlbConfig.Builder out = NlbConfig.builder();
    groups.forEach((id, g) -> out.targetGroup(g, known(targets, "tg", id)));
    lbs.values().forEach(b -> out.loadBalancer(b.build()));
    return out.build();
  }

  /**
   * Rebuilds the records from a shared state that the {@link io.nlb.core.Nlb} runs: each record
   * whose resource is there (by name; a listener by its load balancer and port) gets the id,
   * subnets, security groups and tags the entry gives; the reconcile that follows adds what is
   * left as configuration's.
   */
  void adopt(List<StateFile.Entry> entries) {
    state.targetGroups.clear();
    state.loadBalancers.clear();
    state.listeners.clear();
    Map<String, TargetGroup> groups = new LinkedHashMap<>();
    state.nlb.targetGroups().forEach(tg -> groups.put(tg.name(), tg));
    Map<String, LoadBalancer> lbs = new LinkedHashMap<>();
    state.nlb.loadBalancers().forEach(lb -> lbs.put(lb.name(), lb));
    Map<String, LbRec> lbById = new LinkedHashMap<>();
    for (StateFile.Entry e : entries) {
      switch (e.kind()) {
        case "targetGroup" -> {
          TargetGroup tg = groups.get(e.get("name"));
          if (tg != null) {
            TgRec rec = new TgRec(e.get("id"), state.arns.targetGroup(tg.name(), e.get("id")), tg, e.get("vpc"), false);
            state.targetGroups.put(rec.arn, rec);
          }
        }
        case "loadBalancer" -> {
          LoadBalancer lb = lbs.get(e.get("name"));
          if (lb != null) {
            LbRec rec = new LbRec(e.get("id"), state.arns.loadBalancer(lb.name(), e.get("id")), lb,
                Instant.ofEpochMilli(Long.parseLong(e.get("created"))), List.copyOf(subnetUses(e)), securityGroups(e), false);
            state.loadBalancers.put(rec.arn, rec);
            lbById.put(rec.id, rec);
          }
        }
        case "listener" -> {
          LbRec l = lbById.get(e.get("lb"));
          int port = Integer.parseInt(e.get("port"));
          Listener x = l == null ? null : l.lb.listeners().stream().filter(y -> y.config().port() == port).findFirst().orElse(null);
          if (l != null && x != null) {
            e.fields().forEach((k, v) -> {
              if (k.startsWith("cert.")) {
                state.certificate(k, v); // remembers the ARN the listener's certificate is shown by
              }
            });
            LnRec rec = new LnRec(e.get("id"), state.arns.listener(l.lb.name(), l.id, e.get("id")), l, x,
                new LinkedHashMap<>(e.under("tag")), false);
            state.listeners.put(rec.arn, rec);
          }
        }
        default -> {
          // targets have no record
        }
      }
    }
  }

  // ------------------------------------------------------------------ one record as configuration

  private static TargetGroupConfig targetGroupConfig(StateFile.Entry e) {
    HealthCheck.Builder hc = HealthCheck.defaults().toBuilder()
        .protocol(HealthCheckProtocol.valueOf(e.get("hc.protocol")))
        .port(e.get("hc.port"))
        .interval(Duration.ofSeconds(Long.parseLong(e.get("hc.interval"))))
        .timeout(Duration.ofSeconds(Long.parseLong(e.get("hc.timeout"))))
        .healthyThreshold(Integer.parseInt(e.get("hc.healthy")))
        .unhealthyThreshold(Integer.parseInt(e.get("hc.unhealthy")));
    if (e.fields().containsKey("hc.path")) {
      hc.path(e.get("hc.path")).matcher(e.get("hc.matcher"));
    }
    TargetGroupConfig.Builder b = TargetGroupConfig.builder(e.get("name"), Protocol.valueOf(e.get("protocol")),
            Integer.parseInt(e.get("port")))
        .targetType(TargetType.parse("targetType", e.get("targetType")))
        .ipAddressType(IpAddressType.parse("ipAddressType", e.get("ipAddressType")))
        .healthCheck(hc.build());
    e.under("attr").forEach(b::attribute);
    e.under("tag").forEach(b::tag);
    return b.build();
  }

  private List<SubnetUse> subnetUses(StateFile.Entry e) {
    List<SubnetUse> uses = new ArrayList<>();
    for (int i = 1; e.fields().containsKey("subnet." + i + ".id"); i++) {
      Subnet s = state.subnet(e.get("subnet." + i + ".id"));
      uses.add(new SubnetUse(s.id(), s.zone().name(), Addresses.literal("subnet." + i + ".address", e.get("subnet." + i + ".address")),
          e.fields().get("subnet." + i + ".allocation")));
    }
    return uses;
  }

  /** The load balancer of a record, without its attributes (which a restore sets last). */
  private LoadBalancerConfig.Builder loadBalancerConfig(StateFile.Entry e, List<SubnetUse> uses) {
    LoadBalancerConfig.Builder b = LoadBalancerConfig.builder(e.get("name"))
        .scheme(Scheme.parse("scheme", e.get("scheme")))
        .ipAddressType(IpAddressType.parse("ipAddressType", e.get("ipAddressType")));
    uses.forEach(u -> b.zone(state.zoneOf(u)));
    e.under("tag").forEach(b::tag);
    return b;
  }

  static List<String> securityGroups(StateFile.Entry e) {
    List<String> groups = new ArrayList<>();
    for (int i = 1; e.fields().containsKey("sg." + i); i++) {
      groups.add(e.get("sg." + i));
    }
    return List.copyOf(groups);
  }

  private static ListenerConfig listenerConfig(StateFile.Entry e, String targetGroup,
      BiFunction<String, String, ServerCertificate> certificates) {
    ListenerConfig.Builder b = ListenerConfig.builder(Protocol.valueOf(e.get("protocol")), Integer.parseInt(e.get("port")))
        .forwardTo(targetGroup);
    if (e.fields().containsKey("cert.default")) {
      b.certificate(certificates.apply("cert.default", e.get("cert.default")));
    }
    for (int i = 1; e.fields().containsKey("cert." + i); i++) {
      b.addCertificate(certificates.apply("cert." + i, e.get("cert." + i)));
    }
    if (e.fields().containsKey("sslPolicy")) {
      b.sslPolicy(e.get("sslPolicy"));
    }
    if (e.fields().containsKey("alpn")) {
      b.alpnPolicy(AlpnPolicy.parse("alpn", e.get("alpn")));
    }
    e.under("attr").forEach(b::attribute);
    return b.build();
  }

  private static Target target(StateFile.Entry e, TargetType type) {
    String id = e.get("id");
    Target target = type == TargetType.ALB ? Target.alb(id) : id.startsWith("i-") ? Target.instance(id) : Target.ip(id);
    target = target.withPort(Integer.parseInt(e.get("port")));
    String zone = e.fields().get("zone");
    return zone == null ? target : target.withZone(zone);
  }

  private static IllegalStateException unknownKind(StateFile.Entry e) {
    return new IllegalStateException("kind " + e.kind() + " (expected: targetGroup, loadBalancer, listener, target or zonalShift)");
  }

  private static <T> T known(Map<String, T> byId, String field, String id) {
    T v = byId.get(id);
    if (v == null) {
      throw new IllegalStateException(field + " " + id + " (expected: the id of a record earlier in the state)");
    }
    return v;
  }

  private static <T> T byArn(Map<String, T> records, String arn) {
    T r = records.get(arn);
    if (r == null) {
      throw new IllegalStateException("arn " + arn + " (expected: a record restored earlier)");
    }
    return r;
  }

  private static <T extends Rec> T byId(Map<String, T> records, String id) {
    for (T r : records.values()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    throw new IllegalStateException("id " + id + " (expected: a record earlier in the state file)");
  }
}
