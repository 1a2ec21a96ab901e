package io.nlb.core.routing;

import io.nlb.common.Problems;
import io.nlb.core.internal.XxHash64;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Seeded 64-bit flow hashes: the number that target selection turns into a target. The transport
 * computes one per new TCP connection or new UDP flow and hands it to the routing snapshot.
 *
 * <h2>What is hashed</h2>
 *
 * <p>A flow hash ({@link #ipv4}, {@link #ipv6}) covers the protocol, both addresses and both
 * ports, and for TCP a 32-bit sequence nonce that the caller picks per connection (the client's
 * initial sequence number, say), so that two connections from one client port reused later may
 * land on different targets. UDP has no connections: its hash covers the 5-tuple only, the {@code
 * sequence} argument is ignored (pass 0), and every datagram of one UDP flow hashes the same.
 *
 * <p>A source hash ({@link #sourceIpv4}, {@link #sourceIpv6}) covers the protocol and the source
 * address only: the key of {@code stickiness.type = source_ip}, so that one client reaches the same
 * target over all its connections, and on every load balancer node that uses the same seed.
 *
 * <h2>Byte layout</h2>
 *
 * <p>The hash is XXH64 (xxHash, 64-bit) with the given seed over the bytes below. The layout is
 * part of the contract: changing it moves flows, and tests pin golden values. It is given as
 * 64-bit words and one 32-bit word, each written little-endian, in this order. Ports enter as
 * their low 16 bits. IPv4 addresses are {@code int}s holding the address in network order, so
 * {@code 10.0.0.1} is {@code 0x0A000001}. An IPv6 address's 16 bytes (network order) enter as two
 * words, {@code hi} being bytes 0-7 and {@code lo} bytes 8-15, each read big-endian.
 *
 * <pre>
 * ipv4 flow    (16 bytes, TCP 20)
 *   word 0 = 0x04 | protocol &lt;&lt; 8 | srcPort &lt;&lt; 16 | dstPort &lt;&lt; 32
 *   word 1 = srcAddr (unsigned) | dstAddr &lt;&lt; 32
 *   int  2 = sequence                                          (TCP only)
 *
 * ipv6 flow    (40 bytes, TCP 44)
 *   word 0 = 0x06 | protocol &lt;&lt; 8 | srcPort &lt;&lt; 16 | dstPort &lt;&lt; 32
 *   word 1 = src.hi,  word 2 = src.lo
 *   word 3 = dst.hi,  word 4 = dst.lo
 *   int  5 = sequence                                          (TCP only)
 *
 * source ipv4  (8 bytes)
 *   word 0 = 0x14 | protocol &lt;&lt; 8 | srcAddr (unsigned) &lt;&lt; 32
 *
 * source ipv6  (24 bytes)
 *   word 0 = 0x16 | protocol &lt;&lt; 8
 *   word 1 = src.hi,  word 2 = src.lo
 * </pre>
 *
 * <p>{@code protocol} is {@link IpProtocol#number()}. The first byte, the family tag, keeps the
 * four kinds of key apart. In bytes, the IPv4 TCP flow {@code 10.0.0.1:1234 -> 10.0.0.2:80}, sequence
 * 7, is {@code 04 06 d2 04 50 00 00 00 | 01 00 00 0a 02 00 00 0a | 07 00 00 00}.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * long h = FlowHash.ipv4(seed, IpProtocol.TCP, clientAddr, clientPort, listenerAddr, 443, isn);
 * int target = selector.select(h);
 * }</pre>
 *
 * <p>Stateless and thread-safe. No method allocates, so the transport can call them per
 * connection or per datagram. {@link FlowKey} is the allocating, validating equivalent for tests
 * and the what-if API.
 *
 * @since 0.1
 */
public final class FlowHash {
  private static final long TAG_FLOW_IPV4 = 0x04;
  private static final long TAG_FLOW_IPV6 = 0x06;
  private static final long TAG_SOURCE_IPV4 = 0x14;
  private static final long TAG_SOURCE_IPV6 = 0x16;

  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private FlowHash() {}

  /**
   * {@return the flow hash of an IPv4 flow}
   *
   * @param seed the hash seed; flows of one load balancer use one seed
   * @param p the transport protocol
   * @param srcAddr the source (client) address, network order ({@code 10.0.0.1 = 0x0A000001})
   * @param srcPort the source port, 0-65535 (only the low 16 bits are used)
   * @param dstAddr the destination (listener) address, network order
   * @param dstPort the destination port, 0-65535 (only the low 16 bits are used)
   * @param sequence the connection's nonce for TCP; ignored for UDP (pass 0)
   */
  public static long ipv4(
      long seed, IpProtocol p, int srcAddr, int srcPort, int dstAddr, int dstPort, int sequence) {
    long w0 = header(TAG_FLOW_IPV4, p, srcPort, dstPort);
    long w1 = (srcAddr & 0xFFFF_FFFFL) | ((long) dstAddr << 32);
    if (p == IpProtocol.TCP) {
      long h = XxHash64.shortStart(seed, 20);
      h = XxHash64.mixLong(h, w0);
      h = XxHash64.mixLong(h, w1);
      return XxHash64.avalanche(XxHash64.mixInt(h, sequence));
    }
    long h = XxHash64.shortStart(seed, 16);
    h = XxHash64.mixLong(h, w0);
    return XxHash64.avalanche(XxHash64.mixLong(h, w1));
  }

  /**
   * {@return the flow hash of an IPv6 flow}
   *
   * @param seed the hash seed; flows of one load balancer use one seed
   * @param p the transport protocol
   * @param src16 the 16 bytes of the source address, network order; not modified, not retained
   * @param srcPort the source port, 0-65535 (only the low 16 bits are used)
   * @param dst16 the 16 bytes of the destination address, network order
   * @param dstPort the destination port, 0-65535 (only the low 16 bits are used)
   * @param sequence the connection's nonce for TCP; ignored for UDP (pass 0)
   * @throws IllegalArgumentException if an address array is not 16 bytes long
   */
  public static long ipv6(
      long seed,
      IpProtocol p,
      byte[] src16,
      int srcPort,
      byte[] dst16,
      int dstPort,
      int sequence) {
    checkIpv6("src16", src16);
    checkIpv6("dst16", dst16);
    long w0 = header(TAG_FLOW_IPV6, p, srcPort, dstPort);
    boolean tcp = p == IpProtocol.TCP;
    long h = XxHash64.stripeStart(seed, w0, hi(src16), lo(src16), hi(dst16), tcp ? 44 : 40);
    h = XxHash64.mixLong(h, lo(dst16));
    if (tcp) {
      h = XxHash64.mixInt(h, sequence);
    }
    return XxHash64.avalanche(h);
  }

  /**
   * {@return the source hash of an IPv4 client, for {@code source_ip} stickiness: ports and sequence do
   * not enter, so every connection of the client hashes the same}
   *
   * @param srcAddr the source (client) address, network order
   * @param seed the hash seed
   * @param p the IP protocol
   */
  public static long sourceIpv4(long seed, IpProtocol p, int srcAddr) {
    long w0 = TAG_SOURCE_IPV4 | ((long) p.number() << 8) | ((long) srcAddr << 32);
    return XxHash64.avalanche(XxHash64.mixLong(XxHash64.shortStart(seed, 8), w0));
  }

  /**
   * {@return the source hash of an IPv6 client, for {@code source_ip} stickiness}
   *
   * @param src16 the 16 bytes of the source address, network order; not modified, not retained
   * @param seed the hash seed
   * @param p the IP protocol
   * @throws IllegalArgumentException if {@code src16} is not 16 bytes long
   */
  public static long sourceIpv6(long seed, IpProtocol p, byte[] src16) {
    checkIpv6("src16", src16);
    long h = XxHash64.shortStart(seed, 24);
    h = XxHash64.mixLong(h, TAG_SOURCE_IPV6 | ((long) p.number() << 8));
    h = XxHash64.mixLong(h, hi(src16));
    return XxHash64.avalanche(XxHash64.mixLong(h, lo(src16)));
  }

  private static long header(long tag, IpProtocol p, int srcPort, int dstPort) {
    return tag
        | ((long) p.number() << 8)
        | ((long) (srcPort & 0xFFFF) << 16)
        | ((long) (dstPort & 0xFFFF) << 32);
  }

  private static long hi(byte[] addr16) {
    return (long) BIG_ENDIAN_LONG.get(addr16, 0);
  }

  private static long lo(byte[] addr16) {
    return (long) BIG_ENDIAN_LONG.get(addr16, 8);
  }

  private static void checkIpv6(String field, byte[] addr) {
    if (addr.length != 16) {
      throw Problems.invalid(field + ".length", addr.length, "16");
    }
  }
}
