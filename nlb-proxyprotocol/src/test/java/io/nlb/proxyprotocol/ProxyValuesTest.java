package io.nlb.proxyprotocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value types: factories, their checks and messages, equality. */
class ProxyValuesTest {
  @Test
  void awsVpcEndpointId_encodesSubtypeThenAscii() {
    ProxyTlv tlv = ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9");
    assertThat(tlv.type()).isEqualTo(0xEA);
    assertThat(tlv.knownType()).isEqualTo(TlvType.AWS);
    assertThat(Hex.of(tlv.value())).isEqualTo("01767063652d3038643262663135666163353030316339");
    assertThat(tlv.toString()).isEqualTo(
        "ProxyTlv[AWS(0xEA), 23 bytes: 01767063652d3038643262663135666163353030316339]");
  }

  @Test
  void awsVpcEndpointId_emptyOrNonAscii_rejected() {
    assertThatThrownBy(() -> ProxyTlv.awsVpcEndpointId(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("vpcEndpointId: \"\" (expected: non-empty printable US-ASCII)");
    assertThatThrownBy(() -> ProxyTlv.awsVpcEndpointId("vpce-é"))
        .hasMessage("vpcEndpointId: \"vpce-é\" (expected: non-empty printable US-ASCII)");
  }

  @Test
  void of_registeredTypeRulesChecked() {
    assertThatThrownBy(() -> ProxyTlv.of(TlvType.CRC32C, new byte[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tlv[CRC32C].length: 3 (expected: 4)");
    assertThatThrownBy(() -> ProxyTlv.of(TlvType.SSL, new byte[] {1, 0, 0, 0, 0, 0x21, 0, 9}))
        .hasMessage("ssl.tlv[0x21].length: 9 (expected: <= 0, the bytes left in the header)");
    assertThatThrownBy(() -> ProxyTlv.uniqueId(new byte[129]))
        .hasMessage("uniqueId.length: 129 (expected: <= 128)");
    assertThatThrownBy(() -> ProxyTlv.of(256, new byte[0]))
        .hasMessage("type: 256 (expected: 0-255)");
    assertThatThrownBy(() -> ProxyTlv.of(1, new byte[65_536]))
        .hasMessage("value.length: 65536 (expected: <= 65535)");
    assertThatThrownBy(() -> ProxyTlv.custom(0xF0, new byte[0]))
        .hasMessage("type: 0xF0 (expected: 0xE0-0xEF)");
    assertThatThrownBy(() -> ProxyTlv.netns("é"))
        .hasMessage("netns: \"é\" (expected: US-ASCII)");
    assertThatThrownBy(() -> ProxyTlv.ssl(256, 0, List.of()))
        .hasMessage("client: 256 (expected: 0-255)");
    assertThatThrownBy(() -> ProxyTlv.noop(-1))
        .hasMessage("length: -1 (expected: 0-65535)");
  }

  @Test
  void value_isCopiedInAndOut() {
    byte[] raw = {1, 2, 3};
    ProxyTlv tlv = ProxyTlv.of(0xE5, raw);
    raw[0] = 9;
    tlv.value()[1] = 9;
    assertThat(tlv.value()).containsExactly(1, 2, 3);
    assertThat(tlv).isEqualTo(ProxyTlv.custom(0xE5, new byte[] {1, 2, 3}))
        .hasSameHashCodeAs(ProxyTlv.custom(0xE5, new byte[] {1, 2, 3}))
        .isNotEqualTo(ProxyTlv.custom(0xE6, new byte[] {1, 2, 3}));
  }

  @Test
  void ssl_encodesClientVerifyAndSubTlvs() {
    ProxyTlv ssl = ProxyTlv.ssl(ProxySsl.CLIENT_SSL, 0x01020304,
        List.of(ProxyTlv.sslVersion("TLSv1.3")));
    assertThat(Hex.of(ssl.value())).isEqualTo("0101020304" + "210007" + "544c5376312e33");
  }

  @Test
  void tlvBlock_encodesInOrderAndRejectsOversize() {
    ProxyTlvBlock block = ProxyTlvBlock.of(ProxyTlv.alpn("h2"), ProxyTlv.noop(0));
    assertThat(block.length()).isEqualTo(8);
    assertThat(Hex.of(block.bytes())).isEqualTo("0100026832" + "040000");
    assertThat(block.contains(4)).isTrue();
    assertThat(block.contains(3)).isFalse();
    assertThat(ProxyTlvBlock.of(List.of())).isSameAs(ProxyTlvBlock.empty());
    assertThatThrownBy(() -> ProxyTlvBlock.of(ProxyTlv.noop(65_000), ProxyTlv.noop(600)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tlvs.length: 65606 (expected: <= 65535 bytes)");
    assertThatThrownBy(() -> ProxyV2Encoder.builder().tlvs(ProxyTlv.noop(65_490)))
        .hasMessage("tlvs.length: 65493 (expected: <= 65492)");
  }

  @Test
  void header_proxyFactory_checksArguments() {
    InetSocketAddress a = new InetSocketAddress("192.0.2.1", 1);
    assertThatThrownBy(() -> ProxyHeader.proxy(TransportProtocol.UNSPEC, a, a))
        .hasMessage("transport: UNSPEC (expected: STREAM or DGRAM)");
    assertThatThrownBy(() -> ProxyHeader.of(ProxyCommand.PROXY, ProxiedProtocol.TCP4,
        new byte[11], List.of()))
        .hasMessage("addressBlock.length: 11 (expected: 12 for TCP4)");
  }

  @Test
  void header_mixedFamilies_sourceIsIpv4Again() {
    ProxyHeader h = ProxyHeader.proxy(TransportProtocol.STREAM,
        new InetSocketAddress("192.0.2.1", 1), new InetSocketAddress("2001:db8::1", 2));
    assertThat(h.protocol()).isEqualTo(ProxiedProtocol.TCP6);
    assertThat(h.source()).isEqualTo(new InetSocketAddress("192.0.2.1", 1));
    assertThat(h.toString()).isEqualTo(
        "ProxyHeader[V2 PROXY TCP6 /192.0.2.1:1 -> /[2001:db8:0:0:0:0:0:1]:2]");
  }

  @Test
  void header_typedAccessors_absentAreNull() {
    ProxyHeader h = ProxyHeader.unspec();
    assertThat(h.alpn()).isNull();
    assertThat(h.authority()).isNull();
    assertThat(h.uniqueId()).isNull();
    assertThat(h.ssl()).isNull();
    assertThat(h.netns()).isNull();
    assertThat(h.vpcEndpointId()).isNull();
    assertThat(h.tlv(TlvType.NOOP)).isNull();
    // An AWS TLV of another sub-type is no VPC endpoint id.
    assertThat(h.withTlvs(ProxyTlv.of(0xEA, new byte[] {2, 'x'})).vpcEndpointId()).isNull();
    assertThat(h.withTlvs(ProxyTlv.of(0xEA, new byte[0])).vpcEndpointId()).isNull();
  }

  @Test
  void protocolEnums_carryTheirWireBytes() {
    assertThat(ProxiedProtocol.fromWire(0x21)).isEqualTo(ProxiedProtocol.TCP6);
    assertThat(ProxiedProtocol.fromWire(0x13)).isNull();
    assertThat(ProxiedProtocol.of(AddressFamily.INET, TransportProtocol.DGRAM))
        .isEqualTo(ProxiedProtocol.UDP4);
    assertThatThrownBy(() -> ProxiedProtocol.of(AddressFamily.INET, TransportProtocol.UNSPEC))
        .hasMessage("transport: \"UNSPEC with INET\" (expected: UNSPEC with UNSPEC, or STREAM or"
            + " DGRAM with INET, INET6 or UNIX)");
    for (ProxiedProtocol p : ProxiedProtocol.values()) {
      assertThat(ProxiedProtocol.of(p.family(), p.transport())).isEqualTo(p);
      assertThat(p.wireByte()).isEqualTo(p.family().wireValue() << 4 | p.transport().wireValue());
    }
    assertThat(ProxiedProtocol.UNIX_STREAM.addressBlockLength()).isEqualTo(216);
    assertThat(TlvType.fromWire(0xEA)).isEqualTo(TlvType.AWS);
    assertThat(TlvType.fromWire(0xF0)).isNull();
    assertThat(TlvType.isCustom(0xE0)).isTrue();
    assertThat(TlvType.isCustom(0xF0)).isFalse();
    assertThat(ProxyCommand.PROXY.wireValue()).isEqualTo(1);
  }

  @Test
  void nibbleEnums_haveTheSpecsValues() {
    // Spec 2.2: the values are positional, so these pin the declaration order of the constants.
    assertThat(ProxyCommand.LOCAL.wireValue()).isZero();
    assertThat(List.of(TransportProtocol.UNSPEC.wireValue(), TransportProtocol.STREAM.wireValue(),
        TransportProtocol.DGRAM.wireValue())).containsExactly(0, 1, 2);
    assertThat(List.of(AddressFamily.UNSPEC.wireValue(), AddressFamily.INET.wireValue(),
        AddressFamily.INET6.wireValue(), AddressFamily.UNIX.wireValue())).containsExactly(0, 1, 2, 3);
    assertThat(List.of(AddressFamily.UNSPEC.addressLength(), AddressFamily.INET.addressLength(),
        AddressFamily.INET6.addressLength(), AddressFamily.UNIX.addressLength())).containsExactly(0, 4, 16, 108);
  }

  @Test
  void ssl_view_readsFlagsAndStrings() {
    ProxySsl ssl = Tlvs.ssl(ProxyTlv.ssl(ProxySsl.CLIENT_CERT_SESS, 1,
        List.of(ProxyTlv.sslCipher("X"))).value());
    assertThat(ssl.clientSsl()).isFalse();
    assertThat(ssl.clientCertSession()).isTrue();
    assertThat(ssl.verified()).isFalse();
    assertThat(ssl.cipher()).isEqualTo("X");
    assertThat(ssl.version()).isNull();
    assertThat(ssl.subTlvs().get(0).valueAsString(US_ASCII)).isEqualTo("X");
  }
}
