package io.nlb.transport.netty;

import io.nlb.core.LoadBalancer;
import io.nlb.core.RouteSlots;
import io.nlb.tls.TlsAccessLog;
import io.nlb.tls.TlsAccessLogEntry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the transport holds for one load balancer. {@link #endpoints} and {@link #zoneMetrics} are
 * changed only by control-plane calls (serialized by the core); {@link #flows} is concurrent,
 * since event loops add and remove flows. {@link #tls} and the access log are also changed only by
 * the control plane.
 */
final class LbState {
  final LoadBalancer lb;
  /** The load balancer's route slots: each endpoint takes its own when it is bound. */
  final RouteSlots slots;
  final Map<BindKey, Endpoint> endpoints = new LinkedHashMap<>();
  /** The sockets the latest apply wants (control plane only); others close once its binds succeed. */
  Set<BindKey> wanted = Set.of();
  final Map<String, ZoneMetrics> zoneMetrics = new HashMap<>();
  /**
   * The connection counts of each TCP port, shared by its sockets in every zone (control plane
   * only; at most one per port, kept while the load balancer lives so that connections of a
   * listener that was removed and added again are still released to the count they took).
   */
  final Map<Integer, AcceptGuard.Connections> connections = new HashMap<>();
  final Set<Flow> flows = ConcurrentHashMap.newKeySet();
  /** The TLS listeners, by listener id (control plane only). */
  final Map<String, TlsFrontend> tls = new HashMap<>();
  /** The TLS access log while {@code access_logs.s3.enabled} is on and there is a TLS listener. */
  volatile @Nullable TlsAccessLog accessLog;
  /** What {@link #accessLog} was opened for (directory and prefix), or null (control plane only). */
  @Nullable String accessLogKey;
  /**
   * Handed to every {@link io.nlb.tls.TlsTermination} of the load balancer: writes to the log that
   * is current when a connection ends, so logging can be switched without rebuilding terminations.
   */
  final Consumer<TlsAccessLogEntry> accessLogWriter = e -> {
    TlsAccessLog l = accessLog;
    if (l != null) {
      l.accept(e);
    }
  };

  LbState(LoadBalancer lb, RouteSlots slots) {
    this.lb = lb;
    this.slots = slots;
  }
}
