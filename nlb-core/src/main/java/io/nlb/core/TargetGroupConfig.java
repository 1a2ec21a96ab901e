package io.nlb.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration a target group is created with: name, protocol, port, target type, IP address
 * type, health-check settings, attributes and tags. Protocol, target type and IP address type are
 * fixed for the group's life.
 *
 * <pre>{@code
 * TargetGroupConfig web = TargetGroupConfig.builder("web", Protocol.TCP, 8080)
 *     .targetType(TargetType.IP)
 *     .healthCheck(HealthCheck.builder().protocol(HealthCheckProtocol.HTTP).path("/health").build())
 *     .attribute("deregistration_delay.timeout_seconds", "30")
 *     .tag("team", "payments")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class TargetGroupConfig {
  private final String name;
  private final Protocol protocol;
  private final int port;
  private final TargetType targetType;
  private final IpAddressType ipAddressType;
  private final HealthCheck healthCheck;
  private final TargetGroupAttributes attributes;
  private final Map<String, String> tags;

  private TargetGroupConfig(Builder b, HealthCheck healthCheck, TargetGroupAttributes attributes) {
    name = b.name;
    protocol = b.protocol;
    port = b.port;
    targetType = b.targetType;
    ipAddressType = b.ipAddressType;
    this.healthCheck = healthCheck;
    this.attributes = attributes;
    tags = Map.copyOf(b.tags);
  }

  /**
   * Starts a target group named {@code name} (1-32 letters, digits and hyphens, no hyphen at
   * either end) forwarding {@code protocol} to targets on {@code port} (1-65535).
   *
   * @param name the name
   * @param protocol the protocol
   * @param port the port (1-65535)
   * @return a new builder
   */
  public static Builder builder(String name, Protocol protocol, int port) {
    return new Builder(name, protocol, port);
  }

  /** {@return the name} */
  public String name() {
    return name;
  }

  /** {@return the protocol to the targets} */
  public Protocol protocol() {
    return protocol;
  }

  /** {@return the port targets receive traffic on unless they override it} */
  public int port() {
    return port;
  }

  /** {@return how targets are named} */
  public TargetType targetType() {
    return targetType;
  }

  /** {@return {@code ipv4} or {@code ipv6}} */
  public IpAddressType ipAddressType() {
    return ipAddressType;
  }

  /** {@return the health-check settings} */
  public HealthCheck healthCheck() {
    return healthCheck;
  }

  /** {@return the attributes, defaults resolved for this protocol and target type} */
  public TargetGroupAttributes attributes() {
    return attributes;
  }

  /** {@return the tags} */
  public Map<String, String> tags() {
    return tags;
  }

  String path() {
    return "targetGroup[" + name + "]";
  }

  @Override
  public String toString() {
    return "TargetGroupConfig{" + name + " " + protocol + ":" + port + " " + targetType + " " + ipAddressType
        + " " + healthCheck + " " + attributes + " tags=" + tags + "}";
  }

  /**
   * Builds a {@link TargetGroupConfig}. Setters check their own value; {@link #build()} checks
   * the combination and reports every problem at once. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private final Protocol protocol;
    private final int port;
    private TargetType targetType = TargetType.INSTANCE;
    private IpAddressType ipAddressType = IpAddressType.IPV4;
    private HealthCheck healthCheck = HealthCheck.defaults();
    private TargetGroupAttributes.Builder attributes = TargetGroupAttributes.builder();
    private final Map<String, String> tags = new LinkedHashMap<>();

    Builder(String name, Protocol protocol, int port) {
      this.name = Names.targetGroup(name);
      this.protocol = protocol;
      this.port = Check.range("targetGroup[" + name + "].port", port, 1, 65535);
    }

    /**
     * {@code instance} (the default), {@code ip} or {@code alb}.
     *
     * @param type {@code instance} (the default), {@code ip} or {@code alb}
     * @return this builder
     */
    public Builder targetType(TargetType type) {
      this.targetType = type;
      return this;
    }

    /**
     * {@code ipv4} (the default) or {@code ipv6}.
     *
     * @param type {@code ipv4} (the default) or {@code ipv6}
     * @return this builder
     */
    public Builder ipAddressType(IpAddressType type) {
      this.ipAddressType = type;
      return this;
    }

    /**
     * The health-check settings.
     *
     * @param healthCheck the health-check settings
     * @return this builder
     */
    public Builder healthCheck(HealthCheck healthCheck) {
      this.healthCheck = healthCheck;
      return this;
    }

    /**
     * Replaces the attributes.
     *
     * @param attributes the attributes
     * @return this builder
     */
    public Builder attributes(TargetGroupAttributes attributes) {
      this.attributes = attributes.toBuilder();
      return this;
    }

    /**
     * Sets one attribute by its elbv2 key; the value is checked at once.
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
     * Adds a tag; key and value are checked at once.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     */
    public Builder tag(String key, String value) {
      String field = "targetGroup[" + name + "].tags[" + key + "]";
      tags.put(Tags.checkKey(field + ".key", key), Tags.checkValue(field + ".value", value));
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the new {@code TargetGroupConfig}
     * @throws NlbException with {@link ErrorCode#VALIDATION_ERROR} or {@link
     *     ErrorCode#INCOMPATIBLE_PROTOCOLS} (or {@link ErrorCode#TOO_MANY_TAGS} when more than 50
     *     tags is the only problem), listing every problem
     */
    public TargetGroupConfig build() {
      String path = "targetGroup[" + name + "]";
      List<String> problems = new ArrayList<>();
      List<String> incompatible = new ArrayList<>();
      if (ipAddressType == IpAddressType.DUALSTACK) {
        problems.add(Check.message(path + ".ipAddressType", "dualstack", "ipv4 or ipv6"));
      }
      if (ipAddressType == IpAddressType.IPV6 && targetType != TargetType.IP) {
        problems.add(Check.message(path + ".ipAddressType", "ipv6", "ipv4 for " + targetType + " targets; ipv6 groups take ip targets only"));
      }
      if (targetType == TargetType.ALB && protocol != Protocol.TCP) {
        incompatible.add(Check.message(path + ".protocol", protocol.name(), "TCP for alb target groups"));
      }
      if (tags.size() > Tags.MAX_TAGS) {
        problems.add(Check.message(path + ".tags", tags.size() + " tags", "at most " + Tags.MAX_TAGS));
      }
      HealthCheck hc = healthCheck.resolve(path + ".healthCheck", targetType, incompatible);
      hc.checkFixedForAlb(path + ".healthCheck", targetType, problems);
      TargetGroupAttributes attrs = attributes.build().resolve(path, protocol, targetType, Integer.MAX_VALUE, problems);
      if (!incompatible.isEmpty()) {
        incompatible.addAll(problems);
        throw new NlbException(ErrorCode.INCOMPATIBLE_PROTOCOLS, incompatible);
      }
      if (!problems.isEmpty()) {
        boolean onlyTags = problems.size() == 1 && tags.size() > Tags.MAX_TAGS;
        throw new NlbException(onlyTags ? ErrorCode.TOO_MANY_TAGS : ErrorCode.VALIDATION_ERROR, problems);
      }
      return new TargetGroupConfig(this, hc, attrs);
    }
  }
}
