package io.nlb.transport.netty;

import io.nlb.core.ListenerConfig;
import io.nlb.core.ListenerRoute;
import io.nlb.core.Protocol;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.ServerCertificate;
import io.nlb.tls.PolicySupport;
import io.nlb.tls.SecurityPolicy;
import io.nlb.tls.TlsOrigination;
import io.nlb.tls.TlsProvider;
import io.nlb.tls.TlsTermination;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans the TLS side of an apply: which {@link TlsFrontend} each TLS listener of the next snapshot
 * gets (a new {@link TlsTermination} for a new listener, the current one updated in place for a
 * changed one) and the {@link TlsOrigination} of listeners that forward to a TLS target group.
 * Everything that can be refused is checked before anything changes, so a refused plan leaves the
 * running listeners as they were.
 *
 * <p>Immutable; called by the control plane under the {@link LbState} monitor.
 */
final class TlsPlanner {
  private final TlsProvider provider;
  private final Duration handshakeTimeout;

  TlsPlanner(TlsProvider provider, Duration handshakeTimeout) {
    this.provider = provider;
    this.handshakeTimeout = handshakeTimeout;
  }

  /**
   * The TLS listeners {@code next} wants: a new {@link TlsTermination} for each new one; for each
   * changed one, a commit step that updates its termination in place (new handshakes only). Checks
   * everything that could make a commit step fail: the policy must be served exactly by the
   * provider (never a different policy in silence) and every certificate must carry its key.
   *
   * @throws IllegalStateException naming the listener and the setting that would fix it
   */
  Map<String, TlsFrontend> plan(LbState st, RoutingSnapshot next, List<Runnable> commit) {
    Map<String, TlsFrontend> out = new HashMap<>();
    for (ListenerRoute r : next.listeners()) {
      ListenerConfig c = r.config();
      if (c.protocol() != Protocol.TLS) {
        continue;
      }
      SecurityPolicy policy;
      TlsOrigination origination = null;
      TlsFrontend cur = st.tls.get(r.listenerId());
      try {
        policy = SecurityPolicy.named(c.sslPolicy().orElse(SecurityPolicy.DEFAULT.name()));
        PolicySupport.check(policy, provider).requireExact();
        for (ServerCertificate sc : c.certificate().map(List::of).orElse(List.of())) {
          requireKey(c, sc);
        }
        for (ServerCertificate sc : c.certificates()) {
          requireKey(c, sc);
        }
        if (r.targetProtocol() == Protocol.TLS) {
          TlsOrigination o = cur == null ? null : cur.origination;
          origination = o != null && cur != null && cur.originationPolicy == policy ? o
              : TlsOrigination.forListener(policy, provider, TlsErrors.LISTENER);
        }
      } catch (RuntimeException e) {
        throw new IllegalStateException(c.path() + ": " + e.getMessage(), e);
      }
      TlsFrontend fe;
      if (cur == null) {
        TlsTermination t;
        try {
          t = TlsTermination.builder(c, provider)
              .negotiationListener(TlsErrors.LISTENER)
              .handshakeTimeout(handshakeTimeout)
              .accessLog(st.accessLogWriter, st.lb.resourceId(), r.listenerResourceId())
              .timeSource(st.lb.nlb().scheduler())
              .build();
        } catch (RuntimeException e) {
          throw new IllegalStateException(c.path() + ": " + e.getMessage(), e);
        }
        fe = new TlsFrontend(r.listenerId(), t, c);
      } else {
        fe = cur;
        if (cur.config != c) {
          commit.add(() -> {
            cur.termination.update(c);
            cur.config = c;
          });
        }
      }
      TlsOrigination o = origination;
      SecurityPolicy p = policy;
      commit.add(() -> {
        fe.origination = o;
        fe.originationPolicy = o == null ? null : p;
      });
      out.put(r.listenerId(), fe);
    }
    return out;
  }

  private static void requireKey(ListenerConfig c, ServerCertificate sc) {
    if (sc.chain().isEmpty()) {
      throw new IllegalArgumentException("certificate " + sc.id() + ".chain: [] (expected: the certificate chain, leaf first, with its private key)");
    }
  }


  /** The TLS listeners of {@code next} by port, for the endpoints (read once per accepted connection). */
  static Map<Integer, TlsFrontend> byPort(RoutingSnapshot next, Map<String, TlsFrontend> tls) {
    Map<Integer, TlsFrontend> out = new HashMap<>();
    for (ListenerRoute r : next.listeners()) {
      TlsFrontend fe = tls.get(r.listenerId());
      if (fe != null) {
        out.put(r.config().port(), fe);
      }
    }
    return out;
  }
}
