/**
 * The Netty data plane: implements {@link io.nlb.core.spi.Transport} and relays TCP, UDP and
 * TCP_UDP flows between clients and targets, terminating TLS listeners with io.nlb.tls.
 */
module io.nlb.transport.netty {
  requires static org.jspecify;
  // The Transport SPI's types (LoadBalancer, RoutingSnapshot, RegisteredTarget) appear in this API.
  requires transitive io.nlb.core;
  // MetricsRecorder appears in NettyTransportBuilder#metrics.
  requires transitive io.nlb.metrics;
  requires io.nlb.proxyprotocol;
  // TlsProvider appears in NettyTransportBuilder#tlsProvider: the only tls type in this API.
  requires transitive io.nlb.tls;
  requires io.netty.buffer;
  requires io.netty.common;
  // EventLoopGroup appears in NettyTransportBuilder#eventLoopGroup.
  requires transitive io.netty.transport;
  requires io.netty.handler;
  requires org.slf4j;
  // com.sun.management.UnixOperatingSystemMXBean: the descriptor limit UDP flows are budgeted from.
  requires jdk.management;
  // Native transports are optional: IoMode.AUTO uses them only when they load.
  requires static io.netty.transport.unix.common;
  requires static io.netty.transport.classes.epoll;
  requires static io.netty.transport.classes.io_uring;

  exports io.nlb.transport.netty;

  provides io.nlb.core.spi.TransportProvider with
      io.nlb.transport.netty.NettyTransportProvider;
}
