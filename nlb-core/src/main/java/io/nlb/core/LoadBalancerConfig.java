package io.nlb.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration a load balancer is created with: name, scheme, IP address type, zones (one
 * node each), attributes, listeners and tags.
 *
 * <pre>{@code
 * LoadBalancerConfig config = LoadBalancerConfig.builder("my-nlb")
 *     .zone(Zone.of("zone-a", "127.0.0.1"))
 *     .zone(Zone.of("zone-b", "127.0.0.2"))
 *     .listener(ListenerConfig.builder(Protocol.TCP, 8080).forwardTo("web").build())
 *     .attribute("load_balancing.cross_zone.enabled", "true")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class LoadBalancerConfig {
  private final String name;
  private final Scheme scheme;
  private final IpAddressType ipAddressType;
  private final List<Zone> zones;
  private final LoadBalancerAttributes attributes;
  private final List<ListenerConfig> listeners;
  private final Map<String, String> tags;

  private LoadBalancerConfig(Builder b, LoadBalancerAttributes attributes) {
    name = b.name;
    scheme = b.scheme;
    ipAddressType = b.ipAddressType;
    zones = List.copyOf(b.zones);
    this.attributes = attributes;
    listeners = List.copyOf(b.listeners);
    tags = Map.copyOf(b.tags);
  }

  /**
   * Starts a load balancer named {@code name}: 1-32 letters, digits and hyphens, no hyphen at
   * either end, not starting with {@code internal-}.
   *
   * @param name the name
   * @return a new builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** {@return the name} */
  public String name() {
    return name;
  }

  /** {@return {@code internet-facing} (the default) or {@code internal}} */
  public Scheme scheme() {
    return scheme;
  }

  /** {@return {@code ipv4} (the default) or {@code dualstack}} */
  public IpAddressType ipAddressType() {
    return ipAddressType;
  }

  /** {@return the enabled zones, in the order given} */
  public List<Zone> zones() {
    return zones;
  }

  /** {@return the attributes, scheme-dependent defaults resolved} */
  public LoadBalancerAttributes attributes() {
    return attributes;
  }

  /** {@return the listeners to create with the load balancer} */
  public List<ListenerConfig> listeners() {
    return listeners;
  }

  /** {@return the tags} */
  public Map<String, String> tags() {
    return tags;
  }

  /** Problems with a listener that only the load balancer's settings reveal (dualstack, zones). */
  static void checkListenerFits(ListenerConfig l, IpAddressType type, List<String> problems) {
    if (type == IpAddressType.DUALSTACK && l.protocol().carriesUdp()) {
      problems.add(Check.message(l.path() + ".protocol", l.protocol().name(), "TCP or TLS on a dualstack load balancer"));
    }
  }

  /**
   * Guide, "Create your dualstack load balancer": a dualstack load balancer takes only TCP and TLS
   * target groups (a TCP listener could otherwise forward to a TCP_UDP group).
   */
  static void checkGroupFits(ListenerConfig l, Protocol groupProtocol, IpAddressType type, List<String> problems) {
    if (type == IpAddressType.DUALSTACK && groupProtocol != Protocol.TCP && groupProtocol != Protocol.TLS) {
      problems.add(Check.message(l.path() + ".defaultAction.targetGroup.protocol", groupProtocol.name(),
          "a TCP or TLS target group on a dualstack load balancer"));
    }
  }

  /** Whether two listeners would claim the same port of the same transport protocol. */
  static boolean clash(ListenerConfig a, ListenerConfig b) {
    if (a.port() != b.port()) {
      return false;
    }
    return (a.protocol().carriesTcp() && b.protocol().carriesTcp()) || (a.protocol().carriesUdp() && b.protocol().carriesUdp());
  }

  static void checkZones(String path, List<Zone> zones, IpAddressType type, List<String> problems) {
    Set<String> names = new HashSet<>();
    Set<InetAddress> addresses = new HashSet<>();
    for (Zone z : zones) {
      if (!names.add(z.name())) {
        problems.add(Check.message(path + ".zones", z.name(), "each zone once"));
      }
      for (InetAddress a : z.addresses()) {
        if (!addresses.add(a)) {
          problems.add(Check.message(path + ".zone[" + z.name() + "].address", a.getHostAddress(), "an address no other zone uses"));
        }
      }
      if (z.ipv4Address().isEmpty()) {
        problems.add(Check.message(path + ".zone[" + z.name() + "].addresses", z.addresses().toString(), "an IPv4 address for the zone's node"));
      }
      if (type == IpAddressType.DUALSTACK && z.ipv6Address().isEmpty()) {
        problems.add(Check.message(path + ".zone[" + z.name() + "].addresses", z.addresses().toString(),
            "an IPv6 address as well, for a dualstack load balancer"));
      }
    }
  }

  @Override
  public String toString() {
    return "LoadBalancerConfig{" + name + " " + scheme + " " + ipAddressType + " zones=" + zones + " " + attributes
        + " listeners=" + listeners + " tags=" + tags + "}";
  }

  /**
   * Builds a {@link LoadBalancerConfig}. Setters check their own value; {@link #build()} checks
   * the whole and reports every problem at once. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private Scheme scheme = Scheme.INTERNET_FACING;
    private IpAddressType ipAddressType = IpAddressType.IPV4;
    private final List<Zone> zones = new ArrayList<>();
    private LoadBalancerAttributes.Builder attributes = LoadBalancerAttributes.builder();
    private final List<ListenerConfig> listeners = new ArrayList<>();
    private final Map<String, String> tags = new LinkedHashMap<>();

    Builder(String name) {
      this.name = Names.loadBalancer(name);
    }

    /**
     * {@code internet-facing} (the default) or {@code internal}.
     *
     * @param scheme {@code internet-facing} (the default) or {@code internal}
     * @return this builder
     */
    public Builder scheme(Scheme scheme) {
      this.scheme = scheme;
      return this;
    }

    /**
     * {@code ipv4} (the default) or {@code dualstack}.
     *
     * @param type {@code ipv4} (the default) or {@code dualstack}
     * @return this builder
     */
    public Builder ipAddressType(IpAddressType type) {
      if (type == IpAddressType.IPV6) {
        throw Check.invalid("loadBalancer.ipAddressType", "ipv6", "ipv4 or dualstack");
      }
      this.ipAddressType = type;
      return this;
    }

    /**
     * Enables a zone; its node binds the zone's addresses.
     *
     * @param zone the zone's name
     * @return this builder
     */
    public Builder zone(Zone zone) {
      zones.add(zone);
      return this;
    }

    /**
     * Replaces the attributes.
     *
     * @param attributes the attributes
     * @return this builder
     */
    public Builder attributes(LoadBalancerAttributes attributes) {
      this.attributes = attributes.toBuilder();
      return this;
    }

    /**
     * Sets one attribute by its elbv2 key; checked at once.
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
     * Adds a listener.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(ListenerConfig listener) {
      listeners.add(listener);
      return this;
    }

    /**
     * Adds a tag; checked at once.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     */
    public Builder tag(String key, String value) {
      String field = "loadBalancer[" + name + "].tags[" + key + "]";
      tags.put(Tags.checkKey(field + ".key", key), Tags.checkValue(field + ".value", value));
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the new {@code LoadBalancerConfig}
     * @throws NlbException with {@link ErrorCode#VALIDATION_ERROR} (or {@link
     *     ErrorCode#DUPLICATE_LISTENER} / {@link ErrorCode#UNSUPPORTED_PROTOCOL} / {@link
     *     ErrorCode#TOO_MANY_TAGS} when those are the only problems), listing every problem
     */
    public LoadBalancerConfig build() {
      String path = "loadBalancer[" + name + "]";
      List<String> problems = new ArrayList<>();
      if (zones.isEmpty()) {
        problems.add(Check.message(path + ".zones", "[]", "at least one zone"));
      }
      checkZones(path, zones, ipAddressType, problems);
      List<String> unsupported = new ArrayList<>();
      List<String> duplicates = new ArrayList<>();
      for (int i = 0; i < listeners.size(); i++) {
        ListenerConfig l = listeners.get(i);
        checkListenerFits(l, ipAddressType, unsupported);
        for (int j = 0; j < i; j++) {
          if (clash(listeners.get(j), l)) {
            duplicates.add(Check.message(l.path(), l.protocol() + ":" + l.port(),
                "a port not used by " + listeners.get(j).path() + " for the same transport protocol"));
          }
        }
      }
      if (tags.size() > Tags.MAX_TAGS) {
        problems.add(Check.message(path + ".tags", tags.size() + " tags", "at most " + Tags.MAX_TAGS));
      }
      LoadBalancerAttributes attrs = attributes.build().resolve(scheme, problems);
      ErrorCode code = ErrorCode.VALIDATION_ERROR;
      if (problems.size() == 1 && tags.size() > Tags.MAX_TAGS && duplicates.isEmpty() && unsupported.isEmpty()) {
        code = ErrorCode.TOO_MANY_TAGS;
      } else if (problems.isEmpty() && duplicates.isEmpty() && !unsupported.isEmpty()) {
        code = ErrorCode.UNSUPPORTED_PROTOCOL;
      } else if (problems.isEmpty() && unsupported.isEmpty() && !duplicates.isEmpty()) {
        code = ErrorCode.DUPLICATE_LISTENER;
      }
      problems.addAll(unsupported);
      problems.addAll(duplicates);
      if (!problems.isEmpty()) {
        throw new NlbException(code, problems);
      }
      return new LoadBalancerConfig(this, attrs);
    }
  }
}
