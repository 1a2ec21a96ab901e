package io.nlb.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The active health-check settings of a target group, with the documented ranges and
 * protocol-dependent defaults.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>range</th><th>default</th></tr>
 *   <tr><td>protocol</td><td>TCP, HTTP, HTTPS (HTTP or HTTPS for alb groups)</td><td>TCP (HTTP for alb groups)</td></tr>
 *   <tr><td>port</td><td>traffic-port or 1-65535</td><td>traffic-port</td></tr>
 *   <tr><td>path</td><td>HTTP/HTTPS only; starts with /</td><td>/</td></tr>
 *   <tr><td>timeout</td><td>2-120 s</td><td>6 s for HTTP, 10 s for TCP and HTTPS</td></tr>
 *   <tr><td>interval</td><td>5-300 s</td><td>30 s</td></tr>
 *   <tr><td>healthy threshold</td><td>2-10</td><td>5</td></tr>
 *   <tr><td>unhealthy threshold</td><td>2-10</td><td>2</td></tr>
 *   <tr><td>matcher</td><td>HTTP codes 200-599: single, list, range</td><td>200-399</td></tr>
 * </table>
 *
 * <p>For {@code alb} target groups the unhealthy threshold, timeout, interval and matcher are fixed
 * at their defaults; only the protocol (HTTP or HTTPS), port, path and healthy threshold change.
 *
 * <pre>{@code
 * HealthCheck hc = HealthCheck.builder()
 *     .protocol(HealthCheckProtocol.HTTP)
 *     .path("/health")
 *     .interval(Duration.ofSeconds(10))
 *     .matcher("200,204")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class HealthCheck {
  private final HealthCheckProtocol protocol;
  private final @Nullable Integer port;
  private final String path;
  private final @Nullable Duration timeout;
  private final Duration interval;
  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private final Matcher matcher;
  private final boolean protocolExplicit;

  private HealthCheck(Builder b) {
    protocol = b.protocol;
    port = b.port;
    path = b.path;
    timeout = b.timeout;
    interval = b.interval;
    healthyThreshold = b.healthyThreshold;
    unhealthyThreshold = b.unhealthyThreshold;
    matcher = b.matcher;
    protocolExplicit = b.protocolExplicit;
  }

  /** {@return the default settings (a TCP check on the traffic port every 30 seconds)} */
  public static HealthCheck defaults() {
    return builder().build();
  }

  /**
   * Starts from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding these settings, for a modification.
   *
   * @return a new builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.protocol = protocol;
    b.protocolExplicit = protocolExplicit;
    b.port = port;
    b.path = path;
    b.timeout = timeout;
    b.interval = interval;
    b.healthyThreshold = healthyThreshold;
    b.unhealthyThreshold = unhealthyThreshold;
    b.matcher = matcher;
    return b;
  }

  /** {@return the protocol} */
  public HealthCheckProtocol protocol() {
    return protocol;
  }

  /**
   * {@return the port to check; empty means {@code traffic-port} (the port each target receives traffic on)}
   */
  public OptionalInt port() {
    return port == null ? OptionalInt.empty() : OptionalInt.of(port);
  }

  /** {@return the port as the API spells it: {@code traffic-port} or a number} */
  public String portSpec() {
    return port == null ? "traffic-port" : port.toString();
  }

  /** {@return the HTTP path (ignored for TCP)} */
  public String path() {
    return path;
  }

  /** {@return the timeout: explicit, or 6 s for HTTP and 10 s for TCP and HTTPS} */
  public Duration timeout() {
    if (timeout != null) {
      return timeout;
    }
    return Duration.ofSeconds(protocol == HealthCheckProtocol.HTTP ? 6 : 10);
  }

  /** {@return the interval between checks of one target} */
  public Duration interval() {
    return interval;
  }

  /** {@return consecutive successes that make an unhealthy target healthy} */
  public int healthyThreshold() {
    return healthyThreshold;
  }

  /** {@return consecutive failures that make a target unhealthy} */
  public int unhealthyThreshold() {
    return unhealthyThreshold;
  }

  /** {@return the HTTP status codes that count as success} */
  public Matcher matcher() {
    return matcher;
  }

  /** Checks the settings against the group they belong to; problems are collected. */
  HealthCheck resolve(String path, TargetType type, List<String> problems) {
    if (type == TargetType.ALB) {
      if (!protocolExplicit) {
        return toBuilder().protocol(HealthCheckProtocol.HTTP).build().resolve(path, type, problems);
      }
      if (protocol == HealthCheckProtocol.TCP) {
        problems.add(Check.message(path + ".protocol", "TCP", "HTTP or HTTPS for alb target groups"));
      }
    }
    return this;
  }

  /**
   * Guide, "Application Load Balancers as targets", and the ALB-target blog: the unhealthy
   * threshold, timeout, interval and success codes of an alb group cannot be changed. Each must
   * stay at its default (setting the default explicitly is allowed); problems are collected.
   */
  void checkFixedForAlb(String path, TargetType type, List<String> problems) {
    if (type != TargetType.ALB) {
      return;
    }
    String fixed = "; alb target groups cannot change it";
    HealthCheck d = builder().protocol(protocol).build();
    if (unhealthyThreshold != d.unhealthyThreshold) {
      problems.add(Check.message(path + ".unhealthyThreshold", unhealthyThreshold, d.unhealthyThreshold + fixed));
    }
    if (!timeout().equals(d.timeout())) {
      problems.add(Check.message(path + ".timeout", timeout().getSeconds() + "s", d.timeout().getSeconds() + "s for " + protocol + fixed));
    }
    if (!interval.equals(d.interval)) {
      problems.add(Check.message(path + ".interval", interval.getSeconds() + "s", d.interval.getSeconds() + "s" + fixed));
    }
    if (!matcher.equals(d.matcher)) {
      problems.add(Check.message(path + ".matcher", matcher.toString(), d.matcher + fixed));
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HealthCheck)) {
      return false;
    }
    HealthCheck h = (HealthCheck) o;
    return protocol == h.protocol && Objects.equals(port, h.port) && path.equals(h.path)
        && timeout().equals(h.timeout()) && interval.equals(h.interval)
        && healthyThreshold == h.healthyThreshold && unhealthyThreshold == h.unhealthyThreshold
        && matcher.equals(h.matcher);
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocol, port, path, timeout(), interval, healthyThreshold, unhealthyThreshold, matcher);
  }

  @Override
  public String toString() {
    return "HealthCheck{" + protocol + " port=" + portSpec()
        + (protocol == HealthCheckProtocol.TCP ? "" : " path=" + path + " matcher=" + matcher)
        + " timeout=" + timeout().getSeconds() + "s interval=" + interval.getSeconds()
        + "s healthy=" + healthyThreshold + " unhealthy=" + unhealthyThreshold + "}";
  }

  /** Builds {@link HealthCheck}; each setter validates its value. Not thread-safe. */
  public static final class Builder {
    private HealthCheckProtocol protocol = HealthCheckProtocol.TCP;
    private boolean protocolExplicit;
    private @Nullable Integer port;
    private String path = "/";
    private @Nullable Duration timeout;
    private Duration interval = Duration.ofSeconds(30);
    private int healthyThreshold = 5;
    private int unhealthyThreshold = 2;
    private Matcher matcher = Matcher.DEFAULT;

    Builder() {}

    /**
     * The protocol: TCP, HTTP or HTTPS.
     *
     * @param protocol the protocol: TCP, HTTP or HTTPS
     * @return this builder
     */
    public Builder protocol(HealthCheckProtocol protocol) {
      this.protocol = protocol;
      this.protocolExplicit = true;
      return this;
    }

    /**
     * Checks the port each target receives traffic on ({@code traffic-port}, the default).
     *
     * @return this builder
     */
    public Builder trafficPort() {
      this.port = null;
      return this;
    }

    /**
     * Checks a fixed port, 1-65535.
     *
     * @param port the port (1-65535)
     * @return this builder
     */
    public Builder port(int port) {
      this.port = Check.range("healthCheck.port", port, 1, 65535);
      return this;
    }

    /**
     * {@code traffic-port} or a port number, as the API spells it.
     *
     * @param spec {@code traffic-port} or a port number, as the API spells it
     * @return this builder
     */
    public Builder port(String spec) {
      if (spec.trim().equals("traffic-port")) {
        return trafficPort();
      }
      try {
        return port(Integer.parseInt(spec.trim()));
      } catch (NumberFormatException e) {
        throw Check.invalid("healthCheck.port", spec, "traffic-port or 1-65535");
      }
    }

    /**
     * The HTTP path: starts with {@code /}, at most 1024 printable ASCII characters.
     *
     * @param path the HTTP path: starts with {@code /}, at most 1024 printable ASCII characters
     * @return this builder
     */
    public Builder path(String path) {
      if (path.isEmpty() || path.charAt(0) != '/' || path.length() > 1024
          || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw Check.invalid("healthCheck.path", path, "a path starting with /, at most 1024 printable ASCII characters");
      }
      this.path = path;
      return this;
    }

    /**
     * The timeout, whole seconds 2-120.
     *
     * @param timeout the timeout, whole seconds 2-120
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Duration.ofSeconds(seconds("healthCheck.timeout", timeout, 2, 120));
      return this;
    }

    /**
     * The interval, whole seconds 5-300.
     *
     * @param interval the interval, whole seconds 5-300
     * @return this builder
     */
    public Builder interval(Duration interval) {
      this.interval = Duration.ofSeconds(seconds("healthCheck.interval", interval, 5, 300));
      return this;
    }

    /**
     * Consecutive successes to become healthy, 2-10.
     *
     * @param n consecutive successes to become healthy, 2-10
     * @return this builder
     */
    public Builder healthyThreshold(int n) {
      this.healthyThreshold = Check.range("healthCheck.healthyThreshold", n, 2, 10);
      return this;
    }

    /**
     * Consecutive failures to become unhealthy, 2-10.
     *
     * @param n consecutive failures to become unhealthy, 2-10
     * @return this builder
     */
    public Builder unhealthyThreshold(int n) {
      this.unhealthyThreshold = Check.range("healthCheck.unhealthyThreshold", n, 2, 10);
      return this;
    }

    /**
     * The success codes: {@code "200"}, {@code "200,202"}, {@code "200-299"}, within 200-599.
     *
     * @param codes the success codes: {@code "200"}, {@code "200,202"}, {@code "200-299"}, within 200-599
     * @return this builder
     */
    public Builder matcher(String codes) {
      this.matcher = Matcher.parse(codes);
      return this;
    }

    private static int seconds(String field, Duration d, int min, int max) {
      if (d.getNano() != 0 || d.getSeconds() < min || d.getSeconds() > max) {
        throw Check.invalid(field, d, "whole seconds " + min + "-" + max);
      }
      return (int) d.getSeconds();
    }

    /**
     * Builds the settings.
     *
     * @return the new {@code HealthCheck}
     */
    public HealthCheck build() {
      return new HealthCheck(this);
    }
  }

  /**
   * The HTTP status codes a health check accepts: single codes, comma-separated lists and
   * hyphenated ranges within 200-599 ({@code "200,204,300-399"}).
   *
   * <p>Immutable and thread-safe.
   */
  public static final class Matcher {
    static final Matcher DEFAULT = parse("200-399");

    private final String spec;
    private final int[] lows;
    private final int[] highs;

    private Matcher(String spec, int[] lows, int[] highs) {
      this.spec = spec;
      this.lows = lows;
      this.highs = highs;
    }

    /**
     * Parses a matcher; each code must lie in 200-599 and each range must be ascending.
     *
     * @param spec the text to parse
     * @return the {@code Matcher}
     */
    public static Matcher parse(String spec) {
      String s = spec.replace(" ", "");
      List<int[]> ranges = new ArrayList<>();
      if (s.isEmpty()) {
        throw Check.invalid("healthCheck.matcher", spec, "HTTP codes 200-599 as 200, 200,202 or 200-299");
      }
      for (String part : s.split(",", -1)) {
        String[] ends = part.split("-", -1);
        if (ends.length > 2) {
          throw Check.invalid("healthCheck.matcher", spec, "HTTP codes 200-599 as 200, 200,202 or 200-299");
        }
        int lo = code(spec, ends[0]);
        int hi = ends.length == 2 ? code(spec, ends[1]) : lo;
        if (hi < lo) {
          throw Check.invalid("healthCheck.matcher", spec, "ascending ranges such as 200-299");
        }
        ranges.add(new int[] {lo, hi});
      }
      int[] lows = new int[ranges.size()];
      int[] highs = new int[ranges.size()];
      for (int i = 0; i < lows.length; i++) {
        lows[i] = ranges.get(i)[0];
        highs[i] = ranges.get(i)[1];
      }
      return new Matcher(s, lows, highs);
    }

    private static int code(String spec, String text) {
      try {
        int c = Integer.parseInt(text);
        if (c >= 200 && c <= 599) {
          return c;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw Check.invalid("healthCheck.matcher", spec, "HTTP codes 200-599 as 200, 200,202 or 200-299");
    }

    /**
     * {@return whether {@code status} counts as a success}
     *
     * @param status the status
     */
    public boolean matches(int status) {
      for (int i = 0; i < lows.length; i++) {
        if (status >= lows[i] && status <= highs[i]) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Matcher && ((Matcher) o).spec.equals(spec);
    }

    @Override
    public int hashCode() {
      return spec.hashCode();
    }

    /** The matcher as the API spells it. */
    @Override
    public String toString() {
      return spec;
    }
  }
}
