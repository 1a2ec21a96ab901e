package io.nlb.awsapi;

import io.nlb.core.AlpnPolicy;
import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.IpAddressType;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import io.nlb.core.Protocol;
import io.nlb.core.Quotas;
import io.nlb.core.Scheme;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.ServerCertificate;
import io.nlb.core.Tags;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.tls.CipherSuite;
import io.nlb.tls.SecurityPolicy;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The elbv2 operations over the public {@link Nlb} API, with the ARN bookkeeping the library
 * does not do: the endpoint gives every resource it creates an id of its own (kept across
 * restarts by the state file), so the ARNs a client holds stay valid.
 *
 * <p>Not thread-safe: every call runs on the endpoint's one operations thread.
 */
final class ElbV2Service {
  static final String NAMESPACE = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
  static final String VERSION = "2015-12-01";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final int DEFAULT_PAGE = 400;

  /** A target group the endpoint knows. */
  static final class TgRec {
    final String id;
    final String arn;
    final TargetGroup tg;
    final String vpcId;
    final boolean external;

    TgRec(String id, String arn, TargetGroup tg, String vpcId, boolean external) {
      this.id = id;
      this.arn = arn;
      this.tg = tg;
      this.vpcId = vpcId;
      this.external = external;
    }
  }

  /** Which subnet (and node address) a load balancer uses in one zone. */
  record SubnetUse(String subnetId, String zone, InetAddress address, @Nullable String allocationId) {}

  /** A load balancer the endpoint knows. */
  static final class LbRec {
    final String id;
    final String arn;
    final LoadBalancer lb;
    final Instant created;
    List<SubnetUse> subnets;
    List<String> securityGroups;
    final boolean external;

    LbRec(String id, String arn, LoadBalancer lb, Instant created, List<SubnetUse> subnets, List<String> securityGroups,
        boolean external) {
      this.id = id;
      this.arn = arn;
      this.lb = lb;
      this.created = created;
      this.subnets = subnets;
      this.securityGroups = securityGroups;
      this.external = external;
    }
  }

  /** A listener the endpoint knows; the library keeps no tags on listeners, so they live here. */
  static final class LnRec {
    final String id;
    final String arn;
    final LbRec lb;
    final Listener listener;
    Map<String, String> tags;
    final boolean external;

    LnRec(String id, String arn, LbRec lb, Listener listener, Map<String, String> tags, boolean external) {
      this.id = id;
      this.arn = arn;
      this.lb = lb;
      this.listener = listener;
      this.tags = tags;
      this.external = external;
    }
  }

  private interface Op {
    void run(QueryParams p, Xml out);
  }

  private final Nlb nlb;
  private final Arns arns;
  final String region;
  final String accountId;
  private final String dnsSuffix;
  private final Map<String, Subnet> subnets;
  private final CertificateStore certificates;
  private final Clock clock;
  private final RandomGenerator random;
  private final Map<String, Op> ops = new HashMap<>();
  private final Set<String> readOnly;

  final Map<String, TgRec> targetGroups = new LinkedHashMap<>();
  final Map<String, LbRec> loadBalancers = new LinkedHashMap<>();
  final Map<String, LnRec> listeners = new LinkedHashMap<>();
  /** Certificate id (as the library knows it) → the ARN it was resolved from. */
  final Map<String, String> certificateArns = new HashMap<>();

  ElbV2Service(Nlb nlb, String region, String accountId, String dnsSuffix, Map<String, Subnet> subnets,
      CertificateStore certificates, Clock clock, RandomGenerator random) {
    this.nlb = nlb;
    this.arns = new Arns(region, accountId);
    this.region = region;
    this.accountId = accountId;
    this.dnsSuffix = dnsSuffix;
    this.subnets = Map.copyOf(subnets);
    this.certificates = certificates;
    this.clock = clock;
    this.random = random;
    ops.put("CreateTargetGroup", this::createTargetGroup);
    ops.put("DescribeTargetGroups", this::describeTargetGroups);
    ops.put("ModifyTargetGroup", this::modifyTargetGroup);
    ops.put("DeleteTargetGroup", this::deleteTargetGroup);
    ops.put("DescribeTargetGroupAttributes", this::describeTargetGroupAttributes);
    ops.put("ModifyTargetGroupAttributes", this::modifyTargetGroupAttributes);
    ops.put("RegisterTargets", this::registerTargets);
    ops.put("DeregisterTargets", this::deregisterTargets);
    ops.put("DescribeTargetHealth", this::describeTargetHealth);
    ops.put("CreateLoadBalancer", this::createLoadBalancer);
    ops.put("DescribeLoadBalancers", this::describeLoadBalancers);
    ops.put("DeleteLoadBalancer", this::deleteLoadBalancer);
    ops.put("DescribeLoadBalancerAttributes", this::describeLoadBalancerAttributes);
    ops.put("ModifyLoadBalancerAttributes", this::modifyLoadBalancerAttributes);
    ops.put("SetSubnets", this::setSubnets);
    ops.put("SetIpAddressType", this::setIpAddressType);
    ops.put("SetSecurityGroups", this::setSecurityGroups);
    ops.put("CreateListener", this::createListener);
    ops.put("DescribeListeners", this::describeListeners);
    ops.put("ModifyListener", this::modifyListener);
    ops.put("DeleteListener", this::deleteListener);
    ops.put("DescribeListenerAttributes", this::describeListenerAttributes);
    ops.put("ModifyListenerAttributes", this::modifyListenerAttributes);
    ops.put("AddListenerCertificates", this::addListenerCertificates);
    ops.put("RemoveListenerCertificates", this::removeListenerCertificates);
    ops.put("DescribeListenerCertificates", this::describeListenerCertificates);
    ops.put("AddTags", this::addTags);
    ops.put("RemoveTags", this::removeTags);
    ops.put("DescribeTags", this::describeTags);
    ops.put("DescribeSSLPolicies", this::describeSslPolicies);
    ops.put("DescribeAccountLimits", this::describeAccountLimits);
    this.readOnly = Set.of("DescribeTargetGroups", "DescribeTargetGroupAttributes", "DescribeTargetHealth",
        "DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeListeners", "DescribeListenerAttributes",
        "DescribeListenerCertificates", "DescribeTags", "DescribeSSLPolicies", "DescribeAccountLimits");
  }

  boolean knows(String action) {
    return ops.containsKey(action);
  }

  /** Whether the action changes nothing (no state write after it). */
  boolean isReadOnly(String action) {
    return readOnly.contains(action);
  }

  /**
   * Runs one action and returns the response document.
   *
   * @throws ApiException for every refusal, with the elbv2 code
   */
  String handle(String action, QueryParams p, String requestId) {
    Op op = ops.get(action);
    if (op == null) {
      throw ApiException.badRequest("InvalidAction", "Action: " + action + " (expected: an elbv2 action of API version "
          + VERSION + ")");
    }
    Xml out = new Xml().root(action + "Response", NAMESPACE).start(action + "Result");
    reconcile();
    try {
      op.run(p, out);
    } catch (NlbException e) {
      throw ApiException.of(e);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(String.valueOf(e.getMessage()));
    }
    out.end().start("ResponseMetadata").text("RequestId", requestId).end();
    return out.finish();
  }

