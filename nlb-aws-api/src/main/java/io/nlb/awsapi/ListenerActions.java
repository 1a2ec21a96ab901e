package io.nlb.awsapi;

import io.nlb.awsapi.ElbState.LbRec;
import io.nlb.awsapi.ElbState.LnRec;
import io.nlb.awsapi.ElbState.TgRec;
import io.nlb.core.AlpnPolicy;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.SecurityPolicies;
import io.nlb.core.ServerCertificate;
import io.nlb.core.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The elbv2 actions on listeners: create, describe, modify and delete (one forward action to a
 * target group), attributes, and the certificates of a TLS listener.
 *
 * <p>Stateless: each action reads and changes the {@link ElbState} passed in, on the endpoint's one
 * operations thread.
 */
final class ListenerActions {
  private ListenerActions() {}

  private static String forwardTarget(ElbState state, QueryParams p) {
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
    return state.owned(state.targetGroup("DefaultActions.member.1.TargetGroupArn", arn)).tg.name();
  }

  private static void applyTls(ElbState state, QueryParams p, ListenerConfig.Builder b, boolean replaceDefault) {
    List<QueryParams> certs = p.structs("Certificates");
    if (!certs.isEmpty()) {
      if (certs.size() > 1 && replaceDefault) {
        throw ApiException.validation("Certificates: " + certs.size() + " certificates (expected: one, the default "
            + "certificate; add more with AddListenerCertificates)");
      }
      b.certificate(state.certificate("Certificates.member.1.CertificateArn", certs.get(0).required("CertificateArn")));
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

  static void createListener(ElbState state, QueryParams p, Xml out) {
    LbRec l = state.owned(state.loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    Protocol protocol = Protocol.parse("Protocol", p.required("Protocol"));
    int port = p.integer("Port", 1, 65535).orElseThrow(() -> ApiException.missing("Port"));
    ListenerConfig.Builder b = ListenerConfig.builder(protocol, port).forwardTo(forwardTarget(state, p));
    applyTls(state, p, b, true);
    Map<String, String> tags = p.keyValues("Tags", "DuplicateTagKeys");
    ElbState.checkTags("Tags", tags);
    Listener listener = l.lb.createListener(b.build());
    String id = state.newId();
    LnRec rec = new LnRec(id, state.arns.listener(l.lb.name(), l.id, id), l, listener, new LinkedHashMap<>(tags), false);
    state.listeners.put(rec.arn, rec);
    out.start("Listeners");
    writeListener(state, out.start("member"), rec);
    out.end();
  }

  private static void writeListener(ElbState state, Xml out, LnRec r) {
    ListenerConfig c = r.listener.config();
    out.text("ListenerArn", r.arn).text("LoadBalancerArn", r.lb.arn).text("Port", c.port()).text("Protocol", c.protocol().name());
    if (c.certificate().isPresent()) {
      out.start("Certificates").start("member").text("CertificateArn", state.certificateArn(c.certificate().get())).end().end();
    }
    c.sslPolicy().ifPresent(s -> out.text("SslPolicy", s));
    TgRec tg = state.targetGroupByName(c.targetGroup());
    String tgArn = tg == null ? c.targetGroup() : tg.arn;
    out.start("DefaultActions").start("member").text("Type", "forward").text("TargetGroupArn", tgArn)
        .start("ForwardConfig").start("TargetGroups").start("member").text("TargetGroupArn", tgArn).text("Weight", 1)
        .end().end().end().end().end();
    if (c.protocol() == Protocol.TLS) {
      out.start("AlpnPolicy").text("member", c.alpnPolicy().apiName()).end();
    }
    out.end();
  }

  static void describeListeners(ElbState state, QueryParams p, Xml out) {
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
      LbRec l = state.loadBalancer("LoadBalancerArn", lbArn);
      for (LnRec r : state.listeners.values()) {
        if (r.lb == l) {
          all.add(r);
        }
      }
    } else {
      for (String arn : wanted) {
        all.add(state.listener("ListenerArns", arn));
      }
    }
    state.writePage(p, out, "Listeners", all, (member, r) -> writeListener(state, member, r));
  }

  static void modifyListener(ElbState state, QueryParams p, Xml out) {
    LnRec r = state.owned(state.listener("ListenerArn", p.required("ListenerArn")));
    ListenerConfig.Builder b = r.listener.config().toBuilder();
    p.get("Protocol").ifPresent(v -> b.protocol(Protocol.parse("Protocol", v)));
    p.integer("Port", 1, 65535).ifPresent(b::port);
    if (!p.structs("DefaultActions").isEmpty()) {
      b.forwardTo(forwardTarget(state, p));
    }
    applyTls(state, p, b, true);
    r.listener.modify(b.build());
    out.start("Listeners");
    writeListener(state, out.start("member"), r);
    out.end();
  }

  static void deleteListener(ElbState state, QueryParams p, Xml out) {
    LnRec r = state.owned(state.listener("ListenerArn", p.required("ListenerArn")));
    r.listener.delete();
    state.listeners.remove(r.arn);
  }

  static void describeListenerAttributes(ElbState state, QueryParams p, Xml out) {
    LnRec r = state.listener("ListenerArn", p.required("ListenerArn"));
    ElbState.writeAttributes(out, r.listener.config().attributes().asMap());
  }

  static void modifyListenerAttributes(ElbState state, QueryParams p, Xml out) {
    LnRec r = state.owned(state.listener("ListenerArn", p.required("ListenerArn")));
    ListenerConfig.Builder b = r.listener.config().toBuilder();
    ElbState.attributes(p).forEach(b::attribute);
    r.listener.modify(b.build());
    ElbState.writeAttributes(out, r.listener.config().attributes().asMap());
  }

  private static List<ServerCertificate> certificates(ElbState state, QueryParams p) {
    List<QueryParams> given = p.structs("Certificates");
    if (given.isEmpty()) {
      throw ApiException.missing("Certificates");
    }
    List<ServerCertificate> out = new ArrayList<>();
    int i = 1;
    for (QueryParams c : given) {
      out.add(state.certificate("Certificates.member." + i++ + ".CertificateArn", c.required("CertificateArn")));
    }
    return out;
  }

  static void addListenerCertificates(ElbState state, QueryParams p, Xml out) {
    LnRec r = state.owned(state.listener("ListenerArn", p.required("ListenerArn")));
    List<ServerCertificate> certs = certificates(state, p);
    r.listener.addCertificates(certs.toArray(new ServerCertificate[0]));
    out.start("Certificates");
    for (ServerCertificate c : certs) {
      out.start("member").text("CertificateArn", state.certificateArn(c)).text("IsDefault", false).end();
    }
    out.end();
  }

  static void removeListenerCertificates(ElbState state, QueryParams p, Xml out) {
    LnRec r = state.owned(state.listener("ListenerArn", p.required("ListenerArn")));
    r.listener.removeCertificates(certificates(state, p).toArray(new ServerCertificate[0]));
  }

  static void describeListenerCertificates(ElbState state, QueryParams p, Xml out) {
    LnRec r = state.listener("ListenerArn", p.required("ListenerArn"));
    ListenerConfig c = r.listener.config();
    List<Map.Entry<ServerCertificate, Boolean>> all = new ArrayList<>();
    c.certificate().ifPresent(d -> all.add(Map.entry(d, true)));
    c.certificates().forEach(x -> all.add(Map.entry(x, false)));
    state.writePage(p, out, "Certificates", all,
        (member, e) -> member.text("CertificateArn", state.certificateArn(e.getKey())).text("IsDefault", e.getValue()).end());
  }
}
