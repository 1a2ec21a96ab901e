package io.nlb.core;

/**
 * A listener of a load balancer: a protocol and port on every node, forwarding to one target
 * group. Obtained from {@link LoadBalancer#createListener} or {@link LoadBalancer#listeners()}.
 *
 * <pre>{@code
 * Listener l = lb.createListener(ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build());
 * l.modify(l.config().toBuilder().forwardTo("web-v2").build());   // existing flows stay put
 * l.delete();
 * }</pre>
 *
 * <p>Thread-safe: operations are serialized on the control plane.
 */
public final class Listener {
  private final LoadBalancer loadBalancer;
  private final String id;
  private ListenerConfig config;
  private boolean deleted;

  Listener(LoadBalancer loadBalancer, ListenerConfig config, String id) {
    this.loadBalancer = loadBalancer;
    this.config = config;
    this.id = id;
  }

  /** The load balancer. */
  public LoadBalancer loadBalancer() {
    return loadBalancer;
  }

  /** The 16-hex-digit id. */
  public String id() {
    return id;
  }

  /** The resource id {@code listener/net/<lb name>/<lb id>/<id>}. */
  public String resourceId() {
    return "listener/" + loadBalancer.resourceId() + "/" + id;
  }

  /** The current configuration. */
  public ListenerConfig config() {
    synchronized (loadBalancer.nlb().lock) {
      return config;
    }
  }

  ListenerConfig configUnlocked() {
    return config;
  }

  void config(ListenerConfig c) {
    config = c;
  }

  /**
   * Replaces the configuration (modify-listener): port, protocol, default action, attributes, TLS
   * settings. Changing the target group leaves existing flows where they are; they are neither
   * drained nor closed.
   *
   * @throws NlbException as {@link LoadBalancer#createListener} does; nothing changes then
   */
  public void modify(ListenerConfig next) {
    synchronized (loadBalancer.nlb().lock) {
      checkLive();
      loadBalancer.modifyListener(this, next);
    }
  }

  /** Deletes the listener (delete-listener); its port is unbound on every node. */
  public void delete() {
    synchronized (loadBalancer.nlb().lock) {
      if (deleted) {
        return;
      }
      checkLive();
      loadBalancer.deleteListener(this);
      deleted = true;
    }
  }

  private void checkLive() {
    if (deleted) {
      throw new NlbException(ErrorCode.LISTENER_NOT_FOUND, Check.message("listener", config.path(), "a listener that has not been deleted"));
    }
  }

  @Override
  public String toString() {
    return "Listener{" + config.path() + " of " + loadBalancer.name() + " -> " + config.targetGroup() + "}";
  }
}
