package io.nlb.transport.netty;

import java.util.List;

/**
 * Whether a {@link NettyTransport}'s data plane can serve: its event loops are running and its
 * TCP listener sockets accept. A value taken at one moment ({@link NettyTransport#liveness()}),
 * for liveness checks such as a daemon's {@code /healthz}.
 *
 * <pre>{@code
 * Liveness l = transport.liveness();
 * if (!l.isLive()) {
 *   log.error("data plane down: {}", l);   // e.g. an event loop thread died
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param eventLoops the event loops the transport runs on
 * @param eventLoopsAlive those whose thread runs (or has not started yet) and that are not shut down
 * @param listenerSockets TCP listener sockets bound now, over all load balancers
 * @param listenerSocketsAccepting those open, active and accepting now (a socket pausing after a
 *     failed accept, such as running out of file descriptors, does not accept for that moment)
 * @param handlerErrors unexpected errors (including {@link Error}s such as {@link OutOfMemoryError})
 *     caught in connection handlers so far: each closed its connection and the loop went on
 * @param problems what keeps the data plane from serving, one line each (a closed transport, an
 *     event loop that stopped or whose thread died, a listener socket that does not accept, named
 *     by load balancer, zone and address); empty when it serves. Sockets closed on purpose (a
 *     listener removed) are not problems.
 *
 * @since 0.1
 */
public record Liveness(int eventLoops, int eventLoopsAlive, int listenerSockets, int listenerSocketsAccepting,
    long handlerErrors, List<String> problems) {
  /**
   * Copies {@code problems}.
   *
   * @param eventLoops the event loops the transport runs on
   * @param eventLoopsAlive those that are alive
   * @param listenerSockets TCP listener sockets bound now
   * @param listenerSocketsAccepting those accepting now
   * @param handlerErrors unexpected errors caught in connection handlers so far
   * @param problems what keeps the data plane from serving; empty when it serves
   */
  public Liveness {
    problems = List.copyOf(problems);
  }

  /**
   * Whether every event loop is alive and every TCP listener socket accepts.
   *
   * @return true when the data plane can serve
   */
  public boolean isLive() {
    return problems.isEmpty() && eventLoops > 0 && eventLoopsAlive == eventLoops && listenerSocketsAccepting == listenerSockets;
  }
}
