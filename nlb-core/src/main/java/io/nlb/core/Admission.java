package io.nlb.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The admission checks of one {@link Nlb}: whether a listener configuration fits its load
 * balancer (duplicates, protocol compatibility with its target group, associations). The quotas
 * are not checked here but by the {@link QuotaGate}, on the proposal these checks return. Each
 * refusal is an {@link NlbException} naming the path, the value and what is allowed.
 *
 * <p>Not thread-safe: called from control-plane commands only.
 */
final class Admission {
  private final Nlb nlb;

  Admission(Nlb nlb) {
    this.nlb = nlb;
  }

  /**
   * Checks that {@code config} may become {@code listener}'s configuration on {@code lb}: every
   * rule but the quotas, which the {@link QuotaGate} checks on the returned proposal.
   *
   * @return the proposal: {@code config} beside the load balancer's other listeners
   */
  QuotaGate.ListenerChange checkListener(LoadBalancer lb, Listener listener, ListenerConfig config) {
    String path = config.path();
    List<String> duplicate = new ArrayList<>();
    List<String> incompatible = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<Listener> all = new ArrayList<>(lb.listenersMutable());
    all.remove(listener);
    for (Listener o : all) {
      if (LoadBalancerConfig.clash(o.configUnlocked(), config)) {
        duplicate.add(Check.message(path, config.protocol() + ":" + config.port(),
            "a port not used by " + o.configUnlocked().path() + " for the same transport protocol"));
      }
    }
    if (!duplicate.isEmpty()) {
      throw new NlbException(ErrorCode.DUPLICATE_LISTENER, duplicate);
    }
    List<String> unsupported = new ArrayList<>();
    LoadBalancerConfig.checkListenerFits(config, lb.ipAddressTypeUnlocked(), unsupported);
    if (!unsupported.isEmpty()) {
      throw new NlbException(ErrorCode.UNSUPPORTED_PROTOCOL, unsupported);
    }
    TargetGroup tg = nlb.registry.requireTargetGroup(path + ".defaultAction.targetGroup", config.targetGroup());
    LoadBalancerConfig.checkGroupFits(config, tg.protocol(), lb.ipAddressTypeUnlocked(), unsupported);
    if (!unsupported.isEmpty()) {
      throw new NlbException(ErrorCode.UNSUPPORTED_PROTOCOL, unsupported);
    }
    LoadBalancer owner = nlb.registry.loadBalancerOf(tg);
    if (owner != null && owner != lb) {
      throw new NlbException(ErrorCode.TARGET_GROUP_ASSOCIATION_LIMIT, Check.message(path + ".defaultAction.targetGroup",
          tg.name(), "a target group not used by another load balancer (used by " + owner.name() + ")"));
    }
    checkCompatible(path, config.protocol(), tg, incompatible);
    if (!incompatible.isEmpty()) {
      throw new NlbException(ErrorCode.INCOMPATIBLE_PROTOCOLS, incompatible);
    }
    if (tg.ipAddressType() == IpAddressType.IPV6 && lb.ipAddressTypeUnlocked() != IpAddressType.DUALSTACK) {
      problems.add(Check.message(path + ".defaultAction.targetGroup", tg.name(), "an ipv4 target group; ipv6 groups need a dualstack load balancer"));
    }
    if (config.protocol() == Protocol.TLS && tg.attributesUnlocked().stickiness()) {
      problems.add(Check.message(path + ".defaultAction.targetGroup", tg.name(),
          "a group without stickiness; sticky sessions are not supported with TLS listeners"));
    }
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.INVALID_CONFIGURATION_REQUEST, problems);
    }
    // Cross-zone load balancing and zonal shift exclude each other (startZonalShift and both
    // modifyAttributes refuse it); attaching a group that turns cross-zone on must too.
    ZonalShift shift = lb.zonalShiftUnlocked();
    if (shift != null && tg.attributesUnlocked().crossZone() == CrossZone.ENABLED) {
      throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message(path + ".defaultAction.targetGroup", tg.name(),
          "a group without " + TargetGroupAttributes.CROSS_ZONE + " true while a zonal shift is active (away from " + shift.zone() + ")"));
    }
    return new QuotaGate.ListenerChange(lb, config, all);
  }

  /** The documented table of listener protocol x target group protocol x target type. */
  static void checkCompatible(String path, Protocol listener, TargetGroup tg, List<String> problems) {
    Protocol g = tg.protocol();
    TargetType type = tg.targetType();
    boolean ok;
    String expected;
    switch (listener) {
      case TCP:
        ok = type == TargetType.ALB ? g == Protocol.TCP : (g == Protocol.TCP || g == Protocol.TCP_UDP);
        expected = "a TCP or TCP_UDP group (TCP for alb groups)";
        break;
      case TLS:
        ok = type != TargetType.ALB && (g == Protocol.TCP || g == Protocol.TLS);
        expected = "a TCP or TLS group of instance or ip targets";
        break;
      case UDP:
        ok = type != TargetType.ALB && (g == Protocol.UDP || g == Protocol.TCP_UDP);
        expected = "a UDP or TCP_UDP group of instance or ip targets";
        break;
      default:
        ok = type != TargetType.ALB && g == Protocol.TCP_UDP;
        expected = "a TCP_UDP group of instance or ip targets";
        break;
    }
    if (!ok) {
      problems.add(Check.message(path + ".defaultAction.targetGroup", tg.name() + " (" + g + ", " + type + ")",
          expected + " for a " + listener + " listener"));
    }
  }
}
