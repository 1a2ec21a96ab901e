package io.nlb.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonStringsTest {
  private static String quote(String s) {
    StringBuilder sb = new StringBuilder();
    JsonStrings.quote(sb, s);
    return sb.toString();
  }

  @Test
  void quote_plainText_isQuotedAsIs() {
    assertThat(quote("zone-a é 😀")).isEqualTo("\"zone-a é 😀\"");
  }

  @Test
  void quote_quotesAndControlCharacters_areEscaped() {
    assertThat(quote("q\"\\\n\r\t\b\f\u0001\u007f\u0085")).isEqualTo("\"q\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u007f\\u0085\"");
  }

  @Test
  void quote_lineSeparatorsAndLoneSurrogates_areEscaped() {
    assertThat(quote("a\u2028b\u2029c\ud800d\udc00")).isEqualTo("\"a\\u2028b\\u2029c\\ud800d\\udc00\"");
  }

  @Test
  void value_writesMapsListsScalarsAndNull_inOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "a\"b");
    m.put("n", null);
    m.put("l", List.of(1, 2.5, true, List.of()));
    m.put("o", Map.of());
    StringBuilder sb = new StringBuilder();
    JsonStrings.value(sb, m);
    assertThat(sb).hasToString("{\"s\":\"a\\\"b\",\"n\":null,\"l\":[1,2.5,true,[]],\"o\":{}}");
  }

  @Test
  void value_nonFiniteNumbersAndOtherObjects_areStrings() {
    StringBuilder sb = new StringBuilder();
    JsonStrings.value(sb, List.of(Double.NaN, Float.NEGATIVE_INFINITY, 'c', java.time.Duration.ofSeconds(1)));
    assertThat(sb).hasToString("[\"NaN\",\"-Infinity\",\"c\",\"PT1S\"]");
  }
}
