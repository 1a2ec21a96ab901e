package io.nlb.core;

import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * Resolves instance ids to the address traffic is sent to, for target groups of type {@code
 * instance}. The application supplies it (from its inventory, a service registry, a static map);
 * the library calls it on the control plane when a target is registered, never on an event loop.
 *
 * <pre>{@code
 * Map<String, InstanceResolver.Instance> inventory = Map.of(
 *     "i-0123456789abcdef0", InstanceResolver.Instance.running(InetAddress.getByName("10.0.1.5"), "zone-a"));
 * Nlb nlb = Nlb.builder().instanceResolver(inventory::get).build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface InstanceResolver {
  /** A resolver that knows no instance: registering an instance target fails. */
  InstanceResolver NONE = id -> null;

  /**
   * {@return the instance behind {@code instanceId}, or {@code null} when it is unknown}
   *
   * @param instanceId the instance id
   */
  @Nullable Instance resolve(String instanceId);

  /** The state of an instance, as far as routing cares. */
  enum State {
    /** Running: can be registered and receive traffic. */
    RUNNING,
    /** Stopped: reported {@code unused} with {@code Target.InvalidState}. */
    STOPPED,
    /** Terminated: reported {@code unused} with {@code Target.InvalidState}. */
    TERMINATED
  }

  /**
   * What the resolver knows of one instance: its primary address, its zone (may be null to derive
   * it from zone ranges) and its state. Immutable and thread-safe.
   */
  final class Instance {
    private final InetAddress address;
    private final @Nullable String zone;
    private final State state;

    /**
     * Creates an instance description.
     *
     * @param address the address
     * @param zone the zone's name
     * @param state the state
     */
    public Instance(InetAddress address, @Nullable String zone, State state) {
      this.address = address;
      this.zone = zone == null ? null : Zone.checkName("instance.zone", zone);
      this.state = state;
    }

    /**
     * {@return a running instance}
     *
     * @param address the address
     * @param zone the zone's name
     */
    public static Instance running(InetAddress address, @Nullable String zone) {
      return new Instance(address, zone, State.RUNNING);
    }

    /** {@return the primary private address} */
    public InetAddress address() {
      return address;
    }

    /** {@return the zone, or null to derive it from the zones' address ranges} */
    public @Nullable String zone() {
      return zone;
    }

    /** {@return the state} */
    public State state() {
      return state;
    }
  }
}
