/** PROXY protocol v2 encoder and v1/v2 decoder; knows nothing about load balancers. */
module io.nlb.proxyprotocol {
  requires static org.jspecify;
  requires io.netty.buffer;
  requires io.netty.codec.haproxy;

  // exports io.nlb.proxyprotocol; (added with its first public type)
}
