package io.nlb.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The attributes of a target group, under the elbv2 keys with their documented ranges and
 * defaults.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code deregistration_delay.timeout_seconds}</td><td>0-3600</td><td>300</td></tr>
 *   <tr><td>{@code deregistration_delay.connection_termination.enabled}</td><td>true, false</td><td>false</td></tr>
 *   <tr><td>{@code load_balancing.cross_zone.enabled}</td><td>true, false, use_load_balancer_configuration</td><td>use_load_balancer_configuration</td></tr>
 *   <tr><td>{@code preserve_client_ip.enabled}</td><td>true, false (always true for UDP and TCP_UDP)</td><td>false for ip targets over TCP or TLS, true otherwise</td></tr>
 *   <tr><td>{@code proxy_protocol_v2.enabled}</td><td>true, false</td><td>false</td></tr>
 *   <tr><td>{@code proxy_protocol_v2.tls_tlvs.enabled} (library extension)</td><td>true, false</td><td>false</td></tr>
 *   <tr><td>{@code stickiness.enabled}</td><td>true, false (not with TLS)</td><td>false</td></tr>
 *   <tr><td>{@code stickiness.type}</td><td>source_ip</td><td>source_ip</td></tr>
 *   <tr><td>{@code target_group_health.dns_failover.minimum_healthy_targets.count}</td><td>off, 1-max targets</td><td>off</td></tr>
 *   <tr><td>{@code target_group_health.dns_failover.minimum_healthy_targets.percentage}</td><td>off, 1-100</td><td>off</td></tr>
 *   <tr><td>{@code target_group_health.unhealthy_state_routing.minimum_healthy_targets.count}</td><td>1-max targets</td><td>1</td></tr>
 *   <tr><td>{@code target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage}</td><td>off, 1-100</td><td>off</td></tr>
 * </table>
 *
 * <p>When both a DNS-failover and a routing-failover threshold of the same kind are set, the DNS
 * one must be at least the routing one, so that DNS failover happens with or before routing
 * failover.
 *
 * <pre>{@code
 * TargetGroupAttributes a = TargetGroupAttributes.builder()
 *     .deregistrationDelay(Duration.ofSeconds(30))
 *     .set("stickiness.enabled", "true")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class TargetGroupAttributes extends AttributeValues {
  /** {@code deregistration_delay.timeout_seconds}. */
  public static final String DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds";
  /** {@code deregistration_delay.connection_termination.enabled}. */
  public static final String CONNECTION_TERMINATION = "deregistration_delay.connection_termination.enabled";
  /** {@code load_balancing.cross_zone.enabled}. */
  public static final String CROSS_ZONE = "load_balancing.cross_zone.enabled";
  /** {@code preserve_client_ip.enabled}. */
  public static final String PRESERVE_CLIENT_IP = "preserve_client_ip.enabled";
  /** {@code proxy_protocol_v2.enabled}. */
  public static final String PROXY_PROTOCOL_V2 = "proxy_protocol_v2.enabled";
  /**
   * {@code proxy_protocol_v2.tls_tlvs.enabled}: a library extension (not a key of the cloud API).
   * With PROXY protocol on and a TLS listener, the header also carries the ALPN protocol and the
   * server name (AUTHORITY) negotiated with the client and an SSL TLV with the TLS version and
   * cipher. Default {@code false}.
   */
  public static final String PROXY_PROTOCOL_V2_TLS_TLVS = "proxy_protocol_v2.tls_tlvs.enabled";
  /** {@code stickiness.enabled}. */
  public static final String STICKINESS = "stickiness.enabled";
  /** {@code stickiness.type}. */
  public static final String STICKINESS_TYPE = "stickiness.type";
  /** {@code target_group_health.dns_failover.minimum_healthy_targets.count}. */
  public static final String DNS_FAILOVER_COUNT = "target_group_health.dns_failover.minimum_healthy_targets.count";
  /** {@code target_group_health.dns_failover.minimum_healthy_targets.percentage}. */
  public static final String DNS_FAILOVER_PERCENTAGE = "target_group_health.dns_failover.minimum_healthy_targets.percentage";
  /** {@code target_group_health.unhealthy_state_routing.minimum_healthy_targets.count}. */
  public static final String ROUTING_FAILOVER_COUNT = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count";
  /** {@code target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage}. */
  public static final String ROUTING_FAILOVER_PERCENTAGE = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage";

  static final List<AttributeSpec> SPECS = List.of(
      AttributeSpec.integer(DEREGISTRATION_DELAY, 0, 3600, "300"),
      AttributeSpec.bool(CONNECTION_TERMINATION, "false"),
      AttributeSpec.choice(CROSS_ZONE, "use_load_balancer_configuration", "true", "false", "use_load_balancer_configuration"),
      AttributeSpec.bool(PRESERVE_CLIENT_IP, null),
      AttributeSpec.bool(PROXY_PROTOCOL_V2, "false"),
      AttributeSpec.bool(PROXY_PROTOCOL_V2_TLS_TLVS, "false"),
      AttributeSpec.bool(STICKINESS, "false"),
      AttributeSpec.choice(STICKINESS_TYPE, "source_ip", "source_ip"),
      AttributeSpec.integerOrOff(DNS_FAILOVER_COUNT, 1, Integer.MAX_VALUE, "off"),
      AttributeSpec.integerOrOff(DNS_FAILOVER_PERCENTAGE, 1, 100, "off"),
      AttributeSpec.integer(ROUTING_FAILOVER_COUNT, 1, Integer.MAX_VALUE, "1"),
      AttributeSpec.integerOrOff(ROUTING_FAILOVER_PERCENTAGE, 1, 100, "off"));

  private static final TargetGroupAttributes EMPTY = new TargetGroupAttributes(Map.of());

  TargetGroupAttributes(Map<String, String> values) {
    super("targetGroup", SPECS, values);
  }

  /** {@return no attribute set explicitly} */
  public static TargetGroupAttributes defaults() {
    return EMPTY;
  }

  /**
   * Starts an empty set of explicit values.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(Map.of());
  }

  /**
   * A builder holding these values, to change some of them.
   *
   * @return a new builder holding these values
   */
  public Builder toBuilder() {
    return new Builder(explicitValues());
  }

  /** {@return every key a target group accepts} */
  public static List<String> keys() {
    List<String> keys = new ArrayList<>();
    SPECS.forEach(s -> keys.add(s.key));
    return keys;
  }

  /** {@return {@code deregistration_delay.timeout_seconds}} */
  public Duration deregistrationDelay() {
    return Duration.ofSeconds(integer(DEREGISTRATION_DELAY));
  }

  /** {@return {@code deregistration_delay.connection_termination.enabled}} */
  public boolean connectionTermination() {
    return bool(CONNECTION_TERMINATION);
  }

  /** {@return {@code load_balancing.cross_zone.enabled}} */
  public CrossZone crossZone() {
    return CrossZone.ofApiValue(get(CROSS_ZONE));
  }

  /** {@return {@code preserve_client_ip.enabled} (resolved once protocol and target type are known)} */
  public boolean preserveClientIp() {
    return bool(PRESERVE_CLIENT_IP);
  }

  /** {@return {@code proxy_protocol_v2.enabled}} */
  public boolean proxyProtocolV2() {
    return bool(PROXY_PROTOCOL_V2);
  }

  /** {@return {@code proxy_protocol_v2.tls_tlvs.enabled} (a library extension)} */
  public boolean proxyProtocolV2TlsTlvs() {
    return bool(PROXY_PROTOCOL_V2_TLS_TLVS);
  }

  /** {@return {@code stickiness.enabled} (type {@code source_ip})} */
  public boolean stickiness() {
    return bool(STICKINESS);
  }

  /** {@return {@code ...dns_failover.minimum_healthy_targets.count}; empty when {@code off}} */
  public OptionalInt dnsFailoverMinimumHealthyCount() {
    return integerOrOff(DNS_FAILOVER_COUNT);
  }

  /** {@return {@code ...dns_failover.minimum_healthy_targets.percentage}; empty when {@code off}} */
  public OptionalInt dnsFailoverMinimumHealthyPercentage() {
    return integerOrOff(DNS_FAILOVER_PERCENTAGE);
  }

  /** {@return {@code ...unhealthy_state_routing.minimum_healthy_targets.count}} */
  public int routingFailoverMinimumHealthyCount() {
    return integer(ROUTING_FAILOVER_COUNT);
  }

  /**
   * {@return {@code ...unhealthy_state_routing.minimum_healthy_targets.percentage}; empty when {@code off}}
   */
  public OptionalInt routingFailoverMinimumHealthyPercentage() {
    return integerOrOff(ROUTING_FAILOVER_PERCENTAGE);
  }

  /**
   * Fills the context-dependent default of {@code preserve_client_ip.enabled} and checks every
   * cross-rule against the group's protocol and target type; problems are collected.
   */
  TargetGroupAttributes resolve(String path, Protocol protocol, TargetType type, int maxTargets, List<String> problems) {
    Map<String, String> v = new LinkedHashMap<>(explicitValues());
    boolean ipOverTcp = type == TargetType.IP && (protocol == Protocol.TCP || protocol == Protocol.TLS);
    v.putIfAbsent(PRESERVE_CLIENT_IP, ipOverTcp ? "false" : "true");
    TargetGroupAttributes r = new TargetGroupAttributes(v);
    if (protocol.carriesUdp() && !r.preserveClientIp()) {
      problems.add(Check.message(path + "." + PRESERVE_CLIENT_IP, "false",
          "true; client IP preservation cannot be disabled for " + protocol + " target groups"));
    }
    if (protocol == Protocol.TLS && r.stickiness()) {
      problems.add(Check.message(path + "." + STICKINESS, "true", "false; sticky sessions are not supported with TLS target groups"));
    }
    for (String key : List.of(DNS_FAILOVER_COUNT, ROUTING_FAILOVER_COUNT)) {
      OptionalInt n = r.integerOrOff(key);
      if (n.isPresent() && n.getAsInt() > maxTargets) {
        String expected = key.equals(DNS_FAILOVER_COUNT) ? "off or 1-" + maxTargets : "1-" + maxTargets;
        problems.add(Check.message(path + "." + key, n.getAsInt(), expected + " (the maximum number of targets)"));
      }
    }
    OptionalInt dnsCount = r.dnsFailoverMinimumHealthyCount();
    if (dnsCount.isPresent() && dnsCount.getAsInt() < r.routingFailoverMinimumHealthyCount()) {
      problems.add(Check.message(path + "." + DNS_FAILOVER_COUNT, dnsCount.getAsInt(),
          "off or at least " + ROUTING_FAILOVER_COUNT + " (" + r.routingFailoverMinimumHealthyCount() + ")"));
    }
    OptionalInt dnsPct = r.dnsFailoverMinimumHealthyPercentage();
    OptionalInt routingPct = r.routingFailoverMinimumHealthyPercentage();
    if (dnsPct.isPresent() && routingPct.isPresent() && dnsPct.getAsInt() < routingPct.getAsInt()) {
      problems.add(Check.message(path + "." + DNS_FAILOVER_PERCENTAGE, dnsPct.getAsInt(),
          "off or at least " + ROUTING_FAILOVER_PERCENTAGE + " (" + routingPct.getAsInt() + ")"));
    }
    return r;
  }

  /** Builds {@link TargetGroupAttributes}; each setter validates its value. Not thread-safe. */
  public static final class Builder extends AttributeBuilder<Builder> {
    Builder(Map<String, String> initial) {
      super("targetGroup", SPECS, initial);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * {@code deregistration_delay.timeout_seconds}, whole seconds 0-3600.
     *
     * @param delay {@code deregistration_delay.timeout_seconds}, whole seconds 0-3600
     * @return this builder
     */
    public Builder deregistrationDelay(Duration delay) {
      if (delay.getNano() != 0 || delay.isNegative() || delay.getSeconds() > 3600) {
        throw Check.invalid(DEREGISTRATION_DELAY, delay, "whole seconds 0-3600");
      }
      return set(DEREGISTRATION_DELAY, Long.toString(delay.getSeconds()));
    }

    /**
     * {@code deregistration_delay.connection_termination.enabled}.
     *
     * @param enabled {@code deregistration_delay.connection_termination.enabled}
     * @return this builder
     */
    public Builder connectionTermination(boolean enabled) {
      return set(CONNECTION_TERMINATION, Boolean.toString(enabled));
    }

    /**
     * {@code load_balancing.cross_zone.enabled}.
     *
     * @param crossZone {@code load_balancing.cross_zone.enabled}
     * @return this builder
     */
    public Builder crossZone(CrossZone crossZone) {
      return set(CROSS_ZONE, crossZone.apiValue());
    }

    /**
     * {@code preserve_client_ip.enabled}.
     *
     * @param enabled {@code preserve_client_ip.enabled}
     * @return this builder
     */
    public Builder preserveClientIp(boolean enabled) {
      return set(PRESERVE_CLIENT_IP, Boolean.toString(enabled));
    }

    /**
     * {@code proxy_protocol_v2.enabled}.
     *
     * @param enabled {@code proxy_protocol_v2.enabled}
     * @return this builder
     */
    public Builder proxyProtocolV2(boolean enabled) {
      return set(PROXY_PROTOCOL_V2, Boolean.toString(enabled));
    }

    /**
     * {@code proxy_protocol_v2.tls_tlvs.enabled} (a library extension).
     *
     * @param enabled {@code proxy_protocol_v2.tls_tlvs.enabled} (a library extension)
     * @return this builder
     */
    public Builder proxyProtocolV2TlsTlvs(boolean enabled) {
      return set(PROXY_PROTOCOL_V2_TLS_TLVS, Boolean.toString(enabled));
    }

    /**
     * {@code stickiness.enabled} with {@code stickiness.type = source_ip}.
     *
     * @param enabled {@code stickiness.enabled} with {@code stickiness.type = source_ip}
     * @return this builder
     */
    public Builder stickiness(boolean enabled) {
      set(STICKINESS_TYPE, "source_ip");
      return set(STICKINESS, Boolean.toString(enabled));
    }

    /**
     * DNS failover count threshold; {@code 0} means {@code off}.
     *
     * @param count DNS failover count threshold; {@code 0} means {@code off}
     * @return this builder
     */
    public Builder dnsFailoverMinimumHealthyCount(int count) {
      return set(DNS_FAILOVER_COUNT, count == 0 ? AttributeSpec.OFF : Integer.toString(count));
    }

    /**
     * DNS failover percentage threshold; {@code 0} means {@code off}.
     *
     * @param percentage DNS failover percentage threshold; {@code 0} means {@code off}
     * @return this builder
     */
    public Builder dnsFailoverMinimumHealthyPercentage(int percentage) {
      return set(DNS_FAILOVER_PERCENTAGE, percentage == 0 ? AttributeSpec.OFF : Integer.toString(percentage));
    }

    /**
     * Routing failover count threshold (1 or more).
     *
     * @param count routing failover count threshold (1 or more)
     * @return this builder
     */
    public Builder routingFailoverMinimumHealthyCount(int count) {
      return set(ROUTING_FAILOVER_COUNT, Integer.toString(count));
    }

    /**
     * Routing failover percentage threshold; {@code 0} means {@code off}.
     *
     * @param percentage routing failover percentage threshold; {@code 0} means {@code off}
     * @return this builder
     */
    public Builder routingFailoverMinimumHealthyPercentage(int percentage) {
      return set(ROUTING_FAILOVER_PERCENTAGE, percentage == 0 ? AttributeSpec.OFF : Integer.toString(percentage));
    }

    /**
     * Builds the explicit values.
     *
     * @return the new {@code TargetGroupAttributes}
     */
    public TargetGroupAttributes build() {
      return new TargetGroupAttributes(values);
    }
  }
}
