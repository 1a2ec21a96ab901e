package io.nlb.core;

import io.nlb.core.NlbConfig.PlannedChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;


/**
 * Plans and applies an {@link NlbConfig} against the running state of one {@link Nlb}: the
 * implementation of {@link Nlb#plan} and {@link Nlb#apply}.
 *
 * <h2>How a plan is found</h2>
 * The desired state is compared with the running state (not with an earlier configuration), so
 * an apply that was refused is completed by the next one. Groups and load balancers are matched
 * by name, listeners by protocol and port, targets by id and effective port (draining
 * registrations count as absent). Steps run in this order: groups created, groups modified,
 * targets registered, load balancers created, load balancers modified, listeners modified,
 * deleted and created, targets deregistered, load balancers deleted, groups deleted.
 *
 * <h2>All or nothing</h2>
 * Every step runs in one control-plane command, so routing moves from the old state to the new
 * one in one publication per load balancer. Then the new sockets bind. When a step is refused or a
 * socket cannot be bound, everything is put back as it was (the objects themselves, so ids,
 * health and open flows are untouched) and the old state is published and bound again. Effects
 * on open flows (a deregistered target's flows closed, a deleted load balancer's sockets closed)
 * are held back until the apply is bound.
 *
 * <p>Control plane only; not thread-safe on its own.
 */
final class ConfigApplier {
  private final Nlb nlb;

  ConfigApplier(Nlb nlb) {
    this.nlb = nlb;
  }

  /** One step: what it changes, and the command that changes it. */
  private record Step(PlannedChange change, Supplier<Change<?>> action, boolean createsLoadBalancer) {}

  /** What the command of an apply hands to the thread that waits for its binding. */
  private record Started(List<Step> steps, List<CompletionStage<Void>> bindings, Saved saved, List<LoadBalancer> created,
      List<Runnable> heldBack) {}

  /** The running state before an apply. */
  private record Saved(Map<String, TargetGroup> groups, Map<String, LoadBalancer> loadBalancers,
      Map<TargetGroup, TargetGroup.Saved> groupState, Map<LoadBalancer, LoadBalancer.Saved> lbState) {}

