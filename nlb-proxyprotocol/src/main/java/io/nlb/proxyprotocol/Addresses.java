package io.nlb.proxyprotocol;

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
    boolean v4 = src.length == 4 && dst.length == 4;
    switch (transport) {
      case STREAM:
        return v4 ? ProxiedProtocol.TCP4 : ProxiedProtocol.TCP6;
      case DGRAM:
        return v4 ? ProxiedProtocol.UDP4 : ProxiedProtocol.UDP6;
      default:
        throw Problems.invalid("transport", transport, "STREAM or DGRAM");
    }
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
