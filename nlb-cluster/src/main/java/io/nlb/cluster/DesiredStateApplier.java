package io.nlb.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Makes a node run a desired configuration document, and says whether a document is one. The
 * launcher's implementation parses the document as its configuration format and calls {@code
 * Nlb.apply}; an embedding application can map its own format the same way.
 *
 * <p>Called on the cluster node's own thread, one document at a time, in revision order ({@link
 * #check} also on the threads that call {@link ClusterState#update}).
 *
 * @since 0.1
 */
public interface DesiredStateApplier {
  /**
   * Runs {@code document}. All or nothing: when it throws, the node keeps the previous configuration.
   *
   * @param document the desired configuration (do not keep it: it may be reused)
   * @param revision its etcd revision
   * @throws Exception when it cannot be applied; logged, and the node waits for the next revision
   */
  void apply(ObjectNode document, long revision) throws Exception;

  /**
   * Checks a document before it is written, so that no node writes one the others cannot run.
   *
   * @param document the document about to be written
   * @return every problem, each as {@code "path: value (expected: ...)"}; empty when it is valid
   */
  default List<String> check(ObjectNode document) {
    return List.of();
  }
}
