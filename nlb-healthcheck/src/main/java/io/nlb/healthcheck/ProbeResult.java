package io.nlb.healthcheck;

/**
 * What one health check found: an {@link CheckOutcome} and a short human-readable detail ({@code
 * "HTTP 500"}, {@code "Connection refused"}, {@code "no status line within 2 s"}).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ProbeResult {
  private final CheckOutcome outcome;
  private final String detail;

  private ProbeResult(CheckOutcome outcome, String detail) {
    this.outcome = outcome;
    this.detail = detail;
  }

  /**
   * {@return a result with {@code outcome} and {@code detail}}
   *
   * @param outcome the outcome
   * @param detail the detail
   */
  public static ProbeResult of(CheckOutcome outcome, String detail) {
    return new ProbeResult(outcome, detail);
  }

  /** {@return the outcome} */
  public CheckOutcome outcome() {
    return outcome;
  }

  /** {@return the detail, for logs} */
  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return outcome + " (" + detail + ")";
  }
}
