package io.nlb.proxyprotocol;

import org.jspecify.annotations.Nullable;

/** Messages in the library's one grammar: {@code "field: value (expected: what)"}. */
final class Problems {
  private Problems() {}

  static String of(String field, @Nullable Object value, String expected) {
    return field + ": " + render(value) + " (expected: " + expected + ")";
  }

  static IllegalArgumentException invalid(String field, @Nullable Object value, String expected) {
    return new IllegalArgumentException(of(field, value, expected));
  }

  static ProxyProtocolException wire(String field, @Nullable Object value, String expected,
      long offset) {
    return new ProxyProtocolException(of(field, value, expected), offset);
  }

  /** A byte in hex, rendered without quotes: {@code 0x0D}. */
  static Object hex(int b) {
    return raw(String.format("0x%02X", b & 0xFF));
  }

  /** A description or a name rendered as is, without the quotes given to text values. */
  static Object raw(String s) {
    return new Object() {
      @Override
      public String toString() {
        return s;
      }
    };
  }

  private static String render(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof CharSequence) {
      return "\"" + value + "\"";
    }
    return String.valueOf(value);
  }
}
