package io.nlb.core;

import io.nlb.core.spi.PassiveHealthSink;
import io.nlb.core.spi.Transport;
import io.nlb.core.spi.TransportProvider;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The entry point: one embedded "region" of load balancers and target groups, with one control
 * plane. Operations mirror the elbv2 verbs — create a target group, create a load balancer with
 * listeners, register targets, describe their health, modify attributes — and every change
 * publishes a new immutable {@link RoutingSnapshot} that the data plane reads without locks.
 *
 * <pre>{@code
 * try (Nlb nlb = Nlb.builder().build()) {
 *   TargetGroup web = nlb.createTargetGroup(
 *       TargetGroupConfig.builder("web", Protocol.TCP, 8080).targetType(TargetType.IP).build());
 *   LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("my-nlb")
 *       .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build())
 *       .zone(Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build())
 *       .listener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build())
 *       .build());
 *   web.registerTargets(Target.ip("10.0.1.5"), Target.ip("10.0.2.5"));
 *   RouteDecision d = lb.whatIf("zone-a", FlowKey.tcp(client, node, 42));
 * }
 * }</pre>
 *
 * <p>Without a transport (the default unless one is found by {@link #builder()}{@code
 * .transport()}), nothing is bound: the routing engine runs in-process, which is what unit tests
 * of routing logic want.
 *
 * <p>Thread-safe. Every operation is serialized on one control-plane lock; the data plane never
 * takes it. A refused operation throws {@link NlbException} and changes nothing.
 *
 * @since 0.1
 */
public final class Nlb implements AutoCloseable {
  final ControlPlane control = new ControlPlane();
  /** Where every public operation enters the control plane, and is audited once. */
  final Dispatcher dispatcher;
  private final ConfigApplier applier = new ConfigApplier(this);
  final Scheduler scheduler;
  private final boolean ownsScheduler;
  final Ids ids;
  final InstanceResolver instances;
  final Quotas quotas;
  final long flowHashSeed;
  final int tableSize;
  final @Nullable Transport transport;
  final String dnsSuffix;

  /** The target groups and load balancers by name (control plane only). */
  final Registry registry = new Registry(this);
  /** The ALB endpoints and their address refresh (control plane only). */
  final AlbEndpoints albs = new AlbEndpoints(this);
  /** Quota and compatibility checks of listeners and registrations. */
  final Admission admission = new Admission(this);
  /** What an apply in progress holds back (control plane only). */
  final ApplyBatch batch = new ApplyBatch();
  private final InstanceRefresh instanceRefresh;
  private boolean closed;
  private final List<TargetHealthListener> healthListeners = new CopyOnWriteArrayList<>();
  private volatile PassiveHealthSink passiveHealth = PassiveHealthSink.NONE;

  private Nlb(Builder b) {
    this.scheduler = b.scheduler != null ? b.scheduler : Scheduler.system();
    this.ownsScheduler = b.scheduler == null;
    this.ids = new Ids(b.identity, b.random != null ? b.random : new SplittableRandom(new SecureRandom().nextLong()));
    this.instances = b.instances;
    this.quotas = b.quotas;
    this.flowHashSeed = b.flowHashSeed != null ? b.flowHashSeed : ids.flowHashSeed();
    this.tableSize = b.tableSize;
    this.transport = b.transport;
    this.dnsSuffix = b.dnsSuffix;
    this.dispatcher = new Dispatcher(control, scheduler, b.audit, new QuotaGate(this), () -> TargetSets.build(registry));
    this.instanceRefresh = new InstanceRefresh(this, b.instanceRefresh);
    instanceRefresh.start();
  }

  /** Runs one public operation: on the control plane, audited once ({@link Dispatcher}). */
  <T> T dispatch(Command<T> command) {
    return dispatcher.dispatch(command);
  }

  /**
   * {@return the suffix of the load balancers' DNS names ({@code <name>-<id>.<suffix>}): {@code
   * elb.local} unless {@link Builder#dnsSuffix} set another; the zone a DNS server for them serves}
   */
  public String dnsSuffix() {
    return dnsSuffix;
  }

  /**
   * Starts a builder with the documented defaults and no transport.
   *
   * @return a new builder; configure it, then call {@link Builder#build()}
   */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ target groups

