package io.nlb.core;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The routing of one listener in a snapshot: its configuration, the target group it forwards to,
 * and one {@link NodeRoute} per enabled zone.
 *
 * <p>Immutable and thread-safe.
 */
public final class ListenerRoute {
  private final Listener listener;
  private final ListenerConfig config;
  private final TargetGroup targetGroup;
  private final TargetGroupAttributes groupAttributes;
  private final NodeRoute[] nodes;

  ListenerRoute(Listener listener, ListenerConfig config, TargetGroup targetGroup, TargetGroupAttributes groupAttributes, NodeRoute[] nodes) {
    this.listener = listener;
    this.config = config;
    this.targetGroup = targetGroup;
    this.groupAttributes = groupAttributes;
    this.nodes = nodes;
  }

  /** {@return the listener} */
  public Listener listener() {
    return listener;
  }

  /** {@return the listener's configuration when the snapshot was built} */
  public ListenerConfig config() {
    return config;
  }

  /** {@return the target group the default action forwards to} */
  public TargetGroup targetGroup() {
    return targetGroup;
  }

  /** {@return the group's attributes when the snapshot was built (PROXY protocol, client IP, ...)} */
  public TargetGroupAttributes groupAttributes() {
    return groupAttributes;
  }

  /** {@return the group's protocol and port when the snapshot was built} */
  public Protocol targetProtocol() {
    return targetGroup.protocol();
  }

  /**
   * The route of the node with index {@code zoneIndex} (see {@link RoutingSnapshot#zones()}).
   *
   * @param zoneIndex the zone's index in the snapshot
   * @return the node's route
   */
  public NodeRoute node(int zoneIndex) {
    return nodes[zoneIndex];
  }

  /**
   * The route of the node of {@code zone}.
   *
   * @param zone a zone name
   * @return the node's route, or null when the zone is not enabled
   */
  public @Nullable NodeRoute node(String zone) {
    for (NodeRoute n : nodes) {
      if (n.zone().equals(zone)) {
        return n;
      }
    }
    return null;
  }

  /** {@return every node's route, in zone order} */
  public List<NodeRoute> nodes() {
    return List.of(nodes);
  }

  @Override
  public String toString() {
    return config.path() + " -> " + targetGroup.name() + " " + Arrays.toString(nodes);
  }
}
