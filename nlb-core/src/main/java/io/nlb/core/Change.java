package io.nlb.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a control-plane command hands back to the thread that submitted it: its result, the
 * binding it started (already published to routing; it completes later, on an event loop), and
 * how to take the change back if that binding fails. The submitting thread waits for the binding
 * outside the control plane, so other commands (health reports above all) keep running meanwhile.
 *
 * <p>Immutable; {@code undo} runs as a command of its own.
 */
record Change<T>(T value, CompletionStage<Void> binding, Runnable undo) {
  static final CompletionStage<Void> BOUND = CompletableFuture.completedFuture(null);

  /** A change that needed no binding. */
  static <T> Change<T> done(T value) {
    return new Change<>(value, BOUND, () -> {});
  }
}
