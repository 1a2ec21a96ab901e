package io.nlb.proxyprotocol;

import io.nlb.common.Problems;
import java.util.Arrays;

/**
 * Configures a {@link ProxyV2Encoder}: the TLVs appended to every header and whether a CRC32c
 * checksum ends each one. Obtained from {@link ProxyV2Encoder#builder()}.
 *
 * <p>Not thread-safe; the encoder it builds is.
 *
 * <pre>{@code
 * ProxyV2Encoder encoder = ProxyV2Encoder.builder()
 *     .tlvs(ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9"))
 *     .crc32c(true)
 *     .build();
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyV2EncoderBuilder {
  /** What an IPv6 header needs besides the TLVs: its address block and a checksum TLV. */
  private static final int RESERVED = ProxiedProtocol.TCP6.addressBlockLength() + 7;

  private ProxyTlvBlock tlvs = ProxyTlvBlock.empty();
  private boolean crc32c;

  ProxyV2EncoderBuilder() {}

  /**
   * The TLVs appended to every header, in this order, before the checksum (default: none).
   *
   * @param tlvs the TLVs appended to every header, in this order, before the checksum (default: none)
   * @return this builder
   * @throws IllegalArgumentException if the block holds a {@code CRC32C} TLV (use {@link
   *     #crc32c(boolean)}) or is so long that an IPv6 header would not fit its length field
   */
  public ProxyV2EncoderBuilder tlvs(ProxyTlvBlock tlvs) {
    if (tlvs.contains(TlvType.CRC32C.wireByte())) {
      throw Problems.invalid("tlvs", Problems.raw("CRC32C"), "no CRC32C TLV; use crc32c(true)");
    }
    if (tlvs.length() > ProxyV2Encoder.MAX_LENGTH_FIELD - RESERVED) {
      throw Problems.invalid("tlvs.length", tlvs.length(),
          "<= " + (ProxyV2Encoder.MAX_LENGTH_FIELD - RESERVED));
    }
    this.tlvs = tlvs;
    return this;
  }

  /**
   * The TLVs appended to every header; see {@link #tlvs(ProxyTlvBlock)}.
   *
   * @param tlvs the TLVs appended to every header; see {@link #tlvs(ProxyTlvBlock)}
   * @return this builder
   */
  public ProxyV2EncoderBuilder tlvs(ProxyTlv... tlvs) {
    return tlvs(ProxyTlvBlock.of(Arrays.asList(tlvs)));
  }

  /**
   * Whether every header ends with a {@code PP2_TYPE_CRC32C} TLV holding the CRC32c of the whole
   * header, computed with the checksum field zeroed (default: false).
   *
   * @param crc32c whether every header ends with a {@code PP2_TYPE_CRC32C} TLV holding the CRC32c of the whole header, computed with the checksum field zeroed (default: false)
   * @return this builder
   */
  public ProxyV2EncoderBuilder crc32c(boolean crc32c) {
    this.crc32c = crc32c;
    return this;
  }

  /**
   * The encoder.
   *
   * @return the new {@code ProxyV2Encoder}
   */
  public ProxyV2Encoder build() {
    return new ProxyV2Encoder(tlvs, crc32c);
  }
}
