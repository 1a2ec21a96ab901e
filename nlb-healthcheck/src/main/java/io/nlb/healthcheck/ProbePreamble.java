package io.nlb.healthcheck;

import io.nlb.core.TargetSet;

/**
 * Supplies bytes a health check writes first on its connection, before TLS and HTTP. The default,
 * {@link #PROXY_V2_LOCAL}, sends a PROXY protocol v2 {@code LOCAL} header (no client information)
 * to targets of groups with {@code proxy_protocol_v2.enabled}, as the load balancer does for its
 * health-check connections; other groups get nothing.
 *
 * <pre>{@code
 * HealthCheckEngine.builder(nlb).preamble(ProbePreamble.NONE)   // never send a header
 * }</pre>
 *
 * <p>Called on the engine's scheduling thread at the start of every check: it must be quick,
 * thread-safe, and must not modify the array after returning it.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ProbePreamble {
  /** No bytes. */
  byte[] NONE_BYTES = new byte[0];

  /** Writes nothing. */
  ProbePreamble NONE = (use, member) -> NONE_BYTES;

  /**
   * The 16 bytes of a PROXY protocol v2 header with the {@code LOCAL} command: the signature,
   * version 2 with command 0, family UNSPEC, and an empty address block. A constant, so this
   * module needs no PROXY codec; its tests check it against the codec.
   */
  byte[] LOCAL_HEADER_BYTES = {
      0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20, 0x00, 0x00, 0x00};

  /**
   * A LOCAL header for groups with {@code proxy_protocol_v2.enabled}, nothing otherwise (the
   * default), decided from the target set's values alone.
   */
  ProbePreamble PROXY_V2_LOCAL = (use, member) -> use.proxyProtocolV2() ? LOCAL_HEADER_BYTES.clone() : NONE_BYTES;

  /**
   * {@return the bytes to write first for a check of {@code member}, from the values of the target
   * set the engine holds; empty for none}
   *
   * @param use the group as its load balancer uses it
   * @param member the registration
   */
  byte[] preamble(TargetSet.Use use, TargetSet.Member member);
}
