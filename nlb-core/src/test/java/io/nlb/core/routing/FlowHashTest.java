package io.nlb.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.internal.XxHash64;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowHashTest {
  private static final long SEED = 0x5EED_0000_0000_0001L;
  private static final int CLIENT = 0xC000020A; // 192.0.2.10
  private static final int LISTENER = 0x0A000001; // 10.0.0.1
  private static final byte[] CLIENT6 = ipv6("2001:db8::10");
  private static final byte[] LISTENER6 = ipv6("2001:db8::1");

  // Golden values: computed once, cross-checked with the reference xxHash library (libxxhash
  // 0.8.1) over the documented layout. A change here moves every flow: it needs a release note.

  @Test
  void ipv4_goldenTcpFlow_isPinned() {
    assertThat(FlowHash.ipv4(SEED, IpProtocol.TCP, CLIENT, 51514, LISTENER, 443, 7))
        .isEqualTo(0x3B17FCB72379DF98L);
    assertThat(FlowHash.ipv4(SEED, IpProtocol.TCP, CLIENT, 51514, LISTENER, 443, 8))
        .isEqualTo(0x9726369DDCF42383L);
    assertThat(FlowHash.ipv4(0, IpProtocol.TCP, CLIENT, 51514, LISTENER, 443, 7))
        .isEqualTo(0x08D52018D69BA7DEL);
  }

  @Test
  void ipv4_goldenUdpFlow_isPinned() {
    assertThat(FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 51514, LISTENER, 53, 0))
        .isEqualTo(0x5A31F5865F34FA6DL);
  }

  @Test
  void ipv6_goldenFlows_arePinned() {
    assertThat(FlowHash.ipv6(SEED, IpProtocol.TCP, CLIENT6, 51514, LISTENER6, 443, 7))
        .isEqualTo(0x1BC9037CDD562A4BL);
    assertThat(FlowHash.ipv6(SEED, IpProtocol.UDP, CLIENT6, 51514, LISTENER6, 53, 0))
        .isEqualTo(0x0A558DDFED07B0CDL);
  }

  @Test
  void sourceHashes_golden_arePinned() {
    assertThat(FlowHash.sourceIpv4(SEED, IpProtocol.TCP, CLIENT)).isEqualTo(0x82541CA56E589F9DL);
    assertThat(FlowHash.sourceIpv4(SEED, IpProtocol.UDP, CLIENT)).isEqualTo(0x54775DD964D2DC46L);
    assertThat(FlowHash.sourceIpv6(SEED, IpProtocol.TCP, CLIENT6)).isEqualTo(0x023C1493B7C2835FL);
  }

  @Test
  void ipv4_javadocExample_hashesTheDocumentedBytes() {
    byte[] layout = {
      0x04, 0x06, (byte) 0xd2, 0x04, 0x50, 0x00, 0x00, 0x00,
      0x01, 0x00, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x0a,
      0x07, 0x00, 0x00, 0x00
    };

    assertThat(FlowHash.ipv4(SEED, IpProtocol.TCP, 0x0A000001, 1234, 0x0A000002, 80, 7))
        .isEqualTo(XxHash64.hash(layout, 0, layout.length, SEED));
  }

  @Test
  void allKinds_randomKeys_hashTheDocumentedLayout() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 2000; i++) {
      long seed = random.nextLong();
      IpProtocol p = random.nextBoolean() ? IpProtocol.TCP : IpProtocol.UDP;
      int src = random.nextInt();
      int dst = random.nextInt();
      int srcPort = random.nextInt(65536);
      int dstPort = random.nextInt(65536);
      int seq = p == IpProtocol.TCP ? random.nextInt() : 0;
      byte[] src16 = new byte[16];
      byte[] dst16 = new byte[16];
      random.nextBytes(src16);
      random.nextBytes(dst16);
      boolean tcp = p == IpProtocol.TCP;

      ByteBuffer v4 = le(tcp ? 20 : 16).put((byte) 4).put((byte) p.number())
          .putShort((short) srcPort).putShort((short) dstPort).putShort((short) 0)
          .putInt(src).putInt(dst);
      ByteBuffer v6 = le(tcp ? 44 : 40).put((byte) 6).put((byte) p.number())
          .putShort((short) srcPort).putShort((short) dstPort).putShort((short) 0)
          .putLong(be(src16, 0)).putLong(be(src16, 8)).putLong(be(dst16, 0)).putLong(be(dst16, 8));
      if (tcp) {
        v4.putInt(seq);
        v6.putInt(seq);
      }
      ByteBuffer s4 = le(8).put((byte) 0x14).put((byte) p.number()).putShort((short) 0).putInt(src);
      ByteBuffer s6 = le(24).put((byte) 0x16).put((byte) p.number()).putShort((short) 0)
          .putInt(0).putLong(be(src16, 0)).putLong(be(src16, 8));

      assertThat(FlowHash.ipv4(seed, p, src, srcPort, dst, dstPort, seq)).isEqualTo(xxh(v4, seed));
      assertThat(FlowHash.ipv6(seed, p, src16, srcPort, dst16, dstPort, seq)).isEqualTo(xxh(v6, seed));
      assertThat(FlowHash.sourceIpv4(seed, p, src)).isEqualTo(xxh(s4, seed));
      assertThat(FlowHash.sourceIpv6(seed, p, src16)).isEqualTo(xxh(s6, seed));
    }
  }

  @Test
  void ipv4_udpWithAnySequence_hashesTheSame() {
    long h = FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 5000, LISTENER, 53, 0);

    assertThat(FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 5000, LISTENER, 53, 12345)).isEqualTo(h);
    assertThat(FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 5000, LISTENER, 53, -1)).isEqualTo(h);
  }

  @Test
  void ipv6_udpWithAnySequence_hashesTheSame() {
    long h = FlowHash.ipv6(SEED, IpProtocol.UDP, CLIENT6, 5000, LISTENER6, 53, 0);

    assertThat(FlowHash.ipv6(SEED, IpProtocol.UDP, CLIENT6, 5000, LISTENER6, 53, 99)).isEqualTo(h);
  }

  @Test
  void ipv4_twoTcpConnectionsOfOneClientWithDifferentSequences_hashDifferently() {
    long first = FlowHash.ipv4(SEED, IpProtocol.TCP, CLIENT, 40000, LISTENER, 443, 1);
    long second = FlowHash.ipv4(SEED, IpProtocol.TCP, CLIENT, 40000, LISTENER, 443, 2);

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void ipv6_twoTcpConnectionsOfOneClientWithDifferentSequences_hashDifferently() {
    long first = FlowHash.ipv6(SEED, IpProtocol.TCP, CLIENT6, 40000, LISTENER6, 443, 1);
    long second = FlowHash.ipv6(SEED, IpProtocol.TCP, CLIENT6, 40000, LISTENER6, 443, 2);

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void ipv4_sameTupleTcpAndUdp_hashDifferently() {
    assertThat(FlowHash.ipv4(SEED, IpProtocol.TCP, CLIENT, 53, LISTENER, 53, 0))
        .isNotEqualTo(FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 53, LISTENER, 53, 0));
  }

  @Test
  void ipv4_swappedPortsOrAddresses_hashDifferently() {
    long h = FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 1000, LISTENER, 2000, 0);

    assertThat(FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 2000, LISTENER, 1000, 0)).isNotEqualTo(h);
    assertThat(FlowHash.ipv4(SEED, IpProtocol.UDP, LISTENER, 1000, CLIENT, 2000, 0)).isNotEqualTo(h);
  }

  @Test
  void ipv4_otherSeed_hashesDifferently() {
    assertThat(FlowHash.ipv4(1, IpProtocol.UDP, CLIENT, 1000, LISTENER, 2000, 0))
        .isNotEqualTo(FlowHash.ipv4(2, IpProtocol.UDP, CLIENT, 1000, LISTENER, 2000, 0));
  }

  @Test
  void ipv4_portAbove16Bits_usesLow16Bits() {
    assertThat(FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 0x1_0050, LISTENER, 53, 0))
        .isEqualTo(FlowHash.ipv4(SEED, IpProtocol.UDP, CLIENT, 0x50, LISTENER, 53, 0));
  }

  @Test
  void sourceHash_ignoresPortsDestinationAndSequence_dependsOnProtocolAndAddress() {
    long h = FlowHash.sourceIpv4(SEED, IpProtocol.TCP, CLIENT);

    assertThat(FlowHash.sourceIpv4(SEED, IpProtocol.TCP, CLIENT + 1)).isNotEqualTo(h);
    assertThat(FlowHash.sourceIpv4(SEED, IpProtocol.UDP, CLIENT)).isNotEqualTo(h);
    assertThat(FlowHash.sourceIpv6(SEED, IpProtocol.TCP, CLIENT6))
        .isNotEqualTo(FlowHash.sourceIpv6(SEED, IpProtocol.UDP, CLIENT6));
  }

  @Test
  void ipv6_addressNot16Bytes_throwsNamingTheArgument() {
    assertThatThrownBy(
            () -> FlowHash.ipv6(SEED, IpProtocol.TCP, new byte[4], 1, LISTENER6, 2, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("src16.length: 4 (expected: 16)");
    assertThatThrownBy(() -> FlowHash.ipv6(SEED, IpProtocol.TCP, CLIENT6, 1, new byte[17], 2, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dst16.length: 17 (expected: 16)");
    assertThatThrownBy(() -> FlowHash.sourceIpv6(SEED, IpProtocol.TCP, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("src16.length: 0 (expected: 16)");
  }

  /**
   * Chi-square over 1024 bins (1023 degrees of freedom): [888.9, 1168.5] are the 0.1 % and 99.9 %
   * quantiles, so a uniform hash lands inside with probability 99.8 %; the inputs are fixed, so
   * the outcome is too. Checked on random clients and on a structured, low
   * entropy population (sequential addresses and ports, one listener), for low and high bits.
   */
  @Test
  void ipv4_millionRandomFlows_chiSquareWithinBounds() {
    SplittableRandom random = new SplittableRandom(42);
    long[] lowBins = new long[1024];
    long[] highBins = new long[1024];
    for (int i = 0; i < 1_000_000; i++) {
      long h = FlowHash.ipv4(
          SEED, IpProtocol.TCP, random.nextInt(), random.nextInt(1024, 65536), LISTENER, 443,
          random.nextInt());
      lowBins[(int) (h & 1023)]++;
      highBins[(int) (h >>> 54)]++;
    }

    assertThat(chiSquare(lowBins, 1_000_000)).isBetween(888.9, 1168.5);
    assertThat(chiSquare(highBins, 1_000_000)).isBetween(888.9, 1168.5);
  }

  @Test
  void ipv4_millionSequentialFlows_chiSquareWithinBounds() {
    long[] lowBins = new long[1024];
    long[] highBins = new long[1024];
    int n = 0;
    for (int client = 0; client < 16; client++) {
      for (int port = 0; port < 62_500; port++) {
        long h = FlowHash.ipv4(
            SEED, IpProtocol.UDP, 0xC0A80000 + client, 1024 + port, LISTENER, 53, 0);
        lowBins[(int) (h & 1023)]++;
        highBins[(int) (h >>> 54)]++;
        n++;
      }
    }

    assertThat(chiSquare(lowBins, n)).isBetween(888.9, 1168.5);
    assertThat(chiSquare(highBins, n)).isBetween(888.9, 1168.5);
  }

  @Test
  void ipv6_millionRandomFlows_chiSquareWithinBounds() {
    SplittableRandom random = new SplittableRandom(43);
    long[] highBins = new long[1024];
    byte[] src = new byte[16];
    for (int i = 0; i < 1_000_000; i++) {
      random.nextBytes(src);
      long h = FlowHash.ipv6(SEED, IpProtocol.TCP, src, random.nextInt(65536), LISTENER6, 443, 0);
      highBins[(int) (h >>> 54)]++;
    }

    assertThat(chiSquare(highBins, 1_000_000)).isBetween(888.9, 1168.5);
  }

  static double chiSquare(long[] bins, long total) {
    double expected = (double) total / bins.length;
    double sum = 0;
    for (long observed : bins) {
      double d = observed - expected;
      sum += d * d / expected;
    }
    return sum;
  }

  private static long xxh(ByteBuffer b, long seed) {
    assertThat(b.remaining()).as("layout fully written").isZero();
    byte[] bytes = new byte[b.capacity()];
    b.flip().get(bytes);
    return XxHash64.hash(bytes, 0, bytes.length, seed);
  }

  private static ByteBuffer le(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static long be(byte[] b, int off) {
    return ByteBuffer.wrap(b, off, 8).order(ByteOrder.BIG_ENDIAN).getLong();
  }

  static byte[] ipv6(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
