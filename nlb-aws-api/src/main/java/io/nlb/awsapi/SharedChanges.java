package io.nlb.awsapi;

import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changing elbv2 actions of an endpoint whose records live in a {@link SharedApiState}: each
 * runs on a scratch {@link Nlb} built from the shared state (the processes' configuration, then the
 * API's records restored under their ids), and what the scratch service then holds is written back
 * by compare-and-swap. The running {@code Nlb} changes only when this process applies the written
 * state, as every other process does; the action waits for that (bounded), so that the caller's
 * next request here sees its change.
 *
 * <p>Not thread-safe: used on the endpoint's operations thread.
 */
final class SharedChanges {
  private static final Logger log = LoggerFactory.getLogger(SharedChanges.class);

  private final SharedApiState shared;
  private final ElbV2Service live;
  private final Duration applyWait;

  SharedChanges(SharedApiState shared, ElbV2Service live, Duration applyWait) {
    this.shared = shared;
    this.live = live;
    this.applyWait = applyWait;
  }

  /** Runs one changing action against the shared state and returns its response document. */
  String handle(String action, QueryParams p, String requestId) {
    String[] answer = new String[1];
    long revision;
    try {
      revision = shared.update(current -> {
        try (Nlb scratch = shared.scratch()) {
          try {
            scratch.apply(current.configured());
          } catch (NlbException e) {
            throw new IllegalStateException("the shared configuration does not build: " + String.join("; ", e.problems()), e);
          }
          ElbV2Service service = live.over(scratch);
          service.restore(StateFile.parse(current.apiState(), "shared API state"));
          answer[0] = service.handle(action, p, requestId);
          return StateFile.format(service.snapshot());
        }
      });
    } catch (UncheckedIOException e) {
      throw new ApiException("ServiceUnavailable", 503, "shared state: " + e.getMessage()
          + " (expected: the shared store reachable; nothing was changed, retry)");
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(String.valueOf(e.getMessage()));
    }
    try {
      if (!shared.awaitApplied(revision, applyWait)) {
        log.warn("{}: written as shared revision {}, not running in this process after {} ms (see the cluster status)", action,
            revision, applyWait.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return answer[0];
  }
}
