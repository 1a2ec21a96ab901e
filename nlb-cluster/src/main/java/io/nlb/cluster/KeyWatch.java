package io.nlb.cluster;

import org.jspecify.annotations.Nullable;

/**
 * The one etcd watch of a key (or prefix) that a part of a {@link ClusterNode} keeps open while
 * connected: started again from a revision after each (re)connection, closed on disconnection.
 * Used on the node's executor only.
 */
final class KeyWatch {
  private final EtcdClient etcd;
  private final String key;
  private EtcdClient.@Nullable Watch watch;

  KeyWatch(EtcdClient etcd, String key) {
    this.etcd = etcd;
    this.key = key;
  }

  /** Watches from {@code revision} (closing the previous watch); the events go to {@code listener}. */
  void start(long revision, EtcdClient.WatchListener listener) {
    close();
    watch = etcd.watch(key, revision, listener);
  }

  void close() {
    EtcdClient.Watch w = watch;
    if (w != null) {
      w.close();
    }
    watch = null;
  }
}
