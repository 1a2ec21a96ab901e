package io.nlb.common;

import org.jspecify.annotations.Nullable;

/**
 * The one formatter of the project's argument and input errors: {@code "field: value (expected:
 * what)"}, as in {@code "healthyThreshold: 1 (expected: 2-10)"}. Every module builds its messages
 * here so that they all read alike; tests assert the text, so the format never changes silently.
 *
 * <p>The value is shown by {@link #render}: {@code null} as {@code null}, text in double quotes
 * ({@code name: "a b" (expected: ...)}), anything else by {@code String.valueOf}. Wrap a value in
 * {@link #raw} to show text without quotes (a metric name, a set, a hex byte).
 *
 * <p>Stateless and thread-safe. Called when something is wrong, never on a path that succeeds, so
 * building the string is fine.
 *
 * <pre>{@code
 * if (port < 1 || port > 65535) {
 *   throw Problems.invalid("port", port, "1-65535"); // "port: 0 (expected: 1-65535)"
 * }
 * }</pre>
 *
 * <p>Not API: the package is exported only to the project's modules.
 *
 * @since 0.1
 */
public final class Problems {
  private Problems() {}

  /**
   * The message {@code "field: value (expected: what)"}, the value shown by {@link #render}.
   *
   * @param field the path of the field, such as {@code listener[TLS:443].certificate}
   * @param value the value that was refused; {@code null} if it was absent
   * @param expected what is allowed, such as {@code 2-10}
   * @return the message
   */
  public static String message(String field, @Nullable Object value, String expected) {
    return field + ": " + render(value) + " (expected: " + expected + ")";
  }

  /**
   * An {@link IllegalArgumentException} carrying {@link #message}.
   *
   * @param field the path of the field
   * @param value the value that was refused; {@code null} if it was absent
   * @param expected what is allowed
   * @return the exception, for the caller to throw
   */
  public static IllegalArgumentException invalid(String field, @Nullable Object value, String expected) {
    return new IllegalArgumentException(message(field, value, expected));
  }

  /**
   * Checks that {@code value} lies within {@code min} and {@code max}, both included.
   *
   * @param field the path of the field
   * @param value the value
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return {@code value}
   * @throws IllegalArgumentException otherwise, expecting {@code "min-max"}
   */
  public static int range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw invalid(field, value, min + "-" + max);
    }
    return value;
  }

  /**
   * How a value appears in a message: {@code null}, text in double quotes, else {@code String.valueOf}.
   *
   * @param value the value
   * @return its text in a message
   */
  public static String render(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof CharSequence) {
      return "\"" + value + "\"";
    }
    return String.valueOf(value);
  }

  /**
   * {@code text} as a value shown as is, without the quotes text values get.
   *
   * @param text the text to show
   * @return a value that {@link #render} shows as {@code text}
   */
  public static Object raw(String text) {
    return new Raw(text);
  }

  /** Not a {@link CharSequence}, so {@link #render} shows it unquoted. */
  private record Raw(String text) {
    @Override
    public String toString() {
      return text;
    }
  }
}
