/** TLS termination under named security policies. Depends on the core only. */
module io.nlb.tls {
  requires static org.jspecify;
  requires transitive io.nlb.core;
  requires io.netty.handler;
  requires org.slf4j;

  exports io.nlb.tls;
}
