package io.nlb.cluster;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A node's relation to the shared state, for logs and status pages: whether etcd is reachable,
 * since when, which configuration revision runs, and the last problem.
 *
 * <p>Immutable and thread-safe.
 *
 * @param node this node's name
 * @param connected whether etcd answered the last call
 * @param since when {@code connected} last changed (the node's start until the first answer)
 * @param appliedRevision the configuration revision this node runs; 0 before the first
 * @param seenRevision the latest configuration revision it has seen (greater than applied when the
 *     latest document could not be applied)
 * @param liveMembers how many members the view lists (the last known number while disconnected)
 * @param lastError the last failure (an unreachable etcd, a refused document), or {@code null}
 *
 * @since 0.1
 */
public record ClusterStatus(String node, boolean connected, Instant since, long appliedRevision, long seenRevision, int liveMembers,
    @Nullable String lastError) {
  /** {@return one line for people: {@code "connected since ..., revision 12, 3 live members"}, or why not} */
  public String summary() {
    String base = (connected ? "connected to etcd since " : "etcd unreachable since ") + since + ", running configuration revision "
        + appliedRevision + ", " + liveMembers + " live member(s)";
    return connected ? base : base + "; serving with the last configuration until etcd returns" + (lastError == null ? "" : " (" + lastError + ")");
  }
}
