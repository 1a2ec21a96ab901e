package io.nlb.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.common.Problems;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load-balancer process as a member of a cluster that shares its state through etcd. It
 *
 * <ul>
 *   <li>runs the desired configuration at {@code <prefix>/config}: at start (writing its seed
 *       document there when the key does not exist yet) and whenever it changes (a watch), through
 *       its {@link DesiredStateApplier}; and changes it by compare-and-swap ({@link ClusterState});
 *   <li>publishes its {@link MemberState} at {@code <prefix>/members/<name>} under a lease it keeps
 *       alive every third of the TTL, republishing when the state changes;
 *   <li>keeps a {@link ClusterView} of the live members (a watch of {@code <prefix>/members/}).
 * </ul>
 *
 * <p><b>When etcd goes away</b> the node keeps running the configuration it last applied: nothing
 * about the data plane depends on the store, so no flow is dropped. It logs one warning, {@link
 * #clusterStatus()} says {@code connected=false} and since when, {@link #update} fails with {@link
 * EtcdException}, and the node retries every tick. When etcd answers again it reads the
 * configuration (applying what changed meanwhile), renews or re-creates its lease, republishes
 * itself, watches again and logs that it is back.
 *
 * <pre>{@code
 * ClusterNode node = ClusterNode.builder(settings)
 *     .applier((doc, revision) -> nlb.apply(MyFormat.toNlbConfig(doc)))
 *     .seed(initialDocument)                       // written only if the cluster has no configuration yet
 *     .memberState(() -> describeMyNodes())        // polled every tick; republished when it changes
 *     .start();
 * node.liveNodes();                                // for the DNS server
 * node.update(doc -> addTarget(doc, "web", "10.0.1.10", 8080));
 * node.close();                                    // revokes the lease: the member leaves at once
 * }</pre>
 *
 * <p>Thread-safe. All etcd work except {@link #update} runs on one thread of its own (or the
 * scheduler given to the builder, which must run one task at a time). The node is the loop
 * (connect, renew, reconnect) and the status; the configuration is {@code SharedConfig}'s concern
 * and the membership lease {@code MemberLease}'s.
 */
