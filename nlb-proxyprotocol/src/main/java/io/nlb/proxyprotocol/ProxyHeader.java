package io.nlb.proxyprotocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.nlb.common.Problems;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One PROXY protocol header: what a {@link ProxyHeaderParser} decodes and what a {@link
 * ProxyV2Encoder} can encode.
 *
 * <p>The addresses are kept as the binary address block of a version 2 header (a version 1 line
 * is converted to it), so {@link #addressBlock()} is available for every family, including UNIX
 * sockets and blocks the receiver should ignore; {@link #source()} and {@link #destination()}
 * give the IP endpoints of a {@code PROXY} header over IPv4 or IPv6. Every TLV is kept raw in
 * {@link #tlvs()}, in wire order and whatever its type; the typed accessors ({@link #alpn()},
 * {@link #authority()}, {@link #uniqueId()}, {@link #ssl()}, {@link #netns()}, {@link
 * #vpcEndpointId()}) read the first TLV of their type.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * ProxyHeader header = ProxyHeaders.read(in).first();
 * if (header.command() == ProxyCommand.PROXY) {
 *   InetSocketAddress client = header.source();      // null for UNSPEC and UNIX
 *   String vpce = header.vpcEndpointId();             // null without the AWS TLV
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyHeader {
  private static final ProxyHeader LOCAL = new ProxyHeader(ProxyVersion.V2, ProxyCommand.LOCAL,
      ProxiedProtocol.UNSPEC, new byte[0], ProxyTlvBlock.empty(), Crc32cStatus.NONE);

  private final ProxyVersion version;
  private final ProxyCommand command;
  private final ProxiedProtocol protocol;
  private final byte[] addressBlock;
  private final ProxyTlvBlock tlvs;
  private final Crc32cStatus crc32c;
  private final @Nullable InetSocketAddress source;
  private final @Nullable InetSocketAddress destination;

  ProxyHeader(ProxyVersion version, ProxyCommand command, ProxiedProtocol protocol,
      byte[] addressBlock, ProxyTlvBlock tlvs, Crc32cStatus crc32c) {
    this.version = version;
    this.command = command;
    this.protocol = protocol;
    this.addressBlock = addressBlock;
    this.tlvs = tlvs;
    this.crc32c = crc32c;
    if (command == ProxyCommand.PROXY && protocol.isInet()) {
      int len = protocol.family().addressLength();
      int ports = 2 * len;
      this.source = socketAddress(addressBlock, 0, len, ports);
      this.destination = socketAddress(addressBlock, len, len, ports + 2);
    } else {
      this.source = null;
      this.destination = null;
    }
  }

  /** {@return a {@code LOCAL} header without address or TLV, as sent on health-check connections} */
  public static ProxyHeader local() {
    return LOCAL;
  }

  /** {@return a {@code PROXY} header for an unknown or unsupported protocol: {@code UNSPEC}, no address} */
  public static ProxyHeader unspec() {
    return new ProxyHeader(ProxyVersion.V2, ProxyCommand.PROXY, ProxiedProtocol.UNSPEC,
        new byte[0], ProxyTlvBlock.empty(), Crc32cStatus.NONE);
  }

  /**
   * {@return a {@code PROXY} header for a relayed TCP ({@code STREAM}) or UDP ({@code DGRAM}) flow} If one
   * address is IPv4 and the other IPv6, the IPv4 one is written as IPv4-mapped IPv6.
   *
   * @param transport the transport protocol
   * @param source the source (client) address
   * @param destination the destination address (what the client connected to)
   * @throws IllegalArgumentException if {@code transport} is {@code UNSPEC} or an address is
   *     unresolved
   */
  public static ProxyHeader proxy(TransportProtocol transport, InetSocketAddress source,
      InetSocketAddress destination) {
    byte[] src = Addresses.bytes("source", source);
    byte[] dst = Addresses.bytes("destination", destination);
    ProxiedProtocol protocol = Addresses.protocol(transport, src, dst);
    int len = protocol.family().addressLength();
    byte[] block = new byte[protocol.addressBlockLength()];
    Addresses.put(block, 0, src, len);
    Addresses.put(block, len, dst, len);
    int p = 2 * len;
    block[p] = (byte) (source.getPort() >>> 8);
    block[p + 1] = (byte) source.getPort();
    block[p + 2] = (byte) (destination.getPort() >>> 8);
    block[p + 3] = (byte) destination.getPort();
    return new ProxyHeader(ProxyVersion.V2, ProxyCommand.PROXY, protocol, block,
        ProxyTlvBlock.empty(), Crc32cStatus.NONE);
  }

  /**
   * {@return a version 2 header from raw parts, for families without a typed factory (UNIX sockets) and
   * for re-encoding what was received}
   *
   * @param addressBlock the bytes between the 16-byte fixed part and the TLVs; its length must be
   *     {@code protocol.addressBlockLength()}
   * @param command the command
   * @param protocol the protocol
   * @param tlvs the TLVs, in order
   * @throws IllegalArgumentException if the address block has the wrong length
   */
  public static ProxyHeader of(ProxyCommand command, ProxiedProtocol protocol,
      byte[] addressBlock, List<ProxyTlv> tlvs) {
    if (addressBlock.length != protocol.addressBlockLength()) {
      throw Problems.invalid("addressBlock.length", addressBlock.length,
          protocol.addressBlockLength() + " for " + protocol);
    }
    return new ProxyHeader(ProxyVersion.V2, command, protocol, addressBlock.clone(),
        ProxyTlvBlock.of(tlvs), Crc32cStatus.NONE);
  }

  /**
   * {@return this header with {@code tlvs} instead of its TLVs}
   *
   * @param tlvs the TLVs, in order
   */
  public ProxyHeader withTlvs(List<ProxyTlv> tlvs) {
    return new ProxyHeader(version, command, protocol, addressBlock, ProxyTlvBlock.of(tlvs),
        crc32c);
  }

  /**
   * {@return this header with {@code tlvs} instead of its TLVs}
   *
   * @param tlvs the TLVs, in order
   */
  public ProxyHeader withTlvs(ProxyTlv... tlvs) {
    return withTlvs(Arrays.asList(tlvs));
  }

  /** {@return the version the header was received in; {@code V2} for headers built here} */
  public ProxyVersion version() {
    return version;
  }

  /** {@return {@code PROXY} for a relayed connection, {@code LOCAL} for one the proxy opened itself} */
  public ProxyCommand command() {
    return command;
  }

  /** {@return the address family and transport} */
  public ProxiedProtocol protocol() {
    return protocol;
  }

  /** {@return the address family; {@code protocol().family()}} */
  public AddressFamily family() {
    return protocol.family();
  }

  /** {@return the transport; {@code protocol().transport()}} */
  public TransportProtocol transport() {
    return protocol.transport();
  }

  /**
   * {@return the client's address and port for a {@code PROXY} header over IPv4 or IPv6, otherwise
   * {@code null} (for {@code LOCAL} the receiver must use the real connection endpoints)} An
   * IPv4-mapped IPv6 address is returned as an {@link Inet4Address}.
   */
  public @Nullable InetSocketAddress source() {
    return source;
  }

  /** {@return the address and port the client connected to; {@code null} as for {@link #source()}} */
  public @Nullable InetSocketAddress destination() {
    return destination;
  }

  /**
   * {@return a copy of the raw address block: 12 bytes for IPv4, 36 for IPv6, 216 for UNIX (two 108-byte
   * paths), empty for {@code UNSPEC}}
   */
  public byte[] addressBlock() {
    return addressBlock.clone();
  }

  /** {@return every TLV in wire order, including {@code CRC32C}, {@code NOOP} and unknown types} */
  public List<ProxyTlv> tlvs() {
    return tlvs.tlvs();
  }

  /**
   * {@return the first TLV of type {@code type}, or {@code null}}
   *
   * @param type the type
   */
  public @Nullable ProxyTlv tlv(int type) {
    for (ProxyTlv tlv : tlvs.tlvs()) {
      if (tlv.type() == type) {
        return tlv;
      }
    }
    return null;
  }

  /**
   * {@return the first TLV of type {@code type}, or {@code null}}
   *
   * @param type the type
   */
  public @Nullable ProxyTlv tlv(TlvType type) {
    return tlv(type.wireByte());
  }

  /** {@return the {@code ALPN} value (the protocol id bytes, e.g. {@code "h2"}), or {@code null}} */
  public byte @Nullable [] alpn() {
    ProxyTlv tlv = tlv(TlvType.ALPN);
    return tlv == null ? null : tlv.value();
  }

  /** {@return the {@code AUTHORITY} value (the host name the client asked for), or {@code null}} */
  public @Nullable String authority() {
    ProxyTlv tlv = tlv(TlvType.AUTHORITY);
    return tlv == null ? null : tlv.valueAsString(UTF_8);
  }

  /** {@return the {@code UNIQUE_ID} value, or {@code null}} */
  public byte @Nullable [] uniqueId() {
    ProxyTlv tlv = tlv(TlvType.UNIQUE_ID);
    return tlv == null ? null : tlv.value();
  }

  /** {@return the {@code SSL} TLV with its sub-TLVs, or {@code null}} */
  public @Nullable ProxySsl ssl() {
    ProxyTlv tlv = tlv(TlvType.SSL);
    return tlv == null ? null : Tlvs.ssl(tlv.rawValue());
  }

  /** {@return the {@code NETNS} value (a namespace name), or {@code null}} */
  public @Nullable String netns() {
    ProxyTlv tlv = tlv(TlvType.NETNS);
    return tlv == null ? null : tlv.valueAsString(US_ASCII);
  }

  /**
   * {@return the VPC endpoint id of the first AWS TLV ({@code 0xEA}) of sub-type {@code 0x01}, such as
   * {@code "vpce-08d2bf15fac5001c9"}, or {@code null} if there is none}
   */
  public @Nullable String vpcEndpointId() {
    for (ProxyTlv tlv : tlvs.tlvs()) {
      byte[] v = tlv.rawValue();
      if (tlv.type() == TlvType.AWS.wireByte() && v.length > 0
          && v[0] == TlvType.AWS_SUBTYPE_VPCE_ID) {
        return new String(v, 1, v.length - 1, US_ASCII);
      }
    }
    return null;
  }

  /** {@return whether the header carried a CRC32c checksum and whether it matched} */
  public Crc32cStatus crc32c() {
    return crc32c;
  }

  ProxyTlvBlock tlvBlock() {
    return tlvs;
  }

  byte[] rawAddressBlock() {
    return addressBlock;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ProxyHeader)) {
      return false;
    }
    ProxyHeader that = (ProxyHeader) o;
    return version == that.version && command == that.command && protocol == that.protocol
        && Arrays.equals(addressBlock, that.addressBlock) && tlvs.equals(that.tlvs)
        && crc32c == that.crc32c;
  }

  @Override
  public int hashCode() {
    int h = version.hashCode();
    h = 31 * h + command.hashCode();
    h = 31 * h + protocol.hashCode();
    h = 31 * h + Arrays.hashCode(addressBlock);
    h = 31 * h + tlvs.hashCode();
    return 31 * h + crc32c.hashCode();
  }

  /** For example {@code ProxyHeader[V2 PROXY TCP4 /192.0.2.1:56324 -> /198.51.100.7:443, ...]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ProxyHeader[").append(version).append(' ')
        .append(command).append(' ').append(protocol);
    if (source != null) {
      sb.append(' ').append(source).append(" -> ").append(destination);
    } else if (addressBlock.length > 0) {
      sb.append(" (").append(addressBlock.length).append(" address bytes)");
    }
    if (!tlvs.tlvs().isEmpty()) {
      sb.append(", tlvs=").append(tlvs.tlvs());
    }
    if (crc32c != Crc32cStatus.NONE) {
      sb.append(", crc32c=").append(crc32c);
    }
    return sb.append(']').toString();
  }

  private static InetSocketAddress socketAddress(byte[] block, int at, int len, int portAt) {
    byte[] ip = Arrays.copyOfRange(block, at, at + len);
    int port = (block[portAt] & 0xFF) << 8 | (block[portAt + 1] & 0xFF);
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an IP address", e);
    }
  }
}