  // ------------------------------------------------------------------ ids and lookups

  private String newId() {
    String id;
    do {
      id = HexFormat.of().toHexDigits(random.nextLong());
    } while (idInUse(id));
    return id;
  }

  private boolean idInUse(String id) {
    for (TgRec t : targetGroups.values()) {
      if (t.id.equals(id)) {
        return true;
      }
    }
    for (LbRec l : loadBalancers.values()) {
      if (l.id.equals(id)) {
        return true;
      }
    }
    for (LnRec l : listeners.values()) {
      if (l.id.equals(id)) {
        return true;
      }
    }
    return false;
  }

  /** The load balancers the endpoint lists, by ARN, as the library has them now (for the zonal-shift API). */
  Map<String, LoadBalancer> loadBalancersByArn() {
    reconcile();
    Map<String, LoadBalancer> out = new LinkedHashMap<>();
    loadBalancers.forEach((arn, l) -> out.put(arn, l.lb));
    return out;
  }

  private TgRec targetGroup(String field, String arn) {
    Arns.check(field, arn, Arns.Kind.TARGET_GROUP);
    TgRec t = targetGroups.get(arn);
    if (t == null) {
      throw ApiException.badRequest("TargetGroupNotFound", "One or more target groups not found: " + arn);
    }
    return t;
  }

  private LbRec loadBalancer(String field, String arn) {
    Arns.check(field, arn, Arns.Kind.LOAD_BALANCER);
    LbRec l = loadBalancers.get(arn);
    if (l == null) {
      throw ApiException.badRequest("LoadBalancerNotFound", "One or more load balancers not found: " + arn);
    }
    return l;
  }

  private LnRec listener(String field, String arn) {
    Arns.check(field, arn, Arns.Kind.LISTENER);
    LnRec l = listeners.get(arn);
    if (l == null) {
      throw ApiException.badRequest("ListenerNotFound", "One or more listeners not found: " + arn);
    }
    return l;
  }

