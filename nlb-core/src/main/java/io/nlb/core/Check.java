package io.nlb.core;

import io.nlb.common.Problems;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks of the module's builders. The message text, {@code "field: value (expected:
 * what)"}, is formatted by {@link Problems}, the project's one formatter; {@code invalid}, {@code
 * message} and {@code render} only forward to it, so that the module's many call sites (and the
 * control-plane code being rewritten beside them) keep reading {@code Check.invalid(...)}.
 */
final class Check {
  private Check() {}

  static IllegalArgumentException invalid(String field, @Nullable Object value, String expected) {
    return Problems.invalid(field, value, expected);
  }

  static String message(String field, @Nullable Object value, String expected) {
    return Problems.message(field, value, expected);
  }

  static String render(@Nullable Object value) {
    return Problems.render(value);
  }

  static int range(String field, int value, int min, int max) {
    return Problems.range(field, value, min, max);
  }

  static <T> T notNull(String field, @Nullable T value) {
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
