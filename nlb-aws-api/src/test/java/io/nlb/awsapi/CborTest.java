package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Golden values from RFC 8949, Appendix A, and a round trip of the shapes CloudWatch uses. */
class CborTest {
  private static Object decode(String hex) {
    return Cbor.decode(HexFormat.of().parseHex(hex));
  }

  @Test
  void decode_rfc8949Examples() {
    assertThat(decode("00")).isEqualTo(0L);
    assertThat(decode("1903e8")).isEqualTo(1000L);
    assertThat(decode("3863")).isEqualTo(-100L);
    assertThat(decode("f93c00")).isEqualTo(1.0);
    assertThat(decode("f97bff")).isEqualTo(65504.0);
    assertThat(decode("fa47c35000")).isEqualTo(100000.0);
    assertThat(decode("fb3ff199999999999a")).isEqualTo(1.1);
    assertThat(decode("f4")).isEqualTo(false);
    assertThat(decode("f6")).isSameAs(Cbor.NULL);
    assertThat(decode("c11a514b67b0")).isEqualTo(Instant.ofEpochSecond(1363896240L));
    assertThat(decode("c1fb41d452d9ec200000")).isEqualTo(Instant.ofEpochMilli(1363896240500L));
    assertThat(decode("6449455446")).isEqualTo("IETF");
    assertThat(decode("9f018202039f0405ffff")).isEqualTo(List.of(1L, List.of(2L, 3L), List.of(4L, 5L)));
    assertThat(decode("bf61610161629f0203ffff")).isEqualTo(Map.of("a", 1L, "b", List.of(2L, 3L)));
    assertThat(decode("7f657374726561646d696e67ff")).isEqualTo("streaming");
  }

  @Test
  void encode_thenDecode_keepsCloudWatchShapes() {
    Map<String, Object> point = new LinkedHashMap<>();
    point.put("Timestamp", Instant.parse("2026-12-07T06:00:00Z"));
    point.put("Sum", 3.0);
    point.put("Unit", "Count");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Label", "NewFlowCount");
    out.put("Datapoints", List.of(point));
    out.put("Count", 70000L);
    out.put("Negative", -25L);
    assertThat(Cbor.decode(Cbor.encode(out))).isEqualTo(out);
    assertThat(HexFormat.of().formatHex(Cbor.encode(Map.of("a", 1)))).isEqualTo("a1616101");
  }

  @Test
  void decode_truncatedOrTrailing_isRefusedNamingTheOffset() {
    assertThatThrownBy(() -> decode("62ff")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cbor: length 2 at offset 1 (expected: at most the 1 bytes left)");
    assertThatThrownBy(() -> decode("0000")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cbor: 1 bytes after the item (expected: one item)");
    assertThatThrownBy(() -> decode("a10101")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(expected: a text string)");
  }
}
