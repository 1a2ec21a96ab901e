package io.nlb.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The routing of one listener in a snapshot, as a value: the listener's id and configuration, the
 * target group it forwards to (by name, with its protocol and attributes at publish time), and one
 * {@link NodeRoute} per enabled zone. It holds no live {@link Listener} or {@link TargetGroup}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param listenerId the listener's 16-hex-digit id ({@link Listener#id()})
 * @param listenerResourceId the listener's resource id ({@link Listener#resourceId()})
 * @param config the listener's configuration when the snapshot was built
 * @param targetGroup the name of the target group the default action forwards to
 * @param targetProtocol the group's protocol
 * @param groupAttributes the group's attributes when the snapshot was built (PROXY protocol,
 *     client IP, connection termination, ...)
 * @param nodes one route per enabled zone, in zone order (see {@link RoutingSnapshot#zones()})
 * @since 0.1
 */
public record ListenerRoute(String listenerId, String listenerResourceId, ListenerConfig config, String targetGroup,
    Protocol targetProtocol, TargetGroupAttributes groupAttributes, List<NodeRoute> nodes) {

  /**
   * Copies {@code nodes}.
   *
   * @param listenerId the listener's id
   * @param listenerResourceId the listener's resource id
   * @param config the listener's configuration
   * @param targetGroup the target group's name
   * @param targetProtocol the group's protocol
   * @param groupAttributes the group's attributes
   * @param nodes one route per enabled zone, in zone order
   */
  public ListenerRoute {
    nodes = List.copyOf(nodes);
  }

  /**
   * The route of the node with index {@code zoneIndex}.
   *
   * @param zoneIndex the zone's index in {@link RoutingSnapshot#zones()}
   * @return the node's route
   */
  public NodeRoute node(int zoneIndex) {
    return nodes.get(zoneIndex);
  }

  /**
   * The route of the node of {@code zone}.
   *
   * @param zone a zone name
   * @return the node's route, or null when the zone is not enabled
   */
  public @Nullable NodeRoute node(String zone) {
    for (int i = 0; i < nodes.size(); i++) {
      NodeRoute n = nodes.get(i);
      if (n.zone().equals(zone)) {
        return n;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return config.path() + " -> " + targetGroup + " " + nodes;
  }
}