public final class ClusterNode implements ClusterState, ClusterView, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  private final ClusterSettings settings;
  private final EtcdClient etcd;
  private final boolean ownsClient;
  private final SharedConfig config;
  private final MemberLease membership;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private final Duration tick;
  private final Runnable onViewChange;

  // Written on the executor only; volatile for the readers.
  private volatile ClusterStatus status;
  private boolean connected;
  private @Nullable String watchBroken;
  private boolean closed;
  private @Nullable ScheduledFuture<?> ticking;

  private ClusterNode(Builder b, EtcdClient etcd) {
    this.settings = b.settings;
    this.etcd = etcd;
    this.ownsClient = b.etcd == null;
    this.config = new SharedConfig(settings, etcd, b.applier, b.seed, this::failed);
    this.membership = new MemberLease(settings, etcd, b.memberState);
    this.clock = b.clock;
    this.onViewChange = b.onViewChange;
    this.ownsExecutor = b.executor == null;
    ScheduledExecutorService ex = b.executor;
    if (ex == null) {
      ex = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nlb-cluster-" + b.settings.nodeName());
        t.setDaemon(true);
        return t;
      });
    }
    this.executor = ex;
    Duration t = b.tick;
    this.tick = t != null ? t : max(Duration.ofMillis(100), settings.leaseTtl().dividedBy(3));
    this.status = new ClusterStatus(settings.nodeName(), false, clock.instant(), 0, 0, 0, null);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * A builder of a node with these settings.
   *
   * @param settings where etcd is and who this node is
   * @return the builder
   */
  public static Builder builder(ClusterSettings settings) {
    return new Builder(settings);
  }

  /** {@return the settings it was built with} */
  public ClusterSettings settings() {
    return settings;
  }

  /** {@return where the node stands with etcd now; see {@link ClusterStatus}} */
  public ClusterStatus clusterStatus() {
    return status;
  }

  // ------------------------------------------------------------------ the loop

  private void start(Duration firstWait) throws InterruptedException {
    // The first connection is made before start() returns when etcd answers within firstWait, so
    // that the caller runs the shared configuration from the start; otherwise it keeps trying.
    Future<?> first = executor.submit(this::tick);
    try {
      first.get(firstWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("cluster {}: etcd not reached at start ({}); serving the local configuration and retrying", settings.nodeName(),
          e.getCause() == null ? e.toString() : e.getCause().toString());
    }
    ticking = executor.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One step of the loop, on the executor: connect when away, else renew the lease and republish. */
  private void tick() {
    if (closed) {
      return;
    }
    try {
      if (!connected) {
        connect();
      } else {
        String broken = watchBroken;
        if (broken != null) {
          throw new EtcdException(broken);
        }
        membership.renew();
      }
    } catch (EtcdException e) {
      disconnected(e);
    } catch (RuntimeException e) {
      log.warn("cluster {}: unexpected failure; retrying next tick", settings.nodeName(), e);
    }
    refreshStatus();
  }

  private void connect() {
    long configFrom = config.connect();
    long membersFrom = membership.join();
    watchBroken = null;
    config.watch(configFrom, listener(config::events));
    membership.watch(membersFrom, listener(membership::events));
    boolean wasConnected = connected;
    connected = true;
    ClusterStatus s = status;
    status = new ClusterStatus(settings.nodeName(), true, wasConnected ? s.since() : clock.instant(), config.appliedRevision(),
        config.seenRevision(), membership.members().size(), s.lastError());
    log.info("cluster {}: connected to etcd {}; configuration revision {}, {} live member(s)", settings.nodeName(),
        etcd.endpoints(), config.appliedRevision(), membership.members().size());
    viewChanged();
  }

  private void viewChanged() {
    try {
      onViewChange.run();
    } catch (RuntimeException e) {
      log.warn("cluster {}: view listener failed", settings.nodeName(), e);
    }
  }

  private EtcdClient.WatchListener listener(Consumer<List<EtcdClient.WatchEvent>> handler) {
    return new EtcdClient.WatchListener() {
      @Override
      public void onEvents(long revision, List<EtcdClient.WatchEvent> events) {
        submit(() -> {
          handler.accept(events);
          refreshStatus();
          viewChanged();
        });
      }

      @Override
      public void onClosed(@Nullable Throwable cause) {
        if (cause != null) {
          submit(() -> {
            if (connected) {
              watchBroken = String.valueOf(cause.getMessage());
              tick();
            }
          });
        }
      }
    };
  }

  private void submit(Runnable r) {
    try {
      executor.execute(r);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** A revision could not be applied (on the executor): the status keeps why. */
  private void failed(String why) {
    ClusterStatus s = status;
    status = new ClusterStatus(s.node(), s.connected(), s.since(), config.appliedRevision(), config.seenRevision(), s.liveMembers(), why);
  }

  private void refreshStatus() {
    ClusterStatus s = status;
    status = new ClusterStatus(s.node(), s.connected(), s.since(), config.appliedRevision(), config.seenRevision(),
        membership.members().size(), s.lastError());
  }

  private void disconnected(EtcdException e) {
    closeWatches();
    if (connected || status.lastError() == null) {
      log.warn("cluster {}: etcd unreachable ({}); serving with configuration revision {} and retrying every {} ms", settings.nodeName(),
          e.getMessage(), config.appliedRevision(), tick.toMillis());
    }
    boolean was = connected;
    connected = false;
    ClusterStatus s = status;
    status = new ClusterStatus(s.node(), false, was ? clock.instant() : s.since(), config.appliedRevision(), config.seenRevision(),
        s.liveMembers(), e.getMessage());
    if (was) {
      viewChanged(); // isCurrent() turned false
    }
  }

  private void closeWatches() {
    config.closeWatch();
    membership.closeWatch();
  }

  // ------------------------------------------------------------------ ClusterState

  @Override
  public Version current() {
    return config.current();
  }

  @Override
  public Version update(UnaryOperator<ObjectNode> change) {
    return config.update(change);
  }

  @Override
  public boolean awaitApplied(long revision, Duration timeout) throws InterruptedException {
    return config.awaitApplied(revision, timeout);
  }

  // ------------------------------------------------------------------ ClusterView

  @Override
  public List<LiveNode> liveNodes() {
    List<LiveNode> out = new ArrayList<>();
    for (MemberState m : membership.members().values()) {
      for (MemberState.Endpoint e : m.endpoints()) {
        out.add(new LiveNode(m.member(), e.loadBalancer(), e.dnsName(), e.zone(), e.address(), e.serving()));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public Map<String, MemberState> members() {
    return membership.members();
  }

  @Override
  public boolean isCurrent() {
    return status.connected();
  }

  /**
   * Leaves the cluster: stops the loop, ends the watches and revokes the lease so that the member
   * leaves every view at once (when etcd is reachable; otherwise the lease expires). The running
   * configuration stays as it is. Idempotent.
   */
  @Override
  public void close() {
    try {
      Future<?> done = executor.submit(() -> {
        if (closed) {
          return;
        }
        closed = true;
        ScheduledFuture<?> t = ticking;
        if (t != null) {
          t.cancel(false);
        }
        closeWatches();
        if (connected) {
          membership.revoke();
        }
      });
      done.get(settings.requestTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("cluster {}: close did not finish: {}", settings.nodeName(), e.toString());
    }
    if (ownsExecutor) {
      executor.shutdownNow();
    }
    if (ownsClient) {
      etcd.close();
    }
  }

  /** Collects a node's parts; {@link #start()} connects. Not thread-safe. */
  public static final class Builder {
    private final ClusterSettings settings;
    private DesiredStateApplier applier = (doc, revision) -> { };
    private @Nullable ObjectNode seed;
    private Supplier<MemberState> memberState;
    private Runnable onViewChange = () -> { };
    private Clock clock = Clock.systemUTC();
    private @Nullable ScheduledExecutorService executor;
    private @Nullable EtcdClient etcd;
    private @Nullable Duration tick;
    private Duration startWait;

    private Builder(ClusterSettings settings) {
      this.settings = settings;
      this.memberState = () -> new MemberState(settings.nodeName(), List.of(), Map.of());
      this.startWait = settings.requestTimeout().multipliedBy(3);
    }

    /**
     * How the node runs a configuration document; by default it runs nothing (a member that only
     * publishes and watches).
     *
     * @param applier runs and checks documents
     * @return this builder
     */
    public Builder applier(DesiredStateApplier applier) {
      this.applier = applier;
      return this;
    }

    /**
     * The document to write when the cluster has no configuration yet (the first node's file).
     *
     * @param seed the initial document; copied
     * @return this builder
     */
    public Builder seed(ObjectNode seed) {
      this.seed = seed.deepCopy();
      return this;
    }

    /**
     * What the node publishes about itself, asked every tick on the node's thread; published again
     * when it differs from the last publication.
     *
     * @param memberState the state's source; must be quick and must not block
     * @return this builder
     */
    public Builder memberState(Supplier<MemberState> memberState) {
      this.memberState = memberState;
      return this;
    }

    /**
     * What to run when the view may have changed: a member joined, left or published a new state,
     * the configuration changed, the node (re)connected, or it lost etcd ({@link
     * ClusterView#isCurrent()} turned false). Runs on the node's thread; must be quick and must
     * not call {@link ClusterNode#update}.
     *
     * @param onViewChange the callback
     * @return this builder
     */
    public Builder onViewChange(Runnable onViewChange) {
      this.onViewChange = onViewChange;
      return this;
    }

    /**
     * The clock of {@link ClusterStatus#since()} (tests).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The executor of the node's loop; by default a daemon thread of its own. It must run one task
     * at a time; the node does not shut it down.
     *
     * @param executor a single-threaded scheduled executor
     * @return this builder
     */
    public Builder executor(ScheduledExecutorService executor) {
      this.executor = executor;
      return this;
    }

    /**
     * The etcd client; by default one made from the settings and closed with the node.
     *
     * @param etcd the client
     * @return this builder
     */
    public Builder etcd(EtcdClient etcd) {
      this.etcd = etcd;
      return this;
    }

    /**
     * How often the loop renews the lease, republishes and, when disconnected, retries; by default
     * a third of the lease TTL (at least 100 ms).
     *
     * @param tick 10 ms to the lease TTL
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder tick(Duration tick) {
      if (tick.compareTo(Duration.ofMillis(10)) < 0 || tick.compareTo(settings.leaseTtl()) > 0) {
        throw Problems.invalid("tick", tick.toMillis() + " ms", "10 ms to the lease TTL, " + settings.leaseTtl().toMillis() + " ms");
      }
      this.tick = tick;
      return this;
    }

    /**
     * How long {@link #start()} waits for the first connection before it returns and keeps trying
     * in the background; by default three request timeouts.
     *
     * @param startWait 0 (do not wait) to 5 minutes
     * @return this builder
     */
    public Builder startWait(Duration startWait) {
      if (startWait.isNegative() || startWait.compareTo(Duration.ofMinutes(5)) > 0) {
        throw Problems.invalid("startWait", startWait, "0 to 5 minutes");
      }
      this.startWait = startWait;
      return this;
    }

    /**
     * Starts the node: connects (waiting up to {@link #startWait}), applies the shared
     * configuration or writes the seed, publishes the member state, and keeps doing so.
     *
     * @return the running node
     * @throws InterruptedException when interrupted while waiting for the first connection
     */
    public ClusterNode start() throws InterruptedException {
      EtcdClient client = etcd != null ? etcd : EtcdClient.create(settings.endpoints(), settings.requestTimeout());
      ClusterNode node = new ClusterNode(this, client);
      node.start(startWait);
      return node;
    }
  }
}
