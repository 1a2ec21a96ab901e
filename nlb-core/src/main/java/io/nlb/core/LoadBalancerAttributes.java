package io.nlb.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attributes of a load balancer, under the elbv2 keys with their documented defaults.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code access_logs.s3.enabled}</td><td>true, false</td><td>false</td></tr>
 *   <tr><td>{@code access_logs.s3.bucket}</td><td>a directory (required when enabled)</td><td>""</td></tr>
 *   <tr><td>{@code access_logs.s3.prefix}</td><td>text without {@code AWSLogs}</td><td>""</td></tr>
 *   <tr><td>{@code deletion_protection.enabled}</td><td>true, false</td><td>false</td></tr>
 *   <tr><td>{@code ipv6.deny_all_igw_traffic}</td><td>true, false</td><td>true for internal, false for internet-facing</td></tr>
 *   <tr><td>{@code load_balancing.cross_zone.enabled}</td><td>true, false</td><td>false</td></tr>
 * </table>
 *
 * <p>In-process, the access-log "bucket" is a directory on the local file system.
 *
 * <pre>{@code
 * LoadBalancerAttributes a = LoadBalancerAttributes.builder()
 *     .crossZoneEnabled(true)
 *     .set("deletion_protection.enabled", "true")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class LoadBalancerAttributes extends AttributeValues {
  /** {@code access_logs.s3.enabled}. */
  public static final String ACCESS_LOGS_ENABLED = "access_logs.s3.enabled";
  /** {@code access_logs.s3.bucket}: the directory access logs are written to. */
  public static final String ACCESS_LOGS_BUCKET = "access_logs.s3.bucket";
  /** {@code access_logs.s3.prefix}. */
  public static final String ACCESS_LOGS_PREFIX = "access_logs.s3.prefix";
  /** {@code deletion_protection.enabled}. */
  public static final String DELETION_PROTECTION = "deletion_protection.enabled";
  /** {@code ipv6.deny_all_igw_traffic}. */
  public static final String IPV6_DENY_ALL_IGW_TRAFFIC = "ipv6.deny_all_igw_traffic";
  /** {@code load_balancing.cross_zone.enabled}. */
  public static final String CROSS_ZONE = "load_balancing.cross_zone.enabled";

  static final List<AttributeSpec> SPECS = List.of(
      AttributeSpec.bool(ACCESS_LOGS_ENABLED, "false"),
      AttributeSpec.text(ACCESS_LOGS_BUCKET, ""),
      // Guide, "Access logs": the prefix must not include AWSLogs (the log path adds it).
      AttributeSpec.textWithout(ACCESS_LOGS_PREFIX, "", "AWSLogs"),
      AttributeSpec.bool(DELETION_PROTECTION, "false"),
      AttributeSpec.bool(IPV6_DENY_ALL_IGW_TRAFFIC, null),
      AttributeSpec.bool(CROSS_ZONE, "false"));

  private static final LoadBalancerAttributes EMPTY = new LoadBalancerAttributes(Map.of());

  LoadBalancerAttributes(Map<String, String> values) {
    super("loadBalancer", SPECS, values);
  }

  /** {@return no attribute set explicitly: every one at its default} */
  public static LoadBalancerAttributes defaults() {
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

  /** {@return every key a load balancer accepts} */
  public static List<String> keys() {
    List<String> keys = new ArrayList<>();
    SPECS.forEach(s -> keys.add(s.key));
    return keys;
  }

  /** {@return {@code load_balancing.cross_zone.enabled}} */
  public boolean crossZoneEnabled() {
    return bool(CROSS_ZONE);
  }

  /** {@return {@code deletion_protection.enabled}} */
  public boolean deletionProtectionEnabled() {
    return bool(DELETION_PROTECTION);
  }

  /** {@return {@code access_logs.s3.enabled}} */
  public boolean accessLogsEnabled() {
    return bool(ACCESS_LOGS_ENABLED);
  }

  /** {@return {@code access_logs.s3.bucket}: the access-log directory} */
  public String accessLogsDirectory() {
    return get(ACCESS_LOGS_BUCKET);
  }

  /** {@return {@code access_logs.s3.prefix}} */
  public String accessLogsPrefix() {
    return get(ACCESS_LOGS_PREFIX);
  }

  /** {@return {@code ipv6.deny_all_igw_traffic} (resolved once the scheme is known)} */
  public boolean ipv6DenyAllIgwTraffic() {
    return bool(IPV6_DENY_ALL_IGW_TRAFFIC);
  }

  /** Fills the scheme-dependent default and checks the cross-rules; problems are collected. */
  LoadBalancerAttributes resolve(Scheme scheme, List<String> problems) {
    Map<String, String> v = new LinkedHashMap<>(explicitValues());
    v.putIfAbsent(IPV6_DENY_ALL_IGW_TRAFFIC, scheme == Scheme.INTERNAL ? "true" : "false");
    LoadBalancerAttributes r = new LoadBalancerAttributes(v);
    if (r.accessLogsEnabled() && r.accessLogsDirectory().isBlank()) {
      problems.add(Check.message(ACCESS_LOGS_BUCKET, "", "a directory when " + ACCESS_LOGS_ENABLED + " is true"));
    }
    return r;
  }

  /** Builds {@link LoadBalancerAttributes}; each setter validates its value. Not thread-safe. */
  public static final class Builder extends AttributeBuilder<Builder> {
    Builder(Map<String, String> initial) {
      super("loadBalancer", SPECS, initial);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * {@code load_balancing.cross_zone.enabled}.
     *
     * @param enabled {@code load_balancing.cross_zone.enabled}
     * @return this builder
     */
    public Builder crossZoneEnabled(boolean enabled) {
      return set(CROSS_ZONE, Boolean.toString(enabled));
    }

    /**
     * {@code deletion_protection.enabled}.
     *
     * @param enabled {@code deletion_protection.enabled}
     * @return this builder
     */
    public Builder deletionProtection(boolean enabled) {
      return set(DELETION_PROTECTION, Boolean.toString(enabled));
    }

    /**
     * {@code ipv6.deny_all_igw_traffic}.
     *
     * @param deny {@code ipv6.deny_all_igw_traffic}
     * @return this builder
     */
    public Builder ipv6DenyAllIgwTraffic(boolean deny) {
      return set(IPV6_DENY_ALL_IGW_TRAFFIC, Boolean.toString(deny));
    }

    /**
     * Turns access logs on into {@code directory} with {@code prefix}.
     *
     * @param directory where log files are written
     * @param prefix the prefix of their names (must not contain {@code AWSLogs})
     * @return this builder
     */
    public Builder accessLogs(String directory, String prefix) {
      set(ACCESS_LOGS_BUCKET, directory);
      set(ACCESS_LOGS_PREFIX, prefix);
      return set(ACCESS_LOGS_ENABLED, "true");
    }

    /**
     * Builds the explicit values.
     *
     * @return the new {@code LoadBalancerAttributes}
     */
    public LoadBalancerAttributes build() {
      return new LoadBalancerAttributes(values);
    }
  }
}
