package io.nlb.tls;

import org.jspecify.annotations.Nullable;

/** Argument errors in the project's grammar: {@code "field: value (expected: what)"}. */
final class Checks {
  private Checks() {}

  static IllegalArgumentException invalid(String field, @Nullable Object value, String expected) {
    return new IllegalArgumentException(message(field, value, expected));
  }

  static String message(String field, @Nullable Object value, String expected) {
    String shown = value == null ? "null" : value instanceof CharSequence ? "\"" + value + "\"" : String.valueOf(value);
    return field + ": " + shown + " (expected: " + expected + ")";
  }
}
