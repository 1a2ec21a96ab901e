package io.nlb.core.spi;

import java.util.function.Consumer;

/**
 * Performs active health checks: connects to a target as a {@link ProbeRequest} says and reports
 * one {@link ProbeResult}. This is how the health-check engine reaches the network without doing
 * I/O itself: the transport that owns the event loops implements it ({@link
 * Transport#healthProbe()}), so health checks and flows share one I/O stack; tests plug in a
 * scripted probe.
 *
 * <h2>Who calls, on which thread</h2>
 *
 * The health-check engine calls {@link #check} from its scheduling thread (the injected scheduler's
 * timer), once per (target, checking node) and interval, never twice at once for the same pair.
 * Checks of many targets are started concurrently, so implementations must be thread-safe.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #check} must not block: it starts the check and returns. It never throws for a
 *       target's failure; a target that cannot be reached is a result, not an exception.
 *   <li>{@code onResult} is called exactly once, on any thread (typically an event loop, possibly
 *       before {@link #check} returns), within about the request's {@link ProbeRequest#timeout()}:
 *       a check that cannot finish in time reports {@link CheckOutcome#TIMEOUT}. The consumer must
 *       itself be quick and must not block, since it may run on an event loop.
 *   <li>The connection of a check is closed once its result is known, whatever the outcome.
 *   <li>A probe whose owner shut it down completes new and in-flight checks with {@link
 *       CheckOutcome#ERROR}. Whoever created the probe closes it; the engine never does.
 * </ul>
 *
 * <h2>What a check is</h2>
 *
 * <ul>
 *   <li><b>TCP</b>: success when the connection is established within the timeout (after the
 *       {@linkplain ProbeRequest#preamble() preamble}, if any, is written); then it is closed.
 *   <li><b>HTTP</b>: after the preamble, {@code GET <path> HTTP/1.1} with {@code Host: <node
 *       address>:<listener port>} and {@code Connection: close}; success when the status line
 *       arrives within the timeout and its code matches {@link ProbeRequest#matcher()}. The rest
 *       of the response is not needed.
 *   <li><b>HTTPS</b>: the same over TLS 1.2 without certificate or host-name validation (the
 *       certificate is not what a health check checks). TLS 1.3 is not offered, so a target that
 *       supports only TLS 1.3 fails, as the service does.
 * </ul>
 *
 * <pre>{@code
 * HealthProbe probe = nlb.transport().flatMap(Transport::healthProbe).orElseThrow();
 * probe.check(ProbeRequest.of(settings, address, "10.0.0.10:80"), r -> log.info("{}", r));
 * }</pre>
 *
 * @since 0.1
 */
@FunctionalInterface
public interface HealthProbe {
  /**
   * Starts a check; {@code onResult} receives its result exactly once (see the class comment).
   *
   * @param request what to check, and how
   * @param onResult receives the result
   */
  void check(ProbeRequest request, Consumer<ProbeResult> onResult);
}
