package io.nlb.core;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one writer of an {@link Nlb}'s state: commands run one at a time, in the order they were
 * submitted, on whichever submitting thread finds the queue idle (the shape of gRPC's
 * {@code SynchronizationContext}). There is no dedicated thread and no monitor: a caller whose
 * command is queued behind another waits for its result, and the thread that is draining runs it.
 *
 * <p>Commands must not block: binding, file access and listener callbacks are started from a
 * command and complete later, as commands of their own ({@link #execute}). A command may call
 * {@link #call} again (an accessor used by another operation): it then runs inline, since the
 * state is already owned by the running thread.
 *
 * <p>Thread-safe.
 */
final class ControlPlane {
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicReference<@Nullable Thread> drainer = new AtomicReference<>();

  /** Whether the calling thread is the one running commands now. */
  boolean inControl() {
    return drainer.get() == Thread.currentThread();
  }

  /**
   * Runs {@code command} serially with every other command and returns its result, rethrowing
   * what it threw. Runs inline when called from a command.
   */
  <T> T call(Supplier<T> command) {
    if (inControl()) {
      return command.get();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    queue.add(() -> {
      try {
        result.complete(command.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    drain();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          // The command is queued or running and will complete; its caller gets the outcome.
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs {@code command} serially; see {@link #call(Supplier)}. */
  void run(Runnable command) {
    call(() -> {
      command.run();
      return Boolean.TRUE;
    });
  }

  /**
   * Queues {@code command} and returns, running it now if no other thread is running commands.
   * For timers and completions, which have no caller waiting. A command that throws is dropped;
   * the others still run.
   */
  void execute(Runnable command) {
    queue.add(command);
    if (!inControl()) {
      drain();
    }
  }

  private void drain() {
    Thread me = Thread.currentThread();
    do {
      if (!drainer.compareAndSet(null, me)) {
        return; // another thread drains, and will see what was queued
      }
      try {
        Runnable r;
        while ((r = queue.poll()) != null) {
          try {
            r.run();
          } catch (RuntimeException e) {
            // Only fire-and-forget commands reach here (call() completes its future instead):
            // a failing timer must not stop the commands queued behind it.
          }
        }
      } finally {
        drainer.set(null);
      }
      // A command queued after the last poll but before the release would otherwise wait for the
      // next caller.
    } while (!queue.isEmpty());
  }
}
