package io.nlb.proxyprotocol;

import org.jspecify.annotations.Nullable;

/**
 * Strict parsers for the textual addresses and ports of a version 1 line. They never resolve
 * names (unlike {@code InetAddress.getByName}) and reject what the specification forbids:
 * leading zeros in decimal numbers, empty groups, more than one {@code "::"}.
 */
final class TextAddresses {
  private TextAddresses() {}

  /** Four decimal bytes, {@code "192.0.2.1"}; {@code null} if malformed. */
  static byte @Nullable [] ipv4(String s, int from, int to) {
    byte[] out = new byte[4];
    int i = from;
    for (int part = 0; part < 4; part++) {
      if (part > 0) {
        if (i >= to || s.charAt(i) != '.') {
          return null;
        }
        i++;
      }
      int start = i;
      int v = 0;
      while (i < to && i - start < 4 && isDigit(s.charAt(i))) {
        v = v * 10 + (s.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return null;
      }
      out[part] = (byte) v;
    }
    return i == to ? out : null;
  }

  /**
   * Sixteen bytes from groups of one to four hex digits separated by colons, with at most one
   * {@code "::"} and optionally a dotted IPv4 tail ({@code "::ffff:192.0.2.1"}, as {@code
   * inet_ntop} writes mapped addresses); {@code null} if malformed.
   */
  static byte @Nullable [] ipv6(String s, int from, int to) {
    int[] groups = new int[8];
    int n = 0;
    int gap = -1;
    int i = from;
    if (to - from >= 2 && s.charAt(i) == ':' && s.charAt(i + 1) == ':') {
      gap = 0;
      i += 2;
    } else if (i < to && s.charAt(i) == ':') {
      return null;
    }
    while (i < to) {
      int start = i;
      int v = 0;
      while (i < to && i - start < 5 && hex(s.charAt(i)) >= 0) {
        v = v << 4 | hex(s.charAt(i));
        i++;
      }
      if (i < to && s.charAt(i) == '.') { // a dotted IPv4 tail fills the last two groups
        byte[] v4 = n <= 6 ? ipv4(s, start, to) : null;
        if (v4 == null) {
          return null;
        }
        groups[n++] = (v4[0] & 0xFF) << 8 | (v4[1] & 0xFF);
        groups[n++] = (v4[2] & 0xFF) << 8 | (v4[3] & 0xFF);
        i = to;
        break;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4 || n == 8) {
        return null;
      }
      groups[n++] = v;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = n;
        i++;
      } else if (i == to) {
        return null; // a single trailing colon
      }
    }
    if (gap < 0 ? n != 8 : n > 7) {
      return null;
    }
    byte[] out = new byte[16];
    int tail = gap < 0 ? 0 : n - gap;
    for (int g = 0; g < n; g++) {
      int slot = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
      out[2 * slot] = (byte) (groups[g] >>> 8);
      out[2 * slot + 1] = (byte) groups[g];
    }
    return out;
  }

  /** A decimal port 0-65535 without leading zeros, or -1. */
  static int port(String s, int from, int to) {
    int digits = to - from;
    if (digits < 1 || digits > 5 || (digits > 1 && s.charAt(from) == '0')) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < to; i++) {
      if (!isDigit(s.charAt(i))) {
        return -1;
      }
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v <= 0xFFFF ? v : -1;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
