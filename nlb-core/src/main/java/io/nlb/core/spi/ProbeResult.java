package io.nlb.core.spi;

import java.util.Objects;

/**
 * What one health check found: a {@link CheckOutcome} and a short human-readable detail ({@code
 * "HTTP 500"}, {@code "Connection refused"}, {@code "timed out after 2000 ms waiting for status
 * line"}). The detail is for logs only: nothing parses it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param outcome what the engine counts
 * @param detail why, for logs
 *
 * @since 0.1
 */
public record ProbeResult(CheckOutcome outcome, String detail) {
  /**
   * Checks that neither component is null.
   *
   * @param outcome what the engine counts
   * @param detail why, for logs
   */
  public ProbeResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * A result with {@code outcome} and {@code detail}.
   *
   * @param outcome what the engine counts
   * @param detail why, for logs
   * @return the result
   */
  public static ProbeResult of(CheckOutcome outcome, String detail) {
    return new ProbeResult(outcome, detail);
  }

  @Override
  public String toString() {
    return outcome + " (" + detail + ")";
  }
}
