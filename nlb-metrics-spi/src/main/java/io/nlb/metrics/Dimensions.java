package io.nlb.metrics;

import io.nlb.common.Problems;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The dimension values of one metric series: a load balancer, optionally narrowed to an
 * Availability Zone and/or a target group.
 *
 * <p>Every dimension set the user guide publishes includes {@code LoadBalancer}, so the load
 * balancer is required and the other two parts are optional. Values use the CloudWatch formats:
 *
 * <table>
 *   <caption>Dimension value formats</caption>
 *   <tr><th>dimension</th><th>format</th><th>example</th></tr>
 *   <tr><td>{@code LoadBalancer}</td><td>{@code net/<name>/<id>}</td>
 *       <td>{@code net/my-load-balancer/50dc6c495c0c9188}</td></tr>
 *   <tr><td>{@code TargetGroup}</td><td>{@code targetgroup/<name>/<id>}</td>
 *       <td>{@code targetgroup/my-targets/73e2d6bc24d8a067}</td></tr>
 *   <tr><td>{@code AvailabilityZone}</td><td>a zone name</td><td>{@code us-east-2a}</td></tr>
 * </table>
 *
 * <p>{@code <name>} is 1 to 32 ASCII letters, digits and hyphens, neither starting nor ending with
 * a hyphen (a load balancer name also must not start with {@code internal-}); {@code <id>} is
 * exactly 16 lowercase hexadecimal digits (the final part of the resource's ARN in AWS; in this
 * library the id the control plane assigns). Lowercase only, so that equal series always have
 * equal strings. A zone name is 1 to 64 ASCII letters, digits, {@code '.'}, {@code '_'} or {@code
 * '-'}.
 *
 * <p>Instances are immutable and thread-safe, with value-based {@link #equals} and a cached {@link
 * #hashCode}, so stores can key series by {@code (Metric, Dimensions)}. Build them when a listener
 * or target group is created and keep them; never per flow.
 *
 * <pre>{@code
 * Dimensions lb = Dimensions.of("net/my-load-balancer/50dc6c495c0c9188");
 * Dimensions lbZone = lb.withAvailabilityZone("us-east-2a");
 * Dimensions tgZone = lbZone.withTargetGroup("targetgroup/my-targets/73e2d6bc24d8a067");
 * }</pre>
 *
 * @since 0.1
 */
public final class Dimensions {
  private static final String NAME = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?";
  private static final Pattern LOAD_BALANCER = Pattern.compile("net/" + NAME + "/[0-9a-f]{16}");
  private static final Pattern TARGET_GROUP =
      Pattern.compile("targetgroup/" + NAME + "/[0-9a-f]{16}");
  private static final Pattern AVAILABILITY_ZONE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final String loadBalancer;
  private final @Nullable String availabilityZone;
  private final @Nullable String targetGroup;
  private final int mask;
  private final int hash;

  private Dimensions(
      String loadBalancer, @Nullable String availabilityZone, @Nullable String targetGroup) {
    this.loadBalancer = loadBalancer;
    this.availabilityZone = availabilityZone;
    this.targetGroup = targetGroup;
    int mask = Dimension.LOAD_BALANCER.bit();
    if (availabilityZone != null) {
      mask |= Dimension.AVAILABILITY_ZONE.bit();
    }
    if (targetGroup != null) {
      mask |= Dimension.TARGET_GROUP.bit();
    }
    this.mask = mask;
    this.hash = Objects.hash(loadBalancer, availabilityZone, targetGroup);
  }

  /**
   * {@return the series of a whole load balancer: dimension set {@code {LoadBalancer}}}
   *
   * @param loadBalancer {@code net/<name>/<16 hex digits>}
   * @throws IllegalArgumentException if the value does not have that format
   */
  public static Dimensions of(String loadBalancer) {
    return new Dimensions(checkLoadBalancer(loadBalancer), null, null);
  }

  /**
   * {@return a series with any combination of zone and target group}
   *
   * @param loadBalancer {@code net/<name>/<16 hex digits>}
   * @param availabilityZone a zone name, or {@code null} for all zones
   * @param targetGroup {@code targetgroup/<name>/<16 hex digits>}, or {@code null} for none
   * @throws IllegalArgumentException naming the first value that has the wrong format
   */
  public static Dimensions of(
      String loadBalancer, @Nullable String availabilityZone, @Nullable String targetGroup) {
    return new Dimensions(
        checkLoadBalancer(loadBalancer),
        availabilityZone == null ? null : checkAvailabilityZone(availabilityZone),
        targetGroup == null ? null : checkTargetGroup(targetGroup));
  }

  /**
   * {@return a copy narrowed to {@code availabilityZone}}
   *
   * @param availabilityZone the availability zone
   */
  public Dimensions withAvailabilityZone(String availabilityZone) {
    return new Dimensions(loadBalancer, checkAvailabilityZone(availabilityZone), targetGroup);
  }

  /**
   * {@return a copy narrowed to {@code targetGroup}}
   *
   * @param targetGroup the target group
   */
  public Dimensions withTargetGroup(String targetGroup) {
    return new Dimensions(loadBalancer, availabilityZone, checkTargetGroup(targetGroup));
  }

  /** {@return a copy without the zone: the roll-up of this series over all zones} */
  public Dimensions withoutAvailabilityZone() {
    return availabilityZone == null ? this : new Dimensions(loadBalancer, null, targetGroup);
  }

  /** {@return a copy without the target group} */
  public Dimensions withoutTargetGroup() {
    return targetGroup == null ? this : new Dimensions(loadBalancer, availabilityZone, null);
  }

  /** {@return the {@code LoadBalancer} value, e.g. {@code net/my-load-balancer/50dc6c495c0c9188}} */
  public String loadBalancer() {
    return loadBalancer;
  }

  /** {@return the {@code AvailabilityZone} value, or {@code null} if the series spans all zones} */
  public @Nullable String availabilityZone() {
    return availabilityZone;
  }

  /** {@return the {@code TargetGroup} value, or {@code null} if the series is not per target group} */
  public @Nullable String targetGroup() {
    return targetGroup;
  }

  /**
   * {@return the value of {@code dimension}, or {@code null} if this series does not have it}
   *
   * @param dimension the dimension
   */
  public @Nullable String get(Dimension dimension) {
    switch (dimension) {
      case LOAD_BALANCER:
        return loadBalancer;
      case AVAILABILITY_ZONE:
        return availabilityZone;
      case TARGET_GROUP:
        return targetGroup;
    }
    throw new AssertionError(dimension);
  }

  /** {@return which dimensions this series has, in {@link Dimension} order; unmodifiable} */
  public Set<Dimension> dimensionSet() {
    return Dimension.setOf(mask);
  }

  /** Bit mask of {@link #dimensionSet()}, see {@link Dimension#mask}. */
  int mask() {
    return mask;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Dimensions)) {
      return false;
    }
    Dimensions that = (Dimensions) o;
    return hash == that.hash
        && loadBalancer.equals(that.loadBalancer)
        && Objects.equals(availabilityZone, that.availabilityZone)
        && Objects.equals(targetGroup, that.targetGroup);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /**
   * The dimensions as {@code Name=value} pairs in {@link Dimension} order, e.g. {@code
   * {AvailabilityZone=us-east-2a, LoadBalancer=net/my-load-balancer/50dc6c495c0c9188}}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    if (availabilityZone != null) {
      sb.append("AvailabilityZone=").append(availabilityZone).append(", ");
    }
    sb.append("LoadBalancer=").append(loadBalancer);
    if (targetGroup != null) {
      sb.append(", TargetGroup=").append(targetGroup);
    }
    return sb.append('}').toString();
  }

  private static String checkLoadBalancer(String value) {
    return checked("loadBalancer", value, LOAD_BALANCER.matcher(value).matches() && !value.startsWith("net/internal-"),
        "net/<name>/<16 lowercase hex digits>, name 1-32 letters, digits or inner hyphens,"
            + " not starting with internal-");
  }

  private static String checkTargetGroup(String value) {
    return checked("targetGroup", value, TARGET_GROUP.matcher(value).matches(),
        "targetgroup/<name>/<16 lowercase hex digits>, name 1-32 letters, digits or inner"
            + " hyphens");
  }

  private static String checkAvailabilityZone(String value) {
    return checked("availabilityZone", value, AVAILABILITY_ZONE.matcher(value).matches(),
        "1-64 letters, digits, '.', '_' or '-'");
  }

  /** {@return {@code value} if it is {@code valid}} Otherwise throws, naming the dimension. */
  private static String checked(String field, String value, boolean valid, String expected) {
    if (!valid) {
      throw Problems.invalid(field, value, expected);
    }
    return value;
  }
}
