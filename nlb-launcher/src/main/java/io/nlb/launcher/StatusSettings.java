package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The optional top-level {@code status} key of the launcher's file: where the read-only status
 * page ({@link StatusServer}) listens.
 *
 * <pre>{@code
 * status: {port: 8081}                     # 127.0.0.1:8081
 * status: {port: 8081, address: 10.0.0.5}  # an explicit address
 * }</pre>
 *
 * <p>Absent means no status page. Immutable.
 *
 * @param address the address to bind, {@code 127.0.0.1} unless given
 * @param port 0-65535; 0 picks an ephemeral port
 */
public record StatusSettings(InetAddress address, int port) {
  private static final Set<String> KEYS = ConfigKeys.STATUS.names();

  /**
   * Parses the {@code status} node; adds one line per problem to {@code problems}.
   *
   * @return the settings, or {@code null} when the key is absent or has problems
   */
  static @Nullable StatusSettings parse(@Nullable JsonNode node, List<String> problems) {
    if (node == null || node.isNull()) {
      return null;
    }
    int before = problems.size();
    if (!ConfigParser.mapping("status", node, KEYS, "a mapping such as {port: 8081}", problems)) {
      return null;
    }
    JsonNode portNode = node.get("port");
    int port = -1;
    if (portNode == null || portNode.isNull()) {
      problems.add("status.port: missing (expected: a value)");
    } else if (!portNode.isValueNode()) {
      problems.add("status.port: " + portNode.getNodeType() + " (expected: a single value)");
    } else {
      String t = portNode.asText().trim();
      try {
        port = Integer.parseInt(t);
        if (port < 0 || port > 65535) {
          problems.add("status.port: " + port + " (expected: 0-65535)");
        }
      } catch (NumberFormatException e) {
        problems.add("status.port: \"" + t + "\" (expected: a whole number)");
      }
    }
    InetAddress address = InetAddress.getLoopbackAddress();
    JsonNode addressNode = node.get("address");
    if (addressNode != null && !addressNode.isNull()) {
      String a = addressNode.asText().trim();
      if (!addressNode.isValueNode() || !looksLikeIpLiteral(a)) {
        problems.add("status.address: \"" + a + "\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)");
      } else {
        try {
          address = InetAddress.getByName(a);
        } catch (UnknownHostException e) {
          problems.add("status.address: \"" + a + "\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)");
        }
      }
    }
    return problems.size() > before ? null : new StatusSettings(address, port);
  }

  /** An IPv4 or IPv6 literal, or {@code null}: never a DNS lookup. */
  static @Nullable InetAddress literal(String s) {
    if (!looksLikeIpLiteral(s)) {
      return null;
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Literals only: a host name would make {@code getByName} do a DNS lookup at parse time. */
  private static boolean looksLikeIpLiteral(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || c == '.' || c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return false;
      }
    }
    return s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }
}
