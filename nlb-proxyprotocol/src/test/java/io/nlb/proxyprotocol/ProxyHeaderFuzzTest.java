package io.nlb.proxyprotocol;

import static io.nlb.proxyprotocol.ProxyHeaderParserTest.ascii;
import static io.nlb.proxyprotocol.ProxyHeaderParserTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100,000 random and mutated inputs (fixed seed) through every decoding entry point: each must
 * end in a header, "need more bytes" or {@link ProxyProtocolException}, and nothing else; "need
 * more" is only allowed below the largest header, so nothing buffers without bound.
 */
class ProxyHeaderFuzzTest {
  static final int INPUTS = 100_000;
  static final long SEED = 0x9E3779B97F4A7C15L;

  static final ProxyHeaderParser STRICT = ProxyHeaderParser.defaults();
  // Mutations break checksums; the lenient parser lets them reach the TLV code behind the check.
  static final ProxyHeaderParser LENIENT =
      ProxyHeaderParser.builder().requireValidCrc32c(false).build();

  static List<byte[]> seeds() {
    List<byte[]> seeds = new ArrayList<>();
    for (String hex : new String[] {ProxyV2EncoderTest.TCP4_VPCE, ProxyV2EncoderTest.TCP6,
        ProxyV2EncoderTest.LOCAL, ProxyV2EncoderTest.UDP4, ProxyV2EncoderTest.TCP4_VPCE_CRC,
        ProxyV2EncoderTest.TCP6_CRC, ProxyV2EncoderTest.LOCAL_CRC, ProxyV2EncoderTest.UDP4_CRC}) {
      seeds.add(Hex.bytes(hex));
    }
    seeds.add(ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n"));
    seeds.add(ascii("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 56324 443\r\n"));
    seeds.add(ascii("PROXY UNKNOWN\r\n"));
    List<ProxyTlv> tlvs = new ArrayList<>(NettyOracleTest.everyTlvType());
    tlvs.add(ProxyTlv.of(0xF8, new byte[] {1}));
    ProxyHeader all = ProxyHeader.proxy(TransportProtocol.STREAM,
        new InetSocketAddress("192.0.2.1", 1), new InetSocketAddress("2001:db8::2", 2))
        .withTlvs(tlvs);
    seeds.add(ProxyV2Encoder.builder().crc32c(true).build().encode(all));
    byte[] unix = new byte[216];
    unix[0] = '/';
    seeds.add(ProxyV2Encoder.create().encode(
        ProxyHeader.of(ProxyCommand.PROXY, ProxiedProtocol.UNIX_DGRAM, unix, List.of())));
    return seeds;
  }

  static byte[] mutate(SplittableRandom r, List<byte[]> seeds) {
    byte[] seed = seeds.get(r.nextInt(seeds.size()));
    switch (r.nextInt(8)) {
      case 0: { // flip a few bytes
        byte[] b = seed.clone();
        for (int i = r.nextInt(1, 5); i > 0; i--) {
          b[r.nextInt(b.length)] ^= (byte) r.nextInt(1, 256);
        }
        return b;
      }
      case 1: // truncate
        return Arrays.copyOf(seed, r.nextInt(seed.length + 1));
      case 2: { // extend or shrink a length field: the header's or a TLV's
        byte[] b = Arrays.copyOf(seed, seed.length + r.nextInt(0, 64));
        int at = b[0] == 0x0D && r.nextBoolean() ? 14 : r.nextInt(Math.max(1, b.length - 1));
        int v = r.nextBoolean() ? r.nextInt(0x10000) : ((b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF))
            + r.nextInt(-8, 9);
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
        return b;
      }
      case 3: { // random junk, sometimes behind a valid-looking start
        byte[] b = new byte[r.nextInt(0, 300)];
        r.nextBytes(b);
        if (b.length >= 13 && r.nextBoolean()) {
          System.arraycopy(ProxyV2Encoder.SIGNATURE, 0, b, 0, 12);
          b[12] = (byte) (0x20 | r.nextInt(3));
        } else if (b.length >= 6 && r.nextBoolean()) {
          System.arraycopy(ascii("PROXY "), 0, b, 0, 6);
        }
        return b;
      }
      case 4: { // insert or delete bytes
        int at = r.nextInt(seed.length + 1);
        if (r.nextBoolean() && at < seed.length) {
          return concat(Arrays.copyOf(seed, at),
              Arrays.copyOfRange(seed, Math.min(seed.length, at + r.nextInt(1, 4)), seed.length));
        }
        byte[] extra = new byte[r.nextInt(1, 4)];
        r.nextBytes(extra);
        return concat(Arrays.copyOf(seed, at), extra, Arrays.copyOfRange(seed, at, seed.length));
      }
      case 5: { // append junk (payload, or a broken stacked header)
        byte[] extra = new byte[r.nextInt(1, 40)];
        r.nextBytes(extra);
        return concat(seed, extra);
      }
      case 6: // stacked, then mutated again
        return mutate(r, List.of(concat(seed, seeds.get(r.nextInt(seeds.size())))));
      default: { // printable junk in a v1 line
        byte[] b = seed.clone();
        if (b[0] == 'P') {
          b[r.nextInt(6, b.length)] = (byte) r.nextInt(0x20, 0x7F);
        }
        return b;
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void decode_randomAndMutatedInputs_onlyHeadersNeedMoreOrProxyProtocolException() {
    SplittableRandom r = new SplittableRandom(SEED);
    List<byte[]> seeds = seeds();
    int[] outcomes = new int[3]; // header, need more, rejected
    for (int i = 0; i < INPUTS; i++) {
      byte[] input = mutate(r, seeds);
      try {
        outcomes[check(input, i % 2 == 0 ? STRICT : LENIENT)]++;
        if (i % 10 == 0) {
          checkStream(input);
        }
        if (i % 100 == 0) { // an EmbeddedChannel per input is costlier: 1,000 of them
          checkNetty(input);
        }
      } catch (Throwable t) {
        throw new AssertionError("input #" + i + ": " + Hex.of(input), t);
      }
    }
    // The mix must exercise every outcome, not just rejections at byte 0.
    for (int n : outcomes) {
      assertThat(n).as("outcomes %s", Arrays.toString(outcomes)).isGreaterThan(INPUTS / 50);
    }
  }

  @Test
  void decode_hugeInputs_verdictWithinOneMaximalHeader() {
    SplittableRandom r = new SplittableRandom(SEED + 1);
    byte[] big = new byte[Wire.V2_MAX_LENGTH + 100];
    for (int i = 0; i < 20; i++) {
      r.nextBytes(big);
      System.arraycopy(ProxyV2Encoder.SIGNATURE, 0, big, 0, 12);
      big[12] = 0x20; // LOCAL: any family, any length
      assertThat(check(big, STRICT)).isNotEqualTo(1);
      Arrays.fill(big, 6, big.length, (byte) 'a');
      System.arraycopy(ascii("PROXY "), 0, big, 0, 6);
      assertThat(check(big, STRICT)).isEqualTo(2);
    }
  }

  /** 0: header(s), 1: need more, 2: rejected. Anything else fails the test. */
  static int check(byte[] input, ProxyHeaderParser parser) {
    int outcome;
    ByteBuffer one = ByteBuffer.wrap(input);
    try {
      ProxyHeader header = parser.parseOne(one);
      if (header == null) {
        assertThat(one.position()).isZero();
        assertNeedMoreIsBounded(input);
        outcome = 1;
      } else {
        assertThat(one.position()).isBetween(ProxyV2Encoder.FIXED_LENGTH - 1, input.length);
        exercise(header);
        outcome = 0;
      }
    } catch (ProxyProtocolException e) {
      assertThat(e.offset()).isBetween(0L, (long) input.length);
      assertThat(one.position()).isZero();
      outcome = 2;
    }
    ByteBuffer all = ByteBuffer.wrap(input);
    try {
      ProxyHeaders headers = parser.parse(all);
      if (headers == null) {
        assertThat(all.position()).isZero();
      } else {
        headers.all().forEach(ProxyHeaderFuzzTest::exercise);
      }
    } catch (ProxyProtocolException e) {
      assertThat(e.offset()).isBetween(0L, (long) input.length);
    }
    return outcome;
  }

  static void assertNeedMoreIsBounded(byte[] input) {
    if (input.length > 0 && input[0] == 'P') {
      assertThat(input.length).isLessThan(Wire.V1_MAX_LENGTH);
    } else {
      assertThat(input.length).isLessThan(Wire.V2_MAX_LENGTH);
    }
  }

  /** Every accessor of a decoded header must work, whatever the TLVs held. */
  static void exercise(ProxyHeader h) {
    assertThat(h.toString()).isNotEmpty();
    h.source();
    h.addressBlock();
    h.alpn();
    h.authority();
    h.uniqueId();
    h.netns();
    h.vpcEndpointId();
    ProxySsl ssl = h.ssl();
    if (ssl != null) {
      ssl.version();
      ssl.commonName();
      assertThat(ssl.toString()).isNotEmpty();
    }
    assertThat(h).isEqualTo(h.withTlvs(h.tlvs()));
    // What we decoded, we can encode (unless it carries a checksum to recompute).
    if (h.tlv(TlvType.CRC32C) == null && h.protocol().addressBlockLength()
        == h.addressBlock().length) {
      assertThat(ProxyV2Encoder.create().encode(h)).isNotEmpty();
    }
  }

  static void checkStream(byte[] input) throws Exception {
    try {
      ProxyHeaders headers = STRICT.read(new ByteArrayInputStream(input));
      assertThat(headers.size()).isPositive();
    } catch (ProxyProtocolException | EOFException expected) {
      // documented outcomes
    }
  }

  static void checkNetty(byte[] input) {
    EmbeddedChannel ch = new EmbeddedChannel(new ProxyProtocolDecoder(LENIENT));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(input));
    } catch (ProxyProtocolException expected) {
      // documented outcome
    }
    try {
      ch.close();
      ch.checkException(); // an end of stream inside the first header is reported too
    } catch (ProxyProtocolException expected) {
      // documented outcome
    }
    Object msg;
    while ((msg = ch.readInbound()) != null) {
      if (msg instanceof ByteBuf) {
        ((ByteBuf) msg).release();
      } else {
        assertThat(msg).isInstanceOf(ProxyHeader.class);
      }
    }
    ch.finishAndReleaseAll();
  }
}