  private @Nullable TgRec targetGroupByName(String name) {
    for (TgRec t : targetGroups.values()) {
      if (t.tg.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  private @Nullable LbRec loadBalancerOf(LoadBalancer lb) {
    for (LbRec l : loadBalancers.values()) {
      if (l.lb == lb) {
        return l;
      }
    }
    return null;
  }

  ServerCertificate certificate(String field, String arn) {
    ServerCertificate c = certificates.certificate(arn).orElseThrow(() -> ApiException.badRequest("CertificateNotFound",
        field + ": " + arn + " (expected: a certificate ARN of the endpoint's certificate store)"));
    certificateArns.put(c.id(), arn);
    return c;
  }

  private String certificateArn(ServerCertificate c) {
    return certificateArns.getOrDefault(c.id(), c.id());
  }

  // ------------------------------------------------------------------ ownership

  /**
   * Refuses changes to what the API did not create: resources of the daemon's configuration
   * file (or of code using the {@link Nlb} directly) are visible here but owned there.
   */
  private <T> T owned(T rec) {
    boolean external = rec instanceof TgRec t ? t.external : rec instanceof LbRec l ? l.external : ((LnRec) rec).external;
    if (external) {
      throw ApiException.badRequest("OperationNotPermitted", arnOf(rec) + ": (not created through this API) (expected: "
          + "a resource created through the API; this one belongs to the daemon's configuration, change it there)");
    }
    return rec;
  }

  /**
   * Brings the records in line with the library: drops those whose resource is gone, and adds
   * read-only records (ARNs from the library's ids) for resources the API did not create.
   */
  void reconcile() {
    List<TargetGroup> tgs = nlb.targetGroups();
    targetGroups.values().removeIf(t -> tgs.stream().noneMatch(x -> x == t.tg));
    for (TargetGroup tg : tgs) {
      if (targetGroups.values().stream().noneMatch(t -> t.tg == tg)) {
        TgRec rec = new TgRec(tg.id(), arns.targetGroup(tg.name(), tg.id()), tg, "vpc-local", true);
        targetGroups.put(rec.arn, rec);
      }
    }
    List<LoadBalancer> lbs = nlb.loadBalancers();
    loadBalancers.values().removeIf(l -> lbs.stream().noneMatch(x -> x == l.lb));
    for (LoadBalancer lb : lbs) {
      if (loadBalancers.values().stream().noneMatch(l -> l.lb == lb)) {
        List<SubnetUse> uses = new ArrayList<>();
        for (Zone z : lb.zones()) {
          String subnetId = "subnet-external";
          for (Subnet s : subnets.values()) {
            if (s.zone().name().equals(z.name())) {
              subnetId = s.id();
            }
          }
          uses.add(new SubnetUse(subnetId, z.name(), z.addresses().get(0), null));
        }
        LbRec rec = new LbRec(lb.id(), arns.loadBalancer(lb.name(), lb.id()), lb, clock.instant(), uses, List.of(), true);
        loadBalancers.put(rec.arn, rec);
      }
    }
    listeners.values().removeIf(r -> !loadBalancers.containsValue(r.lb) || r.lb.lb.listeners().stream().noneMatch(x -> x == r.listener));
    for (LbRec l : loadBalancers.values()) {
      for (Listener x : l.lb.listeners()) {
        if (listeners.values().stream().noneMatch(r -> r.listener == x)) {
          LnRec rec = new LnRec(x.id(), arns.listener(l.lb.name(), l.id, x.id()), l, x, new LinkedHashMap<>(), true);
          listeners.put(rec.arn, rec);
        }
      }
    }
  }

  // ------------------------------------------------------------------ persistence

  /** Every record the API owns, in restore order. */
  List<StateFile.Entry> snapshot() {
    reconcile();
    List<StateFile.Entry> out = new ArrayList<>();
    for (TgRec t : targetGroups.values()) {
      if (t.external) {
        continue;
      }
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
    for (LbRec l : loadBalancers.values()) {
      if (l.external) {
        continue;
      }
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
    for (LnRec r : listeners.values()) {
      if (r.external) {
        continue;
      }
      ListenerConfig c = r.listener.config();
      TgRec tg = targetGroupByName(c.targetGroup());
      Map<String, String> f = new LinkedHashMap<>();
      f.put("id", r.id);
      f.put("lb", r.lb.id);
      f.put("protocol", c.protocol().name());
      f.put("port", Integer.toString(c.port()));
      f.put("tg", tg == null ? "" : tg.id);
      c.certificate().ifPresent(x -> f.put("cert.default", certificateArn(x)));
      int i = 1;
      for (ServerCertificate x : c.certificates()) {
        f.put("cert." + i++, certificateArn(x));
      }
      c.sslPolicy().ifPresent(x -> f.put("sslPolicy", x));
      if (c.protocol() == Protocol.TLS) {
        f.put("alpn", c.alpnPolicy().apiName());
      }
      c.attributes().explicitValues().forEach((k, v) -> f.put("attr." + k, v));
      r.tags.forEach((k, v) -> f.put("tag." + k, v));
      out.add(new StateFile.Entry("listener", f));
    }
    for (TgRec t : targetGroups.values()) {
      if (t.external) {
        continue;
      }
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

  /**
   * Recreates the records of a state file, under their old ids. All or nothing: on any failure
   * what was recreated is deleted again and the failure is thrown, naming the record.
   */
  void restore(List<StateFile.Entry> entries) {
    reconcile();
    List<Runnable> undo = new ArrayList<>();
    Map<String, Map<String, String>> lbAttributes = new LinkedHashMap<>();
    StateFile.Entry current = null;
    try {
      for (StateFile.Entry e : entries) {
        current = e;
        switch (e.kind()) {
          case "targetGroup" -> {
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
            TargetGroup tg = nlb.createTargetGroup(b.build());
            undo.add(tg::delete);
            TgRec rec = new TgRec(e.get("id"), arns.targetGroup(tg.name(), e.get("id")), tg, e.get("vpc"), false);
            targetGroups.put(rec.arn, rec);
          }
          case "loadBalancer" -> {
            List<SubnetUse> uses = new ArrayList<>();
            LoadBalancerConfig.Builder b = LoadBalancerConfig.builder(e.get("name"))
                .scheme(Scheme.parse("scheme", e.get("scheme")))
                .ipAddressType(IpAddressType.parse("ipAddressType", e.get("ipAddressType")));
            for (int i = 1; e.fields().containsKey("subnet." + i + ".id"); i++) {
              Subnet s = subnet(e.get("subnet." + i + ".id"));
              SubnetUse u = new SubnetUse(s.id(), s.zone().name(),
                  Addresses.literal("subnet." + i + ".address", e.get("subnet." + i + ".address")),
                  e.fields().get("subnet." + i + ".allocation"));
              uses.add(u);
              b.zone(zoneOf(u));
            }
            e.under("tag").forEach(b::tag);
            LoadBalancer lb = nlb.createLoadBalancer(b.build());
            undo.add(lb::delete);
            List<String> groups = new ArrayList<>();
            for (int i = 1; e.fields().containsKey("sg." + i); i++) {
              groups.add(e.get("sg." + i));
            }
            LbRec rec = new LbRec(e.get("id"), arns.loadBalancer(lb.name(), e.get("id")), lb,
                Instant.ofEpochMilli(Long.parseLong(e.get("created"))), List.copyOf(uses), List.copyOf(groups), false);
            loadBalancers.put(rec.arn, rec);
            // Attributes last: deletion protection would stop the undo of a failed restore.
            lbAttributes.put(rec.arn, e.under("attr"));
          }
          case "listener" -> {
            LbRec l = byId(loadBalancers, e.get("lb"));
            TgRec tg = byId(targetGroups, e.get("tg"));
            ListenerConfig.Builder b = ListenerConfig.builder(Protocol.valueOf(e.get("protocol")), Integer.parseInt(e.get("port")))
                .forwardTo(tg.tg.name());
            if (e.fields().containsKey("cert.default")) {
              b.certificate(certificate("cert.default", e.get("cert.default")));
            }
            for (int i = 1; e.fields().containsKey("cert." + i); i++) {
              b.addCertificate(certificate("cert." + i, e.get("cert." + i)));
            }
            if (e.fields().containsKey("sslPolicy")) {
              b.sslPolicy(e.get("sslPolicy"));
            }
            if (e.fields().containsKey("alpn")) {
              b.alpnPolicy(AlpnPolicy.parse("alpn", e.get("alpn")));
            }
            e.under("attr").forEach(b::attribute);
            Listener x = l.lb.createListener(b.build());
            undo.add(x::delete);
            LnRec rec = new LnRec(e.get("id"), arns.listener(l.lb.name(), l.id, e.get("id")), l, x,
                new LinkedHashMap<>(e.under("tag")), false);
            listeners.put(rec.arn, rec);
          }
          case "target" -> {
            TgRec t = byId(targetGroups, e.get("tg"));
            String id = e.get("id");
            Target target = t.tg.targetType() == TargetType.ALB ? Target.alb(id)
                : id.startsWith("i-") ? Target.instance(id) : Target.ip(id);
            target = target.withPort(Integer.parseInt(e.get("port")));
            String zone = e.fields().get("zone");
            if (zone != null) {
              target = target.withZone(zone);
            }
            t.tg.registerTargets(target);
          }
          default -> throw new IllegalStateException("kind " + e.kind() + " (expected: targetGroup, loadBalancer, listener or target)");
        }
      }
      current = null;
      for (Map.Entry<String, Map<String, String>> a : lbAttributes.entrySet()) {
        if (!a.getValue().isEmpty()) {
          byArn(loadBalancers, a.getKey()).lb.modifyAttributes(a.getValue());
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
      targetGroups.clear();
      loadBalancers.clear();
      listeners.clear();
      reconcile();
      String what = current == null ? "load balancer attributes" : current.kind() + " " + current.fields();
      throw new IllegalStateException("state file: " + what + " could not be restored: " + ex.getMessage(), ex);
    }
  }

  private static <T> T byArn(Map<String, T> records, String arn) {
    T r = records.get(arn);
    if (r == null) {
      throw new IllegalStateException("arn " + arn + " (expected: a record restored earlier)");
    }
    return r;
  }

  private static <T> T byId(Map<String, T> records, String id) {
    for (T r : records.values()) {
      String rid = r instanceof TgRec t ? t.id : r instanceof LbRec l ? l.id : ((LnRec) r).id;
      if (rid.equals(id)) {
        return r;
      }
    }
    throw new IllegalStateException("id " + id + " (expected: a record earlier in the state file)");
  }

  // ------------------------------------------------------------------ paging

  private <T> List<T> page(QueryParams p, List<T> all) {
    int size = p.integer("PageSize", 1, 400).orElse(DEFAULT_PAGE);
    int from = 0;
    String marker = p.getOrNull("Marker");
    if (marker != null) {
      try {
        from = Integer.parseInt(marker);
      } catch (NumberFormatException e) {
        from = -1;
      }
      if (from < 0 || from > all.size()) {
        throw ApiException.validation("Marker: " + marker + " (expected: a NextMarker this endpoint returned)");
      }
    }
    int to = Math.min(all.size(), from + size);
    if (to < all.size()) {
      pendingMarker = Integer.toString(to);
    }
    return all.subList(from, to);
  }

  private @Nullable String pendingMarker;

  private void writeMarker(Xml out) {
    if (pendingMarker != null) {
      out.text("NextMarker", pendingMarker);
      pendingMarker = null;
    }
  }

  // ------------------------------------------------------------------ target groups

  private void createTargetGroup(QueryParams p, Xml out) {
    String name = p.required("Name");
    if (!name.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")) {
      throw ApiException.validation("Name: " + name + " (expected: 1-32 letters, digits and hyphens, not starting "
          + "or ending with a hyphen)");
    }
    Protocol protocol = Protocol.parse("Protocol", p.required("Protocol"));
    TargetType type = p.get("TargetType").map(v -> TargetType.parse("TargetType", v)).orElse(TargetType.INSTANCE);
    int port = p.integer("Port", 1, 65535).orElseThrow(() -> ApiException.missing("Port"));
    String vpcId = p.get("VpcId").orElse("vpc-local");
    TargetGroupConfig.Builder b = TargetGroupConfig.builder(name, protocol, port).targetType(type)
        .healthCheck(healthCheck(p, HealthCheck.defaults().toBuilder()));
    p.get("IpAddressType").ifPresent(v -> b.ipAddressType(IpAddressType.parse("IpAddressType", v)));
    p.keyValues("Tags", "DuplicateTagKeys").forEach(b::tag);
    TargetGroup tg = nlb.createTargetGroup(b.build());
    String id = newId();
    TgRec rec = new TgRec(id, arns.targetGroup(name, id), tg, vpcId, false);
    targetGroups.put(rec.arn, rec);
    out.start("TargetGroups");
    writeTargetGroup(out.start("member"), rec);
    out.end();
  }

  HealthCheck healthCheck(QueryParams p, HealthCheck.Builder b) {
    p.bool("HealthCheckEnabled").ifPresent(v -> {
      if (!v) {
        throw ApiException.validation("HealthCheckEnabled: false (expected: true; health checks of instance, ip and alb "
            + "target groups cannot be disabled)");
      }
    });
    p.get("HealthCheckProtocol").ifPresent(v -> {
      try {
        b.protocol(HealthCheckProtocol.valueOf(v.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw ApiException.validation("HealthCheckProtocol: " + v + " (expected: TCP, HTTP or HTTPS)");
      }
    });
    p.get("HealthCheckPort").ifPresent(b::port);
    p.get("HealthCheckPath").ifPresent(b::path);
    p.integer("HealthCheckIntervalSeconds", 1, 3600).ifPresent(s -> b.interval(Duration.ofSeconds(s)));
    p.integer("HealthCheckTimeoutSeconds", 1, 3600).ifPresent(s -> b.timeout(Duration.ofSeconds(s)));
    p.integer("HealthyThresholdCount", 1, 100).ifPresent(b::healthyThreshold);
    p.integer("UnhealthyThresholdCount", 1, 100).ifPresent(b::unhealthyThreshold);
    p.get("Matcher.HttpCode").ifPresent(b::matcher);
    if (p.has("Matcher.GrpcCode")) {
      throw ApiException.validation("Matcher.GrpcCode: " + p.getOrNull("Matcher.GrpcCode")
          + " (expected: absent; gRPC health checks are for Application Load Balancers)");
    }
    return b.build();
  }

  private void writeTargetGroup(Xml out, TgRec t) {
    TargetGroup tg = t.tg;
    HealthCheck hc = tg.healthCheck();
    out.text("TargetGroupArn", t.arn).text("TargetGroupName", tg.name()).text("Protocol", tg.protocol().name())
        .text("Port", tg.port()).text("VpcId", t.vpcId)
        .text("HealthCheckProtocol", hc.protocol().name()).text("HealthCheckPort", hc.portSpec())
        .text("HealthCheckEnabled", true)
        .text("HealthCheckIntervalSeconds", hc.interval().toSeconds())
        .text("HealthCheckTimeoutSeconds", hc.timeout().toSeconds())
        .text("HealthyThresholdCount", hc.healthyThreshold())
        .text("UnhealthyThresholdCount", hc.unhealthyThreshold());
    if (hc.protocol() != HealthCheckProtocol.TCP) {
      out.text("HealthCheckPath", hc.path());
      out.start("Matcher").text("HttpCode", hc.matcher().toString()).end();
    }
    out.start("LoadBalancerArns");
    tg.loadBalancer().ifPresent(lb -> {
      LbRec l = loadBalancerOf(lb);
      if (l != null) {
        out.text("member", l.arn);
      }
    });
    out.end();
    out.text("TargetType", tg.targetType().apiName()).text("IpAddressType", tg.ipAddressType().apiName());
    out.end();
  }

  private void describeTargetGroups(QueryParams p, Xml out) {
    List<String> wanted = p.list("TargetGroupArns");
    List<String> names = p.list("Names");
    String lbArn = p.getOrNull("LoadBalancerArn");
    int filters = (wanted.isEmpty() ? 0 : 1) + (names.isEmpty() ? 0 : 1) + (lbArn == null ? 0 : 1);
    if (filters > 1) {
      throw ApiException.validation("TargetGroupArns, Names, LoadBalancerArn: (several given) (expected: at most one of them)");
    }
    List<TgRec> all = new ArrayList<>();
    if (!wanted.isEmpty()) {
      for (String arn : wanted) {
        all.add(targetGroup("TargetGroupArns", arn));
      }
    } else if (!names.isEmpty()) {
      for (String n : names) {
        TgRec t = targetGroupByName(n);
        if (t == null) {
          throw ApiException.badRequest("TargetGroupNotFound", "One or more target groups not found: " + n);
        }
        all.add(t);
      }
    } else if (lbArn != null) {
      LbRec l = loadBalancer("LoadBalancerArn", lbArn);
      for (TgRec t : targetGroups.values()) {
        if (t.tg.loadBalancer().map(x -> x == l.lb).orElse(false)) {
          all.add(t);
        }
      }
    } else {
      all.addAll(targetGroups.values());
    }
    out.start("TargetGroups");
    for (TgRec t : page(p, all)) {
      writeTargetGroup(out.start("member"), t);
    }
    out.end();
    writeMarker(out);
  }

  private void modifyTargetGroup(QueryParams p, Xml out) {
    TgRec t = owned(targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    HealthCheck next = healthCheck(p, t.tg.healthCheck().toBuilder());
    t.tg.modifyHealthCheck(next);
    out.start("TargetGroups");
    writeTargetGroup(out.start("member"), t);
    out.end();
  }

  private void deleteTargetGroup(QueryParams p, Xml out) {
    String arn = Arns.check("TargetGroupArn", p.required("TargetGroupArn"), Arns.Kind.TARGET_GROUP);
    TgRec t = targetGroups.get(arn);
    if (t == null) {
      return; // deleting what is not there succeeds, as in the API
    }
    owned(t);
    t.tg.delete();
    targetGroups.remove(arn);
  }

  private void describeTargetGroupAttributes(QueryParams p, Xml out) {
    TgRec t = targetGroup("TargetGroupArn", p.required("TargetGroupArn"));
    writeAttributes(out, t.tg.describeAttributes());
  }

  private void modifyTargetGroupAttributes(QueryParams p, Xml out) {
    TgRec t = owned(targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    Map<String, String> changes = attributes(p);
    t.tg.modifyAttributes(changes);
    writeAttributes(out, t.tg.describeAttributes());
  }

  private static Map<String, String> attributes(QueryParams p) {
    Map<String, String> changes = p.keyValues("Attributes", "ValidationError");
    if (changes.isEmpty()) {
      throw ApiException.missing("Attributes");
    }
    return changes;
  }

  private static void writeAttributes(Xml out, Map<String, String> attributes) {
    out.start("Attributes");
    attributes.forEach((k, v) -> out.start("member").text("Key", k).text("Value", v).end());
    out.end();
  }

  // ------------------------------------------------------------------ targets

  private List<Target> targets(QueryParams p) {
    List<QueryParams> given = p.structs("Targets");
    if (given.isEmpty()) {
      throw ApiException.missing("Targets");
    }
    List<Target> out = new ArrayList<>();
    for (QueryParams t : given) {
      String id = t.required("Id");
      Target target = id.startsWith("i-") ? Target.instance(id) : Target.ip(id);
      Optional<Integer> port = t.integer("Port", 1, 65535);
      if (port.isPresent()) {
        target = target.withPort(port.get());
      }
      String zone = t.getOrNull("AvailabilityZone");
      if (zone != null) {
        target = target.withZone(zone);
      }
      out.add(target);
    }
    return out;
  }

  /** An ip target names an address; anything else that is not an instance id is not a valid target. */
  private static List<Target> typed(TargetGroup tg, List<Target> targets) {
    List<Target> out = new ArrayList<>(targets.size());
    for (Target t : targets) {
      if (tg.targetType() == TargetType.ALB && t.type() != TargetType.ALB) {
        Target a = Target.alb(t.id());
        out.add(t.port().isPresent() ? a.withPort(t.port().getAsInt()) : a);
      } else {
        out.add(t);
      }
    }
    return out;
  }

  private void registerTargets(QueryParams p, Xml out) {
    TgRec t = owned(targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    t.tg.registerTargets(typed(t.tg, targets(p)));
  }

  private void deregisterTargets(QueryParams p, Xml out) {
    TgRec t = owned(targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    t.tg.deregisterTargets(typed(t.tg, targets(p)));
  }

  private void describeTargetHealth(QueryParams p, Xml out) {
    TgRec t = targetGroup("TargetGroupArn", p.required("TargetGroupArn"));
    List<TargetHealthDescription> all = p.structs("Targets").isEmpty()
        ? t.tg.describeTargetHealth()
        : t.tg.describeTargetHealth(typed(t.tg, targets(p)).toArray(new Target[0]));
    out.start("TargetHealthDescriptions");
    for (TargetHealthDescription d : all) {
      out.start("member");
      Target target = d.target();
      out.start("Target").text("Id", target.id());
      out.text("Port", target.port().orElse(t.tg.port()));
      target.zone().ifPresent(z -> out.text("AvailabilityZone", z));
      out.end();
      out.text("HealthCheckPort", d.healthCheckPort().orElse(Integer.toString(target.port().orElse(t.tg.port()))));
      out.start("TargetHealth").text("State", d.health().state().toString());
      d.health().reason().ifPresent(r -> out.text("Reason", r.code()));
      d.health().description().ifPresent(s -> out.text("Description", s));
      out.end().end();
    }
    out.end();
  }

  // ------------------------------------------------------------------ load balancers

  private List<SubnetUse> subnetUses(QueryParams p, boolean required) {
    List<String> plain = p.list("Subnets");
    List<QueryParams> mappings = p.structs("SubnetMappings");
    if (!plain.isEmpty() && !mappings.isEmpty()) {
      throw ApiException.validation("Subnets, SubnetMappings: (both given) (expected: one of them)");
    }
    if (plain.isEmpty() && mappings.isEmpty()) {
      if (required) {
        throw ApiException.validation("Subnets: (absent) (expected: at least one subnet, in Subnets or SubnetMappings)");
      }
      return List.of();
    }
    List<SubnetUse> out = new ArrayList<>();
    Map<String, String> zones = new HashMap<>();
    if (!plain.isEmpty()) {
      for (String id : plain) {
        Subnet s = subnet(id);
        InetAddress address = s.zone().ipv4Address().or(s.zone()::ipv6Address).orElseThrow();
        out.add(new SubnetUse(id, s.zone().name(), address, null));
      }
    } else {
      for (QueryParams m : mappings) {
        Subnet s = subnet(m.required("SubnetId"));
        InetAddress address = s.zone().ipv4Address().or(s.zone()::ipv6Address).orElseThrow();
        String v4 = m.getOrNull("PrivateIPv4Address");
        if (v4 != null) {
          address = privateAddress(s, "PrivateIPv4Address", v4);
        }
        String v6 = m.getOrNull("IPv6Address");
        if (v6 != null) {
          address = privateAddress(s, "IPv6Address", v6);
        }
        out.add(new SubnetUse(s.id(), s.zone().name(), address, m.getOrNull("AllocationId")));
      }
    }
    for (SubnetUse u : out) {
      String before = zones.put(u.zone(), u.subnetId());
      if (before != null) {
        throw ApiException.badRequest("InvalidConfigurationRequest", "Subnets: " + before + ", " + u.subnetId()
            + " (expected: at most one subnet per Availability Zone; both are in " + u.zone() + ")");
      }
    }
    return out;
  }

  private Subnet subnet(String id) {
    Subnet s = subnets.get(id);
    if (s == null) {
      throw ApiException.badRequest("SubnetNotFound", "The subnet ID '" + id + "' is not valid (expected: one of "
          + new java.util.TreeSet<>(subnets.keySet()) + ")");
    }
    return s;
  }

  private static InetAddress privateAddress(Subnet s, String field, String literal) {
    InetAddress a;
    try {
      a = Addresses.literal(field, literal);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(String.valueOf(e.getMessage()));
    }
    if (!s.privateAddresses().contains(a)) {
      throw ApiException.badRequest("InvalidConfigurationRequest", field + ": " + literal + " (expected: an address of "
          + s.id() + ": " + s.privateAddresses().stream().map(InetAddress::getHostAddress).sorted().toList() + ")");
    }
    return a;
  }

  private Zone zoneOf(SubnetUse u) {
    Subnet s = subnet(u.subnetId());
    return s.zoneWith(u.address());
  }

  private void createLoadBalancer(QueryParams p, Xml out) {
    String name = p.required("Name");
    p.get("Type").ifPresent(t -> {
      if (!t.equalsIgnoreCase("network")) {
        throw ApiException.validation("Type: " + t + " (expected: network; this endpoint serves Network Load Balancers)");
      }
    });
    if (p.has("CustomerOwnedIpv4Pool")) {
      throw ApiException.validation("CustomerOwnedIpv4Pool: " + p.getOrNull("CustomerOwnedIpv4Pool")
          + " (expected: absent; customer-owned pools are for Application Load Balancers)");
    }
    List<SubnetUse> uses = subnetUses(p, true);
    LoadBalancerConfig.Builder b = LoadBalancerConfig.builder(name);
    p.get("Scheme").ifPresent(v -> b.scheme(Scheme.parse("Scheme", v)));
    p.get("IpAddressType").ifPresent(v -> b.ipAddressType(IpAddressType.parse("IpAddressType", v)));
    for (SubnetUse u : uses) {
      b.zone(zoneOf(u));
    }
    p.keyValues("Tags", "DuplicateTagKeys").forEach(b::tag);
    List<String> groups = p.list("SecurityGroups");
    LoadBalancer lb = nlb.createLoadBalancer(b.build());
    String id = newId();
    LbRec rec = new LbRec(id, arns.loadBalancer(name, id), lb, clock.instant(), List.copyOf(uses), List.copyOf(groups), false);
    loadBalancers.put(rec.arn, rec);
    out.start("LoadBalancers");
    writeLoadBalancer(out.start("member"), rec);
    out.end();
  }

  String dnsName(LbRec l) {
    return l.lb.name() + "-" + l.id + "." + dnsSuffix;
  }

  private void writeLoadBalancer(Xml out, LbRec l) {
    LoadBalancer lb = l.lb;
    out.text("LoadBalancerArn", l.arn).text("DNSName", dnsName(l)).text("CanonicalHostedZoneId", "Z0NLBLOCAL0000")
        .text("CreatedTime", TIME.format(l.created)).text("LoadBalancerName", lb.name())
        .text("Scheme", lb.scheme().apiName()).text("VpcId", "vpc-local");
    out.start("State").text("Code", lb.state().toString());
    lb.stateReason().ifPresent(r -> out.text("Reason", r));
    out.end();
    out.text("Type", "network");
    writeZones(out, l);
    out.start("SecurityGroups");
    l.securityGroups.forEach(g -> out.text("member", g));
    out.end();
    out.text("IpAddressType", lb.ipAddressType().apiName());
    out.end();
  }

  private static void writeZones(Xml out, LbRec l) {
    Map<String, Zone> zones = new HashMap<>();
    for (Zone z : l.lb.zones()) {
      zones.put(z.name(), z);
    }
    out.start("AvailabilityZones");
    for (SubnetUse u : l.subnets) {
      out.start("member").text("ZoneName", u.zone()).text("SubnetId", u.subnetId());
      out.start("LoadBalancerAddresses");
      Zone z = zones.get(u.zone());
      List<InetAddress> addresses = z == null ? List.of(u.address()) : z.addresses();
      for (InetAddress a : addresses) {
        out.start("member");
        if (a.getAddress().length == 4) {
          out.text("IpAddress", a.getHostAddress()).text("PrivateIPv4Address", a.getHostAddress());
          if (u.allocationId() != null) {
            out.text("AllocationId", u.allocationId());
          }
        } else {
          out.text("IPv6Address", a.getHostAddress());
        }
        out.end();
      }
      out.end().end();
    }
    out.end();
  }

  private void describeLoadBalancers(QueryParams p, Xml out) {
    List<String> wanted = p.list("LoadBalancerArns");
    List<String> names = p.list("Names");
    if (!wanted.isEmpty() && !names.isEmpty()) {
      throw ApiException.validation("LoadBalancerArns, Names: (both given) (expected: at most one of them)");
    }
    List<LbRec> all = new ArrayList<>();
    if (!wanted.isEmpty()) {
      for (String arn : wanted) {
        all.add(loadBalancer("LoadBalancerArns", arn));
      }
    } else if (!names.isEmpty()) {
      for (String n : names) {
        LbRec found = null;
        for (LbRec l : loadBalancers.values()) {
          if (l.lb.name().equals(n)) {
            found = l;
          }
        }
        if (found == null) {
          throw ApiException.badRequest("LoadBalancerNotFound", "Load balancers '[" + n + "]' not found");
        }
        all.add(found);
      }
    } else {
      all.addAll(loadBalancers.values());
    }
    out.start("LoadBalancers");
    for (LbRec l : page(p, all)) {
      writeLoadBalancer(out.start("member"), l);
    }
    out.end();
    writeMarker(out);
  }

  private void deleteLoadBalancer(QueryParams p, Xml out) {
    String arn = Arns.check("LoadBalancerArn", p.required("LoadBalancerArn"), Arns.Kind.LOAD_BALANCER);
    LbRec l = loadBalancers.get(arn);
    if (l == null) {
      return; // deleting what is not there succeeds, as in the API
    }
    owned(l);
    l.lb.delete();
    loadBalancers.remove(arn);
    listeners.values().removeIf(x -> x.lb == l);
  }

  private void describeLoadBalancerAttributes(QueryParams p, Xml out) {
    LbRec l = loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn"));
    writeAttributes(out, l.lb.describeAttributes());
  }

  private void modifyLoadBalancerAttributes(QueryParams p, Xml out) {
    LbRec l = owned(loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    l.lb.modifyAttributes(attributes(p));
    writeAttributes(out, l.lb.describeAttributes());
  }

  private void setSubnets(QueryParams p, Xml out) {
    LbRec l = owned(loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    List<SubnetUse> uses = subnetUses(p, true);
    List<Zone> zones = new ArrayList<>();
    for (SubnetUse u : uses) {
      zones.add(zoneOf(u));
    }
    p.get("IpAddressType").ifPresent(v -> l.lb.setIpAddressType(IpAddressType.parse("IpAddressType", v)));
    l.lb.setZones(zones);
    l.subnets = List.copyOf(uses);
    writeZones(out, l);
    out.text("IpAddressType", l.lb.ipAddressType().apiName());
  }

  private void setIpAddressType(QueryParams p, Xml out) {
    LbRec l = owned(loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    l.lb.setIpAddressType(IpAddressType.parse("IpAddressType", p.required("IpAddressType")));
    out.text("IpAddressType", l.lb.ipAddressType().apiName());
  }

  private void setSecurityGroups(QueryParams p, Xml out) {
    LbRec l = owned(loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    List<String> groups = p.list("SecurityGroups");
    if (l.securityGroups.isEmpty()) {
      throw ApiException.badRequest("InvalidConfigurationRequest", "SecurityGroups: " + groups + " (expected: no change; "
          + "a Network Load Balancer created without security groups cannot have them added)");
    }
    if (groups.isEmpty()) {
      throw ApiException.badRequest("InvalidConfigurationRequest", "SecurityGroups: [] (expected: at least one; a "
          + "Network Load Balancer created with security groups keeps at least one)");
    }
    l.securityGroups = List.copyOf(groups);
    out.start("SecurityGroupIds");
    groups.forEach(g -> out.text("member", g));
    out.end();
  }

  // ------------------------------------------------------------------ listeners

  private String forwardTarget(QueryParams p) {
    List<QueryParams> actions = p.structs("DefaultActions");
    if (actions.size() != 1) {
      throw ApiException.validation("DefaultActions: " + actions.size() + " actions (expected: exactly one forward action)");
    }
    QueryParams a = actions.get(0);
    String type = a.required("Type");
    if (!type.equals("forward")) {
      throw ApiException.badRequest("InvalidLoadBalancerAction", "DefaultActions.member.1.Type: " + type
          + " (expected: forward; it is the only action of a Network Load Balancer)");
    }
    String arn = a.getOrNull("TargetGroupArn");
    List<QueryParams> forward = a.structs("ForwardConfig.TargetGroups");
    if (arn == null) {
      if (forward.size() != 1) {
        throw ApiException.validation("DefaultActions.member.1.ForwardConfig.TargetGroups: " + forward.size()
            + " target groups (expected: one target group, or TargetGroupArn)");
      }
      arn = forward.get(0).required("TargetGroupArn");
    } else if (forward.size() > 1 || (forward.size() == 1 && !arn.equals(forward.get(0).getOrNull("TargetGroupArn")))) {
      throw ApiException.validation("DefaultActions.member.1.ForwardConfig: (differs from TargetGroupArn) (expected: "
          + "the same single target group)");
    }
    return owned(targetGroup("DefaultActions.member.1.TargetGroupArn", arn)).tg.name();
  }

  private void applyTls(QueryParams p, ListenerConfig.Builder b, boolean replaceDefault) {
    List<QueryParams> certs = p.structs("Certificates");
    if (!certs.isEmpty()) {
      if (certs.size() > 1 && replaceDefault) {
        throw ApiException.validation("Certificates: " + certs.size() + " certificates (expected: one, the default "
            + "certificate; add more with AddListenerCertificates)");
      }
      b.certificate(certificate("Certificates.member.1.CertificateArn", certs.get(0).required("CertificateArn")));
    }
    p.get("SslPolicy").ifPresent(v -> {
      if (!io.nlb.core.SecurityPolicies.isKnown(v)) {
        throw ApiException.badRequest("SSLPolicyNotFound", "SslPolicy: " + v + " (expected: a policy DescribeSSLPolicies lists)");
      }
      b.sslPolicy(v);
    });
    List<String> alpn = p.list("AlpnPolicy");
    if (alpn.size() > 1) {
      throw ApiException.validation("AlpnPolicy: " + alpn + " (expected: one policy name)");
    }
    if (alpn.size() == 1) {
      try {
        b.alpnPolicy(AlpnPolicy.parse("AlpnPolicy", alpn.get(0)));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("ALPNPolicyNotFound", String.valueOf(e.getMessage()));
      }
    }
  }

  private void createListener(QueryParams p, Xml out) {
    LbRec l = owned(loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    Protocol protocol = Protocol.parse("Protocol", p.required("Protocol"));
    int port = p.integer("Port", 1, 65535).orElseThrow(() -> ApiException.missing("Port"));
    ListenerConfig.Builder b = ListenerConfig.builder(protocol, port).forwardTo(forwardTarget(p));
    applyTls(p, b, true);
    Map<String, String> tags = p.keyValues("Tags", "DuplicateTagKeys");
    checkTags("Tags", tags);
    Listener listener = l.lb.createListener(b.build());
    String id = newId();
    LnRec rec = new LnRec(id, arns.listener(l.lb.name(), l.id, id), l, listener, new LinkedHashMap<>(tags), false);
    listeners.put(rec.arn, rec);
    out.start("Listeners");
    writeListener(out.start("member"), rec);
    out.end();
  }

  private static void checkTags(String field, Map<String, String> tags) {
    if (tags.size() > Tags.MAX_TAGS) {
      throw ApiException.badRequest("TooManyTags", field + ": " + tags.size() + " tags (expected: at most " + Tags.MAX_TAGS + ")");
    }
    tags.forEach((k, v) -> {
      Tags.checkKey(field + ".Key", k);
      Tags.checkValue(field + ".Value", v);
    });
  }

  private void writeListener(Xml out, LnRec r) {
    ListenerConfig c = r.listener.config();
    out.text("ListenerArn", r.arn).text("LoadBalancerArn", r.lb.arn).text("Port", c.port()).text("Protocol", c.protocol().name());
    if (c.certificate().isPresent()) {
      out.start("Certificates").start("member").text("CertificateArn", certificateArn(c.certificate().get())).end().end();
    }
    c.sslPolicy().ifPresent(s -> out.text("SslPolicy", s));
    TgRec tg = targetGroupByName(c.targetGroup());
    String tgArn = tg == null ? c.targetGroup() : tg.arn;
    out.start("DefaultActions").start("member").text("Type", "forward").text("TargetGroupArn", tgArn)
        .start("ForwardConfig").start("TargetGroups").start("member").text("TargetGroupArn", tgArn).text("Weight", 1)
        .end().end().end().end().end();
    if (c.protocol() == Protocol.TLS) {
      out.start("AlpnPolicy").text("member", c.alpnPolicy().apiName()).end();
    }
    out.end();
  }

  private void describeListeners(QueryParams p, Xml out) {
    List<String> wanted = p.list("ListenerArns");
    String lbArn = p.getOrNull("LoadBalancerArn");
    if (!wanted.isEmpty() && lbArn != null) {
      throw ApiException.validation("ListenerArns, LoadBalancerArn: (both given) (expected: one of them)");
    }
    if (wanted.isEmpty() && lbArn == null) {
      throw ApiException.validation("LoadBalancerArn: (absent) (expected: a load balancer ARN or ListenerArns)");
    }
    List<LnRec> all = new ArrayList<>();
    if (lbArn != null) {
      LbRec l = loadBalancer("LoadBalancerArn", lbArn);
      for (LnRec r : listeners.values()) {
        if (r.lb == l) {
          all.add(r);
        }
      }
    } else {
      for (String arn : wanted) {
        all.add(listener("ListenerArns", arn));
      }
    }
    out.start("Listeners");
    for (LnRec r : page(p, all)) {
      writeListener(out.start("member"), r);
    }
    out.end();
    writeMarker(out);
  }

  private void modifyListener(QueryParams p, Xml out) {
    LnRec r = owned(listener("ListenerArn", p.required("ListenerArn")));
    ListenerConfig.Builder b = r.listener.config().toBuilder();
    p.get("Protocol").ifPresent(v -> b.protocol(Protocol.parse("Protocol", v)));
    p.integer("Port", 1, 65535).ifPresent(b::port);
    if (!p.structs("DefaultActions").isEmpty()) {
      b.forwardTo(forwardTarget(p));
    }
    applyTls(p, b, true);
    r.listener.modify(b.build());
    out.start("Listeners");
    writeListener(out.start("member"), r);
    out.end();
  }

  private void deleteListener(QueryParams p, Xml out) {
    LnRec r = owned(listener("ListenerArn", p.required("ListenerArn")));
    r.listener.delete();
    listeners.remove(r.arn);
  }

  private void describeListenerAttributes(QueryParams p, Xml out) {
    LnRec r = listener("ListenerArn", p.required("ListenerArn"));
    writeAttributes(out, r.listener.config().attributes().asMap());
  }

  private void modifyListenerAttributes(QueryParams p, Xml out) {
    LnRec r = owned(listener("ListenerArn", p.required("ListenerArn")));
    ListenerConfig.Builder b = r.listener.config().toBuilder();
    attributes(p).forEach(b::attribute);
    r.listener.modify(b.build());
    writeAttributes(out, r.listener.config().attributes().asMap());
  }

  private List<ServerCertificate> certificates(QueryParams p) {
    List<QueryParams> given = p.structs("Certificates");
    if (given.isEmpty()) {
      throw ApiException.missing("Certificates");
    }
    List<ServerCertificate> out = new ArrayList<>();
    int i = 1;
    for (QueryParams c : given) {
      out.add(certificate("Certificates.member." + i++ + ".CertificateArn", c.required("CertificateArn")));
    }
    return out;
  }

  private void addListenerCertificates(QueryParams p, Xml out) {
    LnRec r = owned(listener("ListenerArn", p.required("ListenerArn")));
    List<ServerCertificate> certs = certificates(p);
    r.listener.addCertificates(certs.toArray(new ServerCertificate[0]));
    out.start("Certificates");
    for (ServerCertificate c : certs) {
      out.start("member").text("CertificateArn", certificateArn(c)).text("IsDefault", false).end();
    }
    out.end();
  }

  private void removeListenerCertificates(QueryParams p, Xml out) {
    LnRec r = owned(listener("ListenerArn", p.required("ListenerArn")));
    r.listener.removeCertificates(certificates(p).toArray(new ServerCertificate[0]));
  }

  private void describeListenerCertificates(QueryParams p, Xml out) {
    LnRec r = listener("ListenerArn", p.required("ListenerArn"));
    ListenerConfig c = r.listener.config();
    List<Map.Entry<ServerCertificate, Boolean>> all = new ArrayList<>();
    c.certificate().ifPresent(d -> all.add(Map.entry(d, true)));
    c.certificates().forEach(x -> all.add(Map.entry(x, false)));
    out.start("Certificates");
    for (Map.Entry<ServerCertificate, Boolean> e : page(p, all)) {
      out.start("member").text("CertificateArn", certificateArn(e.getKey())).text("IsDefault", e.getValue()).end();
    }
    out.end();
    writeMarker(out);
  }

  // ------------------------------------------------------------------ tags

  /** The resources an ARN list names, every one checked before anything changes. */
  private List<Object> resources(QueryParams p) {
    List<String> given = p.list("ResourceArns");
    if (given.isEmpty()) {
      throw ApiException.missing("ResourceArns");
    }
    if (given.size() > 20) {
      throw ApiException.validation("ResourceArns: " + given.size() + " ARNs (expected: at most 20)");
    }
    List<Object> out = new ArrayList<>();
    for (String arn : given) {
      out.add(switch (Arns.kindOf("ResourceArns", arn)) {
        case LOAD_BALANCER -> loadBalancer("ResourceArns", arn);
        case TARGET_GROUP -> targetGroup("ResourceArns", arn);
        case LISTENER -> listener("ResourceArns", arn);
      });
    }
    return out;
  }

  private Map<String, String> tagsOf(Object r) {
    if (r instanceof LbRec l) {
      return l.lb.tags();
    }
    if (r instanceof TgRec t) {
      return t.tg.tags();
    }
    return ((LnRec) r).tags;
  }

  private static String arnOf(Object r) {
    if (r instanceof LbRec l) {
      return l.arn;
    }
    if (r instanceof TgRec t) {
      return t.arn;
    }
    return ((LnRec) r).arn;
  }

  private void addTags(QueryParams p, Xml out) {
    List<Object> resources = resources(p);
    resources.forEach(this::owned);
    Map<String, String> tags = p.keyValues("Tags", "DuplicateTagKeys");
    if (tags.isEmpty()) {
      throw ApiException.missing("Tags");
    }
    checkTags("Tags", tags);
    for (Object r : resources) {
      Map<String, String> merged = new LinkedHashMap<>(tagsOf(r));
      merged.putAll(tags);
      if (merged.size() > Tags.MAX_TAGS) {
        throw ApiException.badRequest("TooManyTags", "Tags: " + merged.size() + " tags on " + arnOf(r)
            + " (expected: at most " + Tags.MAX_TAGS + ")");
      }
    }
    for (Object r : resources) {
      if (r instanceof LbRec l) {
        l.lb.addTags(tags);
      } else if (r instanceof TgRec t) {
        t.tg.addTags(tags);
      } else {
        ((LnRec) r).tags.putAll(tags);
      }
    }
  }

  private void removeTags(QueryParams p, Xml out) {
    List<Object> resources = resources(p);
    resources.forEach(this::owned);
    List<String> keys = p.list("TagKeys");
    if (keys.isEmpty()) {
      throw ApiException.missing("TagKeys");
    }
    for (Object r : resources) {
      if (r instanceof LbRec l) {
        l.lb.removeTags(keys);
      } else if (r instanceof TgRec t) {
        t.tg.removeTags(keys);
      } else {
        keys.forEach(((LnRec) r).tags::remove);
      }
    }
  }

  private void describeTags(QueryParams p, Xml out) {
    List<Object> resources = resources(p);
    out.start("TagDescriptions");
    for (Object r : resources) {
      out.start("member").text("ResourceArn", arnOf(r)).start("Tags");
      tagsOf(r).forEach((k, v) -> out.start("member").text("Key", k).text("Value", v).end());
      out.end().end();
    }
    out.end();
  }

  // ------------------------------------------------------------------ policies and limits

  private void describeSslPolicies(QueryParams p, Xml out) {
    List<String> names = p.list("Names");
    List<SecurityPolicy> all = new ArrayList<>();
    if (names.isEmpty()) {
      all.addAll(SecurityPolicy.all());
    } else {
      for (String n : names) {
        try {
          all.add(SecurityPolicy.named(n));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest("SSLPolicyNotFound", "Names: " + n + " (expected: a security policy name)");
        }
      }
    }
    p.get("LoadBalancerType").ifPresent(t -> {
      if (!t.equals("network")) {
        throw ApiException.validation("LoadBalancerType: " + t + " (expected: network)");
      }
    });
    out.start("SslPolicies");
    for (SecurityPolicy s : page(p, all)) {
      out.start("member").text("Name", s.name()).start("SslProtocols");
      s.protocolNames().forEach(n -> out.text("member", n));
      out.end().start("Ciphers");
      int priority = 1;
      for (CipherSuite c : s.ciphers()) {
        out.start("member").text("Name", c.policyName()).text("Priority", priority++).end();
      }
      out.end().start("SupportedLoadBalancerTypes").text("member", "network").end().end();
    }
    out.end();
    writeMarker(out);
  }

  private void describeAccountLimits(QueryParams p, Xml out) {
    Quotas q = nlb.quotas();
    Map<String, Integer> limits = new LinkedHashMap<>();
    limits.put("network-load-balancers", q.loadBalancers());
    limits.put("target-groups", q.targetGroups());
    limits.put("listeners-per-network-load-balancer", q.listenersPerLoadBalancer());
    limits.put("targets-per-network-load-balancer", q.targetsPerLoadBalancer());
    limits.put("targets-per-availability-zone-per-network-load-balancer", q.targetsPerZonePerLoadBalancer());
    limits.put("targets-per-target-group", q.targetsPerTargetGroup());
    limits.put("certificates-per-network-load-balancer", q.certificatesPerLoadBalancer());
    limits.put("target-groups-per-action-on-network-load-balancer", q.targetGroupsPerAction());
    List<Map.Entry<String, Integer>> all = new ArrayList<>(limits.entrySet());
    out.start("Limits");
    for (Map.Entry<String, Integer> e : page(p, all)) {
      out.start("member").text("Name", e.getKey()).text("Max", Integer.toString(e.getValue())).end();
    }
    out.end();
    writeMarker(out);
  }
}
