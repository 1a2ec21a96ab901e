package io.nlb.awsapi;

import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
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
  private final Clock clock;
  private final RandomGenerator random;

  SharedChanges(SharedApiState shared, ElbV2Service live, Duration applyWait, Clock clock, RandomGenerator random) {
    this.shared = shared;
    this.live = live;
    this.applyWait = applyWait;
    this.clock = clock;
    this.random = random;
  }

  /** What one run of a change gives: the answer, and every record of the next state. */
  private record Outcome<T>(T answer, List<StateFile.Entry> records) {}

  /** How a change runs on the scratch service, given the shift records of the current state. */
  private interface Change<T> {
    Outcome<T> run(ElbV2Service scratch, List<StateFile.Entry> shifts);
  }

  /** Runs one changing elbv2 action against the shared state and returns its response document. */
  String handle(String action, QueryParams p, String requestId) {
    return change(action, (service, shifts) -> {
      String xml = service.handle(action, p, requestId);
      List<StateFile.Entry> next = new ArrayList<>(service.snapshot());
      next.addAll(shifts);
      return new Outcome<>(xml, next);
    });
  }

  /** Runs one changing zonal-shift request (start, update, cancel) against the shared state. */
  ZonalShiftService.Answer shift(String method, String rawPath, String rawQuery, byte[] body) {
    return change(method + " " + rawPath, (service, shifts) -> {
      ZonalShiftService z = new ZonalShiftService(service, clock, random, true);
      z.runs(shifts);
      ZonalShiftService.Answer a = z.handle(method, rawPath, rawQuery, body);
      List<StateFile.Entry> next = new ArrayList<>(service.snapshot());
      next.addAll(z.records());
      return new Outcome<>(a, next);
    });
  }

  private <T> T change(String what, Change<T> change) {
    List<T> answer = new ArrayList<>(1);
    long revision;
    try {
      revision = shared.update(current -> {
        answer.clear();
        try (Nlb scratch = shared.scratch()) {
          try {
            scratch.apply(current.configured());
          } catch (NlbException e) {
            throw new IllegalStateException("the shared configuration does not build: " + String.join("; ", e.problems()), e);
          }
          List<StateFile.Entry> records = StateFile.parse(current.apiState(), "shared API state");
          ElbV2Service service = live.over(scratch);
          service.restore(SharedShifts.withoutShifts(records));
          List<StateFile.Entry> shifts = records.stream().filter(e -> e.kind().equals(SharedShifts.KIND)).toList();
          Outcome<T> o = change.run(service, shifts);
          answer.add(o.answer());
          return StateFile.format(o.records());
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
        log.warn("{}: written as shared revision {}, not running in this process after {} ms (see the cluster status)", what,
            revision, applyWait.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return answer.get(0);
  }
}
