package io.nlb.core;

import java.util.Collection;

/**
 * Argument checks whose messages follow one grammar: {@code "field: value (expected: what)"}.
 * Shared by every builder of the module so that all errors read alike.
 */
final class Check {
  private Check() {}

  static IllegalArgumentException invalid(String field, @org.jspecify.annotations.Nullable Object value, String expected) {
    return new IllegalArgumentException(message(field, value, expected));
  }

  static String message(String field, @org.jspecify.annotations.Nullable Object value, String expected) {
    return field + ": " + render(value) + " (expected: " + expected + ")";
  }

  static String render(@org.jspecify.annotations.Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof CharSequence) {
      return "\"" + value + "\"";
    }
    return String.valueOf(value);
  }

  static int range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw invalid(field, value, min + "-" + max);
    }
    return value;
  }

  static <T> T notNull(String field, @org.jspecify.annotations.Nullable T value) {
    if (value == null) {
      throw invalid(field, null, "a value");
    }
    return value;
  }

  static <T extends Collection<?>> T notEmpty(String field, T value) {
    if (value.isEmpty()) {
      throw invalid(field, "[]", "at least one");
    }
    return value;
  }
}
