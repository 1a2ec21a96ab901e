package io.nlb.metrics;

import org.jspecify.annotations.Nullable;

/**
 * Argument checks whose messages follow the project's grammar: {@code "field: value (expected:
 * what)"}. Only called at setup time, so building the message string is fine.
 */
final class Check {
  private Check() {}

  static IllegalArgumentException invalid(String field, @Nullable Object value, String expected) {
    return invalidRaw(field, render(value), expected);
  }

  /** As {@link #invalid}, with {@code rendered} shown as is (no quotes): names, sets, numbers. */
  static IllegalArgumentException invalidRaw(String field, String rendered, String expected) {
    return new IllegalArgumentException(field + ": " + rendered + " (expected: " + expected + ")");
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
