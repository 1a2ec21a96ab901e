package io.nlb.healthcheck;

/**
 * What one health check found: an {@link CheckOutcome} and a short human-readable detail ({@code
 * "HTTP 500"}, {@code "Connection refused"}, {@code "no status line within 2 s"}).
 *
 * <p>Immutable and thread-safe.
 */
public final class ProbeResult {
  private final CheckOutcome outcome;
  private final String detail;

  private ProbeResult(CheckOutcome outcome, String detail) {
    this.outcome = outcome;
    this.detail = detail;
  }

  /** A result with {@code outcome} and {@code detail}. */
  public static ProbeResult of(CheckOutcome outcome, String detail) {
    return new ProbeResult(outcome, detail);
  }

  /** The outcome. */
  public CheckOutcome outcome() {
    return outcome;
  }

  /** The detail, for logs. */
  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return outcome + " (" + detail + ")";
  }
}
