package io.nlb.core;

import org.slf4j.Logger;

/** The logging behind {@link AuditListener#slf4j()}, on any logger so that tests can pass theirs. */
final class AuditLog {
  /** The logger's name. */
  static final String LOGGER = "io.nlb.audit";

  private AuditLog() {}

  /** A listener writing each event's JSON line to {@code log} at DEBUG. */
  static AuditListener to(Logger log) {
    return event -> {
      if (log.isDebugEnabled()) {
        log.debug(event.toJson());
      }
    };
  }
}
