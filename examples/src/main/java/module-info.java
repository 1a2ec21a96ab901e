/** Runnable examples. Uses only what the library modules export. */
module io.nlb.examples {
  requires io.nlb.core;
  requires io.nlb.transport.netty;
  requires io.nlb.healthcheck;
  requires io.nlb.proxyprotocol;
  requires io.nlb.tls;
  requires io.nlb.metrics;
  requires io.nlb.metrics.store;
  requires org.slf4j;
  // AlbTargetExample's stand-in ALB nodes are JDK HTTP servers.
  requires jdk.httpserver;
  requires static org.jspecify;
  // BomTest reads the BOM with the JDK's XML parser (tests run patched into this module).
  requires static java.xml;

  exports io.nlb.examples;
}
