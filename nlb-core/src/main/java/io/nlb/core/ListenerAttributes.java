package io.nlb.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attributes of a listener.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code tcp.idle_timeout.seconds}</td><td>60-6000</td><td>350</td></tr>
 * </table>
 *
 * <p>The guide fixes the TCP idle timeout at 350 seconds; the service later made it a listener
 * attribute with this key and range, and so does this library.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ListenerAttributes extends AttributeValues {
  /** {@code tcp.idle_timeout.seconds}. */
  public static final String TCP_IDLE_TIMEOUT = "tcp.idle_timeout.seconds";

  static final List<AttributeSpec> SPECS = List.of(AttributeSpec.integer(TCP_IDLE_TIMEOUT, 60, 6000, "350"));

  private static final ListenerAttributes EMPTY = new ListenerAttributes(Map.of());

  ListenerAttributes(Map<String, String> values) {
    super("listener", SPECS, values);
  }

  /** {@return every attribute at its default} */
  public static ListenerAttributes defaults() {
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
   * A builder holding these values.
   *
   * @return a new builder holding these values
   */
  public Builder toBuilder() {
    return new Builder(explicitValues());
  }

  /** {@return {@code tcp.idle_timeout.seconds}} */
  public Duration tcpIdleTimeout() {
    return Duration.ofSeconds(integer(TCP_IDLE_TIMEOUT));
  }

  /** Builds {@link ListenerAttributes}. Not thread-safe. */
  public static final class Builder extends AttributeBuilder<Builder> {
    Builder(Map<String, String> initial) {
      super("listener", SPECS, initial);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * {@code tcp.idle_timeout.seconds}, whole seconds 60-6000.
     *
     * @param timeout {@code tcp.idle_timeout.seconds}, whole seconds 60-6000
     * @return this builder
     */
    public Builder tcpIdleTimeout(Duration timeout) {
      if (timeout.getNano() != 0 || timeout.getSeconds() < 60 || timeout.getSeconds() > 6000) {
        throw Check.invalid(TCP_IDLE_TIMEOUT, timeout, "whole seconds 60-6000");
      }
      return set(TCP_IDLE_TIMEOUT, Long.toString(timeout.getSeconds()));
    }

    /**
     * Builds the explicit values.
     *
     * @return the new {@code ListenerAttributes}
     */
    public ListenerAttributes build() {
      return new ListenerAttributes(values);
    }
  }
}
