package io.nlb.core;

import io.nlb.core.routing.FlowKey;
import io.nlb.core.routing.IpProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A load balancer: one node per enabled zone, listeners, attributes, tags, and the routing
 * snapshot its data plane follows. Obtained from {@link Nlb#createLoadBalancer}.
 *
 * <pre>{@code
 * LoadBalancer lb = nlb.createLoadBalancer(config);
 * lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
 * RouteDecision d = lb.whatIf("zone-a", FlowKey.tcp(client, node, 7));
 * lb.startZonalShift("zone-b", Duration.ofMinutes(30), "zone-b impaired");
 * DnsRecords dns = lb.dnsRecords();
 * }</pre>
 *
 * <p>Thread-safe: operations are serialized on the control plane; {@link #routingSnapshot()} is
 * a volatile read.
 *
 * @since 0.1
 */
public final class LoadBalancer implements AutoCloseable {

  private final Nlb nlb;
  private final String name;
  private final String id;
  private final Scheme scheme;
  IpAddressType ipAddressType;
  final List<Zone> zones;
  LoadBalancerAttributes attributes;
  final TagSet tags;
  final List<Listener> listeners = new ArrayList<>();
  volatile LoadBalancerState state = LoadBalancerState.PROVISIONING;
  private volatile @Nullable String stateReason;
  /** The zonal shift and its expiry timer (control plane only). */
  private final ZonalShifts shifts;
  /** The route slots the transport's sockets hold; filled from every snapshot published. */
  final RouteSlots slots;
  /** Builds, publishes and binds this load balancer's snapshots (control plane only). */
  final Publication routing;
  /** Warns about targets that no zone contains (guarded by the control-plane lock). */
  final UnzonedTargets unzoned;

  LoadBalancer(Nlb nlb, LoadBalancerConfig config, String id) {
    this.nlb = nlb;
    this.name = config.name();
    this.id = id;
    this.unzoned = new UnzonedTargets(config.name());
    this.slots = new RouteSlots(nlb);
    this.routing = new Publication(nlb, this);
    this.shifts = new ZonalShifts(this, nlb);
    this.scheme = config.scheme();
    this.ipAddressType = config.ipAddressType();
    this.zones = new ArrayList<>(config.zones());
    this.attributes = config.attributes();
    this.tags = new TagSet("loadBalancer[" + name + "]", this::checkLive, config.tags());
  }

  // ------------------------------------------------------------------ describe

  /** {@return the name, unique among the load balancers of its {@link Nlb}} */
  public String name() {
    return name;
  }

  /** {@return the 16-hex-digit id, chosen at creation and kept for the load balancer's life} */
  public String id() {
    return id;
  }

  /** {@return the resource id {@code net/<name>/<id>}, also the {@code LoadBalancer} metric dimension} */
  public String resourceId() {
    return "net/" + name + "/" + id;
  }

  /** {@return the DNS name {@code <name>-<id>.<suffix>}; see {@link #dnsRecords()} for what it resolves to} */
  public String dnsName() {
    return name + "-" + id + "." + nlb.dnsSuffix;
  }

  /** {@return the scheme, fixed at creation} */
  public Scheme scheme() {
    return scheme;
  }

  /** {@return the IP address type, changed by {@link #setIpAddressType}} */
  public IpAddressType ipAddressType() {
    return nlb.control.call(() -> ipAddressType);
  }

  IpAddressType ipAddressTypeUnlocked() {
    return ipAddressType;
  }

  /** {@return the enabled zones, in the order they were enabled (a zone's node index)} */
  public List<Zone> zones() {
    return nlb.control.call(() -> List.copyOf(zones));
  }

  List<Zone> zonesUnlocked() {
    return zones;
  }

  /** {@return the state: provisioning while its listeners bind, then active or failed; deleted after {@link #delete()}} */
  public LoadBalancerState state() {
    return state;
  }

  /** {@return why the state is {@code failed}, or empty in any other state} */
  public Optional<String> stateReason() {
    return Optional.ofNullable(stateReason);
  }

  /** {@return the attributes, defaults filled in} */
  public LoadBalancerAttributes attributes() {
    return nlb.control.call(() -> attributes);
  }

  Map<String, String> tagsUnlocked() {
    return tags.current();
  }

  /**
   * Drops a load balancer that a failed apply created: it never served, its sockets close; a
   * command.
   */
  void discard() {
    cancelTimers();
    listeners.clear();
    state = LoadBalancerState.DELETED;
    if (nlb.transport != null) {
      nlb.transport.remove(this);
    }
  }

  LoadBalancerAttributes attributesUnlocked() {
    return attributes;
  }

  /** {@return every attribute key with its value, defaults filled in (describe-load-balancer-attributes)} */
  public Map<String, String> describeAttributes() {
    return attributes().asMap();
  }

  /** {@return a copy of the tags, by key} */
  public Map<String, String> tags() {
    return nlb.control.call(() -> Map.copyOf(tags.current()));
  }

  /** {@return the listeners, in creation order: a copy that later changes do not affect} */
  public List<Listener> listeners() {
    return nlb.control.call(() -> List.copyOf(listeners));
  }

  List<Listener> listenersMutable() {
    return listeners;
  }

  /**
   * Looks a listener up by protocol and port.
   *
   * @param protocol the listener's protocol
   * @param port the listener's port (1-65535)
   * @return the listener on {@code port} whose protocol is {@code protocol}, or empty when there is
   *     none
   */
  public Optional<Listener> listener(Protocol protocol, int port) {
    return nlb.control.call(() -> {
      for (Listener l : listeners) {
        if (l.configUnlocked().protocol() == protocol && l.configUnlocked().port() == port) {
          return Optional.of(l);
        }
      }
      return Optional.empty();
    });
  }

  /** {@return the {@link Nlb} this load balancer belongs to} */
  public Nlb nlb() {
    return nlb;
  }

  /**
   * The routing snapshot the data plane follows: one volatile read, no lock. Never null once the
   * load balancer has been created.
   *
   * @return the snapshot published by the last change; a later change publishes a new one and
   *     leaves this one as it is
   */
  public RoutingSnapshot routingSnapshot() {
    RoutingSnapshot s = routing.current();
    if (s == null) {
      throw new IllegalStateException("loadBalancer[" + name + "]: no snapshot yet");
    }
    return s;
  }

  /**
   * What a resolver answers for {@link #dnsName()}: the node addresses of the zones healthy in DNS.
   *
   * @return the records as of the last change, from the published snapshot
   */
  public DnsRecords dnsRecords() {
    return routingSnapshot().dns();
  }

  /** {@return the active zonal shift, or empty when none is active (an expired shift ends by itself)} */
  public Optional<ZonalShift> zonalShift() {
    return nlb.control.call(() -> Optional.ofNullable(shifts.current()));
  }

  // ------------------------------------------------------------------ what-if

  /**
   * Which target a new flow with {@code key} would reach through the node of {@code zone}: the
   * listener is the one for the key's protocol and destination port. Uses the published snapshot,
   * so it answers exactly as the data plane would.
   *
   * @param zone the name of the zone whose node receives the flow
   * @param key the flow: protocol, client address and port, node address and listener port
   * @return the outcome and, when routed, the target and address with the reason; a zone that is
   *     not enabled gives {@link RouteDecision.Outcome#NO_NODE} rather than an exception
   */
  public RouteDecision whatIf(String zone, FlowKey key) {
    return WhatIf.decide(routingSnapshot(), name, zone, key);
  }

  /**
   * Like {@link #whatIf(String, FlowKey)}, with the node found from the key's destination
   * address (a zone's node address).
   *
   * @param key the flow; its destination address names the node
   * @return the decision, or {@link RouteDecision.Outcome#NO_NODE} when no zone's node has the
   *     destination address
   */
  public RouteDecision whatIf(FlowKey key) {
    return WhatIf.decide(routingSnapshot(), name, key);
  }

  // ------------------------------------------------------------------ operations

  /**
   * Adds a listener (create-listener).
   *
   * @param config the listener's protocol, port, target group and (for TLS) certificates
   * @return the new listener, bound on every zone's node when a transport is attached
   * @throws NlbException {@code DuplicateListener}, {@code TooManyListeners}, {@code
   *     TooManyCertificates}, {@code TargetGroupNotFound}, {@code TargetGroupAssociationLimit},
   *     {@code IncompatibleProtocols}, {@code UnsupportedProtocol}, {@code TooManyTargets}, or
   *     {@code InternalFailure} when the transport cannot bind it
   */
  public Listener createListener(ListenerConfig config) {
    return nlb.dispatch(Command.bindingProposing("CreateListener", withLb(Command.describeListener(config)), path(), () -> doCreateListener(config))
        .response(l -> Command.fields("listenerArn", l.resourceId())));
  }

  /** The body of {@link #createListener}: the listener the {@link QuotaGate} admits, then binds. */
  QuotaGate.Proposed<Change<Listener>> doCreateListener(ListenerConfig config) {
    checkLive();
    Listener l = new Listener(this, config, nlb.ids.hexId("listener", Listener.identityName(name, config)));
    return QuotaGate.Proposed.of(nlb.admission.checkListener(this, l, config), () -> {
      listeners.add(l);
      return new Change<>(l, routing.rebind(), () -> {
        if (listeners.remove(l)) {
          routing.rebindAfterUndo();
        }
      });
    });
  }

  /** Proposes {@code config} as {@code listener}'s configuration; a command body. */
  QuotaGate.Proposed<Change<Boolean>> modifyListener(Listener listener, ListenerConfig config) {
    checkLive();
    ListenerConfig old = listener.configUnlocked();
    return QuotaGate.Proposed.of(nlb.admission.checkListener(this, listener, config), () -> {
      listener.config(config);
      return new Change<>(Boolean.TRUE, routing.rebind(), () -> {
        if (listener.configUnlocked() == config) {
          listener.config(old);
          routing.rebindAfterUndo();
        }
      });
    });
  }

  /** The path of this load balancer in messages. */
  String path() {
    return "loadBalancer[" + name + "]";
  }

  /** Removes {@code listener}; a command. Unbinding cannot be refused, so there is nothing to undo. */
  Change<Boolean> deleteListener(Listener listener) {
    checkLive();
    listeners.remove(listener);
    return new Change<>(Boolean.TRUE, routing.rebind(), () -> {});
  }

  /**
   * Changes attributes by their elbv2 keys (modify-load-balancer-attributes). Every value is
   * checked before any is applied.
   *
   * @param changes the values to set, by key; keys not given keep their value
   * @return every attribute after the change, defaults filled in
   * @throws NlbException {@code ValidationError}, or {@code OperationNotPermitted} when turning
   *     cross-zone on during a zonal shift
   */
  public LoadBalancerAttributes modifyAttributes(Map<String, String> changes) {
    return nlb.dispatch(Command.bindingProposing("ModifyLoadBalancerAttributes", withLb(Command.fields("attributes", changes)), path(),
        () -> LoadBalancerChanges.modifyAttributes(this, changes)).response(a -> Command.fields("attributes", a.asMap())));
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
   * Enables more zones (set-subnets). {@code next} must contain every zone already enabled,
   * unchanged: zones cannot be removed or re-addressed.
   *
   * @param next every zone the load balancer should have: the enabled ones, then the new ones
   * @throws NlbException {@code OperationNotPermitted} when a zone would be removed or changed,
   *     {@code ValidationError} for bad zones, {@code InternalFailure} when a node cannot be bound
   */
  public void setZones(List<Zone> next) {
    List<Object> zs = new ArrayList<>();
    next.forEach(z -> zs.add(z.toString()));
    nlb.dispatch(Command.bindingProposing("SetSubnets", withLb(Command.fields("availabilityZones", zs)), path(), () -> LoadBalancerChanges.setZones(this, next)));
  }

  /**
   * Enables one more zone; see {@link #setZones}.
   *
   * @param zone the zone to add after the enabled ones
   */
  public void addZone(Zone zone) {
    List<Zone> next = new ArrayList<>(zones());
    next.add(zone);
    setZones(next);
  }

  /**
   * Changes the IP address type (set-ip-address-type). {@code dualstack} needs TCP and TLS
   * listeners and target groups only and an IPv6 address on every zone; {@code ipv4} is refused while an ipv6
   * target group is attached.
   *
   * @param type {@code ipv4} or {@code dualstack}
   * @throws NlbException {@code ValidationError} for {@code ipv6}, or {@code
   *     InvalidConfigurationRequest} listing what prevents the change
   */
  public void setIpAddressType(IpAddressType type) {
    nlb.dispatch(Command.binding("SetIpAddressType", withLb(Command.fields("ipAddressType", type.apiName())), path(),
        () -> LoadBalancerChanges.setIpAddressType(this, type)));
  }

  /**
   * Starts a zonal shift away from {@code zone} for {@code expiresIn} (1 minute to 72 hours).
   * Only one zone at a time; refused while cross-zone load balancing is on (for the load balancer
   * or any of its target groups) and on a load balancer with a single zone.
   *
   * @param zone the name of the enabled zone to take out of DNS and routing
   * @param expiresIn how long the shift lasts, from now; it ends by itself then
   * @param comment free text kept with the shift, for people
   * @return the shift now active, with its start and expiry times
   * @throws NlbException {@code OperationNotPermitted} when a shift is already active, the load
   *     balancer has one zone or cross-zone is on, {@code AvailabilityZoneNotSupported} when the
   *     zone is not enabled, {@code ValidationError} when {@code expiresIn} is out of range
   */
  public ZonalShift startZonalShift(String zone, Duration expiresIn, String comment) {
    return nlb.dispatch(Command.onControl("StartZonalShift", withLb(Command.fields("awayFrom", zone, "expiresIn", expiresIn.toString(),
        "comment", comment)), () -> shifts.start(zone, expiresIn, comment)).response(LoadBalancer::describeShift));
  }

  /**
   * Changes the expiry and comment of the active zonal shift.
   *
   * @param expiresIn the new duration, counted from now (1 minute to 72 hours)
   * @param comment the new comment
   * @return the updated shift, with its original start time
   * @throws NlbException {@code OperationNotPermitted} when no shift is active, {@code
   *     ValidationError} when {@code expiresIn} is out of range
   */
  public ZonalShift updateZonalShift(Duration expiresIn, String comment) {
    return nlb.dispatch(Command.onControl("UpdateZonalShift", withLb(Command.fields("expiresIn", expiresIn.toString(), "comment", comment)),
        () -> shifts.update(expiresIn, comment)).response(LoadBalancer::describeShift));
  }

  private static java.util.Map<String, Object> describeShift(ZonalShift z) {
    return Command.fields("awayFrom", z.zone(), "expiryTime", z.expiryTime().toString());
  }

  /** Cancels the active zonal shift; traffic returns to the zone. */
  public void cancelZonalShift() {
    nlb.dispatch(Command.onControl("CancelZonalShift", withLb(Command.fields()), shifts::cancel));
  }

  @Nullable ZonalShift zonalShiftUnlocked() {
    return shifts.current();
  }

  /**
   * Deletes the load balancer and its listeners (delete-load-balancer). Registered targets stay
   * registered with their groups.
   *
   * @throws NlbException {@code OperationNotPermitted} while deletion protection is enabled
   */
  public void delete() {
    nlb.dispatch(Command.binding("DeleteLoadBalancer", withLb(Command.fields()), path(), () -> LoadBalancerChanges.delete(this)));
  }

  /** The mutable part of a load balancer, kept so that a failed {@link Nlb#apply} can be taken back. */
  record Saved(IpAddressType ipAddressType, List<Zone> zones, LoadBalancerAttributes attributes, Map<String, String> tags,
      List<Listener> listeners, Map<Listener, ListenerConfig> configs, LoadBalancerState state) {}

  Saved save() {
    return LoadBalancerChanges.save(this);
  }

  /** Puts back what {@link #save()} kept; the caller re-binds. */
  void restore(Saved s) {
    LoadBalancerChanges.restore(this, s);
  }

  /** Same as {@link #delete()}: refused while deletion protection is enabled. */
  @Override
  public void close() {
    delete();
  }

  // ------------------------------------------------------------------ internals

  private Map<String, Object> withLb(Map<String, Object> request) {
    return Command.join(Command.fields("loadBalancerArn", resourceId()), request);
  }

  void checkLive() {
    nlb.checkOpen();
    if (state == LoadBalancerState.DELETED) {
      throw new NlbException(ErrorCode.LOAD_BALANCER_NOT_FOUND, Check.message("loadBalancer", name, "a load balancer that has not been deleted"));
    }
  }

  void cancelTimers() {
    shifts.cancelTimer();
  }

  void activate() {
    state = LoadBalancerState.ACTIVE;
    stateReason = null;
  }

  void fail(String reason) {
    state = LoadBalancerState.FAILED;
    stateReason = reason;
  }

  @Override
  public String toString() {
    return "LoadBalancer{" + resourceId() + " " + state + " zones=" + Arrays.toString(zones.stream().map(Zone::name).toArray()) + "}";
  }

  static IpProtocol ipProtocol(Protocol p) {
    return p == Protocol.UDP ? IpProtocol.UDP : IpProtocol.TCP;
  }
}
