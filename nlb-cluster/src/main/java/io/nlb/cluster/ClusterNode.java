package io.nlb.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.common.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * scheduler given to the builder, which must run one task at a time).
 */
public final class ClusterNode implements ClusterState, ClusterView, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An update gives up after this many conflicting writers in a row. */
  static final int MAX_UPDATE_ATTEMPTS = 64;

  private final ClusterSettings settings;
  private final EtcdClient etcd;
  private final boolean ownsClient;
  private final DesiredStateApplier applier;
  private final @Nullable ObjectNode seed;
  private final Supplier<MemberState> memberState;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private final Duration tick;

  // Written on the executor only; volatile for the readers.
  private volatile Version current = new Version(JSON.createObjectNode(), 0);
  private volatile Map<String, MemberState> members = Map.of();
  private volatile ClusterStatus status;
  private long appliedRevision;
  private boolean connected;
  private long lease;
  private byte @Nullable [] published;
  private EtcdClient.@Nullable Watch configWatch;
  private EtcdClient.@Nullable Watch membersWatch;
  private @Nullable String watchBroken;
  private boolean closed;
  private @Nullable ScheduledFuture<?> ticking;
  private final Object appliedMonitor = new Object();

  private ClusterNode(Builder b, EtcdClient etcd) {
    this.settings = b.settings;
    this.etcd = etcd;
    this.ownsClient = b.etcd == null;
    this.applier = b.applier;
    this.seed = b.seed;
    this.memberState = b.memberState;
    this.clock = b.clock;
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
    java.util.concurrent.Future<?> first = executor.submit(this::tick);
    try {
      first.get(firstWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
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
        long ttl = etcd.keepAlive(lease);
        if (ttl <= 0) {
          log.warn("cluster {}: lease {} expired; registering again", settings.nodeName(), Long.toHexString(lease));
          lease = etcd.grantLease(settings.leaseTtl());
          published = null;
        }
        publish();
      }
    } catch (EtcdException e) {
      disconnected(e);
    } catch (RuntimeException e) {
      log.warn("cluster {}: unexpected failure; retrying next tick", settings.nodeName(), e);
    }
  }

  private void connect() {
    EtcdClient.Range r = etcd.getWithRevision(settings.configKey());
    long watchFrom = r.revision() + 1;
    if (r.kvs().isEmpty()) {
      if (seed != null) {
        EtcdClient.TxnResult t = etcd.compareAndPut(settings.configKey(), 0, bytes(seed));
        if (t.succeeded()) {
          log.info("cluster {}: no shared configuration under {}; wrote this node's file as revision {}", settings.nodeName(),
              settings.configKey(), t.revision());
          received(new Version(seed.deepCopy(), t.revision()));
        } else if (t.current() != null) {
          received(version(t.current()));
        }
        watchFrom = t.revision() + 1;
      }
    } else {
      received(version(r.kvs().get(0)));
    }
    if (lease == 0 || etcd.keepAlive(lease) <= 0) {
      lease = etcd.grantLease(settings.leaseTtl());
    }
    published = null;
    publish();
    EtcdClient.Range m = etcd.getPrefix(settings.membersPrefix());
    Map<String, MemberState> view = new TreeMap<>();
    for (EtcdClient.KeyValue kv : m.kvs()) {
      addMember(view, kv);
    }
    members = java.util.Collections.unmodifiableMap(view);
    closeWatches();
    watchBroken = null;
    configWatch = etcd.watch(settings.configKey(), watchFrom, listener(true));
    membersWatch = etcd.watch(settings.membersPrefix(), m.revision() + 1, listener(false));
    boolean wasConnected = connected;
    connected = true;
    Instant now = clock.instant();
    status = new ClusterStatus(settings.nodeName(), true, wasConnected ? status.since() : now, appliedRevision,
        current.revision(), members.size(), status.lastError());
    log.info("cluster {}: connected to etcd {}; configuration revision {}, {} live member(s)", settings.nodeName(),
        etcd.endpoints(), appliedRevision, members.size());
  }

  private EtcdClient.WatchListener listener(boolean config) {
    return new EtcdClient.WatchListener() {
      @Override
      public void onEvents(long revision, List<EtcdClient.WatchEvent> events) {
        submit(() -> {
          if (config) {
            configEvents(events);
          } else {
            memberEvents(events);
          }
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
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void configEvents(List<EtcdClient.WatchEvent> events) {
    for (EtcdClient.WatchEvent e : events) {
      if (!e.kv().key().equals(settings.configKey())) {
        continue;
      }
      if (e.delete()) {
        log.warn("cluster {}: the shared configuration {} was deleted; keeping the running one (revision {})", settings.nodeName(),
            settings.configKey(), appliedRevision);
        continue;
      }
      try {
        received(version(e.kv()));
      } catch (IllegalArgumentException bad) {
        log.warn("cluster {}: revision {} of {} not applied: {}", settings.nodeName(), e.kv().modRevision(), settings.configKey(),
            bad.getMessage());
        status = withError(bad.getMessage());
      }
    }
  }

  private void memberEvents(List<EtcdClient.WatchEvent> events) {
    Map<String, MemberState> view = new TreeMap<>(members);
    for (EtcdClient.WatchEvent e : events) {
      String name = e.kv().key().substring(settings.membersPrefix().length());
      if (e.delete()) {
        if (view.remove(name) != null) {
          log.info("cluster {}: member {} left", settings.nodeName(), name);
        }
      } else {
        if (!view.containsKey(name)) {
          log.info("cluster {}: member {} joined", settings.nodeName(), name);
        }
        addMember(view, e.kv());
      }
    }
    members = java.util.Collections.unmodifiableMap(view);
    ClusterStatus s = status;
    status = new ClusterStatus(s.node(), s.connected(), s.since(), s.appliedRevision(), s.seenRevision(), view.size(), s.lastError());
  }

  private void addMember(Map<String, MemberState> view, EtcdClient.KeyValue kv) {
    String name = kv.key().substring(settings.membersPrefix().length());
    try {
      view.put(name, MemberState.fromJson(kv.value()));
    } catch (IllegalArgumentException e) {
      log.warn("cluster {}: member key {} ignored: {}", settings.nodeName(), kv.key(), e.getMessage());
    }
  }

  /** A configuration revision arrived: remember it and apply it when it is newer than the running one. */
  private void received(Version v) {
    if (v.revision() <= current.revision() && v.revision() <= appliedRevision) {
      return;
    }
    if (v.revision() > current.revision()) {
      current = v;
    }
    if (v.revision() <= appliedRevision) {
      return;
    }
    try {
      applier.apply(v.document().deepCopy(), v.revision());
      appliedRevision = v.revision();
      ClusterStatus s = status;
      status = new ClusterStatus(s.node(), s.connected(), s.since(), appliedRevision, current.revision(), s.liveMembers(), s.lastError());
      log.info("cluster {}: running configuration revision {}", settings.nodeName(), v.revision());
      synchronized (appliedMonitor) {
        appliedMonitor.notifyAll();
      }
    } catch (Exception e) {
      String why = "revision " + v.revision() + " not applied: " + e.getMessage();
      log.warn("cluster {}: {}; still running revision {}", settings.nodeName(), why, appliedRevision);
      status = withError(why);
    }
  }

  private ClusterStatus withError(@Nullable String error) {
    ClusterStatus s = status;
    return new ClusterStatus(s.node(), s.connected(), s.since(), appliedRevision, current.revision(), s.liveMembers(), error);
  }

  private void publish() {
    MemberState state = memberState.get();
    byte[] json = state.toJson();
    if (published != null && Arrays.equals(published, json)) {
      return;
    }
    etcd.put(settings.memberKey(), json, lease);
    published = json;
  }

  private void disconnected(EtcdException e) {
    closeWatches();
    if (connected || status.lastError() == null) {
      log.warn("cluster {}: etcd unreachable ({}); serving with configuration revision {} and retrying every {} ms", settings.nodeName(),
          e.getMessage(), appliedRevision, tick.toMillis());
    }
    boolean was = connected;
    connected = false;
    ClusterStatus s = status;
    status = new ClusterStatus(s.node(), false, was ? clock.instant() : s.since(), appliedRevision, current.revision(), s.liveMembers(),
        e.getMessage());
  }

  private void closeWatches() {
    EtcdClient.Watch w = configWatch;
    if (w != null) {
      w.close();
    }
    w = membersWatch;
    if (w != null) {
      w.close();
    }
    configWatch = null;
    membersWatch = null;
  }

  // ------------------------------------------------------------------ ClusterState

  @Override
  public Version current() {
    Version v = current;
    return new Version(v.document().deepCopy(), v.revision());
  }

  @Override
  public Version update(UnaryOperator<ObjectNode> change) {
    Version base = current;
    if (base.revision() == 0) {
      base = etcd.get(settings.configKey()).map(ClusterNode::version).orElse(base);
    }
    for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      ObjectNode next = change.apply(base.document().deepCopy());
      if (next == null) {
        throw Problems.invalid("change", null, "a function that returns the next document");
      }
      if (next.equals(base.document()) && base.revision() != 0) {
        return new Version(next, base.revision());
      }
      List<String> problems = applier.check(next);
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(problems.size() == 1 ? problems.get(0)
            : problems.size() + " problems: " + String.join("; ", problems));
      }
      EtcdClient.TxnResult t = etcd.compareAndPut(settings.configKey(), base.revision(), bytes(next));
      if (t.succeeded()) {
        log.info("cluster {}: wrote configuration revision {}", settings.nodeName(), t.revision());
        return new Version(next.deepCopy(), t.revision());
      }
      EtcdClient.KeyValue now = t.current();
      base = now == null ? new Version(JSON.createObjectNode(), 0) : version(now);
    }
    throw new EtcdException("update of " + settings.configKey() + ": " + MAX_UPDATE_ATTEMPTS
        + " conflicting writers in a row (expected: fewer concurrent writers; try again)");
  }

  @Override
  public boolean awaitApplied(long revision, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (appliedMonitor) {
      while (status.appliedRevision() < revision) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(appliedMonitor, left);
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ ClusterView

  @Override
  public List<LiveNode> liveNodes() {
    List<LiveNode> out = new ArrayList<>();
    for (MemberState m : members.values()) {
      for (MemberState.Endpoint e : m.endpoints()) {
        out.add(new LiveNode(m.member(), e.loadBalancer(), e.dnsName(), e.zone(), e.address(), e.serving()));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public Map<String, MemberState> members() {
    return members;
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
    java.util.concurrent.Future<?> done;
    try {
      done = executor.submit(() -> {
        if (closed) {
          return;
        }
        closed = true;
        ScheduledFuture<?> t = ticking;
        if (t != null) {
          t.cancel(false);
        }
        closeWatches();
        if (lease != 0 && connected) {
          try {
            etcd.revokeLease(lease);
          } catch (EtcdException e) {
            log.debug("cluster {}: lease not revoked: {}", settings.nodeName(), e.getMessage());
          }
        }
      });
      done.get(settings.requestTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.debug("cluster {}: close did not finish: {}", settings.nodeName(), e.toString());
    }
    if (ownsExecutor) {
      executor.shutdownNow();
    }
    if (ownsClient) {
      etcd.close();
    }
  }

  private static Version version(EtcdClient.KeyValue kv) {
    JsonNode doc;
    try {
      doc = JSON.readTree(kv.value());
    } catch (IOException e) {
      throw new IllegalArgumentException(kv.key() + ": not JSON (expected: a configuration document): " + e.getMessage(), e);
    }
    if (!(doc instanceof ObjectNode o)) {
      throw new IllegalArgumentException(kv.key() + ": " + (doc == null ? "empty" : doc.getNodeType()) + " (expected: a JSON object)");
    }
    return new Version(o, kv.modRevision());
  }

  private static byte[] bytes(ObjectNode doc) {
    return doc.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Collects a node's parts; {@link #start()} connects. Not thread-safe. */
  public static final class Builder {
    private final ClusterSettings settings;
    private DesiredStateApplier applier = (doc, revision) -> { };
    private @Nullable ObjectNode seed;
    private Supplier<MemberState> memberState;
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
