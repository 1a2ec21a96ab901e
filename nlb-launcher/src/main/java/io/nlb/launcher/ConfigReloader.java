package io.nlb.launcher;

import io.nlb.core.HealthCheck;
import io.nlb.core.Listener;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
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
 * Live reload of the launcher's file: re-reads it and applies the difference to the running
 * load balancers without dropping established flows.
 *
 * <h2>How the difference is found</h2>
 *
 * <p>The new file is compared with the <em>live</em> state of the control plane ({@link
 * Nlb#targetGroups()}, {@link LoadBalancer#listeners()}, {@link TargetGroup#registeredTargets()}
 * and so on), not with the previous file, so a reload that failed half-way is completed by the
 * next one. Target groups are matched by name, load balancers by name, listeners by protocol and
 * port, targets by id and effective port (draining registrations count as absent).
 *
 * <h2>What is applied</h2>
 *
 * In this order: target groups created; group health checks, attributes and tags modified;
 * targets registered; load balancer attributes and tags modified; zones added; listeners
 * modified (target group, attributes, TLS settings), deleted, created; targets deregistered (each
 * drains for its group's {@code deregistration_delay.timeout_seconds}); target groups no listener
 * uses any more deleted. A listener's new target group takes new flows only; established flows
 * stay where they are.
 *
 * <h2>What is refused</h2>
 *
 * Changes that cannot be made live: a target group's protocol, port, target type or IP address
 * type; a load balancer added, removed or renamed, or its scheme or IP address type changed; a
 * zone removed or changed; the transport settings, {@code healthChecks} or {@code status}
 * changed; a listener forwarding to a group the file does not define. Every problem is logged at
 * WARN, one line each, and <em>nothing</em> is applied: the whole difference is checked first.
 * Problems the control plane finds only while applying (a port already taken, a target outside
 * every zone) stop the reload at that step: the steps before it stay applied, the failed one and
 * those after it are not; the result and the log say which. Fix the file and reload again.
 *
 * <h2>Triggers</h2>
 *
 * {@link #watch(Path)} reloads on SIGHUP (where {@code sun.misc.Signal} is available) and when
 * the file changes (a {@link WatchService} on its directory, debounced by {@link #DEBOUNCE}; a
 * change event whose file content is unchanged is ignored). Reloads are serialized on one thread.
 *
 * <p>Thread-safe: {@link #reload} is synchronized.
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
    /** Whether the file is now fully in effect. */
    public boolean ok() {
      return refused.isEmpty() && failure == null;
    }
  }

  private record Step(String description, Runnable action) {}

  private final Launcher launcher;
  private final LauncherConfig startup;
  private @Nullable ScheduledExecutorService executor;
  private @Nullable WatchService watcher;
  private @Nullable Thread watchThread;
  private @Nullable ScheduledFuture<?> pending;
  private byte[] lastDigest = new byte[0];

  ConfigReloader(Launcher launcher, LauncherConfig startup) {
    this.launcher = launcher;
    this.startup = startup;
  }

  /** Reads {@code file} and applies it; a file that does not parse is refused with its problems. */
  public Result reload(Path file) {
    LauncherConfig next;
    try {
      next = LauncherConfig.read(file, launcher.maxConfigBytes());
    } catch (LauncherConfig.ConfigException e) {
      return refuse(e.problems());
    } catch (IOException e) {
      return refuse(List.of("config: " + file + ": " + e.getMessage()));
    }
    return reload(next);
  }

  /** Applies the difference between the running state and {@code next}; see the class comment. */
  public synchronized Result reload(LauncherConfig next) {
    List<String> problems = new ArrayList<>();
    List<Step> steps = plan(next, problems);
    if (!problems.isEmpty()) {
      return refuse(problems);
    }
    if (steps.isEmpty()) {
      log.info("reload: no changes");
      return new Result(List.of(), List.of(), null, List.of());
    }
    List<String> applied = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      try {
        s.action().run();
        applied.add(s.description());
      } catch (RuntimeException e) {
        String reason = e instanceof NlbException n ? n.code().apiName() + ": " + String.join("; ", n.problems()) : String.valueOf(e.getMessage());
        String failure = s.description() + ": " + reason;
        List<String> skipped = new ArrayList<>();
        for (int j = i; j < steps.size(); j++) {
          skipped.add(steps.get(j).description());
        }
        log.warn("reload: failed at {}; {} change(s) applied before it stay applied: {}; not applied: {}", failure, applied.size(),
            applied, skipped);
        return new Result(List.of(), applied, failure, skipped);
      }
    }
    log.info("reload: applied {} change(s): {}", applied.size(), String.join("; ", applied));
    return new Result(List.of(), applied, null, List.of());
  }

  private static Result refuse(List<String> problems) {
    for (String p : problems) {
      log.warn("reload refused: {}", p);
    }
    log.warn("reload refused: {} problem(s); the running configuration is unchanged", problems.size());
    return new Result(List.copyOf(problems), List.of(), null, List.of());
  }

  // ------------------------------------------------------------------ the diff

  private List<Step> plan(LauncherConfig next, List<String> problems) {
    Nlb nlb = launcher.nlb();
    if (!next.transport().equals(startup.transport())) {
      problems.add("transport: " + describe(next.transport()) + " (expected: unchanged, " + describe(startup.transport())
          + "; transport settings need a restart)");
    }
    if (next.healthChecks() != startup.healthChecks()) {
      problems.add("healthChecks: " + next.healthChecks() + " (expected: unchanged, " + startup.healthChecks() + "; needs a restart)");
    }
    if (!Objects.equals(next.status(), startup.status())) {
      problems.add("status: " + next.status() + " (expected: unchanged, " + startup.status() + "; the status page needs a restart)");
    }

    List<Step> createGroups = new ArrayList<>();
    List<Step> modifyGroups = new ArrayList<>();
    List<Step> register = new ArrayList<>();
    List<Step> modifyLbs = new ArrayList<>();
    List<Step> listenerModify = new ArrayList<>();
    List<Step> listenerDelete = new ArrayList<>();
    List<Step> listenerCreate = new ArrayList<>();
    List<Step> deregister = new ArrayList<>();
    List<Step> deleteGroups = new ArrayList<>();

    // Target groups.
    Set<String> fileGroups = new LinkedHashSet<>();
    for (LauncherConfig.Group g : next.groups()) {
      TargetGroupConfig c = g.config();
      String path = "targetGroups[" + c.name() + "]";
      fileGroups.add(c.name());
      Optional<TargetGroup> live = nlb.targetGroup(c.name());
      if (live.isEmpty()) {
        createGroups.add(new Step("create target group " + c.name() + " with " + g.targets().size() + " target(s)", () -> {
          TargetGroup tg = nlb.createTargetGroup(c);
          if (!g.targets().isEmpty()) {
            tg.registerTargets(g.targets());
          }
        }));
        continue;
      }
      TargetGroup tg = live.get();
      unchanged(problems, path + ".protocol", tg.protocol(), c.protocol());
      unchanged(problems, path + ".port", tg.port(), c.port());
      unchanged(problems, path + ".targetType", tg.targetType(), c.targetType());
      unchanged(problems, path + ".ipAddressType", tg.ipAddressType(), c.ipAddressType());
      HealthCheck hc = c.healthCheck();
      if (!hc.equals(tg.healthCheck())) {
        modifyGroups.add(new Step("modify health check of " + c.name() + ": " + hc, () -> tg.modifyHealthCheck(hc)));
      }
      Map<String, String> attrs = changed(tg.attributes().asMap(), c.attributes().asMap());
      if (!attrs.isEmpty()) {
        modifyGroups.add(new Step("modify attributes of " + c.name() + ": " + attrs, () -> tg.modifyAttributes(attrs)));
      }
      tagSteps(modifyGroups, "target group " + c.name(), tg.tags(), c.tags(), tg::addTags, tg::removeTags);
      Map<String, Target> wanted = new LinkedHashMap<>();
      for (Target t : g.targets()) {
        wanted.put(key(t.id(), t.port().orElse(c.port())), t);
      }
      Map<String, RegisteredTarget> have = new LinkedHashMap<>();
      for (RegisteredTarget r : tg.registeredTargets()) {
        if (!r.isDraining()) {
          have.put(key(r.id(), r.port()), r);
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
        register.add(new Step("register " + add + " in " + c.name(), () -> tg.registerTargets(add)));
      }
      if (!remove.isEmpty()) {
        deregister.add(new Step("deregister " + remove + " from " + c.name() + " (draining "
            + tg.attributes().deregistrationDelay().toSeconds() + " s)", () -> tg.deregisterTargets(remove)));
      }
    }
    for (TargetGroup tg : nlb.targetGroups()) {
      if (!fileGroups.contains(tg.name())) {
        deleteGroups.add(new Step("delete target group " + tg.name(), tg::delete));
      }
    }

    // Load balancers.
    Set<String> fileLbs = new HashSet<>();
    for (LoadBalancerConfig c : next.loadBalancers()) {
      fileLbs.add(c.name());
      String path = "loadBalancers[" + c.name() + "]";
      Optional<LoadBalancer> live = nlb.loadBalancer(c.name());
      if (live.isEmpty()) {
        problems.add(path + ": added (expected: the running load balancers " + names(nlb.loadBalancers())
            + "; adding, removing or renaming a load balancer needs a restart)");
        continue;
      }
      LoadBalancer lb = live.get();
      unchanged(problems, path + ".scheme", lb.scheme(), c.scheme());
      unchanged(problems, path + ".ipAddressType", lb.ipAddressType(), c.ipAddressType());
      List<Zone> liveZones = lb.zones();
      List<Zone> addZones = new ArrayList<>();
      for (Zone z : liveZones) {
        Optional<Zone> match = c.zones().stream().filter(n -> n.name().equals(z.name())).findFirst();
        if (match.isEmpty()) {
          problems.add(path + ".zones[" + z.name() + "]: removed (expected: every running zone; zones cannot be removed live)");
        } else if (!match.get().equals(z)) {
          problems.add(path + ".zones[" + z.name() + "]: " + match.get() + " (expected: unchanged, " + z
              + "; a zone's addresses and ranges cannot change live)");
        }
      }
      for (Zone n : c.zones()) {
        if (liveZones.stream().noneMatch(z -> z.name().equals(n.name()))) {
          addZones.add(n);
        }
      }
      Map<String, String> attrs = changed(lb.attributes().asMap(), c.attributes().asMap());
      if (!attrs.isEmpty()) {
        modifyLbs.add(new Step("modify attributes of " + c.name() + ": " + attrs, () -> lb.modifyAttributes(attrs)));
      }
      tagSteps(modifyLbs, "load balancer " + c.name(), lb.tags(), c.tags(), lb::addTags, lb::removeTags);
      if (!addZones.isEmpty()) {
        List<Zone> all = new ArrayList<>(liveZones);
        all.addAll(addZones);
        modifyLbs.add(new Step("add zone(s) " + names(addZones) + " to " + c.name(), () -> lb.setZones(all)));
      }
      Map<String, ListenerConfig> wanted = new LinkedHashMap<>();
      for (ListenerConfig l : c.listeners()) {
        wanted.put(listenerKey(l.protocol(), l.port()), l);
        if (!fileGroups.contains(l.targetGroup())) {
          problems.add(path + "." + l.path() + ".targetGroup: " + l.targetGroup() + " (expected: a target group the file defines, one of "
              + fileGroups + ")");
        }
      }
      Map<String, Listener> have = new LinkedHashMap<>();
      for (Listener l : lb.listeners()) {
        have.put(listenerKey(l.config().protocol(), l.config().port()), l);
      }
      wanted.forEach((k, l) -> {
        Listener existing = have.get(k);
        if (existing == null) {
          listenerCreate.add(new Step("create " + l.path() + " -> " + l.targetGroup() + " on " + c.name(), () -> lb.createListener(l)));
        } else if (!sameListener(existing.config(), l)) {
          listenerModify.add(new Step("modify " + l.path() + " on " + c.name() + ": " + listenerChanges(existing.config(), l),
              () -> existing.modify(l)));
        }
      });
      have.forEach((k, l) -> {
        if (!wanted.containsKey(k)) {
          listenerDelete.add(new Step("delete " + l.config().path() + " on " + c.name(), l::delete));
        }
      });
    }
    for (LoadBalancer lb : nlb.loadBalancers()) {
      if (!fileLbs.contains(lb.name())) {
        problems.add("loadBalancers[" + lb.name() + "]: removed (expected: the running load balancers " + names(nlb.loadBalancers())
            + "; adding, removing or renaming a load balancer needs a restart)");
      }
    }

    List<Step> steps = new ArrayList<>();
    steps.addAll(createGroups);
    steps.addAll(modifyGroups);
    steps.addAll(register);
    steps.addAll(modifyLbs);
    steps.addAll(listenerModify);
    steps.addAll(listenerDelete);
    steps.addAll(listenerCreate);
    steps.addAll(deregister);
    steps.addAll(deleteGroups);
    return steps;
  }

  private static void unchanged(List<String> problems, String path, Object running, Object file) {
    if (!running.equals(file)) {
      problems.add(path + ": " + file + " (expected: unchanged, " + running + "; cannot change live, needs a restart)");
    }
  }

  /** The entries of {@code file} whose value differs from {@code running}. */
  private static Map<String, String> changed(Map<String, String> running, Map<String, String> file) {
    Map<String, String> out = new LinkedHashMap<>();
    file.forEach((k, v) -> {
      if (!v.equals(running.get(k))) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static void tagSteps(List<Step> steps, String owner, Map<String, String> running, Map<String, String> file,
      java.util.function.Consumer<Map<String, String>> add, java.util.function.Consumer<List<String>> remove) {
    Map<String, String> added = changed(running, file);
    List<String> removed = new ArrayList<>();
    for (String k : running.keySet()) {
      if (!file.containsKey(k)) {
        removed.add(k);
      }
    }
    if (!added.isEmpty()) {
      steps.add(new Step("add tags " + added + " to " + owner, () -> add.accept(added)));
    }
    if (!removed.isEmpty()) {
      steps.add(new Step("remove tags " + removed + " from " + owner, () -> remove.accept(removed)));
    }
  }

  private static boolean sameListener(ListenerConfig a, ListenerConfig b) {
    return listenerChanges(a, b).isEmpty();
  }

  private static List<String> listenerChanges(ListenerConfig a, ListenerConfig b) {
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

  private static String key(String id, int port) {
    return id + "#" + port;
  }

  private static String listenerKey(Protocol protocol, int port) {
    return protocol + ":" + port;
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
