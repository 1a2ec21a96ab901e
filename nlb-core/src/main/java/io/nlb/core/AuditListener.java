package io.nlb.core;

/**
 * Receives an {@link AuditEvent} for every control-plane operation, refused ones included. The
 * default, {@link #slf4j()}, writes each event as one line of JSON to the SLF4J logger {@code
 * io.nlb.audit} at DEBUG: off unless that logger is turned up (with slf4j-simple, {@code
 * -Dorg.slf4j.simpleLogger.log.io.nlb.audit=debug}), so an embedding application's log is not
 * filled with one line per API call.
 *
 * <pre>{@code
 * List<AuditEvent> events = new CopyOnWriteArrayList<>();
 * Nlb nlb = Nlb.builder().auditListener(events::add).build();
 * }</pre>
 *
 * <p>Called on the thread that made the call, after the control plane has released its lock, in
 * the order the operations completed. Implementations must be thread-safe and quick; an exception
 * thrown by a listener is ignored.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface AuditListener {
  /**
   * Receives one event.
   *
   * @param event the event
   */
  void onEvent(AuditEvent event);

  /**
   * Writes each event as a JSON line ({@link AuditEvent#toJson()}) to the SLF4J logger {@code
   * io.nlb.audit} at DEBUG.
   *
   * @return a listener that logs to {@code io.nlb.audit}
   */
  static AuditListener slf4j() {
    return AuditLog.to(org.slf4j.LoggerFactory.getLogger(AuditLog.LOGGER));
  }

  /**
   * Drops every event.
   *
   * @return the {@code AuditListener}
   */
  static AuditListener none() {
    return event -> {};
  }
}
