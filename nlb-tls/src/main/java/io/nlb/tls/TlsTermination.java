package io.nlb.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.nlb.common.Problems;
import io.nlb.core.AlpnPolicy;
import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Scheduler;
import io.nlb.core.ServerCertificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * TLS termination for one TLS listener: hands the transport a fresh channel handler per accepted
 * connection, and takes the listener's changes (certificates, policy, ALPN policy) while
 * connections run.
 *
 * <pre>{@code
 * TlsTermination tls = TlsTermination.builder(listenerConfig, TlsProvider.JDK)
 *     .negotiationListener(metrics)   // ClientTLSNegotiationErrorCount
 *     .accessLog(accessLog, "net/my-nlb/50dc6c495c0c9188", "listener/net/my-nlb/50dc6c495c0c9188/1")
 *     .build();
 * // in the transport's child initializer, first in the pipeline:
 * ch.pipeline().addFirst(tls.newHandler());
 * // later, from the control plane:
 * tls.replaceDefaultCertificate(renewed);  // new handshakes only
 * }</pre>
 *
 * <p>The handler reads the ClientHello, chooses the certificate ({@link CertificateSelector}),
 * then replaces itself with a Netty {@link SslHandler} configured from the listener's current
 * {@link TlsListenerState}: the policy's protocols and suites in server order, ALPN per the
 * listener's policy, no client authentication. It also refuses client-initiated renegotiation
 * (TLS 1.2 and older; TLS 1.3 has none), closes connections whose handshake does not finish within
 * the handshake timeout, and, when an access log is set, writes one entry when the connection
 * closes. After the handshake, application bytes flow as plain {@code ByteBuf}s to the handlers
 * after it; {@link #negotiatedAlpn(Channel)} and {@link #requestedServerName(Channel)} tell {@link
 * TlsOrigination} what to offer the target. A failed negotiation (see {@link
 * TlsNegotiationListener} for what counts) is reported once to the builder's listener and ends
 * inside the TLS handlers: the connection is closed and no exception reaches later handlers.
 *
 * <p>Thread-safety: {@link #newHandler()} may be called from any event loop; changes are
 * serialized and publish a new immutable {@link TlsListenerState} through one volatile reference
 * that each new connection reads once.
 *
 * @since 0.1
 */
public final class TlsTermination {
  /**
   * Set by the transport on the client channel once the target's ALPN protocol is known, for the
   * access log's {@code alpn_be_protocol}.
   */
  public static final AttributeKey<String> BACKEND_ALPN = AttributeKey.valueOf(TlsTermination.class, "backendAlpn");

  /** The default handshake timeout. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private volatile TlsListenerState state;
  /** As asked for: may be {@link TlsProvider#AUTO}, resolved again whenever the policy changes. */
  private final TlsProvider provider;
  private final @Nullable Consumer<TlsAccessLogEntry> accessLog;
  private final String elbId;
  private final String listenerId;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final TlsNegotiationListener negotiationListener;

  private TlsTermination(Builder b, TlsListenerState initial) {
    this.state = initial;
    this.provider = b.provider;
    this.accessLog = b.accessLog;
    this.elbId = b.elbId;
    this.listenerId = b.listenerId;
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
    this.negotiationListener = b.negotiationListener;
  }

  /**
   * {@return termination for a TLS listener as configured: its default certificate, certificate list,
   * security policy and ALPN policy} Certificates must be {@link TlsCertificate}s.
   *
   * @param listener the listener
   * @param provider the provider
   * @throws IllegalArgumentException if the listener is not TLS or a certificate has no key
   * @throws IllegalStateException if {@code provider} cannot serve the policy exactly
   */
  public static TlsTermination forListener(ListenerConfig listener, TlsProvider provider) {
    return builder(listener, provider).build();
  }

  /**
   * A builder starting from {@code listener}'s TLS settings.
   *
   * @param listener the listener
   * @param provider the provider
   * @return a new builder
   */
  public static Builder builder(ListenerConfig listener, TlsProvider provider) {
    if (listener.protocol() != Protocol.TLS) {
      throw Problems.invalid(listener.path() + ".protocol", listener.protocol().toString(), "TLS");
    }
    Builder b = new Builder(provider);
    b.defaultCertificate = tlsCertificate(listener.path() + ".certificate",
        listener.certificate().orElseThrow(() -> Problems.invalid(listener.path() + ".certificate", null, "a default certificate")));
    for (ServerCertificate c : listener.certificates()) {
      b.certificates.add(tlsCertificate(listener.path() + ".certificates", c));
    }
    b.policy = SecurityPolicy.named(listener.sslPolicy().orElse(SecurityPolicy.DEFAULT.name()));
    b.alpnPolicy = listener.alpnPolicy();
    return b;
  }

  /**
   * A builder with nothing set but the provider; {@link Builder#defaultCertificate} is required.
   *
   * @param provider the provider
   * @return a new builder
   */
  public static Builder builder(TlsProvider provider) {
    return new Builder(provider);
  }

  private static TlsCertificate tlsCertificate(String field, ServerCertificate c) {
    return c instanceof TlsCertificate t ? t : AdaptedCertificate.of(field + "[" + c.id() + "]", c);
  }


  /** {@return a new handler for one accepted connection; add it first in the child pipeline} */
  public ChannelHandler newHandler() {
    return new TlsServerHandler(this);
  }

  /** {@return the current snapshot} */
  public TlsListenerState state() {
    return state;
  }

  /**
   * Replaces the default certificate for new handshakes.
   *
   * @param certificate the certificate
   */
  public synchronized void replaceDefaultCertificate(TlsCertificate certificate) {
    TlsListenerState s = state;
    publish(TlsListenerState.build(s.policy(), s.alpnPolicy(), provider, certificate, s.certificates(), s.handshakeTimeout(), s));
  }

  /**
   * Adds certificates to the certificate list; ones already present (same id) are ignored.
   *
   * @param add the add
   */
  public synchronized void addCertificates(List<? extends TlsCertificate> add) {
    TlsListenerState s = state;
    List<TlsCertificate> list = new ArrayList<>(s.certificates());
    for (TlsCertificate c : add) {
      if (list.stream().noneMatch(x -> x.id().equals(c.id()))) {
        list.add(c);
      }
    }
    publish(TlsListenerState.build(s.policy(), s.alpnPolicy(), provider, s.defaultCertificate(), list, s.handshakeTimeout(), s));
  }

  /**
   * Removes certificates (by id) from the certificate list.
   *
   * @param remove the remove
   */
  public synchronized void removeCertificates(List<? extends ServerCertificate> remove) {
    TlsListenerState s = state;
    List<TlsCertificate> list = new ArrayList<>(s.certificates());
    for (ServerCertificate c : remove) {
      list.removeIf(x -> x.id().equals(c.id()));
    }
    publish(TlsListenerState.build(s.policy(), s.alpnPolicy(), provider, s.defaultCertificate(), list, s.handshakeTimeout(), s));
  }

  /**
   * Changes the security policy for new handshakes.
   *
   * @param policy the security policy
   * @throws IllegalStateException if the provider cannot serve it exactly; the old policy stays
   */
  public synchronized void policy(SecurityPolicy policy) {
    TlsListenerState s = state;
    publish(TlsListenerState.build(policy, s.alpnPolicy(), provider, s.defaultCertificate(), s.certificates(), s.handshakeTimeout(), s));
  }

  /**
   * Changes the ALPN policy for new handshakes.
   *
   * @param alpnPolicy the alpn policy
   */
  public synchronized void alpnPolicy(AlpnPolicy alpnPolicy) {
    TlsListenerState s = state;
    publish(TlsListenerState.build(s.policy(), alpnPolicy, provider, s.defaultCertificate(), s.certificates(), s.handshakeTimeout(), s));
  }

  /**
   * Applies a modified listener configuration (certificates, policy, ALPN policy) at once. The
   * server contexts of certificates that stay (same chain), under the same policy, ALPN policy and
   * provider, are kept, and with them their sessions and ticket keys, so clients keep resuming.
   *
   * @param listener the listener
   */
  public synchronized void update(ListenerConfig listener) {
    TlsListenerState s = state;
    Builder b = builder(listener, provider).handshakeTimeout(s.handshakeTimeout());
    publish(TlsListenerState.build(b.policy, b.alpnPolicy, provider, b.requireDefault(), b.certificates, s.handshakeTimeout(), s));
  }

  private void publish(TlsListenerState next) {
    state = next;
  }

  /**
   * {@return the ALPN protocol negotiated with the client on {@code channel}, or {@code null} (none, or
   * handshake not done)} Call on the channel's event loop.
   *
   * @param channel the channel
   */
  public static @Nullable String negotiatedAlpn(Channel channel) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return ssl == null ? null : ssl.applicationProtocol();
  }

  /**
   * {@return the SNI host name the client sent on {@code channel}, as received, or {@code null} (none sent,
   * ClientHello not read yet, or not a channel of a {@link TlsTermination})} Call on the channel's
   * event loop.
   *
   * @param channel the channel
   */
  public static @Nullable String requestedServerName(Channel channel) {
    TlsConnectionHandler c = channel.pipeline().get(TlsConnectionHandler.class);
    return c == null ? null : c.serverName();
  }

  @Nullable Consumer<TlsAccessLogEntry> accessLog() {
    return accessLog;
  }

  String elbId() {
    return elbId;
  }

  String listenerId() {
    return listenerId;
  }

  Clock clock() {
    return clock;
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  TlsNegotiationListener negotiationListener() {
    return negotiationListener;
  }

  /** Builds a {@link TlsTermination}. Not thread-safe. */
  public static final class Builder {
    private final TlsProvider provider;
    private @Nullable TlsCertificate defaultCertificate;
    private final List<TlsCertificate> certificates = new ArrayList<>();
    private SecurityPolicy policy = SecurityPolicy.DEFAULT;
    private AlpnPolicy alpnPolicy = AlpnPolicy.NONE;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private @Nullable Consumer<TlsAccessLogEntry> accessLog;
    private String elbId = "-";
    private String listenerId = "-";
    private Clock clock = Clock.systemUTC();
    private LongSupplier nanoTime = System::nanoTime;
    private TlsNegotiationListener negotiationListener = TlsNegotiationListener.NONE;

    Builder(TlsProvider provider) {
      this.provider = provider;
    }

    /**
     * The default certificate (required).
     *
     * @param certificate the default certificate (required)
     * @return this builder
     */
    public Builder defaultCertificate(TlsCertificate certificate) {
      this.defaultCertificate = certificate;
      return this;
    }

    /**
     * Adds a certificate to the SNI certificate list.
     *
     * @param certificate the certificate
     * @return this builder
     */
    public Builder addCertificate(TlsCertificate certificate) {
      certificates.add(certificate);
      return this;
    }

    /**
     * The security policy ({@link SecurityPolicy#DEFAULT} unless set).
     *
     * @param policy the security policy ({@link SecurityPolicy#DEFAULT} unless set)
     * @return this builder
     */
    public Builder policy(SecurityPolicy policy) {
      this.policy = policy;
      return this;
    }

    /**
     * The ALPN policy ({@code None} unless set).
     *
     * @param alpnPolicy the ALPN policy ({@code None} unless set)
     * @return this builder
     */
    public Builder alpnPolicy(AlpnPolicy alpnPolicy) {
      this.alpnPolicy = alpnPolicy;
      return this;
    }

    /**
     * How long a handshake may take from accept to finished (10 s unless set; positive).
     *
     * @param timeout how long a handshake may take from accept to finished (10 s unless set; positive)
     * @return this builder
     */
    public Builder handshakeTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw Problems.invalid("handshakeTimeout", timeout, "a positive duration");
      }
      this.handshakeTimeout = timeout;
      return this;
    }

    /**
     * Writes one entry per connection to {@code log}, naming the load balancer and listener by
     * their resource ids.
     *
     * @param log the log
     * @param elbId the elb id
     * @param listenerId the listener id
     * @return this builder
     */
    public Builder accessLog(Consumer<TlsAccessLogEntry> log, String elbId, String listenerId) {
      this.accessLog = log;
      this.elbId = elbId;
      this.listenerId = listenerId;
      return this;
    }

    /**
     * The clock for access-log times (system UTC unless set).
     *
     * @param clock the clock for access-log times (system UTC unless set)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Reads access-log times ({@link Scheduler#now()}) and durations, connection and handshake time
     * ({@link Scheduler#nanoTime()}), from {@code scheduler} instead of the system clocks; a {@link
     * io.nlb.core.ManualScheduler} makes them exact in tests. The handshake timeout stays on the
     * channel's event loop.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder timeSource(Scheduler scheduler) {
      this.clock = SchedulerClock.of(scheduler);
      this.nanoTime = scheduler::nanoTime;
      return this;
    }

    /**
     * Told of every failed client handshake, for {@code ClientTLSNegotiationErrorCount}
     * ({@link TlsNegotiationListener#NONE} unless set).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder negotiationListener(TlsNegotiationListener listener) {
      this.negotiationListener = listener;
      return this;
    }

    TlsCertificate requireDefault() {
      if (defaultCertificate == null) {
        throw Problems.invalid("defaultCertificate", null, "exactly one default certificate");
      }
      return defaultCertificate;
    }

    /**
     * Builds the termination.
     *
     * @return the new {@code TlsTermination}
     * @throws IllegalStateException if the provider cannot serve the policy exactly
     */
    public TlsTermination build() {
      TlsListenerState s = TlsListenerState.build(policy, alpnPolicy, provider, requireDefault(), certificates, handshakeTimeout);
      return new TlsTermination(this, s);
    }
  }
}
