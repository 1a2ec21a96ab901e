package io.nlb.transport.netty;

import io.nlb.core.LoadBalancer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the transport holds for one load balancer. {@link #endpoints} and {@link #zoneMetrics} are
 * changed only by control-plane calls (serialized by the core); {@link #flows} is concurrent,
 * since event loops add and remove flows.
 */
final class LbState {
  final LoadBalancer lb;
  final Map<BindKey, Endpoint> endpoints = new LinkedHashMap<>();
  final Map<String, ZoneMetrics> zoneMetrics = new HashMap<>();
  final Set<Flow> flows = ConcurrentHashMap.newKeySet();

  LbState(LoadBalancer lb) {
    this.lb = lb;
  }
}
