package io.nlb.core;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address literals without DNS: every address the model accepts is a literal. */
final class Addresses {
  private Addresses() {}

  /**
   * Parses an IPv4 or IPv6 literal. Never resolves names: {@code InetAddress.getByName} would
   * block on DNS for anything that is not a literal, so the text is checked first.
   */
  static InetAddress parseLiteral(String field, String text) {
    String t = text.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    boolean v4 = !t.isEmpty() && t.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
    boolean v6 = t.indexOf(':') >= 0 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    if (v4 && t.chars().filter(c -> c == '.').count() != 3) {
      v4 = false;
    }
    if (!v4 && !v6) {
      throw Check.invalid(field, text, "an IPv4 or IPv6 address literal");
    }
    try {
      InetAddress a = InetAddress.getByName(t);
      if (v4 && !(a instanceof Inet4Address)) {
        throw Check.invalid(field, text, "an IPv4 or IPv6 address literal");
      }
      return a;
    } catch (UnknownHostException e) {
      throw Check.invalid(field, text, "an IPv4 or IPv6 address literal");
    }
  }

  static String toLiteral(byte[] addr) {
    try {
      return toLiteral(InetAddress.getByAddress(addr));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address: " + addr.length + " bytes (expected: 4 or 16)", e);
    }
  }

  static String toLiteral(InetAddress a) {
    return a.getHostAddress();
  }

  static boolean isIpv6(InetAddress a) {
    return a instanceof Inet6Address;
  }
}
