package io.nlb.metrics.store;

/**
 * Argument errors in the project's grammar, {@code "field: value (expected: what)"}. Only called
 * at setup or query time, never by a recording handle on success.
 */
final class Checks {
  private Checks() {}

  static IllegalArgumentException invalid(String field, Object value, String expected) {
    return new IllegalArgumentException(field + ": " + value + " (expected: " + expected + ")");
  }
}