  /**
   * Creates a target group (create-target-group).
   *
   * @param config the group's name, protocol, port, target type, health check and attributes
   * @return the new group, empty of targets; register them with {@link TargetGroup#registerTargets}
   * @throws NlbException {@code DuplicateTargetGroupName}, {@code TooManyTargetGroups}, or {@code
   *     ValidationError} when an attribute exceeds the quotas in force
   */
  public TargetGroup createTargetGroup(TargetGroupConfig config) {
    return dispatch(Command.proposing("CreateTargetGroup", Command.fields("name", config.name(), "protocol", config.protocol().name(),
            "port", config.port(), "targetType", config.targetType().apiName(), "ipAddressType", config.ipAddressType().apiName(),
            "healthCheck", config.healthCheck().toString(), "attributes", config.attributes().explicitValues(), "tags", config.tags()),
        () -> registry.createTargetGroup(config))
        .response(tg -> Command.fields("targetGroupArn", tg.resourceId(), "targetGroupName", tg.name())));
  }

  /**
   * Looks a target group up by name.
   *
   * @param name the name given in its {@link TargetGroupConfig}
   * @return the target group, or empty when none has that name (never created, or deleted)
   */
  public Optional<TargetGroup> targetGroup(String name) {
    return control.call(() -> Optional.ofNullable(registry.targetGroups().get(name)));
  }

  /** {@return every target group, in creation order: a copy that later changes do not affect} */
  public List<TargetGroup> targetGroups() {
    return control.call(() -> List.copyOf(registry.targetGroups().values()));
  }

  // ------------------------------------------------------------------ load balancers

  /**
   * Creates a load balancer with its listeners (create-load-balancer, then create-listener for
   * each). With a transport, its listeners are bound on every zone's node; when binding fails the
   * load balancer is {@link LoadBalancerState#FAILED} with the reason, and nothing stays bound.
   *
   * @param config the load balancer's name, zones, attributes and listeners
   * @return the new load balancer, {@link LoadBalancerState#ACTIVE} once bound, or {@link
   *     LoadBalancerState#FAILED} with {@link LoadBalancer#stateReason()} when binding failed
   * @throws NlbException {@code DuplicateLoadBalancerName}, {@code TooManyLoadBalancers}, or any
   *     listener error of {@link LoadBalancer#createListener}
   */
  public LoadBalancer createLoadBalancer(LoadBalancerConfig config) {
    List<Object> zones = new ArrayList<>();
    config.zones().forEach(z -> zones.add(z.toString()));
    List<Object> listeners = new ArrayList<>();
    config.listeners().forEach(l -> listeners.add(Command.describeListener(l)));
    return dispatch(Command.steps("CreateLoadBalancer", Command.fields("name", config.name(), "type", "network",
            "scheme", config.scheme().apiName(), "ipAddressType", config.ipAddressType().apiName(), "availabilityZones", zones,
            "attributes", config.attributes().explicitValues(), "listeners", listeners, "tags", config.tags()), () -> {
          Change<LoadBalancer> created = control.call(() -> dispatcher.gate().admit(registry.createLoadBalancer(config)));
          LoadBalancer lb = created.value();
          Throwable failure = Dispatcher.awaitBinding(created.binding());
          control.run(() -> Registry.bound(lb, failure));
          return lb;
        })
        .response(lb -> Command.fields("loadBalancerArn", lb.resourceId(), "dNSName", lb.dnsName(), "state", lb.state().toString(),
            "stateReason", lb.stateReason().orElse(null))));
  }

  /**
   * Looks a load balancer up by name.
   *
   * @param name the name given in its {@link LoadBalancerConfig}
   * @return the load balancer, or empty when none has that name (never created, or deleted)
   */
  public Optional<LoadBalancer> loadBalancer(String name) {
    return control.call(() -> Optional.ofNullable(registry.loadBalancers().get(name)));
  }

  /** {@return every load balancer, in creation order: a copy that later changes do not affect} */
  public List<LoadBalancer> loadBalancers() {
    return control.call(() -> List.copyOf(registry.loadBalancers().values()));
  }

  // ------------------------------------------------------------------ declarative

