package io.nlb.core;

import java.util.Locale;

/**
 * The protocol of active health checks. UDP targets are checked over one of these too.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum HealthCheckProtocol {
  /** A TCP connect within the timeout. */
  TCP,
  /** {@code GET path} answered with a status in the matcher. */
  HTTP,
  /** The same over TLS, without validating the target's certificate. */
  HTTPS;

  /**
   * Parses {@code TCP}, {@code HTTP} or {@code HTTPS}, case-insensitively.
   *
   * @param field the name of the value, for the error message
   * @param value the value
   * @return the {@code HealthCheckProtocol}
   */
  public static HealthCheckProtocol parse(String field, String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Check.invalid(field, value, "TCP, HTTP or HTTPS");
    }
  }
}
