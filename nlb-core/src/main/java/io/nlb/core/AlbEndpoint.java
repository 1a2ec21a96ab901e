package io.nlb.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A target that is itself a load balancer whose addresses change — the {@code alb} target type.
 * The endpoint has a name, the port its listener serves (the target group's port must equal it),
 * and a source of its current addresses that the library re-reads on a schedule; the group follows
 * the addresses without any action from the application. New flows use the current addresses;
 * existing flows stay where they are.
 *
 * <p>Rules carried over from the service: an {@code alb} group holds exactly one target, only TCP
 * listeners forward to it, its health checks are HTTP or HTTPS, one endpoint may sit in groups of
 * at most two load balancers, and an endpoint cannot be removed while it is registered.
 *
 * <p>The address source runs on the control plane's scheduler, never on an event loop, so it may
 * block, for example on DNS:
 *
 * <pre>{@code
 * AlbEndpoint alb = AlbEndpoint.builder("my-alb", 80)
 *     .addresses(() -> List.of(InetAddress.getAllByName("internal-alb.example")))
 *     .refreshInterval(Duration.ofSeconds(60))
 *     .build();
 * nlb.createAlbEndpoint(alb);
 * }</pre>
 *
 * <p>Immutable and thread-safe (the supplier must be thread-safe).
 *
 * @since 0.1
 */
public final class AlbEndpoint {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?");

  /** Where an endpoint's addresses come from. It may block; it may throw, which keeps the last set. */
  @FunctionalInterface
  public interface AddressSource {
    /**
     * {@return the current addresses}
     *
     * @throws Exception if the addresses cannot be found now; the previous ones stay in use
     */
    List<InetAddress> addresses() throws Exception;
  }

  private final String name;
  private final int port;
  private final AddressSource source;
  private final Duration refreshInterval;

  private AlbEndpoint(Builder b) {
    this.name = b.name;
    this.port = b.port;
    this.source = b.source;
    this.refreshInterval = b.refreshInterval;
  }

  /**
   * Starts an endpoint named {@code name} whose listener serves {@code port}.
   *
   * @param name the name
   * @param port the port (1-65535)
   * @return a new builder
   */
  public static Builder builder(String name, int port) {
    return new Builder(name, port);
  }

  static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw Check.invalid("albEndpoint.name", name, "1-32 letters, digits and hyphens, not starting or ending with a hyphen");
    }
    return name;
  }

  /** {@return the endpoint's name} */
  public String name() {
    return name;
  }

  /** {@return the port its listener serves} */
  public int port() {
    return port;
  }

  /** {@return where its addresses come from} */
  public AddressSource source() {
    return source;
  }

  /** {@return how often the addresses are re-read} */
  public Duration refreshInterval() {
    return refreshInterval;
  }

  @Override
  public String toString() {
    return "AlbEndpoint{" + name + ":" + port + " every " + refreshInterval + "}";
  }

  /** Builds an {@link AlbEndpoint}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final int port;
    private AddressSource source = List::of;
    private boolean sourceSet;
    private Duration refreshInterval = Duration.ofSeconds(60);

    Builder(String name, int port) {
      this.name = checkName(name);
      this.port = Check.range("albEndpoint.port", port, 1, 65535);
    }

    /**
     * The source of the endpoint's addresses.
     *
     * @param source the source of the endpoint's addresses
     * @return this builder
     */
    public Builder addresses(AddressSource source) {
      this.source = source;
      this.sourceSet = true;
      return this;
    }

    /**
     * How often the addresses are re-read: 1 second to 1 hour (default 60 seconds).
     *
     * @param interval how often the addresses are re-read: 1 second to 1 hour (default 60 seconds)
     * @return this builder
     */
    public Builder refreshInterval(Duration interval) {
      if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw Check.invalid("albEndpoint.refreshInterval", interval, "1 second to 1 hour");
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * Builds the endpoint; an address source is required.
     *
     * @return the new {@code AlbEndpoint}
     */
    public AlbEndpoint build() {
      if (!sourceSet) {
        throw Check.invalid("albEndpoint[" + name + "].addresses", null, "an address source");
      }
      return new AlbEndpoint(this);
    }
  }
}
