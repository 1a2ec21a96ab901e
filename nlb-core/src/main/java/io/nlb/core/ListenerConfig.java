package io.nlb.core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a listener: protocol and port, the target group its default action
 * forwards to, attributes, and for TLS listeners the default certificate, the certificate list,
 * the security policy and the ALPN policy.
 *
 * <pre>{@code
 * ListenerConfig tcp = ListenerConfig.builder(Protocol.TCP, 80).forwardTo("web").build();
 * ListenerConfig tls = ListenerConfig.builder(Protocol.TLS, 443)
 *     .forwardTo("web")
 *     .certificate(defaultCert)
 *     .sslPolicy(SecurityPolicies.RECOMMENDED)
 *     .alpnPolicy(AlpnPolicy.HTTP2_PREFERRED)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ListenerConfig {
  private static final Pattern VPC_ENDPOINT_ID = Pattern.compile("vpce-[0-9a-f]{8,17}");

  private final Protocol protocol;
  private final int port;
  private final String targetGroup;
  private final ListenerAttributes attributes;
  private final @Nullable ServerCertificate certificate;
  private final List<ServerCertificate> certificates;
  private final @Nullable String sslPolicy;
  private final AlpnPolicy alpnPolicy;
  private final @Nullable String vpcEndpointId;

  private ListenerConfig(Builder b, String targetGroup, @Nullable String sslPolicy) {
    protocol = b.protocol;
    port = b.port;
    this.targetGroup = targetGroup;
    attributes = b.attributes.build();
    certificate = b.certificate;
    certificates = List.copyOf(b.certificates);
    this.sslPolicy = sslPolicy;
    alpnPolicy = b.alpnPolicy;
    vpcEndpointId = b.vpcEndpointId;
  }

  /**
   * Starts a listener for {@code protocol} on {@code port} (1-65535).
   *
   * @param protocol the protocol
   * @param port the port (1-65535)
   * @return a new builder
   */
  public static Builder builder(Protocol protocol, int port) {
    return new Builder(protocol, port);
  }

  /**
   * A builder holding this configuration, for a modification.
   *
   * @return a new builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder(protocol, port);
    b.targetGroup = targetGroup;
    b.attributes = attributes.toBuilder();
    b.certificate = certificate;
    b.certificates.addAll(certificates);
    b.sslPolicy = sslPolicy;
    b.alpnPolicy = alpnPolicy;
    b.vpcEndpointId = vpcEndpointId;
    return b;
  }

  /** {@return the protocol clients speak} */
  public Protocol protocol() {
    return protocol;
  }

  /** {@return the port} */
  public int port() {
    return port;
  }

  /** {@return the name of the target group the default action forwards to} */
  public String targetGroup() {
    return targetGroup;
  }

  /** {@return the attributes} */
  public ListenerAttributes attributes() {
    return attributes;
  }

  /** {@return the default certificate (TLS listeners only)} */
  public java.util.Optional<ServerCertificate> certificate() {
    return java.util.Optional.ofNullable(certificate);
  }

  /**
   * The certificate list for SNI. It may also hold the default certificate, which then takes part
   * in SNI selection like the others.
   *
   * @return the certificates, in the order they were added
   */
  public List<ServerCertificate> certificates() {
    return certificates;
  }

  /** {@return the security policy (TLS listeners only)} */
  public java.util.Optional<String> sslPolicy() {
    return java.util.Optional.ofNullable(sslPolicy);
  }

  /** {@return the ALPN policy ({@code None} unless set; TLS listeners only)} */
  public AlpnPolicy alpnPolicy() {
    return alpnPolicy;
  }

  /** {@return the VPC endpoint clients reach this listener through, carried in PROXY v2 headers} */
  public java.util.Optional<String> vpcEndpointId() {
    return java.util.Optional.ofNullable(vpcEndpointId);
  }

  /** {@return {@code listener[TCP:80]}: how problems name this listener} */
  public String path() {
    return "listener[" + protocol + ":" + port + "]";
  }

  /** Certificates counted against the quota: the default one plus the list, each certificate once. */
  int certificateCount() {
    int n = certificates.size();
    if (certificate != null && certificates.stream().noneMatch(c -> c.id().equals(certificate.id()))) {
      n++;
    }
    return n;
  }

  @Override
  public String toString() {
    return "ListenerConfig{" + protocol + ":" + port + " -> " + targetGroup + " " + attributes
        + (protocol == Protocol.TLS ? " policy=" + sslPolicy + " alpn=" + alpnPolicy + " certificates=" + certificateCount() : "")
        + (vpcEndpointId == null ? "" : " vpce=" + vpcEndpointId) + "}";
  }

  /**
   * Builds a {@link ListenerConfig}. {@link #build()} reports every problem at once. Not
   * thread-safe.
   */
  public static final class Builder {
    private Protocol protocol;
    private int port;
    private @Nullable String targetGroup;
    private ListenerAttributes.Builder attributes = ListenerAttributes.builder();
    private @Nullable ServerCertificate certificate;
    private final List<ServerCertificate> certificates = new ArrayList<>();
    private @Nullable String sslPolicy;
    private AlpnPolicy alpnPolicy = AlpnPolicy.NONE;
    private @Nullable String vpcEndpointId;

    Builder(Protocol protocol, int port) {
      this.protocol = protocol;
      this.port = Check.range("listener.port", port, 1, 65535);
    }

    /**
     * Changes the protocol (for a modification). Changing a TLS listener to another protocol drops
     * its certificates, security policy and ALPN policy, as the API does; changing to TLS needs a
     * certificate (the policy defaults to {@link SecurityPolicies#DEFAULT}).
     *
     * @param protocol the protocol
     * @return this builder
     */
    public Builder protocol(Protocol protocol) {
      if (this.protocol == Protocol.TLS && protocol != Protocol.TLS) {
        certificate = null;
        certificates.clear();
        sslPolicy = null;
        alpnPolicy = AlpnPolicy.NONE;
      }
      this.protocol = protocol;
      return this;
    }

    /**
     * Changes the port, 1-65535 (for a modification).
     *
     * @param port the port (1-65535)
     * @return this builder
     */
    public Builder port(int port) {
      this.port = Check.range("listener.port", port, 1, 65535);
      return this;
    }

    /**
     * Forwards to the target group named {@code name}.
     *
     * @param name the name
     * @return this builder
     */
    public Builder forwardTo(String name) {
      this.targetGroup = Names.targetGroup(name);
      return this;
    }

    /**
     * Forwards to {@code group}.
     *
     * @param group the target group
     * @return this builder
     */
    public Builder forwardTo(TargetGroup group) {
      return forwardTo(group.name());
    }

    /**
     * Replaces the attributes.
     *
     * @param attributes the attributes
     * @return this builder
     */
    public Builder attributes(ListenerAttributes attributes) {
      this.attributes = attributes.toBuilder();
      return this;
    }

    /**
     * Sets one attribute by key; checked at once.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     */
    public Builder attribute(String key, String value) {
      attributes.set(key, value);
      return this;
    }

    /**
     * The default certificate of a TLS listener.
     *
     * @param certificate the default certificate of a TLS listener
     * @return this builder
     */
    public Builder certificate(ServerCertificate certificate) {
      this.certificate = certificate;
      return this;
    }

    /**
     * Adds a certificate to the SNI certificate list of a TLS listener; the default certificate
     * may be added too, so that it takes part in SNI selection.
     *
     * @param certificate the certificate
     * @return this builder
     */
    public Builder addCertificate(ServerCertificate certificate) {
      this.certificates.add(certificate);
      return this;
    }

    /**
     * Empties the SNI certificate list (the default certificate stays).
     *
     * @return this builder
     */
    public Builder clearCertificates() {
      this.certificates.clear();
      return this;
    }

    /**
     * The security policy of a TLS listener; one of {@link SecurityPolicies#NAMES}.
     *
     * @param name the security policy of a TLS listener; one of {@link SecurityPolicies#NAMES}
     * @return this builder
     */
    public Builder sslPolicy(String name) {
      if (!SecurityPolicies.isKnown(name)) {
        throw Check.invalid("listener.sslPolicy", name, "one of " + SecurityPolicies.NAMES);
      }
      this.sslPolicy = name;
      return this;
    }

    /**
     * The ALPN policy of a TLS listener.
     *
     * @param policy the ALPN policy of a TLS listener
     * @return this builder
     */
    public Builder alpnPolicy(AlpnPolicy policy) {
      this.alpnPolicy = policy;
      return this;
    }

    /**
     * Marks the listener as reached through a VPC endpoint ({@code vpce-} and 8 or 17 hex digits).
     *
     * @param id the identifier
     * @return this builder
     */
    public Builder vpcEndpointId(String id) {
      if (!VPC_ENDPOINT_ID.matcher(id).matches()) {
        throw Check.invalid("listener.vpcEndpointId", id, "vpce- followed by 8 or 17 lower-case hex digits");
      }
      this.vpcEndpointId = id;
      return this;
    }

    /**
     * Builds the listener configuration. A TLS listener without a policy gets {@link
     * SecurityPolicies#DEFAULT}.
     *
     * @return the new {@code ListenerConfig}
     * @throws NlbException with {@link ErrorCode#VALIDATION_ERROR}, listing every problem
     */
    public ListenerConfig build() {
      String path = "listener[" + protocol + ":" + port + "]";
      List<String> problems = new ArrayList<>();
      if (targetGroup == null) {
        problems.add(Check.message(path + ".defaultAction", null, "a target group to forward to"));
      }
      String policy = sslPolicy;
      if (protocol == Protocol.TLS) {
        if (certificate == null) {
          problems.add(Check.message(path + ".certificate", null, "exactly one default certificate for a TLS listener"));
        }
        // The default certificate may also be in the list (guide, "Add certificates to the
        // certificate list"): then it takes part in SNI selection. The list holds each one once.
        List<String> ids = new ArrayList<>();
        for (ServerCertificate c : certificates) {
          if (ids.contains(c.id())) {
            problems.add(Check.message(path + ".certificates", c.id(), "each certificate once"));
          }
          ids.add(c.id());
        }
        if (policy == null) {
          policy = SecurityPolicies.DEFAULT;
        }
      } else {
        if (certificate != null || !certificates.isEmpty()) {
          problems.add(Check.message(path + ".certificate", certificate == null ? certificates.get(0).id() : certificate.id(),
              "no certificates; only TLS listeners take them"));
        }
        if (sslPolicy != null) {
          problems.add(Check.message(path + ".sslPolicy", sslPolicy, "no policy; only TLS listeners take one"));
        }
        if (alpnPolicy != AlpnPolicy.NONE) {
          problems.add(Check.message(path + ".alpnPolicy", alpnPolicy.apiName(), "None; only TLS listeners negotiate ALPN"));
        }
      }
      if (!problems.isEmpty() || targetGroup == null) {
        throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
      }
      return new ListenerConfig(this, targetGroup, policy);
    }
  }
}
