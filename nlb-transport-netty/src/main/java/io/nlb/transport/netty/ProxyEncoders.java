package io.nlb.transport.netty;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.nlb.proxyprotocol.ProxySsl;
import io.nlb.proxyprotocol.ProxyTlv;
import io.nlb.tls.TlsTermination;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSession;
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

  /**
   * An encoder for one TLS connection whose header also carries what was negotiated with the
   * client: ALPN, the server name (AUTHORITY) and an SSL TLV with the TLS version and cipher (JSSE
   * names). Built per connection, after the handshake.
   */
  static ProxyV2Encoder withTls(@Nullable String vpcEndpointId, Channel client) {
    List<ProxyTlv> tlvs = new ArrayList<>(4);
    String alpn = TlsTermination.negotiatedAlpn(client);
    if (alpn != null) {
      tlvs.add(ProxyTlv.alpn(alpn));
    }
    String sni = TlsTermination.requestedServerName(client);
    if (sni != null) {
      tlvs.add(ProxyTlv.authority(sni));
    }
    SslHandler ssl = client.pipeline().get(SslHandler.class);
    if (ssl != null) {
      SSLSession session = ssl.engine().getSession();
      // client: the connection used TLS; verify: non-zero, no client certificate was verified.
      tlvs.add(ProxyTlv.ssl(ProxySsl.CLIENT_SSL, 1,
          List.of(ProxyTlv.sslVersion(session.getProtocol()), ProxyTlv.sslCipher(session.getCipherSuite()))));
    }
    if (vpcEndpointId != null) {
      tlvs.add(ProxyTlv.awsVpcEndpointId(vpcEndpointId));
    }
    return ProxyV2Encoder.builder().tlvs(tlvs.toArray(new ProxyTlv[0])).build();
  }

  /** The encoder for a listener reached through {@code vpcEndpointId} (null: none). */
  static ProxyV2Encoder encoder(@Nullable String vpcEndpointId) {
    if (vpcEndpointId == null) {
      return PLAIN;
    }
    return BY_ENDPOINT.computeIfAbsent(vpcEndpointId,
        id -> ProxyV2Encoder.builder().tlvs(ProxyTlv.awsVpcEndpointId(id)).build());
  }
}
