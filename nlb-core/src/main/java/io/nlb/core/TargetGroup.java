package io.nlb.core;

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
 *
 * @since 0.1
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
  final TagSet tags;
  /** Registrations by id#port, draining ones included, in registration order. */
  final Registrations registrations;
  /** Health reports by target or by registration id. */
  final HealthReports healthReports;
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
    this.tags = new TagSet("targetGroup[" + name + "]", this::checkLive, config.tags());
    this.registrations = new Registrations(this, nlb);
    this.healthReports = new HealthReports(this, nlb);
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
    return nlb.control.call(() -> healthCheck);
  }

  HealthCheck healthCheckUnlocked() {
    return healthCheck;
  }

  /** {@return the attributes, defaults filled in} */
  public TargetGroupAttributes attributes() {
    return nlb.control.call(() -> attributes);
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
    return nlb.control.call(() -> Map.copyOf(tags.current()));
  }

  /** {@return the load balancer whose listeners use this group, or empty when no listener does} */
  public Optional<LoadBalancer> loadBalancer() {
    return nlb.control.call(() -> Optional.ofNullable(nlb.registry.loadBalancerOf(this)));
  }

  /** {@return every registration, draining ones included, in registration order: a copy} */
  public List<RegisteredTarget> registeredTargets() {
    return nlb.control.call(() -> List.copyOf(registrations.all()));
  }

  Collection<RegisteredTarget> registrationsUnlocked() {
    return registrations.all();
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
    nlb.dispatch(Command.proposing("RegisterTargets",
        Command.fields("targetGroupArn", resourceId(), "targets", Command.describeTargets(targets)), () -> registrations.register(targets)));
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
    nlb.dispatch(Command.onControl("DeregisterTargets",
        Command.fields("targetGroupArn", resourceId(), "targets", Command.describeTargets(targets)), () -> registrations.deregister(targets)));
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
      for (RegisteredTarget r : registrations.all()) {
        out.add(registrations.describe(r));
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
        RegisteredTarget r = registrations.get(t);
        out.add(r == null
            ? new TargetHealthDescription(t.withPort(t.port().orElse(port)), null, TargetHealth.of(TargetHealthReason.TARGET_NOT_REGISTERED))
            : registrations.describe(r));
      }
      return out;
    });
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
    return healthReports.report(target, health);
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
    healthReports.report(healths);
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
    return nlb.dispatch(Command.proposing("ModifyTargetGroupAttributes", Command.fields("targetGroupArn", resourceId(), "attributes", changes),
        () -> doModifyAttributes(changes)).response(a -> Command.fields("attributes", a.asMap())));
  }

  /**
   * The body of {@link #modifyAttributes}; the attributes are in place when the {@link QuotaGate}
   * checks the load balancer's targets. The one quota read here, the bound of the failover counts,
   * stays: its problem is reported in one list with the other attribute problems.
   */
  QuotaGate.Proposed<TargetGroupAttributes> doModifyAttributes(Map<String, String> changes) {
    checkLive();
    List<String> problems = new ArrayList<>();
    Map<String, String> merged = new LinkedHashMap<>(attributes.explicitValues());
    merged.putAll(AttributeSpec.normalizeAll("targetGroup", TargetGroupAttributes.SPECS, changes, problems));
    TargetGroupAttributes next = new TargetGroupAttributes(merged)
        .resolve("targetGroup[" + name + "]", protocol, targetType, nlb.quotas.targetsPerTargetGroup(), problems);
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
    }
    LoadBalancer lb = nlb.registry.loadBalancerOf(this);
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
    return new QuotaGate.Proposed<>(new QuotaGate.GroupAttributes(this), () -> attributes = previous, () -> {
      republish();
      return next;
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
    nlb.dispatch(Command.onControl("ModifyTargetGroup", Command.fields("targetGroupArn", resourceId(), "healthCheck", next.toString()),
        () -> doModifyHealthCheck(next)));
  }

  void doModifyHealthCheck(HealthCheck next) {
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
  }

  /**
   * Adds or replaces tags (add-tags); every tag is checked before any is applied.
   *
   * @param additions the tags to set, by key; a key already present gets the new value
   */
  public void addTags(Map<String, String> additions) {
    nlb.dispatch(tags.addCommand(resourceId(), additions));
  }


  /**
   * Removes tags by key (remove-tags); unknown keys are ignored.
   *
   * @param keys the keys of the tags to remove
   */
  public void removeTags(Collection<String> keys) {
    nlb.dispatch(tags.removeCommand(resourceId(), keys));
  }


  /**
   * Deletes the group (delete-target-group). Its targets are simply forgotten.
   *
   * @throws NlbException {@code ResourceInUse} while a listener forwards to it
   */
  public void delete() {
    nlb.dispatch(Command.onControl("DeleteTargetGroup", Command.fields("targetGroupArn", resourceId()), this::doDelete));
  }

  void doDelete() {
    if (deleted) {
      return;
    }
    LoadBalancer lb = nlb.registry.loadBalancerOf(this);
    if (lb != null) {
      throw new NlbException(ErrorCode.RESOURCE_IN_USE, Check.message("targetGroup", name,
          "a group no listener uses; it is used by " + lb.name()));
    }
    registrations.cancelTimers();
    registrations.clear();
    deleted = true;
    nlb.registry.remove(this);
  }

  /** The mutable part of a group, kept so that a failed {@link Nlb#apply} can be taken back. */
  record Saved(HealthCheck healthCheck, TargetGroupAttributes attributes, Map<String, String> tags,
      Registrations.Saved registrations, boolean deleted) {}

  Saved save() {
    return new Saved(healthCheck, attributes, Map.copyOf(tags.current()), registrations.save(), deleted);
  }

  /** Puts back what {@link #save()} kept (see {@link Registrations#restore}). The caller republishes. */
  void restore(Saved s) {
    healthCheck = s.healthCheck();
    attributes = s.attributes();
    tags.restore(s.tags());
    registrations.restore(s.registrations());
    deleted = s.deleted();
  }

  void cancelTimers() {
    registrations.cancelTimers();
  }

  void republish() {
    LoadBalancer lb = nlb.registry.loadBalancerOf(this);
    if (lb != null) {
      lb.routing.republish();
    }
  }

  boolean isDeleted() {
    return deleted;
  }

  void checkLive() {
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
