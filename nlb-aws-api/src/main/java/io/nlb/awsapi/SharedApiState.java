package io.nlb.awsapi;

import io.nlb.core.Nlb;
import io.nlb.core.NlbConfig;
import java.time.Duration;
import java.util.function.Function;

/**
 * Where an {@link AwsApiServer} keeps what its elbv2 actions create when it is one of several
 * processes that run one load balancer (the launcher's cluster mode keeps it in etcd). With one,
 * a changing action never touches the running {@link Nlb} directly: the endpoint reads the shared
 * state, runs the action on a scratch {@code Nlb} built from it, and writes the result back by
 * compare-and-swap; every process, this one included, then applies the new state (its {@link
 * AwsApiServer#desiredState} joins the rest of its desired configuration, and {@link
 * AwsApiServer#sharedStateApplied} tells the endpoint it runs). Two processes that change the state
 * at the same moment never lose one another's change: the loser's action runs again on the
 * winner's state.
 *
 * <p>The API's part of the state is text in the endpoint's state-file format (the same records a
 * {@linkplain AwsApiServer.Builder#stateFile state file} holds); an empty string is no record.
 *
 * <pre>{@code
 * AwsApiServer api = AwsApiServer.builder(nlb).sharedState(new SharedApiState() {
 *   public long update(Function<Current, String> change) { ... read, apply, compare-and-swap, retry ... }
 *   public boolean awaitApplied(long revision, Duration timeout) { ... }
 *   public Nlb scratch() { return Nlb.builder().scheduler(new ManualScheduler()).build(); }
 * }).build().start();
 * }</pre>
 *
 * <p>Implementations must be thread-safe; the endpoint calls them from its operations thread.
 *
 * @since 0.1
 */
public interface SharedApiState {
  /**
   * The shared state as one revision holds it.
   *
   * @param configured what the processes run besides the API's records (their configuration
   *     file's target groups and load balancers): the scratch {@code Nlb} starts from it, so that
   *     names, ports and quotas are checked against everything that runs
   * @param apiState the API's records, in the state-file format; empty when there are none
   */
  record Current(NlbConfig configured, String apiState) {}

  /**
   * Changes the API's records by compare-and-swap: calls {@code change} with the current state and
   * writes what it returns only if nobody wrote in between; otherwise reads the new state and calls
   * it again. {@code change} may throw, which writes nothing and is rethrown.
   *
   * @param change from the current state to the next API records
   * @return the revision that holds the change (the current one when nothing changed)
   * @throws java.io.UncheckedIOException when the shared store cannot be reached: nothing was written
   * @throws IllegalArgumentException when the processes could not run the result, naming why
   */
  long update(Function<Current, String> change);

  /**
   * Waits until this process runs {@code revision} or a later one.
   *
   * @param revision a revision {@link #update} returned
   * @param timeout how long to wait at most
   * @return whether it runs it now
   * @throws InterruptedException when interrupted while waiting
   */
  boolean awaitApplied(long revision, Duration timeout) throws InterruptedException;

  /**
   * {@return a new {@code Nlb} built as the running one (identity, quotas, DNS suffix) but binding
   * nothing, on which one action runs; the endpoint closes it}
   */
  Nlb scratch();
}
