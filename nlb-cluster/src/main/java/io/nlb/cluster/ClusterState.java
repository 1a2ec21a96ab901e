package io.nlb.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The desired configuration that every node of a cluster applies: one JSON document (the launcher's
 * configuration format: {@code targetGroups} and {@code loadBalancers}) at {@code <prefix>/config}
 * in etcd, and the way to change it.
 *
 * <p>A change is a function from the current document to the next one. {@link #update} applies it
 * to the latest document it knows and writes the result only if nobody wrote in between (an etcd
 * transaction comparing the key's {@code mod_revision}); if someone did, it reads their document
 * and applies the function again. So two nodes that change the state at the same moment never lose
 * one another's change. Every node, this one included, then applies the new document through its
 * watch.
 *
 * <pre>{@code
 * ClusterState state = clusterNode;                      // or any other implementation
 * long revision = state.update(doc -> {
 *   ArrayNode targets = (ArrayNode) doc.withArray("targetGroups").get(0).withArray("targets");
 *   targets.addObject().put("id", "10.0.1.10").put("port", 8080);
 *   return doc;
 * }).revision();
 * state.awaitApplied(revision, Duration.ofSeconds(2));   // this node runs it now
 * }</pre>
 *
 * <p>Implementations are thread-safe; {@link #update} blocks on etcd and must not be called on an
 * event loop.
 *
 * @since 0.1
 */
public interface ClusterState {
  /**
   * A document and the etcd revision that wrote it.
   *
   * @param document the document; a copy the caller may change
   * @param revision the key's {@code mod_revision}; 0 when the key does not exist
   */
  record Version(ObjectNode document, long revision) {}

  /**
   * {@return the latest document this node has seen (applied or not), without asking etcd; an empty
   * document at revision 0 before the first one}
   */
  Version current();

  /**
   * Changes the document by compare-and-swap; see the class comment. The function may run several
   * times (once per conflicting writer) and must not have side effects; it gets a copy it may
   * change and returns the next document (returning an equal document writes nothing).
   *
   * @param change from the current document to the next
   * @return the written document and its revision (or the unchanged current one)
   * @throws IllegalArgumentException when the next document is not a valid configuration, listing every problem
   * @throws EtcdException when etcd cannot be reached: nothing was written (retry when {@link
   *     ClusterNode#clusterStatus()} says connected)
   */
  Version update(UnaryOperator<ObjectNode> change);

  /**
   * Waits until this node has applied {@code revision} or a later one.
   *
   * @param revision a revision returned by {@link #update}
   * @param timeout how long to wait
   * @return whether it was applied in time
   * @throws InterruptedException when interrupted while waiting
   */
  boolean awaitApplied(long revision, Duration timeout) throws InterruptedException;
}
