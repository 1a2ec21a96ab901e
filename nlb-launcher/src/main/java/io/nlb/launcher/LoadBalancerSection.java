package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.core.AlpnPolicy;
import io.nlb.core.IpAddressType;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Scheme;
import io.nlb.core.Zone;
import io.nlb.tls.PemCertificate;
import org.jspecify.annotations.Nullable;

/**
 * The {@code loadBalancers} section of the launcher's configuration file: each load balancer with
 * its zones, attributes, tags and listeners (TLS certificates read and checked now).
 *
 * <p>Stateless: the {@link ConfigParser} passed in collects the problems of one parse, on one thread.
 */
final class LoadBalancerSection {
  private LoadBalancerSection() {}

  static @Nullable LoadBalancerConfig loadBalancer(ConfigParser parser, String path, JsonNode node) {
    LoadBalancerConfig.Builder b = parser.named(path, node, ConfigKeys.LOAD_BALANCER.names(), "a mapping", LoadBalancerConfig::builder);
    if (b == null) {
      return null;
    }
    parser.optionalText(path, node, "scheme", scheme -> b.scheme(Scheme.parse("scheme", scheme)));
    parser.optionalText(path, node, "ipAddressType", ipType -> b.ipAddressType(IpAddressType.parse("ipAddressType", ipType)));
    parser.each(path + ".zones", node.get("zones"), (p, n) -> zone(parser, p, n)).forEach(b::zone);
    // The access-log directory is a file path: it resolves against the configuration file's directory.
    parser.entries(path, node, "attributes",
        (k, v) -> b.attribute(k, k.equals("access_logs.s3.bucket") && !v.isEmpty() ? parser.baseDir.resolve(v).toString() : v));
    parser.entries(path, node, "tags", b::tag);
    parser.each(path + ".listeners", node.get("listeners"), (p, n) -> listener(parser, p, n)).forEach(b::listener);
    return parser.attempt(path, b::build);
  }

  static @Nullable Zone zone(ConfigParser parser, String path, JsonNode node) {
    Zone.Builder b = parser.named(path, node, ConfigKeys.ZONE.names(), "a mapping such as {name: zone-a, addresses: [127.0.0.1]}",
        Zone::builder);
    if (b == null) {
      return null;
    }
    parser.eachText(path + ".addresses", node.get("addresses"), b::address);
    parser.eachText(path + ".targetRanges", node.get("targetRanges"), b::targetRange);
    return parser.attempt(path, b::build);
  }

  static @Nullable ListenerConfig listener(ConfigParser parser, String path, JsonNode node) {
    if (!parser.mapping(path, node, ConfigKeys.LISTENER.names(), "a mapping such as {protocol: TCP, port: 80, targetGroup: web}")) {
      return null;
    }
    String protocol = parser.text(path + ".protocol", node.get("protocol"), true);
    Integer port = parser.integer(path + ".port", node.get("port"), true);
    String tg = parser.text(path + ".targetGroup", node.get("targetGroup"), true);
    if (tg != null && !parser.groupNames.contains(tg)) {
      parser.problems.add(path + ".targetGroup: \"" + tg + "\" (expected: the name of a target group under targetGroups"
          + (parser.groupNames.isEmpty() ? "; the file defines none" : ", one of " + parser.groupNames) + ")");
    }
    Protocol proto = protocol == null ? null : parser.attempt(path + ".protocol", () -> Protocol.parse("protocol", protocol));
    if (proto == null || port == null || tg == null) {
      return null;
    }
    ListenerConfig.Builder b = parser.attempt(path + ".port", () -> ListenerConfig.builder(proto, port));
    if (b == null) {
      return null;
    }
    parser.attempt(path + ".targetGroup", () -> b.forwardTo(tg));
    parser.entries(path, node, "attributes", b::attribute);
    parser.optionalText(path, node, "alpnPolicy", alpn -> b.alpnPolicy(AlpnPolicy.parse("alpnPolicy", alpn)));
    parser.optionalText(path, node, "sslPolicy", b::sslPolicy);
    parser.optionalText(path, node, "vpcEndpointId", b::vpcEndpointId);
    int beforeCertificates = parser.problems.size();
    JsonNode certNode = node.get("certificate");
    if (certNode != null && !certNode.isNull()) {
      PemCertificate cert = parser.certificate(path + ".certificate", certNode);
      if (cert != null) {
        b.certificate(cert);
      }
    }
    parser.each(path + ".certificates", node.get("certificates"), parser::certificate).forEach(b::addCertificate);
    if (parser.problems.size() > beforeCertificates) {
      return null; // a certificate was refused; "no default certificate" would only repeat it
    }
    return parser.attempt(path, b::build);
  }
}
