package io.nlb.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A target group: targets, health-check settings and attributes, used by the listeners of at
 * most one load balancer. Obtained from {@link Nlb#createTargetGroup}.
 *
 * <pre>{@code
 * TargetGroup web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 8080)
 *     .targetType(TargetType.IP).build());
 * web.registerTargets(Target.ip("10.0.1.5"), Target.ip("10.0.2.5", 9090));
 * web.describeTargetHealth();                   // initial (Elb.RegistrationInProgress)
 * web.deregisterTargets(Target.ip("10.0.1.5")); // draining until the delay ends
 * web.modifyAttributes(Map.of("stickiness.enabled", "true"));
 * }</pre>
 *
 * <p>Thread-safe: operations are serialized on the control plane.
 */
public final class TargetGroup {
  private final Nlb nlb;
  private final String name;
  private final String id;
  private final Protocol protocol;
  private final int port;
  private final TargetType targetType;
  private final IpAddressType ipAddressType;
  private HealthCheck healthCheck;
  private TargetGroupAttributes attributes;
  private Map<String, String> tags;
  /** Registrations by id#port, draining ones included, in registration order. */
  private final Map<String, RegisteredTarget> registrations = new LinkedHashMap<>();
  private boolean deleted;

  TargetGroup(Nlb nlb, TargetGroupConfig config, String id) {
    this.nlb = nlb;
    this.name = config.name();
    this.id = id;
    this.protocol = config.protocol();
    this.port = config.port();
    this.targetType = config.targetType();
    this.ipAddressType = config.ipAddressType();
    this.healthCheck = config.healthCheck();
    this.attributes = config.attributes();
    this.tags = new LinkedHashMap<>(config.tags());
  }

  /** {@return the name, unique among the target groups of its {@link Nlb}} */
  public String name() {
    return name;
  }

  /** {@return the 16-hex-digit id, chosen at creation and kept for the group's life} */
  public String id() {
    return id;
  }

  /** {@return the resource id {@code targetgroup/<name>/<id>}, also the {@code TargetGroup} metric dimension} */
  public String resourceId() {
    return "targetgroup/" + name + "/" + id;
  }

  /** {@return the protocol to the targets, fixed at creation} */
  public Protocol protocol() {
    return protocol;
  }

  /** {@return the default port of the targets (1-65535), used by targets registered without one} */
  public int port() {
    return port;
  }

  /** {@return how targets are named (IP address, instance id or ALB endpoint), fixed at creation} */
  public TargetType targetType() {
    return targetType;
  }

  /** {@return {@code ipv4} or {@code ipv6}: the address family of the targets, fixed at creation} */
  public IpAddressType ipAddressType() {
    return ipAddressType;
  }

  /** {@return the health-check settings in force; changed by {@link #modifyHealthCheck}} */
  public HealthCheck healthCheck() {
    return nlb.control.call(() -> {
      return healthCheck;
    });
  }

  /** {@return the attributes, defaults filled in} */
  public TargetGroupAttributes attributes() {
    return nlb.control.call(() -> {
      return attributes;
    });
  }

  TargetGroupAttributes attributesUnlocked() {
    return attributes;
  }

  /** {@return every attribute key with its value, defaults filled in (describe-target-group-attributes)} */
  public Map<String, String> describeAttributes() {
    return attributes().asMap();
  }

  /** {@return a copy of the tags, by key} */
  public Map<String, String> tags() {
    return nlb.control.call(() -> {
      return Map.copyOf(tags);
    });
  }

  /** {@return the load balancer whose listeners use this group, or empty when no listener does} */
  public Optional<LoadBalancer> loadBalancer() {
    return nlb.control.call(() -> {
      return Optional.ofNullable(nlb.loadBalancerOf(this));
    });
  }

  /** {@return every registration, draining ones included, in registration order: a copy} */
  public List<RegisteredTarget> registeredTargets() {
    return nlb.control.call(() -> {
      return List.copyOf(registrations.values());
    });
  }

  Collection<RegisteredTarget> registrationsUnlocked() {
    return registrations.values();
  }

