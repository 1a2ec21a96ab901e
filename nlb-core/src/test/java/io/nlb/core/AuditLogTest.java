package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class AuditLogTest {
  private static final AuditEvent EVENT =
      new AuditEvent(1, "CreateTargetGroup", Instant.EPOCH, Map.of("name", "web"), Map.of(), null, null);

  @Test
  void to_debugEnabled_logsTheJsonLineAtDebugNeverInfo() {
    Logger log = mock(Logger.class);
    when(log.isDebugEnabled()).thenReturn(true);

    AuditLog.to(log).onEvent(EVENT);

    verify(log).debug(EVENT.toJson());
    verify(log, never()).info(anyString());
  }

  @Test
  void to_debugDisabled_logsNothing() {
    Logger log = mock(Logger.class);
    when(log.isDebugEnabled()).thenReturn(false);

    AuditLog.to(log).onEvent(EVENT);

    verify(log, never()).debug(anyString());
    verify(log, never()).info(anyString());
  }

  @Test
  void slf4j_usesTheIoNlbAuditLogger() {
    assertThat(AuditLog.LOGGER).isEqualTo("io.nlb.audit");
    assertThat(AuditListener.slf4j()).isNotNull();
  }
}