  /**
   * What {@link #apply} would change to make the running state match {@code desired}, in the
   * order it would change it; nothing is changed (a dry run).
   *
   * @param desired the whole desired state: every target group and load balancer to keep
   * @return the changes {@link #apply} would make, in order (empty when nothing differs)
   * @throws NlbException {@code ValidationError} listing every change that cannot be made (a
   *     group's protocol, a zone removed, ...), each with its path
   */
  public List<NlbConfig.PlannedChange> plan(NlbConfig desired) {
    return applier.plan(desired);
  }

  /**
   * Makes the running state match {@code desired}: all of it or nothing. Every change is checked
   * first; then routing moves to the new state in one step per load balancer and the new sockets
   * bind. When anything is refused or cannot be bound, the running state, its ids, its health and
   * its open flows stay exactly as they were, and the exception names the path that failed.
   * Targets that leave drain as with {@link TargetGroup#deregisterTargets}.
   *
   * @param desired the whole desired state; groups and load balancers it omits are deleted
   * @return the changes made (empty when the running state already matched)
   * @throws NlbException {@code ValidationError} (nothing changed) listing every problem with its
   *     path, the code of a refused step (quotas, compatibility) with its path, or {@code
   *     InternalFailure} when a socket cannot be bound
   */
  public List<NlbConfig.PlannedChange> apply(NlbConfig desired) {
    return dispatch(Command.steps("Apply", Command.fields("targetGroups", desired.targetGroups().size(),
            "loadBalancers", desired.loadBalancers().size()), () -> applier.apply(desired))
        .response(changes -> {
          List<Object> out = new ArrayList<>();
          changes.forEach(c -> out.add(c.toString()));
          return Command.fields("changes", out);
        }));
  }

  // ------------------------------------------------------------------ ALB endpoints

  /**
   * Adds an ALB endpoint that {@code alb} target groups can register ({@link Target#alb}). Its
   * addresses are read once now (outside the control lock) and then every refresh interval.
   *
   * @param endpoint the endpoint's name, port, address source and refresh interval
   * @throws NlbException {@code ValidationError} when the name is taken
   */
  public void createAlbEndpoint(AlbEndpoint endpoint) {
    dispatch(Command.steps("CreateAlbEndpoint", Command.fields("name", endpoint.name(), "port", endpoint.port(),
        "refreshIntervalSeconds", endpoint.refreshInterval().getSeconds()), () -> {
          albs.create(endpoint);
          return Boolean.TRUE;
        }));
  }

  /**
   * The addresses an ALB endpoint resolved to at its last refresh.
   *
   * @param name the name given in its {@link AlbEndpoint}
   * @return the current addresses of the endpoint named {@code name}
   * @throws NlbException {@code InvalidTarget} when no endpoint has that name
   */
  public List<InetAddress> albEndpointAddresses(String name) {
    return control.call(() -> albs.require(name).addresses);
  }

  /**
   * Removes an ALB endpoint.
   *
   * @param name the name given in its {@link AlbEndpoint}
   * @throws NlbException {@code ResourceInUse} while a target group has it registered, or {@code
   *     InvalidTarget} when no endpoint has that name
   */
  public void deleteAlbEndpoint(String name) {
    dispatch(Command.steps("DeleteAlbEndpoint", Command.fields("name", name), () -> {
      albs.delete(name);
      return Boolean.TRUE;
    }));
  }

  // ------------------------------------------------------------------ instance state

  /**
   * Re-resolves every instance target and applies state changes (a stopped instance becomes
   * {@code unused} with {@code Target.InvalidState}; a running one returns). The resolver is called
   * outside the control lock. Runs every {@link Builder#instanceRefreshInterval}; callable directly.
   */
  public void refreshInstances() {
    instanceRefresh.run();
  }

