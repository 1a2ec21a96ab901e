package io.nlb.proxyprotocol;

import io.nlb.common.Problems;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Turning socket addresses into address-block bytes. */
final class Addresses {
  private Addresses() {}

  /** The 4 or 16 address bytes of a resolved socket address. */
  static byte[] bytes(String field, InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      throw Problems.invalid(field, address.toString(), "a resolved address");
    }
    return ip.getAddress();
  }

  /** TCP4/UDP4 if both addresses are IPv4, else TCP6/UDP6 (IPv4 ones then written mapped). */
  static ProxiedProtocol protocol(TransportProtocol transport, byte[] src, byte[] dst) {
    return protocol(transport, src.length == 4 && dst.length == 4);
  }

  static ProxiedProtocol protocol(TransportProtocol transport, boolean v4) {
    switch (transport) {
      case STREAM:
        return v4 ? ProxiedProtocol.TCP4 : ProxiedProtocol.TCP6;
      case DGRAM:
        return v4 ? ProxiedProtocol.UDP4 : ProxiedProtocol.UDP6;
      default:
        throw Problems.invalid("transport", transport, "STREAM or DGRAM");
    }
  }

  // An IP address as a 128-bit value in two longs, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so
  // one code path writes both families: an IPv4 header takes the low 32 bits. Reading the JDK's
  // array copy into primitives at once, in code the JIT inlines, lets escape analysis remove it.

  /** The high 64 bits of the 128-bit form of a 4- or 16-byte address. */
  static long high(byte[] ip) {
    return ip.length == 4 ? 0L : longAt(ip, 0);
  }

  /** The low 64 bits of the 128-bit form of a 4- or 16-byte address. */
  static long low(byte[] ip) {
    if (ip.length == 4) {
      return 0xFFFF_0000_0000L | ((ip[0] & 0xFFL) << 24) | ((ip[1] & 0xFFL) << 16)
          | ((ip[2] & 0xFFL) << 8) | (ip[3] & 0xFFL);
    }
    return longAt(ip, 8);
  }

  private static long longAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[at + i] & 0xFFL);
    }
    return v;
  }

  /** Writes {@code ip} into {@code block} as {@code len} bytes, mapping IPv4 into IPv6. */
  static void put(byte[] block, int at, byte[] ip, int len) {
    if (ip.length == len) {
      System.arraycopy(ip, 0, block, at, len);
    } else {
      // ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2); the first ten bytes stay zero.
      block[at + 10] = (byte) 0xFF;
      block[at + 11] = (byte) 0xFF;
      System.arraycopy(ip, 0, block, at + 12, 4);
    }
  }
}
