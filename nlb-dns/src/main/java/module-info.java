/**
 * An authoritative DNS server for load balancers' DNS names: A and AAAA records of the nodes that
 * may serve, over UDP and TCP. See the package {@code io.nlb.dns}.
 */
module io.nlb.dns {
  requires static org.jspecify;
  // NodeDirectory.of(Nlb): Nlb appears in this API.
  requires transitive io.nlb.core;
  requires io.nlb.common;
  requires io.netty.buffer;
  requires io.netty.common;
  // EventLoopGroup appears in DnsServer.Builder#eventLoopGroup.
  requires transitive io.netty.transport;
  requires io.netty.codec;
  requires io.netty.codec.dns;
  requires io.netty.handler;
  requires org.slf4j;

  exports io.nlb.dns;
}
