package io.nlb.transport.netty;

import io.nlb.proxyprotocol.ProxyTlv;
import io.nlb.proxyprotocol.ProxyV2Encoder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * The PROXY v2 encoders of the listeners: one without TLVs, and one per VPC endpoint id carrying
 * the AWS TLV (type 0xEA, subtype 0x01). Encoders are immutable and their TLV block is encoded
 * once, so flows share them.
 */
final class ProxyEncoders {
  private static final ProxyV2Encoder PLAIN = ProxyV2Encoder.create();
  private static final ConcurrentMap<String, ProxyV2Encoder> BY_ENDPOINT = new ConcurrentHashMap<>();

  private ProxyEncoders() {}

  /** The encoder for a listener reached through {@code vpcEndpointId} (null: none). */
  static ProxyV2Encoder encoder(@Nullable String vpcEndpointId) {
    if (vpcEndpointId == null) {
      return PLAIN;
    }
    return BY_ENDPOINT.computeIfAbsent(vpcEndpointId,
        id -> ProxyV2Encoder.builder().tlvs(ProxyTlv.awsVpcEndpointId(id)).build());
  }
}