  // ------------------------------------------------------------------ register / deregister

  /**
   * See {@link #registerTargets(Collection)}.
   *
   * @param targets the targets to register
   */
  public void registerTargets(Target... targets) {
    registerTargets(List.of(targets));
  }

  /**
   * Registers targets (register-targets). A new target starts {@code initial} ({@code
   * Elb.RegistrationInProgress}); registering a target that is draining brings it back with its
   * health as it was; registering a registered target again changes nothing. Every target is
   * checked before any is registered.
   *
   * @param targets the targets to register, each named as the group's {@link #targetType()}
   *     requires
   * @throws NlbException {@code InvalidTarget} (wrong kind, wrong address family, unknown or
   *     stopped instance, unknown ALB endpoint, port of an ALB), {@code TooManyTargets}, {@code
   *     TooManyRegistrationsForTargetId}
   */
  public void registerTargets(Collection<Target> targets) {
    nlb.audited("RegisterTargets", Nlb.fields("targetGroupArn", resourceId(), "targets", Nlb.describeTargets(targets)),
        () -> doRegisterTargets(targets));
  }

  void doRegisterTargets(Collection<Target> targets) {
    nlb.control.run(() -> {
      checkLive();
      List<String> problems = new ArrayList<>();
      Map<String, RegisteredTarget> added = new LinkedHashMap<>();
      List<RegisteredTarget> revived = new ArrayList<>();
      int i = 0;
      for (Target t : targets) {
        String field = "targets[" + i++ + "]";
        try {
          int effectivePort = t.port().orElse(port);
          String key = RegisteredTarget.key(t.id(), effectivePort);
          RegisteredTarget existing = registrations.get(key);
          if (existing != null) {
            String zone = t.zoneOrNull();
            // Compare with the zone the target is in, derived from the zones' ranges when it was
            // registered by address alone, not only with an explicit or resolved zone.
            LoadBalancer owner = nlb.loadBalancerOf(this);
            String current = owner == null ? existing.knownZone() : existing.zoneIn(owner);
            if (zone != null && !zone.equals(current)) {
              problems.add(Check.message(field + ".zone", zone, "the zone it is registered in (" + (current == null ? "none" : current) + ")"));
            } else if (existing.isDraining()) {
              revived.add(existing);
            }
            continue;
          }
          if (!added.containsKey(key)) {
            added.put(key, resolve(field, t, effectivePort));
          }
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.INVALID_TARGET, problems);
      }
      List<RegisteredTarget> after = new ArrayList<>(registrations.values());
      after.addAll(added.values());
      int limit = targetType == TargetType.ALB ? 1 : nlb.quotas.targetsPerTargetGroup();
      if (after.size() > limit) {
        throw new NlbException(ErrorCode.TOO_MANY_TARGETS, Check.message("targetGroup[" + name + "].targets", after.size(),
            "at most " + limit + (targetType == TargetType.ALB ? " (an alb group holds one endpoint)" : "")));
      }
      LoadBalancer lb = nlb.loadBalancerOf(this);
      if (lb != null) {
        nlb.checkTargetQuotas(lb, this, after);
      }
      registrations.putAll(added);
      if (lb != null && targetType == TargetType.ALB) {
        try {
          nlb.checkAlbAssociations(this, lb);
        } catch (NlbException e) {
          added.keySet().forEach(registrations::remove);
          throw e;
        }
      }
      for (RegisteredTarget r : revived) {
        r.draining(false, null);
      }
      republish();
    });
  }

