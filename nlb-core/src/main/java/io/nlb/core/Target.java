package io.nlb.core;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A target to register with (or deregister from) a target group: an IP address, an instance id or
 * an ALB endpoint name, with an optional port override and an optional zone.
 *
 * <p>Without a port the target receives traffic on the group's port. Without a zone, the zone is
 * derived from the address ranges the load balancer's zones declare (or, for an instance, from the
 * {@link InstanceResolver}); a target whose zone cannot be found is reported {@code unused}. The
 * same address may be registered on several ports and in several groups.
 *
 * <pre>{@code
 * Target a = Target.ip("10.0.1.5");                       // group port, zone from ranges
 * Target b = Target.ip("10.0.2.7", 8080).withZone("zone-b");
 * Target c = Target.instance("i-0123456789abcdef0");
 * Target d = Target.alb("my-alb");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class Target {
  private static final Pattern INSTANCE_ID = Pattern.compile("i-(?:[0-9a-f]{8}|[0-9a-f]{17})");

  private final TargetType type;
  private final String id;
  private final @Nullable Integer port;
  private final @Nullable String zone;

  private Target(TargetType type, String id, @Nullable Integer port, @Nullable String zone) {
    this.type = type;
    this.id = id;
    this.port = port;
    this.zone = zone;
  }

  /**
   * {@return a target named by its IP address literal, on the group's port}
   *
   * @param address the address
   */
  public static Target ip(String address) {
    return new Target(TargetType.IP, Addresses.toLiteral(Addresses.parseLiteral("target.id", address)), null, null);
  }

  /**
   * {@return a target named by its IP address literal, on {@code port}}
   *
   * @param address the address
   * @param port the port (1-65535)
   */
  public static Target ip(String address, int port) {
    return ip(address).withPort(port);
  }

  /**
   * {@return a target named by instance id ({@code i-} and 8 or 17 lower-case hex digits)}
   *
   * @param instanceId the instance id
   */
  public static Target instance(String instanceId) {
    if (!INSTANCE_ID.matcher(instanceId).matches()) {
      throw Check.invalid("target.id", instanceId, "an instance id such as i-0123456789abcdef0");
    }
    return new Target(TargetType.INSTANCE, instanceId, null, null);
  }

  /**
   * {@return a target named by instance id, on {@code port}}
   *
   * @param instanceId the instance id
   * @param port the port (1-65535)
   */
  public static Target instance(String instanceId, int port) {
    return instance(instanceId).withPort(port);
  }

  /**
   * {@return the ALB endpoint registered with {@link Nlb#createAlbEndpoint}, by name}
   *
   * @param endpointName the endpoint name
   */
  public static Target alb(String endpointName) {
    return new Target(TargetType.ALB, AlbEndpoint.checkName(endpointName), null, null);
  }

  /**
   * {@return this target on another port (1-65535)}
   *
   * @param port the port (1-65535)
   */
  public Target withPort(int port) {
    return new Target(type, id, Check.range("target[" + id + "].port", port, 1, 65535), zone);
  }

  /**
   * {@return this target placed in a zone explicitly}
   *
   * @param zone the zone's name
   */
  public Target withZone(String zone) {
    return new Target(type, id, port, Zone.checkName("target[" + id + "].zone", zone));
  }

  /** {@return how the target is named} */
  public TargetType type() {
    return type;
  }

  /** {@return the address literal, instance id or endpoint name} */
  public String id() {
    return id;
  }

  /** {@return the port override; empty means the group's port} */
  public OptionalInt port() {
    return port == null ? OptionalInt.empty() : OptionalInt.of(port);
  }

  /** {@return the explicit zone, if any} */
  public java.util.Optional<String> zone() {
    return java.util.Optional.ofNullable(zone);
  }

  @Nullable String zoneOrNull() {
    return zone;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Target)) {
      return false;
    }
    Target t = (Target) o;
    return type == t.type && id.equals(t.id) && Objects.equals(port, t.port) && Objects.equals(zone, t.zone);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, id, port, zone);
  }

  /** {@code id:port} or {@code id}, and the zone when explicit. */
  @Override
  public String toString() {
    String s = port == null ? id : (id.indexOf(':') >= 0 ? "[" + id + "]:" + port : id + ":" + port);
    return zone == null ? s : s + "@" + zone;
  }
}
