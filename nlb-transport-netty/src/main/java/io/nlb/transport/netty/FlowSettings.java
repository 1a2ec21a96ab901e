package io.nlb.transport.netty;

import io.nlb.core.ListenerRoute;
import org.jspecify.annotations.Nullable;

/**
 * What a new TCP flow needs from its listener's route besides the target: the idle timeout, the
 * PROXY v2 choices and whether the client's address is preserved, read once per route rather than
 * once per connection. The core keeps attributes as validated strings looked up by name; reading
 * four of them for every accepted connection cost a list walk with an iterator, a map lookup and a
 * parse each, and a {@code Duration}.
 *
 * <p>Immutable (final fields, so safely published through {@link Endpoint#flowSettings}, a plain
 * field that event loops may race on: the loser computes the same value once more).
 */
final class FlowSettings {
  /** The route these values were read from; compared by identity (a route value never changes). */
  final ListenerRoute route;
  final long idleNanos;
  final boolean proxyProtocolV2;
  final boolean proxyProtocolV2TlsTlvs;
  final @Nullable String vpcEndpointId;
  final boolean preserveClientIp;

  private FlowSettings(ListenerRoute route, long idleNanos) {
    this.route = route;
    this.idleNanos = idleNanos;
    this.proxyProtocolV2 = route.groupAttributes().proxyProtocolV2();
    this.proxyProtocolV2TlsTlvs = proxyProtocolV2 && route.groupAttributes().proxyProtocolV2TlsTlvs();
    this.vpcEndpointId = proxyProtocolV2 ? route.config().vpcEndpointId().orElse(null) : null;
    this.preserveClientIp = route.groupAttributes().preserveClientIp();
  }

  /** The settings of {@code route} for flows of {@code ep}: the cached ones while the route is the same. */
  static FlowSettings of(Endpoint ep, ListenerRoute route) {
    FlowSettings s = ep.flowSettings;
    if (s == null || s.route != route) {
      s = new FlowSettings(route, ep.transport.tcpIdleNanos(route));
      ep.flowSettings = s;
    }
    return s;
  }
}
