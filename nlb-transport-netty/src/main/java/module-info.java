/** The Netty data plane. */
module io.nlb.transport.netty {
  requires static org.jspecify;
  requires transitive io.nlb.core;
  requires io.nlb.metrics;
  requires io.nlb.proxyprotocol;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.handler;
  requires org.slf4j;

  // exports io.nlb.transport.netty; (added with its first public type)
}
