package io.nlb.awsapi;

import io.nlb.core.Listener;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import io.nlb.core.ServerCertificate;
import io.nlb.core.Tags;
import io.nlb.core.TargetGroup;
import io.nlb.core.Zone;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The records behind the elbv2 actions: the id and ARN the endpoint gave every resource, kept
 * in line with the library by {@link #reconcile()}, with the lookups, the ownership check, the
 * paging and the parameter parsing every resource's actions share.
 *
 * <p>Not thread-safe: used on the endpoint's one operations thread.
 */
final class ElbState {
  private static final int DEFAULT_PAGE = 400;

  /** What every record has: the endpoint's id, the ARN, and whether the API did not create it. */
  abstract static sealed class Rec permits TgRec, LbRec, LnRec {
    final String id;
    final String arn;
    final boolean external;

    Rec(String id, String arn, boolean external) {
      this.id = id;
      this.arn = arn;
      this.external = external;
    }
  }

  /** A target group the endpoint knows. */
  static final class TgRec extends Rec {
    final TargetGroup tg;
    final String vpcId;

    TgRec(String id, String arn, TargetGroup tg, String vpcId, boolean external) {
      super(id, arn, external);
      this.tg = tg;
      this.vpcId = vpcId;
    }
  }

  /** Which subnet (and node address) a load balancer uses in one zone. */
  record SubnetUse(String subnetId, String zone, InetAddress address, @Nullable String allocationId) {}

  /** A load balancer the endpoint knows. */
  static final class LbRec extends Rec {
    final LoadBalancer lb;
    final Instant created;
    List<SubnetUse> subnets;
    List<String> securityGroups;

    LbRec(String id, String arn, LoadBalancer lb, Instant created, List<SubnetUse> subnets, List<String> securityGroups,
        boolean external) {
      super(id, arn, external);
      this.lb = lb;
      this.created = created;
      this.subnets = subnets;
      this.securityGroups = securityGroups;
    }
  }

  /** A listener the endpoint knows; the library keeps no tags on listeners, so they live here. */
  static final class LnRec extends Rec {
    final LbRec lb;
    final Listener listener;
    Map<String, String> tags;

    LnRec(String id, String arn, LbRec lb, Listener listener, Map<String, String> tags, boolean external) {
      super(id, arn, external);
      this.lb = lb;
      this.listener = listener;
      this.tags = tags;
    }
  }

  final Nlb nlb;
  final Arns arns;
  final String dnsSuffix;
  final Clock clock;
  private final Map<String, Subnet> subnets;
  private final CertificateStore certificates;
  private final RandomGenerator random;

  final Map<String, TgRec> targetGroups = new LinkedHashMap<>();
  final Map<String, LbRec> loadBalancers = new LinkedHashMap<>();
  final Map<String, LnRec> listeners = new LinkedHashMap<>();
  /** Certificate id (as the library knows it) → the ARN it was resolved from. */
  private final Map<String, String> certificateArns = new HashMap<>();

  ElbState(Nlb nlb, Arns arns, String dnsSuffix, Map<String, Subnet> subnets, CertificateStore certificates, Clock clock,
      RandomGenerator random) {
    this.nlb = nlb;
    this.arns = arns;
    this.dnsSuffix = dnsSuffix;
    this.subnets = Map.copyOf(subnets);
    this.certificates = certificates;
    this.clock = clock;
    this.random = random;
  }

  /** Records of their own over {@code other}, with these settings (for a scratch service). */
  ElbState over(Nlb other) {
    return new ElbState(other, arns, dnsSuffix, subnets, certificates, clock, random);
  }

  // ------------------------------------------------------------------ ids and lookups

  String newId() {
    String id;
    do {
      id = HexFormat.of().toHexDigits(random.nextLong());
    } while (idInUse(id));
    return id;
  }

  private boolean idInUse(String id) {
    List<Map<String, ? extends Rec>> all = List.of(targetGroups, loadBalancers, listeners);
    for (Map<String, ? extends Rec> records : all) {
      for (Rec r : records.values()) {
        if (r.id.equals(id)) {
          return true;
        }
      }
    }
    return false;
  }

  TgRec targetGroup(String field, String arn) {
    return find(targetGroups, field, arn, Arns.Kind.TARGET_GROUP, "TargetGroupNotFound", "target groups");
  }

  LbRec loadBalancer(String field, String arn) {
    return find(loadBalancers, field, arn, Arns.Kind.LOAD_BALANCER, "LoadBalancerNotFound", "load balancers");
  }

  LnRec listener(String field, String arn) {
    return find(listeners, field, arn, Arns.Kind.LISTENER, "ListenerNotFound", "listeners");
  }

  private static <T extends Rec> T find(Map<String, T> records, String field, String arn, Arns.Kind kind, String code,
      String what) {
    Arns.check(field, arn, kind);
    T r = records.get(arn);
    if (r == null) {
      throw ApiException.badRequest(code, "One or more " + what + " not found: " + arn);
    }
    return r;
  }

  @Nullable TgRec targetGroupByName(String name) {
    for (TgRec t : targetGroups.values()) {
      if (t.tg.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  @Nullable LbRec loadBalancerOf(LoadBalancer lb) {
    for (LbRec l : loadBalancers.values()) {
      if (l.lb == lb) {
        return l;
      }
    }
    return null;
  }

  ServerCertificate certificate(String field, String arn) {
    ServerCertificate c = certificateOf(field, arn);
    certificateArns.put(c.id(), arn);
    return c;
  }

  /** {@link #certificate} without remembering the ARN: safe on any thread (the store is). */
  ServerCertificate certificateOf(String field, String arn) {
    return certificates.certificate(arn).orElseThrow(() -> ApiException.badRequest("CertificateNotFound",
        field + ": " + arn + " (expected: a certificate ARN of the endpoint's certificate store)"));
  }

  String certificateArn(ServerCertificate c) {
    return certificateArns.getOrDefault(c.id(), c.id());
  }

  Subnet subnet(String id) {
    Subnet s = subnets.get(id);
    if (s == null) {
      throw ApiException.badRequest("SubnetNotFound", "The subnet ID '" + id + "' is not valid (expected: one of "
          + new TreeSet<>(subnets.keySet()) + ")");
    }
    return s;
  }

  Zone zoneOf(SubnetUse u) {
    Subnet s = subnet(u.subnetId());
    return s.zoneWith(u.address());
  }

  // ------------------------------------------------------------------ ownership

  /**
   * Refuses changes to what the API did not create: resources of the daemon's configuration
   * file (or of code using the {@link Nlb} directly) are visible here but owned there.
   */
  <T extends Rec> T owned(T rec) {
    if (rec.external) {
      throw ApiException.badRequest("OperationNotPermitted", rec.arn + ": (not created through this API) (expected: "
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

  /**
   * What a describe call names: the records of the ARNs given, else those of the names given, else
   * all (a lookup refuses what is not there).
   */
  static <T> List<T> selected(List<String> arns, Function<String, T> byArn, List<String> names, Function<String, T> byName,
      Collection<T> all) {
    List<T> out = new ArrayList<>();
    if (!arns.isEmpty()) {
      arns.forEach(a -> out.add(byArn.apply(a)));
    } else if (!names.isEmpty()) {
      names.forEach(n -> out.add(byName.apply(n)));
    } else {
      out.addAll(all);
    }
    return out;
  }

  // ------------------------------------------------------------------ paging

  /**
   * Writes one page of {@code all}, as PageSize and Marker ask, as the members of {@code element}
   * (each by {@code member}, given the started member element to fill and end), then the
   * NextMarker where the next page starts, if there is one.
   */
  <T> void writePage(QueryParams p, Xml out, String element, List<T> all, BiConsumer<Xml, T> member) {
    int size = p.integer("PageSize", 1, 400).orElse(DEFAULT_PAGE);
    int from = Markers.start(p.getOrNull("Marker"), all.size(),
        marker -> ApiException.validation("Marker: " + marker + " (expected: a NextMarker this endpoint returned)"));
    int to = Math.min(all.size(), from + size);
    out.start(element);
    for (T item : all.subList(from, to)) {
      member.accept(out.start("member"), item);
    }
    out.end();
    if (to < all.size()) {
      out.text("NextMarker", Integer.toString(to));
    }
  }

  // ------------------------------------------------------------------ parameters every resource shares

  static Map<String, String> attributes(QueryParams p) {
    Map<String, String> changes = p.keyValues("Attributes", "ValidationError");
    if (changes.isEmpty()) {
      throw ApiException.missing("Attributes");
    }
    return changes;
  }

  static void writeAttributes(Xml out, Map<String, String> attributes) {
    out.start("Attributes");
    attributes.forEach((k, v) -> out.start("member").text("Key", k).text("Value", v).end());
    out.end();
  }

  static void checkTags(String field, Map<String, String> tags) {
    if (tags.size() > Tags.MAX_TAGS) {
      throw ApiException.badRequest("TooManyTags", field + ": " + tags.size() + " tags (expected: at most " + Tags.MAX_TAGS + ")");
    }
    tags.forEach((k, v) -> {
      Tags.checkKey(field + ".Key", k);
      Tags.checkValue(field + ".Value", v);
    });
  }
}
