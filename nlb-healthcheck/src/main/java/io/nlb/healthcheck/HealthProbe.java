package io.nlb.healthcheck;

import java.util.function.Consumer;

/**
 * Performs active health checks: connects to a target as a {@link ProbeRequest} says and reports
 * a {@link ProbeResult}. The {@link HealthCheckEngine} calls it for every check; custom probes
 * (and scripted ones in tests) plug in through {@link HealthCheckEngine.Builder#probe}.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #check} must not block: it starts the check and returns. It calls {@code onResult}
 *       exactly once, on any thread (possibly before returning), within about the request's
 *       timeout — a check that cannot finish in time reports {@link CheckOutcome#TIMEOUT}.
 *   <li>The connection of a check is closed when the check completes, whatever the outcome.
 *   <li>Thread-safe: checks of many targets are started concurrently.
 * </ul>
 *
 * <h2>The built-in probe</h2>
 *
 * {@link #nio()} runs every check on one selector thread with non-blocking sockets, so thousands
 * of targets cost no thread each and a hanging target costs only a registered key until its
 * deadline: 10,000 targets at a 5 s interval are 2,000 checks per second, far below what one
 * selector handles on loopback or a LAN (see {@code benchmarks/.../HealthCheckBenchmark}). A
 * blocking pool would need a thread per concurrently hanging target to honour timeouts of up to
 * 120 s. The probe speaks:
 *
 * <ul>
 *   <li><b>TCP</b>: success when the connection is established within the timeout (after the
 *       preamble, if any, is written); then it is closed.
 *   <li><b>HTTP</b>: {@code GET <path> HTTP/1.1} with {@code Host: <node address>:<listener
 *       port>} and {@code Connection: close}; success when the status line arrives within the
 *       timeout and its code matches the matcher. The rest of the response is not read: the
 *       connection is closed once the status is known.
 *   <li><b>HTTPS</b>: the same over TLS 1.2 with no certificate or host-name validation (a
 *       trust-all context confined to health checks). TLS 1.3 is not offered, so a target that
 *       supports only TLS 1.3 fails, as the user guide says.
 * </ul>
 *
 * <pre>{@code
 * try (HealthProbe probe = HealthProbe.nio()) {
 *   probe.check(ProbeRequest.of(settings, address, "10.0.0.10:80"), r -> log.info("{}", r));
 * }
 * }</pre>
 *
 * @since 0.1
 */
public interface HealthProbe extends AutoCloseable {
  /**
   * Starts a check; {@code onResult} receives its result exactly once.
   *
   * @param request the request
   * @param onResult the on result
   */
  void check(ProbeRequest request, Consumer<ProbeResult> onResult);

  /** Stops the probe; checks in flight complete with {@link CheckOutcome#ERROR}. Idempotent. */
  @Override
  void close();

  /** {@return the built-in non-blocking TCP/HTTP/HTTPS probe with its own selector thread} */
  static HealthProbe nio() {
    return new NioHealthProbe();
  }
}
