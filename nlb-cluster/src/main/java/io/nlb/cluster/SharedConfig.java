package io.nlb.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.common.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One concern of a {@link ClusterNode}: the shared configuration at {@code <prefix>/config}. It
 * reads it (or writes the seed) when the node connects, watches it, hands each newer revision to
 * the {@link DesiredStateApplier}, and changes it by compare-and-swap ({@link ClusterState}).
 *
 * <p>Thread-safety: {@link #connect}, {@link #events} and {@link #closeWatch} run on the node's
 * executor only; {@link #update}, {@link #current()} and {@link #awaitApplied} on any thread.
 */
final class SharedConfig implements ClusterState {
  private static final Logger log = LoggerFactory.getLogger(SharedConfig.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An update gives up after this many conflicting writers in a row. */
  static final int MAX_UPDATE_ATTEMPTS = 64;

  private final ClusterSettings settings;
  private final EtcdClient etcd;
  private final DesiredStateApplier applier;
  private final @Nullable ObjectNode seed;
  /** Told of every revision that could not be applied (the node's {@code lastError}). */
  private final Consumer<String> onError;
  private final Object appliedMonitor = new Object();

  // Written on the executor only; volatile for the readers.
  private volatile Version current = new Version(JSON.createObjectNode(), 0);
  private volatile long appliedRevision;
  private final KeyWatch watch;

  SharedConfig(ClusterSettings settings, EtcdClient etcd, DesiredStateApplier applier, @Nullable ObjectNode seed, Consumer<String> onError) {
    this.settings = settings;
    this.etcd = etcd;
    this.watch = new KeyWatch(etcd, settings.configKey());
    this.applier = applier;
    this.seed = seed;
    this.onError = onError;
  }

  long appliedRevision() {
    return appliedRevision;
  }

  long seenRevision() {
    return current.revision();
  }

  /**
   * Reads the document (writing the seed when there is none), applies it when it is newer than
   * the running one, and returns the revision to watch from.
   */
  long connect() {
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
    return watchFrom;
  }

  /** Watches the key from {@code revision}; the events are handed to {@code listener}. */
  void watch(long revision, EtcdClient.WatchListener listener) {
    watch.start(revision, listener);
  }

  void closeWatch() {
    watch.close();
  }

  /** Events of the watch, on the executor. */
  void events(List<EtcdClient.WatchEvent> events) {
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
        onError.accept(String.valueOf(bad.getMessage()));
      }
    }
  }

  /** A configuration revision arrived: remember it and apply it when it is newer than the running one. */
  private void received(Version v) {
    if (v.revision() > current.revision()) {
      current = v;
    }
    if (v.revision() <= appliedRevision) {
      return;
    }
    try {
      applier.apply(v.document().deepCopy(), v.revision());
      synchronized (appliedMonitor) {
        appliedRevision = v.revision();
        appliedMonitor.notifyAll();
      }
      log.info("cluster {}: running configuration revision {}", settings.nodeName(), v.revision());
    } catch (Exception e) {
      String why = "revision " + v.revision() + " not applied: " + e.getMessage();
      log.warn("cluster {}: {}; still running revision {}", settings.nodeName(), why, appliedRevision);
      onError.accept(why);
    }
  }

  @Override
  public Version current() {
    Version v = current;
    return new Version(v.document().deepCopy(), v.revision());
  }

  @Override
  public Version update(UnaryOperator<ObjectNode> change) {
    Version base = current;
    if (base.revision() == 0) {
      base = etcd.get(settings.configKey()).map(SharedConfig::version).orElse(base);
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
      while (appliedRevision < revision) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(appliedMonitor, left);
      }
    }
    return true;
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
}
