package io.nlb.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class FlowKeyTest {
  private static final long SEED = 0x5EED_0000_0000_0001L;

  @Test
  void hash_ipv4Tcp_delegatesToFlowHashIpv4() {
    FlowKey key = FlowKey.tcp(sa("192.0.2.10", 51514), sa("10.0.0.1", 443), 7);

    assertThat(key.hash(SEED))
        .isEqualTo(FlowHash.ipv4(SEED, IpProtocol.TCP, 0xC000020A, 51514, 0x0A000001, 443, 7))
        .isEqualTo(0x3B17FCB72379DF98L);
    assertThat(key.sourceHash(SEED))
        .isEqualTo(FlowHash.sourceIpv4(SEED, IpProtocol.TCP, 0xC000020A));
    assertThat(key.isIpv4()).isTrue();
  }

  @Test
  void hash_ipv6Udp_delegatesToFlowHashIpv6() {
    FlowKey key = FlowKey.udp(sa("2001:db8::10", 51514), sa("2001:db8::1", 53));

    assertThat(key.hash(SEED))
        .isEqualTo(FlowHash.ipv6(SEED, IpProtocol.UDP, FlowHashTest.ipv6("2001:db8::10"), 51514,
            FlowHashTest.ipv6("2001:db8::1"), 53, 0))
        .isEqualTo(0x0A558DDFED07B0CDL);
    assertThat(key.sourceHash(SEED))
        .isEqualTo(FlowHash.sourceIpv6(SEED, IpProtocol.UDP, FlowHashTest.ipv6("2001:db8::10")));
    assertThat(key.isIpv4()).isFalse();
  }

  @Test
  void hash_udpKeyMadeTwice_isStable() {
    FlowKey first = FlowKey.udp(sa("198.51.100.7", 5353), sa("10.0.0.1", 53));
    FlowKey second = FlowKey.udp(sa("198.51.100.7", 5353), sa("10.0.0.1", 53));

    assertThat(second.hash(SEED)).isEqualTo(first.hash(SEED));
    assertThat(second).isEqualTo(first).hasSameHashCodeAs(first);
    assertThat(first.sequence()).isZero();
  }

  @Test
  void hash_twoTcpConnectionsFromOneClientWithDifferentSequences_differ() {
    FlowKey first = FlowKey.tcp(sa("198.51.100.7", 40000), sa("10.0.0.1", 443), 1001);
    FlowKey second = FlowKey.tcp(sa("198.51.100.7", 40000), sa("10.0.0.1", 443), 2002);

    assertThat(second.hash(SEED)).isNotEqualTo(first.hash(SEED));
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void sourceHash_otherPortsAndSequence_isTheSame() {
    FlowKey first = FlowKey.tcp(sa("198.51.100.7", 40000), sa("10.0.0.1", 443), 1);
    FlowKey second = FlowKey.tcp(sa("198.51.100.7", 40001), sa("10.0.0.1", 8443), 2);

    assertThat(second.sourceHash(SEED)).isEqualTo(first.sourceHash(SEED));
    assertThat(second.hash(SEED)).isNotEqualTo(first.hash(SEED));
  }

  @Test
  void of_portOutOfRange_throwsNamingThePort() {
    InetAddress a = addr("192.0.2.1");

    assertThatThrownBy(() -> FlowKey.of(IpProtocol.TCP, a, 70000, a, 80, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("srcPort: 70000 (expected: 0-65535)");
    assertThatThrownBy(() -> FlowKey.of(IpProtocol.UDP, a, 80, a, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dstPort: -1 (expected: 0-65535)");
  }

  @Test
  void of_portsAtTheLimits_areAccepted() {
    FlowKey key = FlowKey.of(IpProtocol.UDP, addr("192.0.2.1"), 0, addr("192.0.2.2"), 65535, 0);

    assertThat(key.srcPort()).isZero();
    assertThat(key.dstPort()).isEqualTo(65535);
  }

  @Test
  void of_udpWithSequence_throws() {
    InetAddress a = addr("192.0.2.1");

    assertThatThrownBy(() -> FlowKey.of(IpProtocol.UDP, a, 1, a, 2, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequence: 5 (expected: 0 for UDP, whose flows have no sequence)");
  }

  @Test
  void tcp_mixedFamilies_throwsNamingBothAddresses() {
    assertThatThrownBy(() -> FlowKey.tcp(sa("192.0.2.1", 1000), sa("2001:db8::1", 443), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dstAddress: 2001:db8:0:0:0:0:0:1 (expected: an IPv4 address, the family of "
            + "srcAddress 192.0.2.1)");
    assertThatThrownBy(() -> FlowKey.udp(sa("2001:db8::1", 1000), sa("192.0.2.1", 53)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dstAddress: 192.0.2.1 (expected: an IPv6 address, the family of "
            + "srcAddress 2001:db8:0:0:0:0:0:1)");
  }

  @Test
  void tcp_unresolvedAddress_throws() {
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("backend.invalid", 80);

    assertThatThrownBy(() -> FlowKey.tcp(unresolved, sa("10.0.0.1", 80), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("src: backend.invalid:80 (expected: a resolved address)");
    assertThatThrownBy(() -> FlowKey.udp(sa("10.0.0.1", 80), unresolved))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dst: backend.invalid:80 (expected: a resolved address)");
  }

  @Test
  void of_ipv4MappedIpv6Source_isNormalizedToIpv4() throws UnknownHostException {
    // Inet6Address.getByAddress keeps the mapped form (InetAddress.getByName would not).
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 192, 0, 2, 10};
    InetAddress mappedClient = Inet6Address.getByAddress(null, mapped, null);
    assertThat(mappedClient).isInstanceOf(Inet6Address.class);

    FlowKey viaMapped = FlowKey.of(IpProtocol.TCP, mappedClient, 51514, addr("10.0.0.1"), 443, 7);
    FlowKey viaIpv4 = FlowKey.tcp(sa("192.0.2.10", 51514), sa("10.0.0.1", 443), 7);

    assertThat(viaMapped.srcAddress()).isInstanceOf(Inet4Address.class).isEqualTo(addr("192.0.2.10"));
    assertThat(viaMapped.isIpv4()).isTrue();
    assertThat(viaMapped).isEqualTo(viaIpv4);
    assertThat(viaMapped.hash(SEED)).isEqualTo(viaIpv4.hash(SEED));
    assertThat(viaMapped.sourceHash(SEED)).isEqualTo(viaIpv4.sourceHash(SEED));
  }

  @Test
  void of_ipv4CompatibleIpv6_staysIpv6() throws UnknownHostException {
    byte[] compatible = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 192, 0, 2, 10};
    InetAddress client = Inet6Address.getByAddress(null, compatible, null);

    FlowKey key = FlowKey.of(IpProtocol.UDP, client, 1, addr("2001:db8::1"), 2, 0);

    assertThat(key.isIpv4()).isFalse();
    assertThat(key.srcAddress()).isInstanceOf(Inet6Address.class);
  }

  @Test
  void accessors_returnTheParts() {
    FlowKey key = FlowKey.tcp(sa("192.0.2.10", 51514), sa("10.0.0.1", 443), -1);

    assertThat(key.protocol()).isEqualTo(IpProtocol.TCP);
    assertThat(key.srcAddress()).isEqualTo(addr("192.0.2.10"));
    assertThat(key.srcPort()).isEqualTo(51514);
    assertThat(key.dstAddress()).isEqualTo(addr("10.0.0.1"));
    assertThat(key.dstPort()).isEqualTo(443);
    assertThat(key.sequence()).isEqualTo(-1);
  }

  @Test
  void equals_differentProtocolPortsOrSequence_areNotEqual() {
    FlowKey base = FlowKey.of(IpProtocol.TCP, addr("192.0.2.1"), 1, addr("10.0.0.1"), 2, 0);

    assertThat(base)
        .isEqualTo(FlowKey.of(IpProtocol.TCP, addr("192.0.2.1"), 1, addr("10.0.0.1"), 2, 0))
        .isNotEqualTo(FlowKey.of(IpProtocol.UDP, addr("192.0.2.1"), 1, addr("10.0.0.1"), 2, 0))
        .isNotEqualTo(FlowKey.of(IpProtocol.TCP, addr("192.0.2.2"), 1, addr("10.0.0.1"), 2, 0))
        .isNotEqualTo(FlowKey.of(IpProtocol.TCP, addr("192.0.2.1"), 3, addr("10.0.0.1"), 2, 0))
        .isNotEqualTo(FlowKey.of(IpProtocol.TCP, addr("192.0.2.1"), 1, addr("10.0.0.2"), 2, 0))
        .isNotEqualTo(FlowKey.of(IpProtocol.TCP, addr("192.0.2.1"), 1, addr("10.0.0.1"), 4, 0))
        .isNotEqualTo(FlowKey.of(IpProtocol.TCP, addr("192.0.2.1"), 1, addr("10.0.0.1"), 2, 5))
        .isNotEqualTo("TCP 192.0.2.1:1 -> 10.0.0.1:2 sequence=0");
  }

  @Test
  void toString_tcpAndUdp_readsAsAFlow() {
    assertThat(FlowKey.tcp(sa("192.0.2.10", 51514), sa("10.0.0.1", 443), -1))
        .hasToString("TCP 192.0.2.10:51514 -> 10.0.0.1:443 sequence=4294967295");
    assertThat(FlowKey.udp(sa("2001:db8::10", 53), sa("2001:db8::1", 53)))
        .hasToString("UDP [2001:db8:0:0:0:0:0:10]:53 -> [2001:db8:0:0:0:0:0:1]:53");
  }

  private static InetSocketAddress sa(String literal, int port) {
    return new InetSocketAddress(addr(literal), port);
  }

  private static InetAddress addr(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
