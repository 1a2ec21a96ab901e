package io.nlb.core;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The target groups and load balancers of one {@link Nlb}, by name, and the commands that create
 * them: unique names, ids, and the first publication of a new load balancer (their count quotas
 * are the {@link QuotaGate}'s).
 *
 * <p>Control plane only: every method runs inside a command.
 */
final class Registry {
  private final Nlb nlb;
  private final Map<String, LoadBalancer> loadBalancers = new LinkedHashMap<>();
  private final Map<String, TargetGroup> targetGroups = new LinkedHashMap<>();

  Registry(Nlb nlb) {
    this.nlb = nlb;
  }

  /** The target groups by name, in creation order. */
  Map<String, TargetGroup> targetGroups() {
    return targetGroups;
  }

  /** The load balancers by name, in creation order. */
  Map<String, LoadBalancer> loadBalancers() {
    return loadBalancers;
  }

  /** Proposes a target group; a command body, admitted by the {@link QuotaGate}. */
  QuotaGate.Proposed<TargetGroup> createTargetGroup(TargetGroupConfig config) {
    nlb.checkOpen();
    if (targetGroups.containsKey(config.name())) {
      throw new NlbException(ErrorCode.DUPLICATE_TARGET_GROUP_NAME,
          Check.message("targetGroup.name", config.name(), "a name no other target group uses"));
    }
    return QuotaGate.Proposed.of(new QuotaGate.NewTargetGroup(config), () -> {
      TargetGroup tg = new TargetGroup(nlb, config, nlb.ids.hexId("targetgroup", config.name()));
      targetGroups.put(config.name(), tg);
      return tg;
    });
  }

  /**
   * Proposes a load balancer with as many listeners as {@code config} has; once the {@link
   * QuotaGate} admits that, each listener is proposed in turn (as create-listener would, through
   * the same gate) and joins the not yet registered load balancer, so that the next one is checked
   * against it. On a refusal the load balancer is simply dropped. Then it is registered, its
   * routing published and its binding started; a command body.
   */
  QuotaGate.Proposed<Change<LoadBalancer>> createLoadBalancer(LoadBalancerConfig config) {
    nlb.checkOpen();
    if (loadBalancers.containsKey(config.name())) {
      throw new NlbException(ErrorCode.DUPLICATE_LOAD_BALANCER_NAME,
          Check.message("loadBalancer.name", config.name(), "a name no other load balancer uses"));
    }
    return QuotaGate.Proposed.of(new QuotaGate.NewLoadBalancer(config.name(), config.listeners().size()), () -> {
      LoadBalancer lb = new LoadBalancer(nlb, config, nlb.ids.hexId("loadbalancer", config.name()));
      for (ListenerConfig lc : config.listeners()) {
        Listener l = new Listener(lb, lc, nlb.ids.hexId("listener", Listener.identityName(lb.name(), lc)));
        nlb.dispatcher.gate().admit(QuotaGate.Proposed.of(nlb.admission.checkListener(lb, l, lc), () -> lb.listenersMutable().add(l)));
      }
      loadBalancers.put(config.name(), lb);
      // Routing is published first: a socket bound below never accepts a flow with no route.
      return new Change<>(lb, lb.routing.rebind(), () -> {});
    });
  }

  /** A created load balancer's binding ended: it becomes active, or failed with the reason; a command. */
  static void bound(LoadBalancer lb, @Nullable Throwable failure) {
    if (lb.state() != LoadBalancerState.PROVISIONING) {
      return; // deleted meanwhile
    }
    if (failure == null) {
      lb.activate();
    } else {
      // The transport closed what this creation bound; the load balancer stays, failed, so that
      // its configuration can be inspected and deleted.
      lb.fail("bind failed: " + failure.getMessage());
    }
  }

  TargetGroup requireTargetGroup(String field, String name) {
    TargetGroup tg = targetGroups.get(name);
    if (tg == null) {
      throw new NlbException(ErrorCode.TARGET_GROUP_NOT_FOUND, Check.message(field, name, "the name of an existing target group"));
    }
    return tg;
  }

  /** The target group whose resource id is {@code resourceId}, or null. */
  @Nullable TargetGroup targetGroupByResourceId(String resourceId) {
    for (TargetGroup tg : targetGroups.values()) {
      if (tg.resourceId().equals(resourceId)) {
        return tg;
      }
    }
    return null;
  }

  void remove(TargetGroup tg) {
    targetGroups.remove(tg.name());
  }

  void remove(LoadBalancer lb) {
    loadBalancers.remove(lb.name());
  }

  /** The load balancer whose listeners forward to {@code tg}, if any (at most one). */
  @Nullable LoadBalancer loadBalancerOf(TargetGroup tg) {
    for (LoadBalancer lb : loadBalancers.values()) {
      for (Listener l : lb.listenersMutable()) {
        if (l.configUnlocked().targetGroup().equals(tg.name())) {
          return lb;
        }
      }
    }
    return null;
  }
}
