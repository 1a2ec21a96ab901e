package io.nlb.transport.netty;

import io.nlb.core.spi.Transport;
import io.nlb.core.spi.TransportProvider;

/**
 * Makes {@link NettyTransport} findable by {@code Nlb.builder().transport()}: registered with
 * {@code provides} in this module and in {@code META-INF/services} for the class path. The
 * transport it creates uses the defaults of {@link NettyTransport#builder()}.
 *
 * <p>Thread-safe (stateless).
 *
 * @since 0.1
 */
public final class NettyTransportProvider implements TransportProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public NettyTransportProvider() {}

  @Override
  public String name() {
    return "netty";
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public Transport create() {
    return NettyTransport.builder().build().spi();
  }
}
