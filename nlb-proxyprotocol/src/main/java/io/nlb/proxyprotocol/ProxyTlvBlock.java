package io.nlb.proxyprotocol;

import io.nlb.common.Problems;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A sequence of TLVs encoded once, to be appended to many headers: for example the VPC endpoint
 * TLV of a listener, built when the listener is configured and copied into every header it
 * sends.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * ProxyTlvBlock listenerTlvs =
 *     ProxyTlvBlock.of(ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9"));
 * ProxyV2Encoder encoder = ProxyV2Encoder.builder().tlvs(listenerTlvs).build();
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyTlvBlock {
  private static final ProxyTlvBlock EMPTY = new ProxyTlvBlock(List.of(), new byte[0]);

  private final List<ProxyTlv> tlvs;
  private final byte[] bytes;

  private ProxyTlvBlock(List<ProxyTlv> tlvs, byte[] bytes) {
    this.tlvs = tlvs;
    this.bytes = bytes;
  }

  /** {@return the block without TLVs} */
  public static ProxyTlvBlock empty() {
    return EMPTY;
  }

  /**
   * {@return a block of {@code tlvs} in this order; see {@link #of(List)}}
   *
   * @param tlvs the TLVs, in order
   */
  public static ProxyTlvBlock of(ProxyTlv... tlvs) {
    return of(Arrays.asList(tlvs));
  }

  /**
   * {@return a block of {@code tlvs} in this order}
   *
   * @param tlvs the TLVs, in order
   * @throws IllegalArgumentException if the encoded block would exceed 65,535 bytes
   */
  public static ProxyTlvBlock of(List<ProxyTlv> tlvs) {
    if (tlvs.isEmpty()) {
      return EMPTY;
    }
    List<ProxyTlv> copy = List.copyOf(tlvs);
    long length = 0;
    for (ProxyTlv tlv : copy) {
      length += tlv.encodedLength();
    }
    if (length > 0xFFFF) {
      throw Problems.invalid("tlvs.length", length, "<= 65535 bytes");
    }
    byte[] bytes = new byte[(int) length];
    int at = 0;
    for (ProxyTlv tlv : copy) {
      at = tlv.writeTo(bytes, at);
    }
    return new ProxyTlvBlock(copy, bytes);
  }

  /** {@return the TLVs, in order} */
  public List<ProxyTlv> tlvs() {
    return tlvs;
  }

  /** {@return the length of the encoded block in bytes} */
  public int length() {
    return bytes.length;
  }

  /**
   * {@return whether the block holds a TLV of type {@code type}}
   *
   * @param type the type
   */
  public boolean contains(int type) {
    for (ProxyTlv tlv : tlvs) {
      if (tlv.type() == type) {
        return true;
      }
    }
    return false;
  }

  /** The encoded block without a copy; callers must not modify it. */
  byte[] bytes() {
    return bytes;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ProxyTlvBlock && ((ProxyTlvBlock) o).tlvs.equals(tlvs);
  }

  @Override
  public int hashCode() {
    return tlvs.hashCode();
  }

  @Override
  public String toString() {
    return "ProxyTlvBlock" + tlvs;
  }
}