  List<PlannedChange> plan(NlbConfig next) {
    return nlb.control.call(() -> {
      nlb.checkOpen();
      List<String> problems = new ArrayList<>();
      List<Step> steps = steps(next, problems);
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
      }
      return changes(steps);
    });
  }

  List<PlannedChange> apply(NlbConfig next) {
    Started started = nlb.control.call(() -> start(next));
    List<CompletionStage<Void>> bindings = started.bindings();
    for (int i = 0; i < bindings.size(); i++) {
      Throwable failure = Dispatcher.awaitBinding(bindings.get(i));
      if (failure != null) {
        nlb.control.run(() -> restore(started.saved(), started.created()));
        // Every step of one load balancer shares its binding: name the load balancer; the
        // transport's message names the socket.
        String path = started.steps().get(i).change().path();
        String owner = path.substring(0, path.indexOf(']') + 1);
        throw new NlbException(ErrorCode.INTERNAL_FAILURE, Check.message(owner, String.valueOf(failure.getMessage()),
            "every listener bound on every node; the running configuration is unchanged"));
      }
    }
    nlb.control.run(() -> {
      for (LoadBalancer lb : started.created()) {
        Registry.bound(lb, null);
      }
      for (Runnable r : started.heldBack()) {
        r.run();
      }
    });
    return changes(started.steps());
  }

  private Started start(NlbConfig next) {
    nlb.checkOpen();
    List<String> problems = new ArrayList<>();
    List<Step> steps = steps(next, problems);
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
    }
    Saved saved = save();
    List<Runnable> held = nlb.batch.holdBack();
    List<CompletionStage<Void>> bindings = new ArrayList<>();
    List<LoadBalancer> created = new ArrayList<>();
    try {
      for (Step s : steps) {
        Change<?> c;
        try {
          c = s.action().get();
        } catch (RuntimeException e) {
          nlb.batch.release(false);
          restore(saved, created);
          List<String> located = new ArrayList<>();
          List<String> refused = e instanceof NlbException n ? n.problems() : List.of(String.valueOf(e.getMessage()));
          for (String p : refused) {
            located.add(p.startsWith(s.change().path()) ? p : s.change().path() + ": " + p);
          }
          throw new NlbException(e instanceof NlbException n ? n.code() : ErrorCode.INTERNAL_FAILURE, located);
        }
        bindings.add(c.binding());
        if (s.createsLoadBalancer() && c.value() instanceof LoadBalancer lb) {
          created.add(lb);
        }
      }
    } finally {
      nlb.batch.release(true); // no-op when released above
    }
    return new Started(steps, bindings, saved, created, held);
  }

  private Saved save() {
    Map<TargetGroup, TargetGroup.Saved> gs = new HashMap<>();
    for (TargetGroup tg : nlb.registry.targetGroups().values()) {
      gs.put(tg, tg.save());
    }
    Map<LoadBalancer, LoadBalancer.Saved> ls = new HashMap<>();
    for (LoadBalancer lb : nlb.registry.loadBalancers().values()) {
      ls.put(lb, lb.save());
    }
    return new Saved(new LinkedHashMap<>(nlb.registry.targetGroups()), new LinkedHashMap<>(nlb.registry.loadBalancers()), gs, ls);
  }

  /** Puts the running state back as {@code saved} kept it, publishes it and binds it again; a command. */
  private void restore(Saved saved, List<LoadBalancer> created) {
    for (TargetGroup tg : nlb.registry.targetGroups().values()) {
      if (!saved.groupState().containsKey(tg)) {
        tg.cancelTimers();
      }
    }
    nlb.registry.targetGroups().clear();
    nlb.registry.targetGroups().putAll(saved.groups());
    saved.groupState().forEach(TargetGroup::restore);
    for (LoadBalancer lb : created) {
      lb.discard();
    }
    nlb.registry.loadBalancers().clear();
    nlb.registry.loadBalancers().putAll(saved.loadBalancers());
    saved.lbState().forEach(LoadBalancer::restore);
    for (LoadBalancer lb : saved.loadBalancers().values()) {
      lb.routing.rebindAfterUndo();
    }
  }

  private static List<PlannedChange> changes(List<Step> steps) {
    List<PlannedChange> out = new ArrayList<>(steps.size());
    for (Step s : steps) {
      out.add(s.change());
    }
    return List.copyOf(out);
  }

  // ------------------------------------------------------------------ the difference

  private List<Step> steps(NlbConfig next, List<String> problems) {
    List<Step> createGroups = new ArrayList<>();
    List<Step> modifyGroups = new ArrayList<>();
    List<Step> register = new ArrayList<>();
    List<Step> createLbs = new ArrayList<>();
    List<Step> modifyLbs = new ArrayList<>();
    List<Step> listenerModify = new ArrayList<>();
    List<Step> listenerDelete = new ArrayList<>();
    List<Step> listenerCreate = new ArrayList<>();
    List<Step> deregister = new ArrayList<>();
    List<Step> deleteLbs = new ArrayList<>();
    List<Step> deleteGroups = new ArrayList<>();

    Set<String> wantedGroups = new LinkedHashSet<>();
    for (NlbConfig.Group g : next.targetGroups()) {
      TargetGroupConfig c = g.config();
      String path = "targetGroups[" + c.name() + "]";
      wantedGroups.add(c.name());
      TargetGroup tg = nlb.registry.targetGroups().get(c.name());
      if (tg == null) {
        createGroups.add(step(path, "create (" + c.protocol() + ":" + c.port() + ", " + g.targets().size() + " target(s))", () -> {
          TargetGroup created = nlb.dispatcher.gate().admit(nlb.registry.createTargetGroup(c));
          if (!g.targets().isEmpty()) {
            nlb.dispatcher.gate().admit(created.registrations.register(g.targets()));
          }
          return Change.done(created);
        }));
        continue;
      }
      unchanged(problems, path + ".protocol", tg.protocol(), c.protocol());
      unchanged(problems, path + ".port", tg.port(), c.port());
      unchanged(problems, path + ".targetType", tg.targetType(), c.targetType());
      unchanged(problems, path + ".ipAddressType", tg.ipAddressType(), c.ipAddressType());
      HealthCheck hc = c.healthCheck();
      if (!hc.equals(tg.healthCheck())) {
        modifyGroups.add(step(path + ".healthCheck", "modify: " + hc, () -> {
          tg.doModifyHealthCheck(hc);
          return Change.done(hc);
        }));
      }
      Map<String, String> attrs = changed(tg.attributesUnlocked().asMap(), c.attributes().asMap());
      if (!attrs.isEmpty()) {
        modifyGroups.add(step(path + ".attributes", "modify " + attrs, () -> Change.done(nlb.dispatcher.gate().admit(tg.doModifyAttributes(attrs)))));
      }
      tagSteps(modifyGroups, path, tg.tags(), c.tags(), tg.tags::add, tg.tags::remove);
      Map<String, Target> wanted = new LinkedHashMap<>();
      for (Target t : g.targets()) {
        wanted.put(t.id() + "#" + t.port().orElse(c.port()), t);
      }
      Map<String, RegisteredTarget> have = new LinkedHashMap<>();
      for (RegisteredTarget r : tg.registrationsUnlocked()) {
        if (!r.isDraining()) {
          have.put(r.stableKey(), r);
        }
      }
      List<Target> add = new ArrayList<>();
      wanted.forEach((k, t) -> {
        if (!have.containsKey(k)) {
          add.add(t);
        }
      });
      List<Target> remove = new ArrayList<>();
      have.forEach((k, r) -> {
        if (!wanted.containsKey(k)) {
          remove.add(r.target());
        }
      });
      if (!add.isEmpty()) {
        register.add(step(path + ".targets", "register " + add, () -> {
          nlb.dispatcher.gate().admit(tg.registrations.register(add));
          return Change.done(add);
        }));
      }
      if (!remove.isEmpty()) {
        deregister.add(step(path + ".targets", "deregister " + remove + " (draining "
            + tg.attributesUnlocked().deregistrationDelay().toSeconds() + " s)", () -> {
              tg.registrations.deregister(remove);
              return Change.done(remove);
            }));
      }
    }

    Set<String> wantedLbs = new LinkedHashSet<>();
    for (LoadBalancerConfig c : next.loadBalancers()) {
      wantedLbs.add(c.name());
      String path = "loadBalancers[" + c.name() + "]";
      LoadBalancer lb = nlb.registry.loadBalancers().get(c.name());
      if (lb == null) {
        createLbs.add(new Step(new PlannedChange(path, "create (" + c.listeners().size() + " listener(s), " + c.zones().size() + " zone(s))"),
            () -> nlb.dispatcher.gate().admit(nlb.registry.createLoadBalancer(c)), true));
        continue;
      }
      unchanged(problems, path + ".scheme", lb.scheme(), c.scheme());
      if (lb.ipAddressTypeUnlocked() != c.ipAddressType()) {
        modifyLbs.add(step(path + ".ipAddressType", "set " + c.ipAddressType().apiName(), () -> LoadBalancerChanges.setIpAddressType(lb, c.ipAddressType())));
      }
      List<Zone> liveZones = lb.zonesUnlocked();
      List<Zone> addZones = new ArrayList<>();
      for (Zone z : liveZones) {
        Zone match = null;
        for (Zone n : c.zones()) {
          if (n.name().equals(z.name())) {
            match = n;
          }
        }
        if (match == null) {
          problems.add(Check.message(path + ".zones[" + z.name() + "]", "removed", "every enabled zone; zones cannot be disabled once enabled"));
        } else if (!match.equals(z)) {
          problems.add(Check.message(path + ".zones[" + z.name() + "]", match.toString(), "the zone unchanged (" + z + "); a node's addresses cannot change"));
        }
      }
      for (Zone n : c.zones()) {
        if (liveZones.stream().noneMatch(z -> z.name().equals(n.name()))) {
          addZones.add(n);
        }
      }
      Map<String, String> attrs = changed(lb.attributesUnlocked().asMap(), c.attributes().asMap());
      if (!attrs.isEmpty()) {
        modifyLbs.add(step(path + ".attributes", "modify " + attrs, () -> nlb.dispatcher.gate().admit(LoadBalancerChanges.modifyAttributes(lb, attrs))));
      }
      tagSteps(modifyLbs, path, lb.tagsUnlocked(), c.tags(), lb.tags::add, lb.tags::remove);
      if (!addZones.isEmpty()) {
        List<Zone> all = new ArrayList<>(liveZones);
        all.addAll(addZones);
        List<String> names = new ArrayList<>();
        addZones.forEach(z -> names.add(z.name()));
        modifyLbs.add(step(path + ".zones", "enable " + names, () -> nlb.dispatcher.gate().admit(LoadBalancerChanges.setZones(lb, all))));
      }
      Map<String, ListenerConfig> wanted = new LinkedHashMap<>();
      for (ListenerConfig l : c.listeners()) {
        wanted.put(l.protocol() + ":" + l.port(), l);
      }
      Map<String, Listener> have = new LinkedHashMap<>();
      for (Listener l : lb.listenersMutable()) {
        have.put(l.configUnlocked().protocol() + ":" + l.configUnlocked().port(), l);
      }
      wanted.forEach((k, l) -> {
        Listener existing = have.get(k);
        String lpath = path + "." + l.path();
        if (existing == null) {
          listenerCreate.add(step(lpath, "create, forwarding to " + l.targetGroup(), () -> nlb.dispatcher.gate().admit(lb.doCreateListener(l))));
        } else {
          List<String> diff = listenerChanges(existing.configUnlocked(), l);
          if (!diff.isEmpty()) {
            listenerModify.add(step(lpath, "modify " + diff, () -> nlb.dispatcher.gate().admit(lb.modifyListener(existing, l))));
          }
        }
      });
      have.forEach((k, l) -> {
        if (!wanted.containsKey(k)) {
          listenerDelete.add(step(path + "." + l.configUnlocked().path(), "delete", () -> {
            l.markDeleted();
            return lb.deleteListener(l);
          }));
        }
      });
    }
    for (LoadBalancer lb : nlb.registry.loadBalancers().values()) {
      if (!wantedLbs.contains(lb.name())) {
        deleteLbs.add(step("loadBalancers[" + lb.name() + "]", "delete", () -> LoadBalancerChanges.delete(lb)));
      }
    }
    for (TargetGroup tg : nlb.registry.targetGroups().values()) {
      if (!wantedGroups.contains(tg.name())) {
        deleteGroups.add(step("targetGroups[" + tg.name() + "]", "delete", () -> {
          tg.doDelete();
          return Change.done(tg);
        }));
      }
    }

    List<Step> steps = new ArrayList<>();
    steps.addAll(createGroups);
    steps.addAll(modifyGroups);
    steps.addAll(register);
    steps.addAll(createLbs);
    steps.addAll(modifyLbs);
    steps.addAll(listenerModify);
    steps.addAll(listenerDelete);
    steps.addAll(listenerCreate);
    steps.addAll(deregister);
    steps.addAll(deleteLbs);
    steps.addAll(deleteGroups);
    return steps;
  }

  private static Step step(String path, String description, Supplier<Change<?>> action) {
    return new Step(new PlannedChange(path, description), action, false);
  }

  private static void unchanged(List<String> problems, String path, Object running, Object wanted) {
    if (!Objects.equals(running, wanted)) {
      problems.add(Check.message(path, wanted, "unchanged, " + running + "; it cannot change once created"));
    }
  }

  /** The entries of {@code wanted} whose value differs from {@code running}. */
  static Map<String, String> changed(Map<String, String> running, Map<String, String> wanted) {
    Map<String, String> out = new LinkedHashMap<>();
    wanted.forEach((k, v) -> {
      if (!v.equals(running.get(k))) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static void tagSteps(List<Step> steps, String path, Map<String, String> running, Map<String, String> wanted,
      java.util.function.Consumer<Map<String, String>> add, java.util.function.Consumer<List<String>> remove) {
    Map<String, String> added = changed(running, wanted);
    List<String> removed = new ArrayList<>();
    for (String k : running.keySet()) {
      if (!wanted.containsKey(k)) {
        removed.add(k);
      }
    }
    if (!added.isEmpty()) {
      steps.add(step(path + ".tags", "add " + added, () -> {
        add.accept(added);
        return Change.done(added);
      }));
    }
    if (!removed.isEmpty()) {
      steps.add(step(path + ".tags", "remove " + removed, () -> {
        remove.accept(removed);
        return Change.done(removed);
      }));
    }
  }

  /** How {@code b} differs from {@code a}, one entry per setting; empty when equal. */
  static List<String> listenerChanges(ListenerConfig a, ListenerConfig b) {
    List<String> out = new ArrayList<>();
    if (!a.targetGroup().equals(b.targetGroup())) {
      out.add("targetGroup " + a.targetGroup() + " -> " + b.targetGroup());
    }
    if (!a.attributes().equals(b.attributes())) {
      out.add("attributes " + a.attributes() + " -> " + b.attributes());
    }
    if (!a.alpnPolicy().equals(b.alpnPolicy())) {
      out.add("alpnPolicy " + a.alpnPolicy() + " -> " + b.alpnPolicy());
    }
    if (!a.sslPolicy().equals(b.sslPolicy())) {
      out.add("sslPolicy " + a.sslPolicy().orElse("(none)") + " -> " + b.sslPolicy().orElse("(none)"));
    }
    if (!a.vpcEndpointId().equals(b.vpcEndpointId())) {
      out.add("vpcEndpointId " + a.vpcEndpointId().orElse("(none)") + " -> " + b.vpcEndpointId().orElse("(none)"));
    }
    if (!certificateIds(a).equals(certificateIds(b))) {
      out.add("certificates " + certificateIds(a) + " -> " + certificateIds(b));
    }
    return out;
  }

  private static List<String> certificateIds(ListenerConfig c) {
    List<String> ids = new ArrayList<>();
    c.certificate().ifPresent(x -> ids.add(x.id()));
    for (ServerCertificate x : c.certificates()) {
      ids.add(x.id());
    }
    return ids;
  }

}
