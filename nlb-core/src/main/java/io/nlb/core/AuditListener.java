package io.nlb.core;

/**
 * Receives an {@link AuditEvent} for every control-plane operation, refused ones included. The
 * default, {@link #slf4j()}, writes each event as one line of JSON to the SLF4J logger {@code
 * io.nlb.audit} at INFO.
 *
 * <pre>{@code
 * List<AuditEvent> events = new CopyOnWriteArrayList<>();
 * Nlb nlb = Nlb.builder().auditListener(events::add).build();
 * }</pre>
 *
 * <p>Called on the thread that made the call, after the control plane has released its lock, in
 * the order the operations completed. Implementations must be thread-safe and quick; an exception
 * thrown by a listener is ignored.
 */
@FunctionalInterface
public interface AuditListener {
  /** Receives one event. */
  void onEvent(AuditEvent event);

  /** Writes each event as a JSON line to the SLF4J logger {@code io.nlb.audit} at INFO. */
  static AuditListener slf4j() {
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("io.nlb.audit");
    return event -> {
      if (log.isInfoEnabled()) {
        log.info(event.toJson());
      }
    };
  }

  /** Drops every event. */
  static AuditListener none() {
    return event -> {};
  }
}
