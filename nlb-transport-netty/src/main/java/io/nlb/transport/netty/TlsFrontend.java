package io.nlb.transport.netty;

import io.nlb.core.ListenerConfig;
import io.nlb.tls.SecurityPolicy;
import io.nlb.tls.TlsOrigination;
import io.nlb.tls.TlsTermination;
import org.jspecify.annotations.Nullable;

/**
 * What the transport keeps for one TLS listener of one load balancer: its {@link TlsTermination}
 * (created when the listener appears, updated in place when its configuration changes, dropped
 * when it goes) and, when it forwards to a TLS target group, the {@link TlsOrigination} built for
 * its security policy.
 *
 * <p>{@link #config} and {@link #originationPolicy} are used by the control plane only (under the
 * {@link LbState} monitor); event loops read {@link #termination} (itself thread-safe) and the
 * volatile {@link #origination}.
 */
final class TlsFrontend {
  /** The listener's id. */
  final String listenerId;
  final TlsTermination termination;
  /** The configuration {@link #termination} was last built or updated from. */
  ListenerConfig config;
  /** The listener policy {@link #origination} was built for. */
  @Nullable SecurityPolicy originationPolicy;
  /** Non-null while the listener forwards to a TLS target group. */
  volatile @Nullable TlsOrigination origination;

  TlsFrontend(String listenerId, TlsTermination termination, ListenerConfig config) {
    this.listenerId = listenerId;
    this.termination = termination;
    this.config = config;
  }

  @Override
  public String toString() {
    return config.path();
  }
}
