package io.nlb.core.routing;

import io.nlb.common.Problems;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The identity of one flow: protocol, source address and port, destination address and port,
 * and for TCP the per-connection sequence nonce. A validated value that computes the same {@link
 * FlowHash} the transport computes, for tests and for the what-if API ("which target would this
 * client reach?").
 *
 * <pre>{@code
 * FlowKey key = FlowKey.tcp(
 *     new InetSocketAddress("192.0.2.10", 51514), new InetSocketAddress("10.0.0.1", 443), 7);
 * long h = key.hash(seed);           // == FlowHash.ipv4(seed, TCP, ..., 7)
 * long sticky = key.sourceHash(seed); // same for every connection of 192.0.2.10
 * }</pre>
 *
 * <h2>Address families</h2>
 *
 * <p>Source and destination must be of one family; {@link #hash} uses {@link FlowHash#ipv4} for
 * IPv4 and {@link FlowHash#ipv6} for IPv6. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d},
 * as a dual-stack socket reports IPv4 peers) is normalized to its IPv4 address when the key is
 * made, so a client hashes the same whichever way its socket reports it; {@link #srcAddress()} and
 * {@link #dstAddress()} return the normalized addresses. Other IPv6 forms that embed IPv4
 * (IPv4-compatible, NAT64) stay IPv6. The scope id of an IPv6 address does not enter the hash.
 *
 * <p>Two keys are equal when they have the same protocol, addresses (normalized, scope ids
 * ignored), ports and sequence, that is when they hash alike under every seed.
 *
 * <p>Immutable and thread-safe. {@link #hash} and {@link #sourceHash} do not allocate.
 *
 * @since 0.1
 */
public final class FlowKey {
  private final IpProtocol protocol;
  private final InetAddress srcAddress;
  private final int srcPort;
  private final InetAddress dstAddress;
  private final int dstPort;
  private final int sequence;

  // Cached wire forms, so that hashing neither allocates nor re-reads the InetAddress.
  private final boolean ipv4;
  private final int src4;
  private final int dst4;
  private final byte[] src16;
  private final byte[] dst16;

  private FlowKey(IpProtocol protocol, InetAddress srcAddress, int srcPort, InetAddress dstAddress, int dstPort, int sequence) {
    this.protocol = protocol;
    this.srcAddress = normalize(srcAddress);
    this.srcPort = port("srcPort", srcPort);
    this.dstAddress = normalize(dstAddress);
    this.dstPort = port("dstPort", dstPort);
    if (protocol == IpProtocol.UDP && sequence != 0) {
      throw Problems.invalid("sequence", sequence, "0 for UDP, whose flows have no sequence");
    }
    this.sequence = sequence;
    byte[] src = this.srcAddress.getAddress();
    byte[] dst = this.dstAddress.getAddress();
    if (src.length != dst.length) {
      throw Problems.invalid(
          "dstAddress",
          Problems.raw(this.dstAddress.getHostAddress()),
          "an "
              + (src.length == 4 ? "IPv4" : "IPv6")
              + " address, the family of srcAddress "
              + this.srcAddress.getHostAddress());
    }
    this.ipv4 = src.length == 4;
    this.src4 = ipv4 ? toInt(src) : 0;
    this.dst4 = ipv4 ? toInt(dst) : 0;
    this.src16 = ipv4 ? new byte[0] : src;
    this.dst16 = ipv4 ? new byte[0] : dst;
  }

  /**
   * {@return a TCP flow}
   *
   * @param src the client's address and port; must be resolved
   * @param dst the listener's address and port; must be resolved, of the family of {@code src}
   * @param sequence the connection's sequence nonce (any 32-bit value)
   * @throws IllegalArgumentException if an address is unresolved or the families differ
   */
  public static FlowKey tcp(InetSocketAddress src, InetSocketAddress dst, int sequence) {
    return new FlowKey(
        IpProtocol.TCP,
        resolved("src", src),
        src.getPort(),
        resolved("dst", dst),
        dst.getPort(),
        sequence);
  }

  /**
   * {@return a UDP flow (sequence 0: every datagram of the 5-tuple is one flow)}
   *
   * @param src the client's address and port; must be resolved
   * @param dst the listener's address and port; must be resolved, of the family of {@code src}
   * @throws IllegalArgumentException if an address is unresolved or the families differ
   */
  public static FlowKey udp(InetSocketAddress src, InetSocketAddress dst) {
    return new FlowKey(
        IpProtocol.UDP,
        resolved("src", src),
        src.getPort(),
        resolved("dst", dst),
        dst.getPort(),
        0);
  }

  /**
   * {@return a flow from its parts}
   *
   * @param sequence the TCP sequence nonce; must be 0 for UDP
   * @param protocol the protocol
   * @param srcAddress the src address
   * @param srcPort the src port
   * @param dstAddress the dst address
   * @param dstPort the dst port
   * @throws IllegalArgumentException if a port is outside 0-65535, the families differ, or a UDP
   *     key has a non-zero sequence
   */
  public static FlowKey of(IpProtocol protocol, InetAddress srcAddress, int srcPort, InetAddress dstAddress, int dstPort,
      int sequence) {
    return new FlowKey(protocol, srcAddress, srcPort, dstAddress, dstPort, sequence);
  }

  /** {@return the transport protocol} */
  public IpProtocol protocol() {
    return protocol;
  }

  /** {@return the source (client) address, IPv4-mapped addresses normalized to IPv4} */
  public InetAddress srcAddress() {
    return srcAddress;
  }

  /** {@return the source port, 0-65535} */
  public int srcPort() {
    return srcPort;
  }

  /** {@return the destination (listener) address, IPv4-mapped addresses normalized to IPv4} */
  public InetAddress dstAddress() {
    return dstAddress;
  }

  /** {@return the destination port, 0-65535} */
  public int dstPort() {
    return dstPort;
  }

  /** {@return the TCP sequence nonce; always 0 for UDP} */
  public int sequence() {
    return sequence;
  }

  /** {@return whether both addresses are IPv4 (after normalizing IPv4-mapped addresses)} */
  public boolean isIpv4() {
    return ipv4;
  }

  /**
   * {@return the flow hash, as {@link FlowHash#ipv4} or {@link FlowHash#ipv6} compute it}
   *
   * @param seed the hash seed
   */
  public long hash(long seed) {
    if (ipv4) {
      return FlowHash.ipv4(seed, protocol, src4, srcPort, dst4, dstPort, sequence);
    }
    return FlowHash.ipv6(seed, protocol, src16, srcPort, dst16, dstPort, sequence);
  }

  /**
   * {@return the source hash for {@code source_ip} stickiness, as {@link FlowHash#sourceIpv4} or {@link
   * FlowHash#sourceIpv6} compute it: protocol and source address only}
   *
   * @param seed the hash seed
   */
  public long sourceHash(long seed) {
    if (ipv4) {
      return FlowHash.sourceIpv4(seed, protocol, src4);
    }
    return FlowHash.sourceIpv6(seed, protocol, src16);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof FlowKey)) {
      return false;
    }
    FlowKey k = (FlowKey) o;
    return protocol == k.protocol
        && srcPort == k.srcPort
        && dstPort == k.dstPort
        && sequence == k.sequence
        && ipv4 == k.ipv4
        && src4 == k.src4
        && dst4 == k.dst4
        && Arrays.equals(src16, k.src16)
        && Arrays.equals(dst16, k.dst16);
  }

  @Override
  public int hashCode() {
    int h = protocol.hashCode();
    h = 31 * h + (ipv4 ? src4 : Arrays.hashCode(src16));
    h = 31 * h + srcPort;
    h = 31 * h + (ipv4 ? dst4 : Arrays.hashCode(dst16));
    h = 31 * h + dstPort;
    return 31 * h + sequence;
  }

  /**
   * For example {@code TCP 192.0.2.10:51514 -> 10.0.0.1:443 sequence=7}, {@code UDP
   * [2001:db8:0:0:0:0:0:1]:53 -> [2001:db8:0:0:0:0:0:2]:53}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(64).append(protocol).append(' ');
    appendEndpoint(sb, srcAddress, srcPort).append(" -> ");
    appendEndpoint(sb, dstAddress, dstPort);
    if (protocol == IpProtocol.TCP) {
      sb.append(" sequence=").append(Integer.toUnsignedString(sequence));
    }
    return sb.toString();
  }

  private static StringBuilder appendEndpoint(StringBuilder sb, InetAddress a, int port) {
    String host = hostAddress(a);
    if (a instanceof Inet6Address) {
      sb.append('[').append(host).append(']');
    } else {
      sb.append(host);
    }
    return sb.append(':').append(port);
  }

  /** The literal address without a scope id, which the hash ignores too. */
  private static String hostAddress(InetAddress a) {
    String s = a.getHostAddress();
    int percent = s.indexOf('%');
    return percent < 0 ? s : s.substring(0, percent);
  }

  private static InetAddress resolved(String field, InetSocketAddress address) {
    @Nullable InetAddress a = address.getAddress();
    if (a == null || address.isUnresolved()) {
      throw Problems.invalid(
          field, Problems.raw(address.getHostString() + ":" + address.getPort()), "a resolved address");
    }
    return a;
  }

  private static int port(String field, int port) {
    return Problems.range(field, port, 0, 65535);
  }

  private static InetAddress normalize(InetAddress a) {
    if (a instanceof Inet4Address) {
      return a;
    }
    byte[] b = a.getAddress();
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return a;
      }
    }
    if (b[10] != (byte) 0xFF || b[11] != (byte) 0xFF) {
      return a;
    }
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
    } catch (UnknownHostException e) {
      throw new AssertionError("4 bytes are always a valid IPv4 address", e);
    }
  }

  private static int toInt(byte[] b) {
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }
}
