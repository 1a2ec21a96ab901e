package io.nlb.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where every public operation of an {@link Nlb} enters the control plane: it runs the {@link
 * Command} (on the {@link ControlPlane}, waiting outside it for a binding when the command starts
 * one), with the {@link QuotaGate} admitting the change a command proposes before it commits;
 * then emits the command's {@link AuditEvent}, refused or not, and tells the target-set listeners.
 * Auditing and quotas happen here once, not in each operation.
 *
 * <p>Thread-safe: any thread may dispatch; commands are serialized by the control plane, and the
 * event is emitted after the command has left it.
 */
final class Dispatcher {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Dispatcher.class);
  /** How long a caller waits for the transport to bind what its change needs. */
  private static final long BIND_WAIT_SECONDS = 30;

  private final ControlPlane control;
  private final Scheduler clock;
  private final AuditListener audit;
  private final QuotaGate gate;
  private final AtomicLong sequence = new AtomicLong();
  /** The one registry of target-set listeners, value and notify-only alike. */
  private final List<TargetSetListener> targetSetListeners = new CopyOnWriteArrayList<>();
  /** Builds the target set; run on the control plane. */
  private final Supplier<TargetSet> targetSet;

  Dispatcher(ControlPlane control, Scheduler clock, AuditListener audit, QuotaGate gate, Supplier<TargetSet> targetSet) {
    this.control = control;
    this.gate = gate;
    this.clock = clock;
    this.audit = audit;
    this.targetSet = targetSet;
  }

  ControlPlane control() {
    return control;
  }

  /** The quota gate every proposing command passes; control plane only. */
  QuotaGate gate() {
    return gate;
  }

  /** Runs {@code command} and emits its audit event; returns its result or rethrows its refusal. */
  <T> T dispatch(Command<T> command) {
    T result;
    try {
      result = command.run(this);
    } catch (NlbException e) {
      emit(command.name, command.request, Map.of(), e.code(), e.getMessage());
      throw e;
    }
    emit(command.name, command.request, command.describe(result), null, null);
    // Any successful operation may change which targets are to be checked (registrations,
    // listeners, zones, health-check settings): the engine is told once, whatever the operation.
    targetSetChanged();
    return result;
  }

  private void emit(String operation, Map<String, Object> request, Map<String, Object> response,
      @Nullable ErrorCode code, @Nullable String message) {
    AuditEvent event = new AuditEvent(sequence.incrementAndGet(), operation, clock.now(), request, response, code, message);
    try {
      audit.onEvent(event);
    } catch (RuntimeException e) {
      // A listener must not turn a completed operation into a failure (documented on AuditListener).
    }
  }

  /**
   * Runs {@code command} on the control plane, then waits outside it for the binding the command
   * started. When binding fails, the change is taken back (as a command of its own) and the caller
   * gets {@code InternalFailure} naming {@code what}.
   */
  <T> T commit(String what, Supplier<Change<T>> command) {
    Change<T> change = control.call(command);
    Throwable failure = awaitBinding(change.binding());
    if (failure != null) {
      control.run(change.undo());
      throw new NlbException(ErrorCode.INTERNAL_FAILURE, Check.message(what, String.valueOf(failure.getMessage()),
          "every listener bound on every node"));
    }
    return change.value();
  }

  /** Waits for {@code binding}; returns why it failed, or null. */
  static @Nullable Throwable awaitBinding(CompletionStage<Void> binding) {
    CompletableFuture<Void> f = binding.toCompletableFuture();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get(BIND_WAIT_SECONDS, TimeUnit.SECONDS);
          return null;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return e.getCause() == null ? e : e.getCause();
        } catch (TimeoutException e) {
          return new IllegalStateException("the transport did not bind within " + BIND_WAIT_SECONDS + " s");
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------ target-set events

  /**
   * A listener that only wants to know that the target set may have changed ({@link
   * Nlb#addTargetSetListener(Runnable)}): adapted to a value listener that is not told the set
   * when added. Equal when the runnables are, so that removing one finds it.
   */
  record NotifyOnly(Runnable listener) implements TargetSetListener {
    @Override
    public void onTargetSet(TargetSet targets) {
      listener.run();
    }
  }

  /** Adds {@code listener} and tells it the target set as it is now (a {@link NotifyOnly} is not told). */
  void addTargetSetListener(TargetSetListener listener) {
    targetSetListeners.add(listener);
    if (!(listener instanceof NotifyOnly)) {
      tell(listener, control.call(targetSet));
    }
  }

  void removeTargetSetListener(TargetSetListener listener) {
    targetSetListeners.remove(listener);
  }

  /**
   * Tells every target-set listener the target set, built once on the control plane; a listener
   * that throws does not stop the others.
   */
  void targetSetChanged() {
    if (targetSetListeners.isEmpty()) {
      return;
    }
    TargetSet set = control.call(targetSet);
    for (TargetSetListener l : targetSetListeners) {
      tell(l, set);
    }
  }

  private static void tell(TargetSetListener l, TargetSet set) {
    try {
      l.onTargetSet(set);
    } catch (RuntimeException e) {
      LOG.warn("target-set listener {} failed", l, e);
    }
  }
}
