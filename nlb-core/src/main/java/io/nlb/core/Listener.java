package io.nlb.core;

import java.util.ArrayList;
import java.util.List;

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
 *
 * @since 0.1
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

  /** The name a listener's derived id is drawn from: its load balancer, protocol and port. */
  static String identityName(String loadBalancer, ListenerConfig config) {
    return loadBalancer + "/" + config.protocol().name() + ":" + config.port();
  }

  /** {@return the load balancer} */
  public LoadBalancer loadBalancer() {
    return loadBalancer;
  }

  /** {@return the 16-hex-digit id} */
  public String id() {
    return id;
  }

  /** {@return the resource id {@code listener/net/<lb name>/<lb id>/<id>}} */
  public String resourceId() {
    return "listener/" + loadBalancer.resourceId() + "/" + id;
  }

  /** {@return the current configuration} */
  public ListenerConfig config() {
    return loadBalancer.nlb().control.call(() -> {
      return config;
    });
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
   * @param next the next
   * @throws NlbException as {@link LoadBalancer#createListener} does; nothing changes then
   */
  public void modify(ListenerConfig next) {
    loadBalancer.nlb().dispatch(Command.bindingProposing("ModifyListener",
        Command.join(Command.fields("listenerArn", resourceId()), Command.describeListener(next)), next.path(), () -> {
          checkLive();
          return loadBalancer.modifyListener(this, next);
        }));
  }

  /**
   * Adds certificates to the SNI certificate list of a TLS listener (add-listener-certificates);
   * new handshakes can use them at once, established connections are untouched. The default
   * certificate may be added, so that it takes part in SNI selection.
   *
   * @param certificates the certificates
   * @throws NlbException {@code ValidationError} for a non-TLS listener or a certificate already
   *     in the list, {@code TooManyCertificates} past the quota
   */
  public void addCertificates(ServerCertificate... certificates) {
    loadBalancer.nlb().dispatch(Command.bindingProposing("AddListenerCertificates",
        Command.fields("listenerArn", resourceId(), "certificates", Command.ids(certificates)), resourceId(), () -> {
        checkLive();
        requireTls("certificates");
        ListenerConfig.Builder b = config.toBuilder();
        for (ServerCertificate c : certificates) {
          b.addCertificate(c);
        }
        return loadBalancer.modifyListener(this, b.build());
      }));
  }

  /**
   * Removes certificates from the SNI certificate list (remove-listener-certificates). The default
   * certificate leaves the list if it was added to it, but stays the default; replace it with
   * {@link #modify}.
   *
   * @param certificates the certificates
   * @throws NlbException {@code CertificateNotFound} for a certificate not in the list, {@code
   *     OperationNotPermitted} for the default certificate when it is not in the list
   */
  public void removeCertificates(ServerCertificate... certificates) {
    loadBalancer.nlb().dispatch(Command.bindingProposing("RemoveListenerCertificates",
        Command.fields("listenerArn", resourceId(), "certificates", Command.ids(certificates)), resourceId(), () -> {
        checkLive();
        requireTls("certificates");
        List<ServerCertificate> remaining = new ArrayList<>(config.certificates());
        for (ServerCertificate c : certificates) {
          // The default certificate can be removed from the list when it was added to it; it
          // stays the default.
          if (remaining.removeIf(x -> x.id().equals(c.id()))) {
            continue;
          }
          if (config.certificate().map(d -> d.id().equals(c.id())).orElse(false)) {
            throw new NlbException(ErrorCode.OPERATION_NOT_PERMITTED, Check.message(config.path() + ".certificates", c.id(),
                "a certificate of the list; the default certificate is replaced with modify-listener, not removed"));
          }
          throw new NlbException(ErrorCode.CERTIFICATE_NOT_FOUND, Check.message(config.path() + ".certificates", c.id(),
              "a certificate in the listener's list"));
        }
        ListenerConfig.Builder b = config.toBuilder().clearCertificates();
        remaining.forEach(b::addCertificate);
        return loadBalancer.modifyListener(this, b.build());
      }));
  }

  private void requireTls(String field) {
    if (config.protocol() != Protocol.TLS) {
      throw new NlbException(ErrorCode.VALIDATION_ERROR, Check.message(config.path() + "." + field, config.protocol().name(),
          "a TLS listener"));
    }
  }

  /** Deletes the listener (delete-listener); its port is unbound on every node. */
  public void delete() {
    loadBalancer.nlb().dispatch(Command.binding("DeleteListener", Command.fields("listenerArn", resourceId()), resourceId(), () -> {
      if (deleted) {
        return Change.done(Boolean.TRUE);
      }
      checkLive();
      deleted = true;
      return loadBalancer.deleteListener(this);
    }));
  }

  /** Marks the listener deleted; a command. */
  void markDeleted() {
    deleted = true;
  }

  /** Takes {@link #markDeleted()} back (a failed apply). */
  void undelete() {
    deleted = false;
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
