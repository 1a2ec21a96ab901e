package io.nlb.core.spi;

/**
 * Creates {@link Transport}s; registered with {@code provides io.nlb.core.spi.TransportProvider
 * with ...} in a module, or in {@code META-INF/services} on the class path, so that {@code
 * Nlb.builder().transport()} finds the data plane without naming it.
 *
 * <p>Implementations must be thread-safe.
 *
 * @since 0.1
 */
public interface TransportProvider {
  /** {@return a short name such as {@code netty}} */
  String name();

  /** {@return higher wins when several providers are present} */
  default int priority() {
    return 0;
  }

  /**
   * Creates a transport with default settings.
   *
   * @return the {@code Transport}
   */
  Transport create();
}
