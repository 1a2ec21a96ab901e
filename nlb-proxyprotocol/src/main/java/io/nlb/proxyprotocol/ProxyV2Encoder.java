package io.nlb.proxyprotocol;

import io.netty.buffer.ByteBuf;
import io.nlb.common.Problems;
import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Writes PROXY protocol version 2 headers: {@code PROXY} for relayed TCP and UDP flows over IPv4
 * or IPv6 (or {@code UNSPEC}), {@code LOCAL} for health checks; with a TLV block fixed when the
 * encoder is built (such as the listener's VPC endpoint id) and, optionally, a CRC32c checksum.
 *
 * <p>Every method computes the exact length first and then writes the whole header at once, or
 * nothing if it fails. The CRC32c is computed by {@link CRC32C} (which the JIT turns into the
 * CPU's CRC instructions) over the header just written, its checksum field still zero as the
 * specification requires, and then stored into that field. {@link #encodeProxy(ByteBuf, TransportProtocol, InetSocketAddress,
 * InetSocketAddress)} and {@link #encodeLocal(ByteBuf)} allocate nothing beyond growing the
 * caller's buffer: the copy {@code InetAddress.getAddress()} makes is read into primitives at
 * once, which lets the JIT's escape analysis remove it (0 B/op in {@code
 * ProxyProtocolEncodeBenchmark}, asserted by {@code ProxyV2EncoderAllocationTest}). The {@code ByteBuffer} overloads
 * write at the buffer's position and advance it; the {@code byte[]} ones return a new array.
 *
 * <p>Immutable and thread-safe: build one per listener and share it between event loops.
 *
 * <pre>{@code
 * ProxyV2Encoder encoder = ProxyV2Encoder.builder()
 *     .tlvs(ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9"))
 *     .crc32c(true)
 *     .build();
 * ByteBuf out = ctx.alloc().buffer(encoder.encodedLength(ProxiedProtocol.TCP6));
 * encoder.encodeProxy(out, TransportProtocol.STREAM, clientAddress, listenerAddress);
 * backendChannel.writeAndFlush(out);   // then relay the client's bytes
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyV2Encoder {
  /** The 12-byte signature that opens every version 2 header. */
  static final byte[] SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  /** The length of the fixed part: signature, version and command, family, length. */
  static final int FIXED_LENGTH = 16;

  /** The largest value of the 16-bit length field. */
  static final int MAX_LENGTH_FIELD = 0xFFFF;

  private static final int CRC_TLV_LENGTH = 7;
  private static final int VERSION_2 = 0x20;
  private static final int PROXY_V2 = VERSION_2 | 0x1;
  private static final byte[] NONE = new byte[0];
  /** {@link CRC32C} holds state: one per thread, reset for each header, so none is allocated per header. */
  private static final ThreadLocal<CRC32C> CHECKSUM = ThreadLocal.withInitial(CRC32C::new);
  private static final ProxyV2Encoder DEFAULT = new ProxyV2Encoder(ProxyTlvBlock.empty(), false);

  private final byte[] fixedTlvs;
  private final ProxyTlvBlock tlvBlock;
  private final boolean crc32c;
  private final int suffixLength;

  ProxyV2Encoder(ProxyTlvBlock tlvs, boolean crc32c) {
    this.tlvBlock = tlvs;
    this.fixedTlvs = tlvs.bytes();
    this.crc32c = crc32c;
    this.suffixLength = fixedTlvs.length + (crc32c ? CRC_TLV_LENGTH : 0);
  }

  /**
   * A builder for an encoder with fixed TLVs and/or a checksum.
   *
   * @return a new builder
   */
  public static ProxyV2EncoderBuilder builder() {
    return new ProxyV2EncoderBuilder();
  }

  /** {@return the encoder without fixed TLVs and without checksum} */
  public static ProxyV2Encoder create() {
    return DEFAULT;
  }

  /** {@return the TLVs appended to every header, before the checksum} */
  public ProxyTlvBlock tlvs() {
    return tlvBlock;
  }

  /** {@return whether every header ends with a {@code CRC32C} TLV} */
  public boolean crc32c() {
    return crc32c;
  }

  /**
   * {@return the exact length of a header of {@code protocol} written by {@link #encodeProxy} ({@code
   * UNSPEC}: by {@link #encodeLocal})}
   *
   * @param protocol the protocol
   */
  public int encodedLength(ProxiedProtocol protocol) {
    return FIXED_LENGTH + protocol.addressBlockLength() + suffixLength;
  }

  /**
   * {@return the exact length of {@code header} as written by {@link #encode(ByteBuf, ProxyHeader)}}
   *
   * @param header the header
   */
  public int encodedLength(ProxyHeader header) {
    return FIXED_LENGTH + header.rawAddressBlock().length + header.tlvBlock().length()
        + suffixLength;
  }

  // ---- PROXY, from socket addresses: the load balancer's path ----

  /**
   * Writes a {@code PROXY} header for a flow from {@code source} (the client) to {@code
   * destination} (the address it connected to) into {@code out} at its writer index, growing it
   * if needed. TCP4/UDP4 if both addresses are IPv4, otherwise TCP6/UDP6 with IPv4-mapped
   * addresses.
   *
   * @param transport {@code STREAM} for TCP, {@code DGRAM} for UDP
   * @param out the output to write to
   * @param source the source (client) address
   * @param destination the destination address (what the client connected to)
   * @return the number of bytes written
   * @throws IllegalArgumentException if {@code transport} is {@code UNSPEC} or an address is
   *     unresolved; nothing is written then
   */
  public int encodeProxy(ByteBuf out, TransportProtocol transport, InetSocketAddress source,
      InetSocketAddress destination) {
    byte[] src = Addresses.bytes("source", source);
    byte[] dst = Addresses.bytes("destination", destination);
    ProxiedProtocol protocol = Addresses.protocol(transport, src, dst);
    return writeIp(out, protocol, Addresses.high(src), Addresses.low(src), source.getPort(),
        Addresses.high(dst), Addresses.low(dst), destination.getPort());
  }

  /**
   * {@return as {@link #encodeProxy(ByteBuf, TransportProtocol, InetSocketAddress, InetSocketAddress)},
   * at the position of {@code out}, which is advanced}
   *
   * @param out the output to write to
   * @param transport the transport protocol
   * @param source the source (client) address
   * @param destination the destination address (what the client connected to)
   * @throws BufferOverflowException if {@code out} has less room than the header; nothing is
   *     written then
   */
  public int encodeProxy(ByteBuffer out, TransportProtocol transport, InetSocketAddress source,
      InetSocketAddress destination) {
    byte[] src = Addresses.bytes("source", source);
    byte[] dst = Addresses.bytes("destination", destination);
    ProxiedProtocol protocol = Addresses.protocol(transport, src, dst);
    return writeIp(out, protocol, Addresses.high(src), Addresses.low(src), source.getPort(),
        Addresses.high(dst), Addresses.low(dst), destination.getPort());
  }

  /**
   * {@return as {@link #encodeProxy(ByteBuffer, TransportProtocol, InetSocketAddress,
   * InetSocketAddress)}, into a new array of the exact length}
   *
   * @param transport the transport protocol
   * @param source the source (client) address
   * @param destination the destination address (what the client connected to)
   */
  public byte[] encodeProxy(TransportProtocol transport, InetSocketAddress source,
      InetSocketAddress destination) {
    byte[] src = Addresses.bytes("source", source);
    byte[] dst = Addresses.bytes("destination", destination);
    ProxiedProtocol protocol = Addresses.protocol(transport, src, dst);
    byte[] out = new byte[encodedLength(protocol)];
    writeIp(ByteBuffer.wrap(out), protocol, Addresses.high(src), Addresses.low(src),
        source.getPort(), Addresses.high(dst), Addresses.low(dst), destination.getPort());
    return out;
  }

  // ---- LOCAL: health checks ----

  /**
   * Writes a {@code LOCAL} header with family {@code UNSPEC} and no address, followed by this
   * encoder's TLVs and checksum, into {@code out} at its writer index.
   *
   * @param out the output to write to
   * @return the number of bytes written
   */
  public int encodeLocal(ByteBuf out) {
    return write(out, ProxyCommand.LOCAL, ProxiedProtocol.UNSPEC, NONE, NONE);
  }

  /**
   * {@return as {@link #encodeLocal(ByteBuf)}, at the position of {@code out}, which is advanced}
   *
   * @param out the output to write to
   */
  public int encodeLocal(ByteBuffer out) {
    return write(out, ProxyCommand.LOCAL, ProxiedProtocol.UNSPEC, NONE, NONE);
  }

  /** {@return as {@link #encodeLocal(ByteBuf)}, into a new array of the exact length} */
  public byte[] encodeLocal() {
    byte[] out = new byte[encodedLength(ProxiedProtocol.UNSPEC)];
    encodeLocal(ByteBuffer.wrap(out));
    return out;
  }

  // ---- any header value ----

  /**
   * Writes {@code header} as version 2 (whatever version it was received in): its command,
   * protocol, address block and TLVs, then this encoder's TLVs and checksum.
   *
   * @param out the output to write to
   * @param header the header
   * @return the number of bytes written
   * @throws IllegalArgumentException if {@code header} holds a {@code CRC32C} TLV (build the
   *     encoder with {@code crc32c(true)} instead) or would exceed the 65,535-byte length field;
   *     nothing is written then
   */
  public int encode(ByteBuf out, ProxyHeader header) {
    checkNoCrc(header);
    return write(out, header.command(), header.protocol(), header.rawAddressBlock(),
        header.tlvBlock().bytes());
  }

  /**
   * {@return as {@link #encode(ByteBuf, ProxyHeader)}, at the position of {@code out}, which is
   * advanced; {@link BufferOverflowException} if it has too little room}
   *
   * @param out the output to write to
   * @param header the header
   */
  public int encode(ByteBuffer out, ProxyHeader header) {
    checkNoCrc(header);
    return write(out, header.command(), header.protocol(), header.rawAddressBlock(),
        header.tlvBlock().bytes());
  }

  /**
   * {@return as {@link #encode(ByteBuf, ProxyHeader)}, into a new array of the exact length}
   *
   * @param header the header
   */
  public byte[] encode(ProxyHeader header) {
    checkNoCrc(header);
    byte[] out = new byte[checkedLength(header.rawAddressBlock().length,
        header.tlvBlock().length())];
    encode(ByteBuffer.wrap(out), header);
    return out;
  }

  @Override
  public String toString() {
    return "ProxyV2Encoder[tlvs=" + tlvBlock.tlvs() + ", crc32c=" + crc32c + "]";
  }

  // ---- the writers ----
  //
  // Two address shapes (IP endpoints from the fast path as 128-bit values, or a raw block from a
  // ProxyHeader) times two outputs (ByteBuf, ByteBuffer). Each computes the exact length, writes
  // once (nothing is built anywhere else first) with a zero checksum, then checksums the bytes it
  // wrote and stores the result (spec 2.2.3: the checksum covers the header with its field zero).

  private int writeIp(ByteBuf out, ProxiedProtocol protocol, long srcHigh, long srcLow,
      int srcPort, long dstHigh, long dstLow, int dstPort) {
    int total = checkedLength(protocol.addressBlockLength(), 0);
    out.ensureWritable(total);
    int start = out.writerIndex();
    writePrefix(out, PROXY_V2, protocol, total);
    if (protocol.family() == AddressFamily.INET) {
      out.writeInt((int) srcLow);
      out.writeInt((int) dstLow);
    } else {
      out.writeLong(srcHigh);
      out.writeLong(srcLow);
      out.writeLong(dstHigh);
      out.writeLong(dstLow);
    }
    out.writeShort(srcPort);
    out.writeShort(dstPort);
    writeSuffix(out, NONE);
    checksum(out, start, total);
    return total;
  }

  private int writeIp(ByteBuffer out, ProxiedProtocol protocol, long srcHigh, long srcLow,
      int srcPort, long dstHigh, long dstLow, int dstPort) {
    int total = checkedLength(protocol.addressBlockLength(), 0);
    if (out.remaining() < total) {
      throw new BufferOverflowException();
    }
    int start = out.position();
    putPrefix(out, PROXY_V2, protocol, total);
    if (protocol.family() == AddressFamily.INET) {
      out.putInt((int) srcLow);
      out.putInt((int) dstLow);
    } else {
      out.putLong(srcHigh);
      out.putLong(srcLow);
      out.putLong(dstHigh);
      out.putLong(dstLow);
    }
    out.putShort((short) srcPort);
    out.putShort((short) dstPort);
    putSuffix(out, NONE);
    checksum(out, start, total);
    return total;
  }

  private int write(ByteBuf out, ProxyCommand command, ProxiedProtocol protocol,
      byte[] addressBlock, byte[] headerTlvs) {
    int total = checkedLength(addressBlock.length, headerTlvs.length);
    int verCmd = VERSION_2 | command.wireValue();
    out.ensureWritable(total);
    int start = out.writerIndex();
    writePrefix(out, verCmd, protocol, total);
    out.writeBytes(addressBlock);
    writeSuffix(out, headerTlvs);
    checksum(out, start, total);
    return total;
  }

  private int write(ByteBuffer out, ProxyCommand command, ProxiedProtocol protocol,
      byte[] addressBlock, byte[] headerTlvs) {
    int total = checkedLength(addressBlock.length, headerTlvs.length);
    if (out.remaining() < total) {
      throw new BufferOverflowException();
    }
    int verCmd = VERSION_2 | command.wireValue();
    int start = out.position();
    putPrefix(out, verCmd, protocol, total);
    out.put(addressBlock);
    putSuffix(out, headerTlvs);
    checksum(out, start, total);
    return total;
  }

  private static void writePrefix(ByteBuf out, int verCmd, ProxiedProtocol protocol, int total) {
    out.writeBytes(SIGNATURE);
    out.writeByte(verCmd);
    out.writeByte(protocol.wireByte());
    out.writeShort(total - FIXED_LENGTH);
  }

  private static void putPrefix(ByteBuffer out, int verCmd, ProxiedProtocol protocol,
      int total) {
    out.put(SIGNATURE);
    out.put((byte) verCmd);
    out.put((byte) protocol.wireByte());
    out.putShort((short) (total - FIXED_LENGTH));
  }

  private void writeSuffix(ByteBuf out, byte[] headerTlvs) {
    out.writeBytes(headerTlvs);
    out.writeBytes(fixedTlvs);
    if (crc32c) {
      out.writeByte(TlvType.CRC32C.wireByte());
      out.writeShort(4);
      out.writeInt(0); // the checksum, filled in by checksum(...)
    }
  }

  private void putSuffix(ByteBuffer out, byte[] headerTlvs) {
    out.put(headerTlvs);
    out.put(fixedTlvs);
    if (crc32c) {
      out.put((byte) TlvType.CRC32C.wireByte());
      out.putShort((short) 4);
      out.putInt(0); // the checksum, filled in by checksum(...)
    }
  }

  /**
   * With {@code crc32c}, checksums the {@code total} bytes of the header written at {@code
   * start} (its checksum field, the last four bytes, still zero) and stores the value there.
   */
  private void checksum(ByteBuf out, int start, int total) {
    if (!crc32c) {
      return;
    }
    CRC32C crc = CHECKSUM.get();
    crc.reset();
    if (out.hasArray()) {
      crc.update(out.array(), out.arrayOffset() + start, total);
    } else if (out.nioBufferCount() == 1) {
      crc.update(out.internalNioBuffer(start, total)); // a view Netty keeps: no copy
    } else {
      for (int i = 0; i < total; i++) { // a composite buffer: rare, and headers are short
        crc.update(out.getByte(start + i));
      }
    }
    out.setInt(start + total - 4, (int) crc.getValue());
  }

  private void checksum(ByteBuffer out, int start, int total) {
    if (!crc32c) {
      return;
    }
    CRC32C crc = CHECKSUM.get();
    crc.reset();
    if (out.hasArray()) {
      crc.update(out.array(), out.arrayOffset() + start, total);
    } else {
      int position = out.position();
      int limit = out.limit();
      out.limit(start + total).position(start);
      crc.update(out);
      out.limit(limit).position(position);
    }
    out.putInt(start + total - 4, (int) crc.getValue());
  }

  private int checkedLength(int addressLength, int headerTlvsLength) {
    long lengthField = (long) addressLength + headerTlvsLength + suffixLength;
    if (lengthField > MAX_LENGTH_FIELD) {
      throw Problems.invalid("length", lengthField, "<= " + MAX_LENGTH_FIELD
          + " bytes of addresses and TLVs");
    }
    return FIXED_LENGTH + (int) lengthField;
  }

  private static void checkNoCrc(ProxyHeader header) {
    if (header.tlvBlock().contains(TlvType.CRC32C.wireByte())) {
      throw Problems.invalid("header.tlvs", Problems.raw("CRC32C"),
          "no CRC32C TLV; build the encoder with crc32c(true) to append a fresh one");
    }
  }
}
