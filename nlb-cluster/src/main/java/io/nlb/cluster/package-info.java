/**
 * Shared state of a load-balancer cluster in etcd; see {@link io.nlb.cluster.ClusterNode} and
 * {@code docs/cluster.md}.
 */
@NullMarked
package io.nlb.cluster;

import org.jspecify.annotations.NullMarked;
