package io.nlb.healthcheck;

import io.nlb.core.RegisteredTarget;
import io.nlb.core.TargetGroup;

/**
 * Supplies bytes a health check writes first on its connection, before TLS and HTTP: the hook
 * through which the PROXY protocol integration will send a v2 {@code LOCAL} header to targets of
 * groups with {@code proxy_protocol_v2.enabled}. This module does not depend on the PROXY module;
 * the integration supplies an implementation with {@link HealthCheckEngine.Builder#preamble}.
 *
 * <pre>{@code
 * ProbePreamble pp2 = (group, target) ->
 *     group.attributes().proxyProtocolV2() ? ProxyV2.localHeader() : ProbePreamble.NONE_BYTES;
 * }</pre>
 *
 * <p>Called on the engine's scheduling thread at the start of every check: it must be quick,
 * thread-safe, and must not modify the array after returning it.
 */
@FunctionalInterface
public interface ProbePreamble {
  /** No bytes. */
  byte[] NONE_BYTES = new byte[0];

  /** Writes nothing. */
  ProbePreamble NONE = (group, target) -> NONE_BYTES;

  /** The bytes to write first for a check of {@code target} in {@code group}; empty for none. */
  byte[] preamble(TargetGroup group, RegisteredTarget target);
}
