package io.nlb.core;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * The answer of the what-if API ({@link LoadBalancer#whatIf}): which target a flow would reach
 * from a given node, or why none.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class RouteDecision {
  /** What happened to the flow. */
  public enum Outcome {
    /** Routed to a healthy target. */
    ROUTED,
    /** Routed while the node fails open (routing failover): the target may be unhealthy. */
    ROUTED_FAIL_OPEN,
    /** No listener takes the flow's protocol and destination port: the traffic is dropped. */
    NO_LISTENER,
    /** The zone is not enabled: there is no such node. */
    NO_NODE,
    /** The node has no target in scope: a TCP client would be reset. */
    NO_TARGET
  }

  private final Outcome outcome;
  private final @Nullable RouteTarget target;
  private final @Nullable InetSocketAddress address;
  private final long flowHash;
  private final String explanation;

  RouteDecision(Outcome outcome, @Nullable RouteTarget target, @Nullable InetSocketAddress address, long flowHash, String explanation) {
    this.outcome = outcome;
    this.target = target;
    this.address = address;
    this.flowHash = flowHash;
    this.explanation = explanation;
  }

  /** {@return what happened} */
  public Outcome outcome() {
    return outcome;
  }

  /** {@return whether a target was chosen} */
  public boolean routed() {
    return target != null;
  }

  /** {@return the chosen target} */
  public java.util.Optional<RouteTarget> target() {
    return java.util.Optional.ofNullable(target);
  }

  /** {@return the address the flow would connect to} */
  public java.util.Optional<InetSocketAddress> address() {
    return java.util.Optional.ofNullable(address);
  }

  /** {@return the hash the decision was made with (the source hash when the group is sticky)} */
  public long flowHash() {
    return flowHash;
  }

  /** {@return a sentence saying why} */
  public String explanation() {
    return explanation;
  }

  @Override
  public String toString() {
    return outcome + (target == null ? "" : " -> " + target) + ": " + explanation;
  }
}
