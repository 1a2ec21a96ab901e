package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.IpAddressType;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.launcher.LauncherConfig.Group;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code targetGroups} section of the launcher's configuration file: each group with its
 * health check, attributes, tags and targets, through the core builders.
 *
 * <p>Stateless: the {@link ConfigParser} passed in collects the problems of one parse, on one thread.
 */
final class TargetGroupSection {
  private TargetGroupSection() {}

  static @Nullable Group group(ConfigParser parser, String path, JsonNode node) {
    if (!parser.mapping(path, node, ConfigKeys.TARGET_GROUP.names(), "a mapping")) {
      return null;
    }
    String name = parser.text(path + ".name", node.get("name"), true);
    String protocol = parser.text(path + ".protocol", node.get("protocol"), true);
    Integer port = parser.integer(path + ".port", node.get("port"), true);
    int before = parser.problems.size();
    Protocol proto = protocol == null ? null : parser.attempt(path + ".protocol", () -> Protocol.parse("protocol", protocol));
    if (name == null || proto == null || port == null || parser.problems.size() > before) {
      return null;
    }
    TargetGroupConfig.Builder b = parser.attempt(path, () -> TargetGroupConfig.builder(name, proto, port));
    if (b == null) {
      return null;
    }
    parser.optionalText(path, node, "targetType", type -> b.targetType(TargetType.parse("targetType", type)));
    parser.optionalText(path, node, "ipAddressType", ipType -> b.ipAddressType(IpAddressType.parse("ipAddressType", ipType)));
    HealthCheck hc = healthCheck(parser, path + ".healthCheck", node.get("healthCheck"));
    if (hc != null) {
      b.healthCheck(hc);
    }
    parser.entries(path, node, "attributes", b::attribute);
    parser.entries(path, node, "tags", b::tag);
    List<Target> targets = parser.each(path + ".targets", node.get("targets"), (p, n) -> target(parser, p, n));
    TargetGroupConfig config = parser.attempt(path, b::build);
    return config == null ? null : new Group(config, targets);
  }

  static @Nullable Target target(ConfigParser parser, String path, JsonNode node) {
    if (!parser.mapping(path, node, ConfigKeys.TARGET.names(), "a mapping such as {id: 10.0.0.1, port: 80}")) {
      return null;
    }
    String id = parser.text(path + ".id", node.get("id"), true);
    if (id == null) {
      return null;
    }
    String type = parser.text(path + ".type", node.get("type"), false);
    Target t = parser.attempt(path + ".id", () -> {
      if (type != null && type.equalsIgnoreCase("alb")) {
        return Target.alb(id);
      }
      return id.startsWith("i-") ? Target.instance(id) : Target.ip(id);
    });
    if (t == null) {
      return null;
    }
    Integer port = parser.integer(path + ".port", node.get("port"), false);
    if (port != null) {
      Target tp = t;
      t = parser.attempt(path + ".port", () -> tp.withPort(port));
    }
    String zone = parser.text(path + ".zone", node.get("zone"), false);
    if (zone != null && t != null) {
      Target tz = t;
      t = parser.attempt(path + ".zone", () -> tz.withZone(zone));
    }
    return t;
  }

  static @Nullable HealthCheck healthCheck(ConfigParser parser, String path, @Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!parser.mapping(path, node, ConfigKeys.HEALTH_CHECK.names(), "a mapping")) {
      return null;
    }
    HealthCheck.Builder b = HealthCheck.builder();
    parser.optionalText(path, node, "protocol", protocol -> b.protocol(HealthCheckProtocol.parse("protocol", protocol)));
    parser.optionalText(path, node, "port", b::port);
    parser.optionalText(path, node, "path", b::path);
    parser.optionalInteger(path, node, "timeoutSeconds", timeout -> b.timeout(Duration.ofSeconds(timeout)));
    parser.optionalInteger(path, node, "intervalSeconds", interval -> b.interval(Duration.ofSeconds(interval)));
    parser.optionalInteger(path, node, "healthyThreshold", b::healthyThreshold);
    parser.optionalInteger(path, node, "unhealthyThreshold", b::unhealthyThreshold);
    parser.optionalText(path, node, "matcher", b::matcher);
    return b.build();
  }
}