  private RegisteredTarget resolve(String field, Target t, int effectivePort) {
    if (t.type() != targetType) {
      throw Check.invalid(field, t.toString(), "an " + targetType + " target for the " + targetType + " target group " + name);
    }
    long rid = nlb.nextRegistrationId();
    switch (targetType) {
      case IP: {
        InetAddress a = Addresses.parseLiteral(field + ".id", t.id());
        boolean v6 = a instanceof Inet6Address;
        if (v6 != (ipAddressType == IpAddressType.IPV6)) {
          throw Check.invalid(field + ".id", t.id(), "an " + ipAddressType + " address for the " + ipAddressType + " target group " + name);
        }
        return new RegisteredTarget(this, t, effectivePort, rid, a, t.zoneOrNull(), InstanceResolver.State.RUNNING, null);
      }
      case INSTANCE: {
        InstanceResolver.Instance inst = nlb.instances.resolve(t.id());
        if (inst == null) {
          throw Check.invalid(field + ".id", t.id(), "an instance the instance resolver knows");
        }
        if (inst.state() != InstanceResolver.State.RUNNING) {
          throw Check.invalid(field + ".id", t.id() + " (" + inst.state().name().toLowerCase(java.util.Locale.ROOT) + ")",
              "a running instance");
        }
        String zone = t.zoneOrNull() != null ? t.zoneOrNull() : inst.zone();
        return new RegisteredTarget(this, t, effectivePort, rid, inst.address(), zone, inst.state(), null);
      }
      default: {
        AlbEndpoints.State alb = nlb.requireAlb(t.id());
        if (t.port().isPresent() && t.port().getAsInt() != port) {
          throw Check.invalid(field + ".port", t.port().getAsInt(), "no port override; an alb target receives traffic on the group port " + port);
        }
        if (alb.endpoint.port() != port) {
          throw Check.invalid(field + ".id", t.id(), "an endpoint whose listener port (" + alb.endpoint.port() + ") equals the group port " + port);
        }
        RegisteredTarget r = new RegisteredTarget(this, t, effectivePort, rid, null, null, InstanceResolver.State.RUNNING, t.id());
        r.albAddresses(alb.addresses);
        return r;
      }
    }
  }

  /**
   * See {@link #deregisterTargets(Collection)}.
   *
   * @param targets the registered targets to deregister
   */
  public void deregisterTargets(Target... targets) {
    deregisterTargets(List.of(targets));
  }

  /**
   * Deregisters targets (deregister-targets). Each becomes {@code draining} at once: no new flows,
   * existing flows continue. When the deregistration delay ends it is removed ({@code unused},
   * {@code Target.NotRegistered}) and, with {@code
   * deregistration_delay.connection_termination.enabled}, its flows are closed. With a delay of 0
   * it is removed at once.
   *
   * @param targets the registered targets to deregister, matched by id and effective port
   * @throws NlbException {@code InvalidTarget} naming every target that is not registered; then
   *     nothing is deregistered
   */
  public void deregisterTargets(Collection<Target> targets) {
    nlb.audited("DeregisterTargets", Nlb.fields("targetGroupArn", resourceId(), "targets", Nlb.describeTargets(targets)),
        () -> doDeregisterTargets(targets));
  }

