package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.awsapi.SharedApiState;
import io.nlb.cluster.ClusterNode;
import io.nlb.cluster.EtcdException;
import io.nlb.core.AuditListener;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.NlbConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The AWS API's records kept in the cluster's shared document (key {@value
 * LauncherConfig#API_STATE_KEY}), so that a change through the API of any node is a
 * compare-and-swap on the state every node applies ({@link ClusterMode}'s applier joins them to
 * the file's part in one {@code Nlb.apply}). Package-private glue; thread-safe as the node is.
 */
final class ClusterApiState implements SharedApiState {
  private final LauncherConfig file;
  private final Supplier<@Nullable ClusterNode> node;

  /**
   * @param file the node's file: its local keys complete each shared revision
   * @param node the cluster node once joined (the endpoint starts before the node joins)
   */
  ClusterApiState(LauncherConfig file, Supplier<@Nullable ClusterNode> node) {
    this.file = file;
    this.node = node;
  }

  /** {@return the API's records a shared document holds; empty when none} */
  static String apiState(ObjectNode document) {
    JsonNode n = document.get(LauncherConfig.API_STATE_KEY);
    return n == null || n.isNull() ? "" : n.asText();
  }

  @Override
  public long update(Function<Current, String> change) {
    ClusterNode n = joined();
    try {
      return n.update(doc -> {
        NlbConfig configured = ConfigReloader.desired(file.withShared(doc));
        String next = change.apply(new Current(configured, apiState(doc)));
        ObjectNode out = doc.deepCopy();
        out.put(LauncherConfig.API_STATE_KEY, next);
        return out;
      }).revision();
    } catch (EtcdException e) {
      throw new UncheckedIOException(new IOException("etcd: " + e.getMessage(), e));
    }
  }

  @Override
  public boolean awaitApplied(long revision, Duration timeout) throws InterruptedException {
    return joined().awaitApplied(revision, timeout);
  }

  @Override
  public Nlb scratch() {
    // Built as the running one (same identity, default quotas and DNS suffix); no transport, no
    // timers that run, no audit: the change is audited where each node applies it.
    return Nlb.builder().identity(file.cluster().identity()).scheduler(new ManualScheduler()).auditListener(AuditListener.none())
        .build();
  }

  private ClusterNode joined() {
    ClusterNode n = node.get();
    if (n == null) {
      throw new UncheckedIOException(new IOException("this node has not joined the cluster yet"));
    }
    return n;
  }
}
