package io.nlb.healthcheck;

import io.nlb.core.Listener;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetHealthState;
import io.nlb.core.Zone;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricsRecorder;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code HealthyHostCount} and {@code UnHealthyHostCount} metrics: counted over the targets the
 * {@link Reconciler} tracks (not ALB targets, not draining ones) and set on gauges per (load
 * balancer, zone, group) after every reconcile and every batch of transitions. Thread-safe.
 */
final class HostCounts {
  private final Nlb nlb;
  private final MetricsRecorder metrics;
  private final Reconciler targets;
  /** Gauges by dimensions, resolved once. */
  private final Map<Dimensions, Gauge[]> gauges = new ConcurrentHashMap<>();

  HostCounts(Nlb nlb, MetricsRecorder metrics, Reconciler targets) {
    this.nlb = nlb;
    this.metrics = metrics;
    this.targets = targets;
  }

  /** Targets of {@code group} in {@code zone} whose health is in {@code state}. */
  int count(TargetGroup group, String zone, TargetHealthState state) {
    int n = 0;
    for (TrackedTarget t : targets.all()) {
      if (t.group == group && !t.target.isAlb() && zone.equals(t.zone) && !t.target.isDraining()
          && t.health().state() == state) {
        n++;
      }
    }
    return n;
  }

  /** Sets the gauges of every (load balancer, zone, group) with a listener. */
  void publish() {
    for (LoadBalancer lb : nlb.loadBalancers()) {
      Set<TargetGroup> groups = new LinkedHashSet<>();
      for (Listener l : lb.listeners()) {
        nlb.targetGroup(l.config().targetGroup()).ifPresent(groups::add);
      }
      for (TargetGroup g : groups) {
        for (Zone z : lb.zones()) {
          Dimensions dims = Dimensions.of(lb.resourceId(), z.name(), g.resourceId());
          Gauge[] pair = gauges.computeIfAbsent(dims, d -> new Gauge[] {
              metrics.gauge(Metric.HEALTHY_HOST_COUNT, d), metrics.gauge(Metric.UNHEALTHY_HOST_COUNT, d)});
          pair[0].set(count(g, z.name(), TargetHealthState.HEALTHY));
          pair[1].set(count(g, z.name(), TargetHealthState.UNHEALTHY));
        }
      }
    }
  }
}