  void doDeregisterTargets(Collection<Target> targets) {
    nlb.control.run(() -> {
      checkLive();
      List<String> problems = new ArrayList<>();
      List<RegisteredTarget> found = new ArrayList<>();
      int i = 0;
      for (Target t : targets) {
        String field = "targets[" + i++ + "]";
        RegisteredTarget r = registrations.get(RegisteredTarget.key(t.id(), t.port().orElse(port)));
        if (r == null) {
          problems.add(Check.message(field, t.toString(), "a target registered with " + name));
        } else if (!found.contains(r)) {
          found.add(r);
        }
      }
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.INVALID_TARGET, problems);
      }
      Duration delay = attributes.deregistrationDelay();
      List<RegisteredTarget> removeNow = new ArrayList<>();
      for (RegisteredTarget r : found) {
        if (r.isDraining()) {
          continue;
        }
        if (delay.isZero()) {
          removeNow.add(r);
        } else {
          r.draining(true, nlb.scheduler.schedule(delay, () -> nlb.control.execute(() -> finishDraining(r))));
        }
      }
      for (RegisteredTarget r : removeNow) {
        r.draining(true, null);
        registrations.remove(r.stableKey());
        r.removed();
      }
      // The snapshot published names the removed targets; the transport learns from its
      // difference with the previous one which flows to close (FlowResets).
      republish();
    });
  }

  private void finishDraining(RegisteredTarget r) {
    nlb.control.run(() -> {
      if (deleted || !r.isDraining() || registrations.get(r.stableKey()) != r) {
        return;
      }
      registrations.remove(r.stableKey());
      r.draining(true, null);
      r.removed();
      republish();
    });
  }

  // ------------------------------------------------------------------ health

  /**
   * describe-target-health for every registered target (draining ones included).
   *
   * @return one description per registration, in registration order
   */
  public List<TargetHealthDescription> describeTargetHealth() {
    return nlb.control.call(() -> {
      List<TargetHealthDescription> out = new ArrayList<>();
      for (RegisteredTarget r : registrations.values()) {
        out.add(describe(r));
      }
      return out;
    });
  }

  /**
   * describe-target-health for the given targets; those not registered are {@code unused} ({@code
   * Target.NotRegistered}).
   *
   * @param targets the targets to describe
   * @return one description per target given, in the order given
   */
  public List<TargetHealthDescription> describeTargetHealth(Target... targets) {
    return nlb.control.call(() -> {
      List<TargetHealthDescription> out = new ArrayList<>();
      for (Target t : targets) {
        RegisteredTarget r = registrations.get(RegisteredTarget.key(t.id(), t.port().orElse(port)));
        out.add(r == null
            ? new TargetHealthDescription(t.withPort(t.port().orElse(port)), null, TargetHealth.of(TargetHealthReason.TARGET_NOT_REGISTERED))
            : describe(r));
      }
      return out;
    });
  }

  /** The health of one registration as the API reports it. */
  TargetHealth effectiveHealth(RegisteredTarget r) {
    if (r.isDraining()) {
      return TargetHealth.of(TargetHealthReason.TARGET_DEREGISTRATION_IN_PROGRESS);
    }
    LoadBalancer lb = nlb.loadBalancerOf(this);
    if (lb == null) {
      return TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE, TargetHealthReason.TARGET_NOT_IN_USE.descriptions().get(0));
    }
    if (r.instanceState() == InstanceResolver.State.STOPPED) {
      return TargetHealth.of(TargetHealthReason.TARGET_INVALID_STATE, "Target is in the stopped state");
    }
    if (r.instanceState() == InstanceResolver.State.TERMINATED) {
      return TargetHealth.of(TargetHealthReason.TARGET_INVALID_STATE, "Target is in the terminated state");
    }
    if (lb.ipUnusable(r)) {
      return TargetHealth.of(TargetHealthReason.TARGET_IP_UNUSABLE);
    }
    if (!r.isAlb()) {
      String zone = r.zoneIn(lb);
      if (zone == null) {
        return TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE, TargetHealthReason.TARGET_NOT_IN_USE.descriptions().get(2));
      }
      if (!lb.enabled(zone)) {
        return TargetHealth.of(TargetHealthReason.TARGET_NOT_IN_USE, TargetHealthReason.TARGET_NOT_IN_USE.descriptions().get(1));
      }
    }
    return r.health();
  }

  private TargetHealthDescription describe(RegisteredTarget r) {
    Target shown = r.target().withPort(r.port());
    LoadBalancer lb = nlb.loadBalancerOf(this);
    String zone = lb == null ? r.knownZone() : r.zoneIn(lb);
    if (zone != null && r.target().zoneOrNull() == null) {
      shown = shown.withZone(zone);
    }
    String hcPort = healthCheck.port().isPresent() ? Integer.toString(healthCheck.port().getAsInt()) : Integer.toString(r.port());
    return new TargetHealthDescription(shown, hcPort, effectiveHealth(r));
  }

  /**
   * Records the outcome of health checks for a registered target: what the health-check engine
   * calls, and what tests call to simulate it. Only {@code initial}, {@code healthy}, {@code
   * unhealthy} and {@code unavailable} may be reported; the change reaches routing at once, then
   * (outside the control-plane lock, on the calling thread) every {@link TargetHealthListener}
   * added with {@link Nlb#addTargetHealthListener} is told.
   *
   * @param target the registered target, as it was registered
   * @param health the new health state with its reason
   * @return the previous health
   * @throws NlbException {@code InvalidTarget} when the target is not registered
   */
  public TargetHealth reportHealth(Target target, TargetHealth health) {
    switch (health.state()) {
      case INITIAL:
      case HEALTHY:
      case UNHEALTHY:
      case UNAVAILABLE:
        break;
      default:
        throw new NlbException(ErrorCode.VALIDATION_ERROR, Check.message("health.state", health.state().toString(),
            "initial, healthy, unhealthy or unavailable; draining and unused follow from registration"));
    }
    RegisteredTarget[] changed = new RegisteredTarget[1];
    TargetHealth previous = nlb.control.call(() -> {
      checkLive();
      RegisteredTarget r = registrations.get(RegisteredTarget.key(target.id(), target.port().orElse(port)));
      if (r == null) {
        throw new NlbException(ErrorCode.INVALID_TARGET, Check.message("target", target.toString(), "a target registered with " + name));
      }
      TargetHealth before = r.health();
      if (before.equals(health)) {
        return before;
      }
      r.health(health);
      republishHealth(List.of(r));
      changed[0] = r;
      return before;
    });
    RegisteredTarget r = changed[0];
    if (r != null) {
      // Outside the control plane: listeners may call back into the Nlb (see TargetHealthListener).
      nlb.fireHealthTransition(r, previous, health);
    }
    return previous;
  }

  /**
   * Records the health of several targets at once, as {@link #reportHealth(Target, TargetHealth)}
   * does for one, but publishing routing once: what the health-check engine calls to report a
   * batch of transitions. Every target and state is checked before any health is changed; entries
   * equal to the current health are skipped. Listeners are told about each change, in the map's
   * iteration order, after the lock is released.
   *
   * @param healths the new health of each registered target
   * @throws NlbException {@code ValidationError} for a state that cannot be reported, {@code
   *     InvalidTarget} when a target is not registered (nothing is changed then)
   */
  public void reportHealth(Map<Target, TargetHealth> healths) {
    for (TargetHealth health : healths.values()) {
      switch (health.state()) {
        case INITIAL:
        case HEALTHY:
        case UNHEALTHY:
        case UNAVAILABLE:
          break;
        default:
          throw new NlbException(ErrorCode.VALIDATION_ERROR, Check.message("health.state", health.state().toString(),
              "initial, healthy, unhealthy or unavailable; draining and unused follow from registration"));
      }
    }
    List<RegisteredTarget> changed = new ArrayList<>();
    List<TargetHealth> previous = new ArrayList<>();
    List<TargetHealth> current = new ArrayList<>();
    nlb.control.run(() -> {
      checkLive();
      List<RegisteredTarget> found = new ArrayList<>(healths.size());
      for (Target target : healths.keySet()) {
        RegisteredTarget r = registrations.get(RegisteredTarget.key(target.id(), target.port().orElse(port)));
        if (r == null) {
          throw new NlbException(ErrorCode.INVALID_TARGET, Check.message("target", target.toString(), "a target registered with " + name));
        }
        found.add(r);
      }
      int i = 0;
      for (TargetHealth health : healths.values()) {
        RegisteredTarget r = found.get(i++);
        TargetHealth before = r.health();
        if (!before.equals(health)) {
          r.health(health);
          changed.add(r);
          previous.add(before);
          current.add(health);
        }
      }
      if (changed.isEmpty()) {
        return;
      }
      republishHealth(changed);
    });
    for (int j = 0; j < changed.size(); j++) {
      nlb.fireHealthTransition(changed.get(j), previous.get(j), current.get(j));
    }
  }

  // ------------------------------------------------------------------ modify

  /**
   * Changes attributes by their elbv2 keys (modify-target-group-attributes). Every value and
   * cross-rule is checked before any is applied.
   *
   * @param changes the values to set, by key; keys not given keep their value
   * @return every attribute after the change, defaults filled in
   * @throws NlbException {@code ValidationError}, {@code InvalidConfigurationRequest} (stickiness
   *     behind a TLS listener), {@code OperationNotPermitted} (cross-zone on during a zonal shift)
   */
  public TargetGroupAttributes modifyAttributes(Map<String, String> changes) {
    return nlb.audited("ModifyTargetGroupAttributes", Nlb.fields("targetGroupArn", resourceId(), "attributes", changes),
        () -> doModifyAttributes(changes), a -> Nlb.fields("attributes", a.asMap()));
  }

  TargetGroupAttributes doModifyAttributes(Map<String, String> changes) {
    return nlb.control.call(() -> {
      checkLive();
      List<String> problems = new ArrayList<>();
      Map<String, String> merged = new LinkedHashMap<>(attributes.explicitValues());
      merged.putAll(AttributeSpec.normalizeAll("targetGroup", TargetGroupAttributes.SPECS, changes, problems));
      TargetGroupAttributes next = new TargetGroupAttributes(merged)
          .resolve("targetGroup[" + name + "]", protocol, targetType, nlb.quotas.targetsPerTargetGroup(), problems);
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
      }
      LoadBalancer lb = nlb.loadBalancerOf(this);
      if (lb != null) {
        if (next.stickiness()) {
          for (Listener l : lb.listenersMutable()) {
            if (l.configUnlocked().targetGroup().equals(name) && l.configUnlocked().protocol() == Protocol.TLS) {
              throw new NlbException(ErrorCode.INVALID_CONFIGURATION_REQUEST, Check.message(TargetGroupAttributes.STICKINESS, "true",
                  "false; sticky sessions are not supported with TLS listeners (" + l.configUnlocked().path() + ")"));
            }
          }
        }
        ZonalShift shift = lb.zonalShiftUnlocked();
        if (shift != null && next.crossZone() == CrossZone.ENABLED) {
          throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message(TargetGroupAttributes.CROSS_ZONE, "true",
              "false or use_load_balancer_configuration while a zonal shift is active (away from " + shift.zone() + ")"));
        }
      }
      TargetGroupAttributes previous = attributes;
      attributes = next;
      if (lb != null) {
        try {
          nlb.checkTargetQuotas(lb, this, registrations.values());
        } catch (NlbException e) {
          attributes = previous;
          throw e;
        }
      }
      republish();
      return attributes;
    });
  }

  /**
   * Replaces the health-check settings (modify-target-group); they apply from the next check.
   *
   * @param next the new settings, replacing the current ones as a whole
   * @throws NlbException {@code IncompatibleProtocols} when the check protocol does not fit the
   *     group's target type (TCP for an {@code alb} group), {@code ValidationError} when a setting an
   *     {@code alb} group fixes is changed
   */
  public void modifyHealthCheck(HealthCheck next) {
    nlb.audited("ModifyTargetGroup", Nlb.fields("targetGroupArn", resourceId(), "healthCheck", next.toString()),
        () -> doModifyHealthCheck(next));
  }

  void doModifyHealthCheck(HealthCheck next) {
    nlb.control.run(() -> {
      checkLive();
      List<String> problems = new ArrayList<>();
      HealthCheck resolved = next.resolve("targetGroup[" + name + "].healthCheck", targetType, problems);
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.INCOMPATIBLE_PROTOCOLS, problems);
      }
      resolved.checkFixedForAlb("targetGroup[" + name + "].healthCheck", targetType, problems);
      if (!problems.isEmpty()) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
      }
      healthCheck = resolved;
    });
  }

  /**
   * Adds or replaces tags (add-tags); every tag is checked before any is applied.
   *
   * @param additions the tags to set, by key; a key already present gets the new value
   */
  public void addTags(Map<String, String> additions) {
    nlb.audited("AddTags", Nlb.fields("resourceArns", List.of(resourceId()), "tags", additions), () -> doAddTags(additions));
  }

  void doAddTags(Map<String, String> additions) {
    nlb.control.run(() -> {
      checkLive();
      tags = Tags.add("targetGroup[" + name + "]", tags, additions);
    });
  }

  /**
   * Removes tags by key (remove-tags); unknown keys are ignored.
   *
   * @param keys the keys of the tags to remove
   */
  public void removeTags(Collection<String> keys) {
    nlb.audited("RemoveTags", Nlb.fields("resourceArns", List.of(resourceId()), "tagKeys", List.copyOf(keys)), () -> doRemoveTags(keys));
  }

  void doRemoveTags(Collection<String> keys) {
    nlb.control.run(() -> {
      checkLive();
      tags = Tags.remove(tags, keys);
    });
  }

  /**
   * Deletes the group (delete-target-group). Its targets are simply forgotten.
   *
   * @throws NlbException {@code ResourceInUse} while a listener forwards to it
   */
  public void delete() {
    nlb.audited("DeleteTargetGroup", Nlb.fields("targetGroupArn", resourceId()), this::doDelete);
  }

  void doDelete() {
    nlb.control.run(() -> {
      if (deleted) {
        return;
      }
      LoadBalancer lb = nlb.loadBalancerOf(this);
      if (lb != null) {
        throw new NlbException(ErrorCode.RESOURCE_IN_USE, Check.message("targetGroup", name,
            "a group no listener uses; it is used by " + lb.name()));
      }
      cancelTimers();
      registrations.clear();
      deleted = true;
      nlb.removeTargetGroup(this);
    });
  }

  /** The mutable part of a group, kept so that a failed {@link Nlb#apply} can be taken back. */
  record Saved(HealthCheck healthCheck, TargetGroupAttributes attributes, Map<String, String> tags,
      Map<String, RegisteredTarget> registrations, java.util.Set<RegisteredTarget> draining, boolean deleted) {}

  Saved save() {
    java.util.Set<RegisteredTarget> draining = new java.util.HashSet<>();
    for (RegisteredTarget r : registrations.values()) {
      if (r.isDraining()) {
        draining.add(r);
      }
    }
    return new Saved(healthCheck, attributes, Map.copyOf(tags), new LinkedHashMap<>(registrations), draining, deleted);
  }

  /**
   * Puts back what {@link #save()} kept: registrations added since are dropped, those
   * deregistered since are serving again (their drain timers cancelled). The caller republishes.
   */
  void restore(Saved s) {
    healthCheck = s.healthCheck();
    attributes = s.attributes();
    tags = new LinkedHashMap<>(s.tags());
    for (RegisteredTarget r : registrations.values()) {
      if (!s.registrations().containsValue(r) && r.isDraining()) {
        r.draining(true, null);
      }
    }
    registrations.clear();
    registrations.putAll(s.registrations());
    for (RegisteredTarget r : registrations.values()) {
      if (!s.draining().contains(r) && r.isDraining()) {
        r.draining(false, null);
      }
      r.unremove();
    }
    deleted = s.deleted();
  }

  void cancelTimers() {
    for (RegisteredTarget r : registrations.values()) {
      if (r.isDraining()) {
        r.draining(true, null);
      }
    }
  }

  private void republish() {
    LoadBalancer lb = nlb.loadBalancerOf(this);
    if (lb != null) {
      lb.republish();
    }
  }

  /** Republishes after a health change of {@code changed}: only the routes that hold them are rebuilt. */
  private void republishHealth(List<RegisteredTarget> changed) {
    LoadBalancer lb = nlb.loadBalancerOf(this);
    if (lb != null) {
      lb.republishHealth(this, changed);
    }
  }

  private void checkLive() {
    nlb.checkOpen();
    if (deleted) {
      throw new NlbException(ErrorCode.TARGET_GROUP_NOT_FOUND, Check.message("targetGroup", name, "a target group that has not been deleted"));
    }
  }

  @Nullable Nlb nlbOrNull() {
    return nlb;
  }

  @Override
  public String toString() {
    return "TargetGroup{" + resourceId() + " " + protocol + ":" + port + " " + targetType + "}";
  }
}
