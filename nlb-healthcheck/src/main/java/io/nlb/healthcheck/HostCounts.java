package io.nlb.healthcheck;

import io.nlb.core.TargetHealthState;
import io.nlb.core.TargetSet;
import io.nlb.core.Zone;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Gauge;
import io.nlb.metrics.Metric;
import io.nlb.metrics.MetricsRecorder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code HealthyHostCount} and {@code UnHealthyHostCount} metrics: counted over the targets the
 * {@link Reconciler} tracks (not ALB targets, not draining ones) and set on gauges per (load
 * balancer, zone, group) of the target set applied last, after every reconcile and every batch of
 * transitions. Thread-safe.
 */
final class HostCounts {
  private final MetricsRecorder metrics;
  private final Reconciler targets;
  /** Gauges by dimensions, resolved once. */
  private final Map<Dimensions, Gauge[]> gauges = new ConcurrentHashMap<>();

  HostCounts(MetricsRecorder metrics, Reconciler targets) {
    this.metrics = metrics;
    this.targets = targets;
  }

  /** Targets of the group {@code groupResourceId} in {@code zone} whose health is in {@code state}. */
  int count(String groupResourceId, String zone, TargetHealthState state) {
    int n = 0;
    for (TrackedTarget t : targets.all()) {
      TargetSet.Member m = t.member();
      if (t.groupResourceId.equals(groupResourceId) && !m.alb() && zone.equals(t.zone) && !m.draining() && t.health().state() == state) {
        n++;
      }
    }
    return n;
  }

  /** Sets the gauges of every (load balancer, zone, group) of {@code set}: the groups listeners use. */
  void publish(TargetSet set) {
    for (TargetSet.Use use : set.uses()) {
      for (Zone z : use.zones()) {
        Dimensions dims = Dimensions.of(use.loadBalancerResourceId(), z.name(), use.groupResourceId());
        Gauge[] pair = gauges.computeIfAbsent(dims, d -> new Gauge[] {
            metrics.gauge(Metric.HEALTHY_HOST_COUNT, d), metrics.gauge(Metric.UNHEALTHY_HOST_COUNT, d)});
        pair[0].set(count(use.groupResourceId(), z.name(), TargetHealthState.HEALTHY));
        pair[1].set(count(use.groupResourceId(), z.name(), TargetHealthState.UNHEALTHY));
      }
    }
  }

}
