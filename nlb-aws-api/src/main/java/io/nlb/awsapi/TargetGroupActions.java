package io.nlb.awsapi;

import io.nlb.awsapi.ElbState.LbRec;
import io.nlb.awsapi.ElbState.TgRec;
import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.IpAddressType;
import io.nlb.core.Protocol;
import io.nlb.core.Tags;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealthDescription;
import io.nlb.core.TargetType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The elbv2 actions on target groups and their targets: create, describe, modify and delete,
 * attributes, register and deregister, target health.
 *
 * <p>Stateless: each action reads and changes the {@link ElbState} passed in, on the endpoint's one
 * operations thread.
 */
final class TargetGroupActions {
  private TargetGroupActions() {}

  static void createTargetGroup(ElbState state, QueryParams p, Xml out) {
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
    TargetGroup tg = state.nlb.createTargetGroup(b.build());
    String id = state.newId();
    TgRec rec = new TgRec(id, state.arns.targetGroup(name, id), tg, vpcId, false);
    state.targetGroups.put(rec.arn, rec);
    out.start("TargetGroups");
    writeTargetGroup(state, out.start("member"), rec);
    out.end();
  }

  static HealthCheck healthCheck(QueryParams p, HealthCheck.Builder b) {
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

  private static void writeTargetGroup(ElbState state, Xml out, TgRec t) {
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
      LbRec l = state.loadBalancerOf(lb);
      if (l != null) {
        out.text("member", l.arn);
      }
    });
    out.end();
    out.text("TargetType", tg.targetType().apiName()).text("IpAddressType", tg.ipAddressType().apiName());
    out.end();
  }

  static void describeTargetGroups(ElbState state, QueryParams p, Xml out) {
    List<String> wanted = p.list("TargetGroupArns");
    List<String> names = p.list("Names");
    String lbArn = p.getOrNull("LoadBalancerArn");
    int filters = (wanted.isEmpty() ? 0 : 1) + (names.isEmpty() ? 0 : 1) + (lbArn == null ? 0 : 1);
    if (filters > 1) {
      throw ApiException.validation("TargetGroupArns, Names, LoadBalancerArn: (several given) (expected: at most one of them)");
    }
    List<TgRec> all;
    if (lbArn != null) {
      LbRec l = state.loadBalancer("LoadBalancerArn", lbArn);
      all = new ArrayList<>();
      for (TgRec t : state.targetGroups.values()) {
        if (t.tg.loadBalancer().map(x -> x == l.lb).orElse(false)) {
          all.add(t);
        }
      }
    } else {
      all = ElbState.selected(wanted, arn -> state.targetGroup("TargetGroupArns", arn), names, n -> {
        TgRec t = state.targetGroupByName(n);
        if (t == null) {
          throw ApiException.badRequest("TargetGroupNotFound", "One or more target groups not found: " + n);
        }
        return t;
      }, state.targetGroups.values());
    }
    state.writePage(p, out, "TargetGroups", all, (member, t) -> writeTargetGroup(state, member, t));
  }

  static void modifyTargetGroup(ElbState state, QueryParams p, Xml out) {
    TgRec t = state.owned(state.targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    HealthCheck next = healthCheck(p, t.tg.healthCheck().toBuilder());
    t.tg.modifyHealthCheck(next);
    out.start("TargetGroups");
    writeTargetGroup(state, out.start("member"), t);
    out.end();
  }

  static void deleteTargetGroup(ElbState state, QueryParams p, Xml out) {
    String arn = Arns.check("TargetGroupArn", p.required("TargetGroupArn"), Arns.Kind.TARGET_GROUP);
    TgRec t = state.targetGroups.get(arn);
    if (t == null) {
      return; // deleting what is not there succeeds, as in the API
    }
    state.owned(t);
    t.tg.delete();
    state.targetGroups.remove(arn);
  }

  static void describeTargetGroupAttributes(ElbState state, QueryParams p, Xml out) {
    TgRec t = state.targetGroup("TargetGroupArn", p.required("TargetGroupArn"));
    ElbState.writeAttributes(out, t.tg.describeAttributes());
  }

  static void modifyTargetGroupAttributes(ElbState state, QueryParams p, Xml out) {
    TgRec t = state.owned(state.targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    Map<String, String> changes = ElbState.attributes(p);
    t.tg.modifyAttributes(changes);
    ElbState.writeAttributes(out, t.tg.describeAttributes());
  }

  // ------------------------------------------------------------------ targets

  private static List<Target> targets(QueryParams p) {
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

  static void registerTargets(ElbState state, QueryParams p, Xml out) {
    TgRec t = state.owned(state.targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    t.tg.registerTargets(typed(t.tg, targets(p)));
  }

  static void deregisterTargets(ElbState state, QueryParams p, Xml out) {
    TgRec t = state.owned(state.targetGroup("TargetGroupArn", p.required("TargetGroupArn")));
    t.tg.deregisterTargets(typed(t.tg, targets(p)));
  }

  static void describeTargetHealth(ElbState state, QueryParams p, Xml out) {
    TgRec t = state.targetGroup("TargetGroupArn", p.required("TargetGroupArn"));
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
}
