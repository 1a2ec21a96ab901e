package io.nlb.cluster;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One concern of a {@link ClusterNode}: membership. It holds this node's lease, publishes its
 * {@link MemberState} at {@code <prefix>/members/<name>} under it (again whenever the state
 * changes), and keeps the view of the live members from a watch of {@code <prefix>/members/}.
 *
 * <p>Thread-safety: every method but {@link #members()} runs on the node's executor;
 * {@link #members()} returns an immutable map and may be called from any thread.
 */
final class MemberLease {
  private static final Logger log = LoggerFactory.getLogger(MemberLease.class);

  private final ClusterSettings settings;
  private final EtcdClient etcd;
  private final Supplier<MemberState> memberState;

  private volatile Map<String, MemberState> members = Map.of();
  private long lease;
  private byte @Nullable [] published;
  private final KeyWatch watch;

  MemberLease(ClusterSettings settings, EtcdClient etcd, Supplier<MemberState> memberState) {
    this.settings = settings;
    this.etcd = etcd;
    this.watch = new KeyWatch(etcd, settings.membersPrefix());
    this.memberState = memberState;
  }

  /** {@return the live members' states, by node name} */
  Map<String, MemberState> members() {
    return members;
  }

  /**
   * Joins (again): keeps the lease when it is still alive, else takes a new one, publishes the
   * state, reads the members and returns the revision to watch them from.
   */
  long join() {
    if (lease == 0 || etcd.keepAlive(lease) <= 0) {
      lease = etcd.grantLease(settings.leaseTtl());
    }
    published = null;
    publish();
    EtcdClient.Range m = etcd.getPrefix(settings.membersPrefix());
    Map<String, MemberState> view = new TreeMap<>();
    for (EtcdClient.KeyValue kv : m.kvs()) {
      add(view, kv);
    }
    members = Collections.unmodifiableMap(view);
    return m.revision() + 1;
  }

  /** Renews the lease (taking a new one when it expired meanwhile) and publishes a changed state. */
  void renew() {
    long ttl = etcd.keepAlive(lease);
    if (ttl <= 0) {
      log.warn("cluster {}: lease {} expired; registering again", settings.nodeName(), Long.toHexString(lease));
      lease = etcd.grantLease(settings.leaseTtl());
      published = null;
    }
    publish();
  }

  private void publish() {
    byte[] json = memberState.get().toJson();
    if (published != null && Arrays.equals(published, json)) {
      return;
    }
    etcd.put(settings.memberKey(), json, lease);
    published = json;
  }

  /** Watches the members from {@code revision}; the events are handed to {@code listener}. */
  void watch(long revision, EtcdClient.WatchListener listener) {
    watch.start(revision, listener);
  }

  void closeWatch() {
    watch.close();
  }

  /** Events of the watch, on the executor. */
  void events(List<EtcdClient.WatchEvent> events) {
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
        add(view, e.kv());
      }
    }
    members = Collections.unmodifiableMap(view);
  }

  private void add(Map<String, MemberState> view, EtcdClient.KeyValue kv) {
    String name = kv.key().substring(settings.membersPrefix().length());
    try {
      view.put(name, MemberState.fromJson(kv.value()));
    } catch (IllegalArgumentException e) {
      log.warn("cluster {}: member key {} ignored: {}", settings.nodeName(), kv.key(), e.getMessage());
    }
  }

  /** Leaves: revokes the lease so that the member key goes at once (best effort). */
  void revoke() {
    if (lease == 0) {
      return;
    }
    try {
      etcd.revokeLease(lease);
    } catch (EtcdException e) {
      log.debug("cluster {}: lease not revoked: {}", settings.nodeName(), e.getMessage());
    }
  }
}
