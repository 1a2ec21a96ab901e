package io.nlb.awsapi;

import io.nlb.awsapi.ElbState.LbRec;
import io.nlb.awsapi.ElbState.SubnetUse;
import io.nlb.core.IpAddressType;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Scheme;
import io.nlb.core.Tags;
import io.nlb.core.Zone;
import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The elbv2 actions on load balancers: create, describe and delete, attributes, subnets (with
 * the node address each zone gets), IP address type and security groups.
 *
 * <p>Stateless: each action reads and changes the {@link ElbState} passed in, on the endpoint's one
 * operations thread.
 */
final class LoadBalancerActions {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private LoadBalancerActions() {}

  private static List<SubnetUse> subnetUses(ElbState state, QueryParams p, boolean required) {
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
        Subnet s = state.subnet(id);
        InetAddress address = s.zone().ipv4Address().or(s.zone()::ipv6Address).orElseThrow();
        out.add(new SubnetUse(id, s.zone().name(), address, null));
      }
    } else {
      for (QueryParams m : mappings) {
        Subnet s = state.subnet(m.required("SubnetId"));
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

  static void createLoadBalancer(ElbState state, QueryParams p, Xml out) {
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
    List<SubnetUse> uses = subnetUses(state, p, true);
    LoadBalancerConfig.Builder b = LoadBalancerConfig.builder(name);
    p.get("Scheme").ifPresent(v -> b.scheme(Scheme.parse("Scheme", v)));
    p.get("IpAddressType").ifPresent(v -> b.ipAddressType(IpAddressType.parse("IpAddressType", v)));
    for (SubnetUse u : uses) {
      b.zone(state.zoneOf(u));
    }
    p.keyValues("Tags", "DuplicateTagKeys").forEach(b::tag);
    List<String> groups = p.list("SecurityGroups");
    LoadBalancer lb = state.nlb.createLoadBalancer(b.build());
    String id = state.newId();
    LbRec rec = new LbRec(id, state.arns.loadBalancer(name, id), lb, state.clock.instant(), List.copyOf(uses), List.copyOf(groups), false);
    state.loadBalancers.put(rec.arn, rec);
    out.start("LoadBalancers");
    writeLoadBalancer(state, out.start("member"), rec);
    out.end();
  }

  static String dnsName(ElbState state, LbRec l) {
    return l.lb.name() + "-" + l.id + "." + state.dnsSuffix;
  }

  private static void writeLoadBalancer(ElbState state, Xml out, LbRec l) {
    LoadBalancer lb = l.lb;
    out.text("LoadBalancerArn", l.arn).text("DNSName", dnsName(state, l)).text("CanonicalHostedZoneId", "Z0NLBLOCAL0000")
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

  static void describeLoadBalancers(ElbState state, QueryParams p, Xml out) {
    List<String> wanted = p.list("LoadBalancerArns");
    List<String> names = p.list("Names");
    if (!wanted.isEmpty() && !names.isEmpty()) {
      throw ApiException.validation("LoadBalancerArns, Names: (both given) (expected: at most one of them)");
    }
    List<LbRec> all = ElbState.selected(wanted, arn -> state.loadBalancer("LoadBalancerArns", arn), names, n -> {
      LbRec found = null;
      for (LbRec l : state.loadBalancers.values()) {
        if (l.lb.name().equals(n)) {
          found = l;
        }
      }
      if (found == null) {
        throw ApiException.badRequest("LoadBalancerNotFound", "Load balancers '[" + n + "]' not found");
      }
      return found;
    }, state.loadBalancers.values());
    state.writePage(p, out, "LoadBalancers", all, (member, l) -> writeLoadBalancer(state, member, l));
  }

  static void deleteLoadBalancer(ElbState state, QueryParams p, Xml out) {
    String arn = Arns.check("LoadBalancerArn", p.required("LoadBalancerArn"), Arns.Kind.LOAD_BALANCER);
    LbRec l = state.loadBalancers.get(arn);
    if (l == null) {
      return; // deleting what is not there succeeds, as in the API
    }
    state.owned(l);
    l.lb.delete();
    state.loadBalancers.remove(arn);
    state.listeners.values().removeIf(x -> x.lb == l);
  }

  static void describeLoadBalancerAttributes(ElbState state, QueryParams p, Xml out) {
    LbRec l = state.loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn"));
    ElbState.writeAttributes(out, l.lb.describeAttributes());
  }

  static void modifyLoadBalancerAttributes(ElbState state, QueryParams p, Xml out) {
    LbRec l = state.owned(state.loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    l.lb.modifyAttributes(ElbState.attributes(p));
    ElbState.writeAttributes(out, l.lb.describeAttributes());
  }

  static void setSubnets(ElbState state, QueryParams p, Xml out) {
    LbRec l = state.owned(state.loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    List<SubnetUse> uses = subnetUses(state, p, true);
    List<Zone> zones = new ArrayList<>();
    for (SubnetUse u : uses) {
      zones.add(state.zoneOf(u));
    }
    p.get("IpAddressType").ifPresent(v -> l.lb.setIpAddressType(IpAddressType.parse("IpAddressType", v)));
    l.lb.setZones(zones);
    l.subnets = List.copyOf(uses);
    writeZones(out, l);
    out.text("IpAddressType", l.lb.ipAddressType().apiName());
  }

  static void setIpAddressType(ElbState state, QueryParams p, Xml out) {
    LbRec l = state.owned(state.loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
    l.lb.setIpAddressType(IpAddressType.parse("IpAddressType", p.required("IpAddressType")));
    out.text("IpAddressType", l.lb.ipAddressType().apiName());
  }

  static void setSecurityGroups(ElbState state, QueryParams p, Xml out) {
    LbRec l = state.owned(state.loadBalancer("LoadBalancerArn", p.required("LoadBalancerArn")));
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
}
