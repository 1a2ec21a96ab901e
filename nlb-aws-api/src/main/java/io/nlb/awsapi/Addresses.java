package io.nlb.awsapi;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address literals, parsed without DNS. */
final class Addresses {
  private Addresses() {}

  static InetAddress literal(String field, String value) {
    String v = value.trim();
    boolean looksLiteral = !v.isEmpty() && (v.indexOf(':') >= 0 || v.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    if (looksLiteral) {
      try {
        return InetAddress.getByName(v);
      } catch (UnknownHostException e) {
        // fall through
      }
    }
    throw new IllegalArgumentException(field + ": " + value + " (expected: an IPv4 or IPv6 address literal)");
  }
}
