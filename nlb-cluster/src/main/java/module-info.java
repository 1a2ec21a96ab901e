/**
 * Several load-balancer processes as one, through etcd: the desired configuration shared under one
 * key prefix and changed by compare-and-swap ({@link io.nlb.cluster.ClusterState}), each node's
 * liveness and health view under a lease, and the view of the live nodes that DNS answers and the
 * cross-node health consensus read ({@link io.nlb.cluster.ClusterView}). Entry point: {@link
 * io.nlb.cluster.ClusterNode}. etcd is reached through its JSON gateway with the JDK's HTTP client
 * ({@link io.nlb.cluster.EtcdClient}).
 */
module io.nlb.cluster {
  requires static org.jspecify;
  requires io.nlb.common;
  // MemberState speaks TargetHealthState.
  requires transitive io.nlb.core;
  // The shared document is a Jackson tree (ClusterState.Version, DesiredStateApplier).
  requires transitive com.fasterxml.jackson.databind;
  requires java.net.http;
  requires org.slf4j;

  exports io.nlb.cluster;
}
