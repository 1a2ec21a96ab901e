package io.nlb.core;

import java.time.Duration;
import java.time.Instant;

/**
 * The control plane's source of time and its timer: deregistration delays, zonal-shift expiry and
 * ALB address refreshes are scheduled here. Injected through {@link Nlb.Builder#scheduler} so
 * that tests drive time with a {@link ManualScheduler} and never wait.
 *
 * <p>Tasks must be short: they run the control plane's work (under its lock) and then return.
 *
 * <p>Implementations must be thread-safe.
 *
 * @since 0.1
 */
public interface Scheduler {
  /** {@return the current wall-clock time (used for expiry times users see)} */
  Instant now();

  /** {@return a monotonic reading in nanoseconds, for measuring intervals} */
  long nanoTime();

  /**
   * Runs {@code task} once, after {@code delay}.
   *
   * @param delay the delay
   * @param task the task to run
   * @return the {@code Cancellable}
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run; does nothing otherwise. */
    void cancel();
  }

  /**
   * {@return a scheduler on the system clock with one daemon thread named {@code nlb-control}} Close the
   * {@link Nlb} to stop it.
   */
  static Scheduler system() {
    return new SystemScheduler();
  }
}
