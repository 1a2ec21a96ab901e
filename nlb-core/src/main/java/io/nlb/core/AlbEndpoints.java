package io.nlb.core;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The ALB endpoints of one {@link Nlb}: their registry and the refresher that re-reads each
 * endpoint's addresses every refresh interval (outside the control plane) and, when they changed,
 * updates the registrations that name it and republishes their load balancers.
 *
 * <p>Not thread-safe on its own: its state is changed by control-plane commands only; the address
 * source is read on the scheduler's thread.
 */
final class AlbEndpoints {
  private final Nlb nlb;
  private final Map<String, State> endpoints = new LinkedHashMap<>();

  AlbEndpoints(Nlb nlb) {
    this.nlb = nlb;
  }

  void create(AlbEndpoint endpoint) {
    List<InetAddress> initial = readAddresses(endpoint);
    nlb.control.run(() -> {
      nlb.checkOpen();
      if (endpoints.containsKey(endpoint.name())) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, Check.message("albEndpoint.name", endpoint.name(), "a name no other endpoint uses"));
      }
      State state = new State(endpoint, initial);
      endpoints.put(endpoint.name(), state);
      scheduleRefresh(state);
    });
  }

  void delete(String name) {
    nlb.control.run(() -> {
      nlb.checkOpen();
      State state = require(name);
      for (TargetGroup tg : nlb.registry.targetGroups().values()) {
        for (RegisteredTarget r : tg.registrationsUnlocked()) {
          if (name.equals(r.albEndpoint())) {
            throw new NlbException(ErrorCode.RESOURCE_IN_USE, Check.message("albEndpoint", name,
                "an endpoint no target group has registered; deregister it from " + tg.name() + " first"));
          }
        }
      }
      Scheduler.Cancellable t = state.refresh;
      if (t != null) {
        t.cancel();
      }
      endpoints.remove(name);
    });
  }

  State require(String name) {
    State s = endpoints.get(name);
    if (s == null) {
      throw new NlbException(ErrorCode.INVALID_TARGET, Check.message("target.id", name, "the name of an ALB endpoint created with createAlbEndpoint"));
    }
    return s;
  }

  private static List<InetAddress> readAddresses(AlbEndpoint endpoint) {
    try {
      return List.copyOf(endpoint.source().addresses());
    } catch (Exception e) {
      throw new NlbException(ErrorCode.INVALID_TARGET,
          Check.message("albEndpoint[" + endpoint.name() + "].addresses", String.valueOf(e.getMessage()), "an address source that answers"));
    }
  }

  private void scheduleRefresh(State state) {
    state.refresh = nlb.scheduler().schedule(state.endpoint.refreshInterval(), () -> refresh(state));
  }

  private void refresh(State state) {
    List<InetAddress> read = null;
    try {
      read = List.copyOf(state.endpoint.source().addresses());
    } catch (Exception e) {
      state.lastError = String.valueOf(e.getMessage());
    }
    List<InetAddress> next = read;
    nlb.control.execute(() -> {
      if (nlb.isClosed() || endpoints.get(state.endpoint.name()) != state) {
        return;
      }
      if (next != null && !next.equals(state.addresses)) {
        state.addresses = next;
        state.lastError = null;
        Set<LoadBalancer> affected = new HashSet<>();
        for (TargetGroup tg : nlb.registry.targetGroups().values()) {
          for (RegisteredTarget r : tg.registrationsUnlocked()) {
            if (state.endpoint.name().equals(r.albEndpoint())) {
              r.albAddresses(next);
              LoadBalancer lb = nlb.registry.loadBalancerOf(tg);
              if (lb != null) {
                affected.add(lb);
              }
            }
          }
        }
        affected.forEach(l -> l.routing.republish());
      }
      scheduleRefresh(state);
    });
  }

  /** Control-plane state of one ALB endpoint. */
  static final class State {
    final AlbEndpoint endpoint;
    volatile List<InetAddress> addresses;
    volatile @Nullable String lastError;
    Scheduler.@Nullable Cancellable refresh;

    State(AlbEndpoint endpoint, List<InetAddress> addresses) {
      this.endpoint = endpoint;
      this.addresses = addresses;
    }
  }

  /** Cancels every refresh; a command (the {@link Nlb} is closing). */
  void close() {
    for (State s : endpoints.values()) {
      Scheduler.Cancellable t = s.refresh;
      if (t != null) {
        t.cancel();
      }
    }
  }
}