  /** Whether {@link #close()} has run; control plane only. */
  boolean isClosed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message("nlb", "closed", "an open Nlb"));
    }
  }

  // ------------------------------------------------------------------ health listeners and passive signals

  /**
   * Adds a listener told about every health transition reported through {@link
   * TargetGroup#reportHealth}; see {@link TargetHealthListener} for when and where it is called.
   *
   * @param listener the listener; adding it twice makes it called twice
   */
  public void addTargetHealthListener(TargetHealthListener listener) {
    healthListeners.add(listener);
  }

  /**
   * Removes a listener added with {@link #addTargetHealthListener}; unknown listeners are ignored.
   *
   * @param listener the listener to remove (one registration of it)
   */
  public void removeTargetHealthListener(TargetHealthListener listener) {
    healthListeners.remove(listener);
  }

  /**
   * Adds a listener told whenever the set of targets to health-check may have changed: a
   * registration, a deregistration delay ending, a listener, zone, attribute or health-check
   * setting changed, a load balancer created or deleted, an instance or ALB endpoint re-resolved.
   * Health reports alone do not fire it. To receive the set itself, as values, use {@link
   * #addTargetSetListener(TargetSetListener)} (what the health-check engine does).
   *
   * <p>Called on the control plane (or on the thread of the operation that changed something),
   * possibly several times for one change: the listener must not block or call the {@link Nlb}
   * back; it should note the change and act on its own thread.
   *
   * <pre>{@code
   * nlb.addTargetSetListener(() -> executor.execute(engine::reconcile));
   * }</pre>
   *
   * @param listener the listener; adding it twice makes it called twice
   */
  public void addTargetSetListener(Runnable listener) {
    dispatcher.addTargetSetListener(new Dispatcher.NotifyOnly(listener));
  }

  /**
   * Adds a listener told the {@link TargetSet} at once (on the calling thread) and then whenever it
   * may have changed (the same events as {@link #addTargetSetListener(Runnable)}): the targets to
   * health-check as values, so that a health-check engine reads nothing of this {@link Nlb}. See
   * {@link TargetSetListener} for where it is called.
   *
   * <pre>{@code
   * nlb.addTargetSetListener(set -> { latest.set(set); executor.execute(engine::reconcile); });
   * }</pre>
   *
   * @param listener the listener; adding it twice makes it told twice
   */
  public void addTargetSetListener(TargetSetListener listener) {
    dispatcher.addTargetSetListener(listener);
  }

  /**
   * Removes a listener added with {@link #addTargetSetListener(TargetSetListener)}; unknown
   * listeners are ignored.
   *
   * @param listener the listener to remove (one registration of it)
   */
  public void removeTargetSetListener(TargetSetListener listener) {
    dispatcher.removeTargetSetListener(listener);
  }

  /**
   * Removes a listener added with {@link #addTargetSetListener(Runnable)}; unknown listeners are ignored.
   *
   * @param listener the listener to remove (one registration of it)
   */
  public void removeTargetSetListener(Runnable listener) {
    dispatcher.removeTargetSetListener(new Dispatcher.NotifyOnly(listener));
  }

  /**
   * Records health reported by ids, as a health-check engine holds them from the {@link
   * TargetSet}: the registrations of the group {@code targetGroupResourceId} numbered by the keys
   * of {@code healths} take the given health, routing is published once, and the {@link
   * TargetHealthListener}s are told about each change (as {@link TargetGroup#reportHealth(Map)}
   * does). Ids that are stale — a registration removed, a group deleted, this {@code Nlb} closed —
   * are skipped without error: reports race with the changes the engine is told about.
   *
   * <pre>{@code
   * nlb.reportHealth(use.groupResourceId(), Map.of(member.registrationId(), TargetHealth.healthy()));
   * }</pre>
   *
   * @param targetGroupResourceId the group's {@link TargetGroup#resourceId()} ({@link TargetSet.Use#groupResourceId()})
   * @param healths the new health by {@link RegisteredTarget#registrationId()}, in the order to apply
   * @return the registrations found, by id (those skipped are absent): what a reporter names to its own listeners
   * @throws NlbException {@code ValidationError} for a state that cannot be reported ({@code
   *     draining} or {@code unused}); nothing is changed then
   */
  public Map<Long, RegisteredTarget> reportHealth(String targetGroupResourceId, Map<Long, TargetHealth> healths) {
    healths.values().forEach(HealthReports::checkReportable);
    TargetGroup tg = control.call(() -> registry.targetGroupByResourceId(targetGroupResourceId));
    return tg == null ? Map.of() : tg.healthReports.reportByIds(healths);
  }

  /** Called by {@link TargetGroup#reportHealth} outside the lock. */
  void fireHealthTransition(RegisteredTarget target, TargetHealth previous, TargetHealth current) {
    for (TargetHealthListener l : healthListeners) {
      try {
        l.onTransition(target, previous, current);
      } catch (RuntimeException e) {
        // A listener must not stop the others nor the reporter (documented on the interface).
      }
    }
  }

  /**
   * Attaches the receiver of passive health signals (the health-check engine), replacing any
   * previous one.
   *
   * @param sink the receiver of connection outcomes reported by the data plane
   */
  public void attachPassiveHealthSink(PassiveHealthSink sink) {
    passiveHealth = sink;
  }

  /**
   * Detaches {@code sink} if it is the one attached; signals are then dropped.
   *
   * @param sink the receiver attached earlier; any other sink leaves the attachment as it is
   */
  public void detachPassiveHealthSink(PassiveHealthSink sink) {
    if (passiveHealth == sink) {
      passiveHealth = PassiveHealthSink.NONE;
    }
  }

  /**
   * Where the data plane reports connection outcomes for passive health checks: the attached
   * sink, or one that drops every signal. One volatile read; no lock.
   *
   * @return the attached sink, or {@link PassiveHealthSink#NONE}; never null
   */
  public PassiveHealthSink passiveHealth() {
    return passiveHealth;
  }

  /** {@return the scheduler time and timers come from (the system scheduler unless one was given)} */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** {@return the quotas in force, fixed when this instance was built} */
  public Quotas quotas() {
    return quotas;
  }

  /** {@return the transport, or empty when routing runs in-process with nothing bound} */
  public Optional<Transport> transport() {
    return Optional.ofNullable(transport);
  }

  /**
   * Stops the runtime: the transport closes (letting flows finish up to its timeout), timers stop.
   * Configuration is not deleted — deletion protection concerns {@link LoadBalancer#delete()} —
   * but no operation is accepted afterwards. Idempotent.
   */
  @Override
  public void close() {
    control.run(() -> {
      if (closed) {
        return;
      }
      closed = true;
      instanceRefresh.cancel();
      albs.close();
      for (LoadBalancer lb : registry.loadBalancers().values()) {
        lb.cancelTimers();
      }
      for (TargetGroup tg : registry.targetGroups().values()) {
        tg.cancelTimers();
      }
    });
    if (transport != null) {
      transport.close();
    }
    if (ownsScheduler && scheduler instanceof SystemScheduler) {
      ((SystemScheduler) scheduler).close();
    }
  }

  /**
   * Builds an {@link Nlb}. Everything has a default: the system scheduler, a secure random seed,
   * the documented quotas, no transport. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable Scheduler scheduler;
    private @Nullable RandomGenerator random;
    private InstanceResolver instances = InstanceResolver.NONE;
    private Quotas quotas = Quotas.defaults();
    private @Nullable Long flowHashSeed;
    private @Nullable String identity;
    private int tableSize = 65537;
    private @Nullable Transport transport;
    private String dnsSuffix = "elb.local";
    private AuditListener audit = AuditListener.slf4j();
    private Duration instanceRefresh = Duration.ofSeconds(30);

    Builder() {}

    /**
     * How often instance targets are re-resolved through the {@link InstanceResolver} so that a
     * stopped or terminated instance is reported {@code unused} ({@code Target.InvalidState}) and
     * receives no new flows (default 30 seconds; 1 second to 1 hour).
     *
     * @param interval the time between two resolutions
     * @return this builder
     * @throws IllegalArgumentException when {@code interval} is outside 1 second to 1 hour
     */
    public Builder instanceRefreshInterval(Duration interval) {
      if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw Check.invalid("instanceRefreshInterval", interval, "1 second to 1 hour");
      }
      this.instanceRefresh = interval;
      return this;
    }

    /**
     * Where control-plane audit events go (default: JSON lines to the SLF4J logger {@code
     * io.nlb.audit}).
     *
     * @param listener the receiver of one event per changing operation, refused ones included
     * @return this builder
     */
    public Builder auditListener(AuditListener listener) {
      this.audit = listener;
      return this;
    }

    /**
     * The source of time and timers (a {@link ManualScheduler} in tests).
     *
     * @param scheduler the scheduler; the caller keeps owning it and {@link Nlb#close()} leaves it
     *     running
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * The source of identifiers and (unless {@link #flowHashSeed} is set) the flow-hash seed.
     *
     * @param random the generator (default: seeded from {@link java.security.SecureRandom})
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /**
     * Resolves instance ids for {@code instance} target groups.
     *
     * @param resolver the resolver (default: one that knows no instance)
     * @return this builder
     */
    public Builder instanceResolver(InstanceResolver resolver) {
      this.instances = resolver;
      return this;
    }

    /**
     * The quotas to enforce.
     *
     * @param quotas the quotas (default: {@link Quotas#defaults()})
     * @return this builder
     */
    public Builder quotas(Quotas quotas) {
      this.quotas = quotas;
      return this;
    }

    /**
     * The seed of the flow hash. Fixing it makes assignments reproducible across runs (tests,
     * several processes that must agree); the default is derived from the {@link #identity} when
     * there is one, else random, so that clients cannot aim their flows at one target.
     *
     * @param seed any 64-bit value
     * @return this builder
     */
    public Builder flowHashSeed(long seed) {
      this.flowHashSeed = seed;
      return this;
    }

    /**
     * Makes this {@code Nlb} one of several processes that present the same load balancers: the
     * ids of load balancers, target groups and listeners (hence their resource ids, ARNs and DNS
     * names) and, unless {@link #flowHashSeed} is set, the flow-hash seed are derived from {@code
     * identity} and the resource's name instead of drawn at random. Two processes built with the
     * same identity, the same table size and the same configuration build the same Maglev tables
     * and send every flow, and every sticky client, to the same target.
     *
     * <p>A resource deleted and created again under the same name gets the same id back. The seed
     * derived from a known identity is predictable, so a client who knows it could aim its flows
     * at one target; set {@link #flowHashSeed} to a secret shared by the processes to prevent that.
     *
     * <pre>{@code
     * Nlb a = Nlb.builder().identity("prod-eu-1").build();
     * Nlb b = Nlb.builder().identity("prod-eu-1").build(); // in another process: same ids, same seed
     * }</pre>
     *
     * @param identity 1-256 characters naming the deployment (default: none, everything random)
     * @return this builder
     * @throws IllegalArgumentException when {@code identity} is empty or longer than 256 characters
     */
    public Builder identity(String identity) {
      if (identity.isEmpty() || identity.length() > 256) {
        throw Check.invalid("identity", identity, "1-256 characters");
      }
      this.identity = identity;
      return this;
    }

    /**
     * The Maglev table size: a prime from 251 to 1000003 (default 65537).
     *
     * @param size the number of slots in each target group's lookup table; larger spreads flows
     *     more evenly and costs more memory per group
     * @return this builder
     * @throws IllegalArgumentException when {@code size} is not a prime in range
     */
    public Builder tableSize(int size) {
      if (size < 251 || size > 1000003 || !isPrime(size)) {
        throw Check.invalid("tableSize", size, "a prime from 251 to 1000003, such as 65537");
      }
      this.tableSize = size;
      return this;
    }

    /**
     * The data plane.
     *
     * @param transport the transport that binds listeners and carries flows; {@link Nlb#close()}
     *     closes it
     * @return this builder
     */
    public Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /**
     * Uses the highest-priority {@link TransportProvider} found by {@link ServiceLoader}.
     *
     * @return this builder
     * @throws IllegalStateException when none is on the class or module path
     */
    public Builder transport() {
      TransportProvider best = null;
      for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
        if (best == null || p.priority() > best.priority()) {
          best = p;
        }
      }
      if (best == null) {
        throw new IllegalStateException("transport: none found (expected: a TransportProvider such as nlb-transport-netty on the class or module path)");
      }
      return transport(best.create());
    }

    /**
     * The suffix of load balancers' DNS names ({@code name-id.<suffix>}; default {@code elb.local}).
     *
     * @param suffix a lower-case DNS domain
     * @return this builder
     * @throws IllegalArgumentException when {@code suffix} is not a lower-case DNS domain
     */
    public Builder dnsSuffix(String suffix) {
      if (!suffix.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
        throw Check.invalid("dnsSuffix", suffix, "a lower-case DNS domain such as elb.local");
      }
      this.dnsSuffix = suffix;
      return this;
    }

    private static boolean isPrime(int n) {
      if (n < 2 || n % 2 == 0) {
        return n == 2;
      }
      for (int i = 3; (long) i * i <= n; i += 2) {
        if (n % i == 0) {
          return false;
        }
      }
      return true;
    }

    /**
     * Builds the {@link Nlb}.
     *
     * @return a new, open instance; close it to stop its timers and its transport
     */
    public Nlb build() {
      return new Nlb(this);
    }
  }

  static Duration seconds(int s) {
    return Duration.ofSeconds(s);
  }
}
