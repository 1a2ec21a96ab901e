package io.nlb.common;

import static org.assertj.core.api.Assertions.assertThat;

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
}
