package io.nlb.launcher;

import io.nlb.core.HealthCheck;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.NlbConfig;
import io.nlb.core.NlbException;
import io.nlb.core.Protocol;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.ServerCertificate;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.Zone;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live reload of the launcher's file: re-reads it and makes the running load balancers match it
 * with one {@link Nlb#apply}, without dropping established flows.
 *
 * <h2>How the difference is found</h2>
 *
 * <p>The file becomes an {@link NlbConfig} and the control plane compares it with the
 * <em>live</em> state, not with the previous file, so a reload that was refused is completed by
 * the next one (see {@link Nlb#plan} for the matching rules and the order of changes).
 *
 * <h2>What is refused</h2>
 *
 * What the launcher cannot change live: the transport settings, {@code healthChecks}, {@code
 * status}, {@code identity}, {@code node}, {@code dns}, and its set of load balancers (added, removed or renamed); and what the control plane
 * refuses to change (a target group's protocol, port, target type or IP address type; a zone
 * removed or changed; a listener forwarding to a group the file does not define). With an {@code
 * awsApi} section, what the AWS API created (the groups and load balancers the file does not
 * name) is carried into the desired state as it runs, so a reload leaves it alone; a step that
 * would still change it is refused, and so is a file that takes one of its names. Every problem is
 * logged at WARN, one line each with its path, and nothing is applied.
 *
 * <h2>All or nothing</h2>
 *
 * Problems found only while applying (a port already taken, an attribute combination the control
 * plane refuses) fail the whole reload: {@link Nlb#apply} puts every change back, so the running
 * state is exactly the one before the reload, and the result lists what was not applied.
 *
 * <h2>Triggers</h2>
 *
 * {@link #watch(Path)} reloads on SIGHUP (where {@code sun.misc.Signal} is available) and when
 * the file changes (a {@link WatchService} on its directory, debounced by {@link #DEBOUNCE}; a
 * change event whose file content is unchanged is ignored). Reloads are serialized on one thread.
 *
 * <p>Thread-safe: {@link #reload} is synchronized.
 *
 * @since 0.1
 */
public final class ConfigReloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);
  /** How long the file must stay quiet after a change event before it is re-read. */
  static final Duration DEBOUNCE = Duration.ofMillis(300);

  /**
   * What a reload did.
   *
   * @param refused the problems that made the reload refuse the whole file; nothing applied then
   * @param applied one line per change applied
   * @param failure the step that failed while applying, with the reason; {@code null} if none
   * @param notApplied the changes skipped because of {@code failure}
   */
  public record Result(List<String> refused, List<String> applied, @Nullable String failure, List<String> notApplied) {
    /** {@return whether the file is now fully in effect} */
    public boolean ok() {
      return refused.isEmpty() && failure == null;
    }
  }

  private final Launcher launcher;
  private final LauncherConfig startup;
  /** The file last applied (at start, then by each successful reload): what the file owns. */
  private LauncherConfig applied;
  private @Nullable ScheduledExecutorService executor;
  private @Nullable WatchService watcher;
  private @Nullable Thread watchThread;
  private @Nullable ScheduledFuture<?> pending;
  private byte[] lastDigest = new byte[0];

  ConfigReloader(Launcher launcher, LauncherConfig startup) {
    this.launcher = launcher;
    this.startup = startup;
    this.applied = startup;
  }

  /**
   * Reads {@code file} and applies it; a file that does not parse is refused with its problems.
   *
   * @param file the configuration file
   * @return what was applied, or why nothing was
   */
  public Result reload(Path file) {
    LauncherConfig next;
    try {
      next = LauncherConfig.read(file, launcher.maxConfigBytes());
    } catch (LauncherConfig.ConfigException e) {
      return refuse(e.problems());
    } catch (IOException e) {
      return refuse(List.of("config: " + file + ": " + e.getMessage()));
    }
    io.nlb.cluster.ClusterNode cluster = launcher.cluster().orElse(null);
    if (cluster != null) {
      return ClusterMode.publish(cluster, next);
    }
    return reload(next);
  }

  /**
   * Applies the difference between the running state and {@code next}; see the class comment.
   *
   * @param next the configuration to run
   * @return what was applied, or why nothing was
   */
  public Result reload(LauncherConfig next) {
    return reload(next, null);
  }

  /**
   * {@link #reload(LauncherConfig)} in cluster mode: {@code sharedApi} is what the AWS API created
   * as the shared state holds it, applied with the file's part in one step (instead of the API's
   * resources as they run, which a file reload leaves alone).
   *
   * @param next the configuration to run
   * @param sharedApi the API's part of the shared state; {@code null} outside cluster mode
   * @return what was applied, or why nothing was
   */
  synchronized Result reload(LauncherConfig next, @Nullable NlbConfig sharedApi) {
    List<String> problems = new ArrayList<>();
    checkRestartOnly(next, problems);
    NlbConfig desired;
    try {
      desired = desired(next, sharedApi != null ? sharedApi
          : launcher.awsApiServer().isPresent() ? apiOwned() : NlbConfig.builder().build());
    } catch (NlbException e) {
      problems.addAll(e.problems());
      return refuse(problems);
    }
    Nlb nlb = launcher.nlb();
    List<NlbConfig.PlannedChange> plan;
    try {
      plan = nlb.plan(desired);
    } catch (NlbException e) {
      problems.addAll(e.problems());
      return refuse(problems);
    }
    if (sharedApi == null && launcher.awsApiServer().isPresent()) {
      checkApiOwned(next, plan, problems);
    }
    if (!problems.isEmpty()) {
      return refuse(problems);
    }
    if (plan.isEmpty()) {
      log.info("reload: no changes");
      applied = next;
      return new Result(List.of(), List.of(), null, List.of());
    }
    try {
      List<String> applied = describe(nlb.apply(desired));
      this.applied = next;
      log.info("reload: applied {} change(s): {}", applied.size(), String.join("; ", applied));
      return new Result(List.of(), applied, null, List.of());
    } catch (NlbException e) {
      // apply() is all or nothing: the running configuration is the one before this reload.
      String failure = e.code().apiName() + ": " + String.join("; ", e.problems());
      List<String> skipped = describe(plan);
      log.warn("reload: failed, nothing applied, the running configuration is unchanged: {}; not applied: {}", failure, skipped);
      return new Result(List.of(), List.of(), failure, skipped);
    }
  }

  /**
   * The running groups and load balancers that the last applied file does not name: the AWS API
   * created them. Rebuilt from the live objects, so the plan finds nothing to
   * change in them (a request the API runs between this copy and the apply could be undone; the
   * window is one reload).
   */
  private NlbConfig apiOwned() {
    // Only the last applied file: a new file that takes an API name then names it twice, and the
    // desired state refuses the duplicate with its path.
    Set<String> fileGroups = new HashSet<>();
    Set<String> fileLbs = new HashSet<>();
    applied.groups().forEach(g -> fileGroups.add(g.config().name()));
    applied.loadBalancers().forEach(l -> fileLbs.add(l.name()));
    Nlb nlb = launcher.nlb();
    NlbConfig.Builder api = NlbConfig.builder();
    for (TargetGroup tg : nlb.targetGroups()) {
      if (fileGroups.contains(tg.name())) {
        continue;
      }
      TargetGroupConfig.Builder c = TargetGroupConfig.builder(tg.name(), tg.protocol(), tg.port()).targetType(tg.targetType())
          .ipAddressType(tg.ipAddressType()).healthCheck(tg.healthCheck()).attributes(tg.attributes());
      tg.tags().forEach(c::tag);
      List<Target> targets = new ArrayList<>();
      for (RegisteredTarget t : tg.registeredTargets()) {
        if (!t.isDraining() && !t.isRemoved()) {
          targets.add(t.target());
        }
      }
      api.targetGroup(c.build(), targets);
    }
    for (LoadBalancer lb : nlb.loadBalancers()) {
      if (fileLbs.contains(lb.name())) {
        continue;
      }
      LoadBalancerConfig.Builder c = LoadBalancerConfig.builder(lb.name()).scheme(lb.scheme()).ipAddressType(lb.ipAddressType())
          .attributes(lb.attributes());
      lb.zones().forEach(c::zone);
      lb.tags().forEach(c::tag);
      lb.listeners().forEach(l -> c.listener(l.config()));
      api.loadBalancer(c.build());
    }
    return api.build();
  }

  /**
   * A safety net under {@link #apiOwned}: a planned step that touches what the AWS API created (a
   * path naming a group or load balancer that neither the last applied file nor the new one
   * names) is refused.
   */
  private void checkApiOwned(LauncherConfig next, List<NlbConfig.PlannedChange> plan, List<String> problems) {
    Set<String> fileNames = new HashSet<>();
    for (LauncherConfig c : List.of(applied, next)) {
      c.groups().forEach(g -> fileNames.add("targetGroups[" + g.config().name() + "]"));
      c.loadBalancers().forEach(l -> fileNames.add("loadBalancers[" + l.name() + "]"));
    }
    for (NlbConfig.PlannedChange c : plan) {
      int end = c.path().indexOf(']');
      String owner = end < 0 ? c.path() : c.path().substring(0, end + 1);
      if ((owner.startsWith("targetGroups[") || owner.startsWith("loadBalancers[")) && !fileNames.contains(owner)) {
        problems.add(owner + ": " + c.description() + " (expected: no change to what the AWS API created; the file reloads only"
            + " its own groups and load balancers: restart, or delete those through the API first)");
      }
    }
  }

  private static List<String> describe(List<NlbConfig.PlannedChange> changes) {
    List<String> out = new ArrayList<>(changes.size());
    for (NlbConfig.PlannedChange c : changes) {
      out.add(c.toString());
    }
    return List.copyOf(out);
  }

  /** The file's target groups and load balancers as the control plane's desired state. */
  static NlbConfig desired(LauncherConfig next) {
    return desired(next, NlbConfig.builder().build());
  }

  /** The file's target groups and load balancers joined by what the AWS API created. */
  static NlbConfig desired(LauncherConfig next, NlbConfig api) {
    NlbConfig.Builder b = NlbConfig.builder();
    for (LauncherConfig.Group g : next.groups()) {
      b.targetGroup(g.config(), g.targets());
    }
    next.loadBalancers().forEach(b::loadBalancer);
    api.targetGroups().forEach(g -> b.targetGroup(g.config(), g.targets()));
    api.loadBalancers().forEach(b::loadBalancer);
    return b.build();
  }

  /**
   * What the control plane could change but the launcher cannot live: its own settings, and its
   * set of load balancers (the status page and metrics are wired to them at start).
   */
  private void checkRestartOnly(LauncherConfig next, List<String> problems) {
    if (!next.transport().equals(startup.transport())) {
      problems.add("transport: " + describe(next.transport()) + " (expected: unchanged, " + describe(startup.transport())
          + "; transport settings need a restart)");
    }
    if (next.healthChecks() != startup.healthChecks()) {
      problems.add("healthChecks: " + next.healthChecks() + " (expected: unchanged, " + startup.healthChecks() + "; needs a restart)");
    }
    if (!Objects.equals(next.awsApi(), startup.awsApi())) {
      problems.add("awsApi: changed (expected: unchanged; the AWS API endpoint needs a restart)");
    }
    if (!next.cluster().equals(startup.cluster())) {
      problems.add("identity/node/dns: " + next.cluster() + " (expected: unchanged, " + startup.cluster() + "; needs a restart)");
    }
    if (!Objects.equals(next.status(), startup.status())) {
      problems.add("status: " + next.status() + " (expected: unchanged, " + startup.status() + "; the status page needs a restart)");
    }
    Nlb nlb = launcher.nlb();
    Set<String> fileLbs = new HashSet<>();
    for (LoadBalancerConfig c : next.loadBalancers()) {
      fileLbs.add(c.name());
      if (nlb.loadBalancer(c.name()).isEmpty()) {
        problems.add("loadBalancers[" + c.name() + "]: added (expected: the running load balancers " + names(nlb.loadBalancers())
            + "; adding, removing or renaming a load balancer needs a restart)");
      }
    }
    Set<String> startupLbs = new HashSet<>();
    startup.loadBalancers().forEach(c -> startupLbs.add(c.name()));
    for (LoadBalancer lb : nlb.loadBalancers()) {
      if (!fileLbs.contains(lb.name()) && (startupLbs.contains(lb.name()) || launcher.awsApiServer().isEmpty())) {
        problems.add("loadBalancers[" + lb.name() + "]: removed (expected: the running load balancers " + names(nlb.loadBalancers())
            + "; adding, removing or renaming a load balancer needs a restart)");
      }
    }
  }

  private static Result refuse(List<String> problems) {
    for (String p : problems) {
      log.warn("reload refused: {}", p);
    }
    log.warn("reload refused: {} problem(s); the running configuration is unchanged", problems.size());
    return new Result(List.copyOf(problems), List.of(), null, List.of());
  }

  private static String describe(LauncherConfig.TransportSettings t) {
    return "{ioMode: " + t.ioMode() + ", threads: " + t.threads() + ", connectTimeout: " + t.connectTimeout() + "}";
  }

  private static List<String> names(List<?> things) {
    List<String> out = new ArrayList<>();
    for (Object o : things) {
      out.add(o instanceof LoadBalancer lb ? lb.name() : o instanceof Zone z ? z.name() : String.valueOf(o));
    }
    return out;
  }

  // ------------------------------------------------------------------ triggers

  /**
   * Reloads {@code file} on SIGHUP and whenever it changes, until {@link #close()}.
   *
   * @param file the configuration file
   * @throws IOException when the directory cannot be watched
   */
  public synchronized void watch(Path file) throws IOException {
    if (executor != null) {
      throw new IllegalStateException("watch: already watching (expected: one call)");
    }
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    Path name = absolute.getFileName();
    if (dir == null || name == null) {
      throw new IllegalArgumentException("file: " + file + " (expected: a file in a directory)");
    }
    lastDigest = digest(absolute);
    ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nlb-config-reload");
      t.setDaemon(true);
      return t;
    });
    executor = ex;
    Runnable onHup = () -> {
      log.info("SIGHUP: reloading {}", absolute);
      lastDigest = digest(absolute);
      reload(absolute);
    };
    if (Signals.onHangup(() -> {
      try {
        ex.execute(onHup);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        log.debug("SIGHUP after close: ignored");
      }
    })) {
      log.info("reload: send SIGHUP or edit {} to apply changes", absolute);
    } else {
      log.info("reload: SIGHUP is not available on this JVM; edit {} to apply changes", absolute);
    }
    WatchService ws = FileSystems.getDefault().newWatchService();
    watcher = ws;
    dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
    Thread t = new Thread(() -> watchLoop(ws, name, absolute, ex), "nlb-config-watch");
    t.setDaemon(true);
    watchThread = t;
    t.start();
  }

  private void watchLoop(WatchService ws, Path name, Path file, ScheduledExecutorService ex) {
    while (true) {
      WatchKey key;
      try {
        key = ws.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      boolean ours = false;
      for (WatchEvent<?> e : key.pollEvents()) {
        // OVERFLOW carries no context: re-check the file to be safe.
        if (e.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(e.context())) {
          ours = true;
        }
      }
      if (ours) {
        debounce(ex, file);
      }
      if (!key.reset()) {
        log.warn("reload: {} can no longer be watched; SIGHUP still works", file.getParent());
        return;
      }
    }
  }

  private synchronized void debounce(ScheduledExecutorService ex, Path file) {
    ScheduledFuture<?> p = pending;
    if (p != null) {
      p.cancel(false);
    }
    try {
      pending = ex.schedule(() -> {
        byte[] d = digest(file);
        if (d.length == 0 || Arrays.equals(d, lastDigest)) {
          return; // gone (mid-rename) or unchanged: nothing to do
        }
        lastDigest = d;
        log.info("{} changed: reloading", file);
        reload(file);
      }, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private static byte[] digest(Path file) {
    try {
      // Streamed: the file may have grown past what the launcher would read (it is then refused).
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (java.io.InputStream in = Files.newInputStream(file)) {
        byte[] buf = new byte[8192];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          sha.update(buf, 0, n);
        }
      }
      return sha.digest();
    } catch (IOException e) {
      return new byte[0];
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops watching. Idempotent. */
  @Override
  public synchronized void close() {
    Signals.clearHangup();
    WatchService ws = watcher;
    if (ws != null) {
      try {
        ws.close();
      } catch (IOException e) {
        log.debug("closing the watch service", e);
      }
      watcher = null;
    }
    Thread t = watchThread;
    if (t != null) {
      t.interrupt();
      watchThread = null;
    }
    ScheduledExecutorService ex = executor;
    if (ex != null) {
      ex.shutdownNow();
      executor = null;
    }
  }
}
