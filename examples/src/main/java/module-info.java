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
  // AlbTargetExample's stand-in ALB nodes and the launcher's status page are JDK HTTP servers.
  requires jdk.httpserver;
  // The launcher reloads its file on SIGHUP (sun.misc.Signal); it falls back to watching the file.
  requires jdk.unsupported;
  requires static org.jspecify;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.nlb.examples;
  exports io.nlb.examples.launcher;
}
