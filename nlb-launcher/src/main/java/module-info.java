/**
 * The standalone launcher ({@code nlb}): runs the load balancers a YAML or JSON file describes,
 * reloads it, serves a status endpoint and handles signals. An application, not a library: it
 * exports its package only so that its types can be read in the javadoc.
 */
module io.nlb.launcher {
  // Its public types (Launcher, LauncherConfig) speak these modules' types.
  requires transitive io.nlb.core;
  requires transitive io.nlb.transport.netty;
  requires io.nlb.healthcheck;
  // The optional awsApi section starts the AWS API endpoint with the daemon.
  requires io.nlb.awsapi;
  // Launcher#dnsServer: the dns key starts an authoritative DNS server for the load balancers.
  requires transitive io.nlb.dns;
  // cluster: LauncherConfig.sharedState() and Launcher.cluster() speak its types.
  requires transitive io.nlb.cluster;
  requires transitive io.nlb.tls;
  requires transitive io.nlb.metrics;
  requires transitive io.nlb.metrics.store;
  // /metrics: the Micrometer binding into a Prometheus registry.
  requires io.nlb.metrics.micrometer;
  requires micrometer.registry.prometheus;
  requires org.slf4j;
  requires io.netty.common;
  // The command line; it reads the annotated command classes reflectively.
  requires info.picocli;
  opens io.nlb.launcher to info.picocli;
  // The status endpoint is a small Netty HTTP server.
  requires io.netty.buffer;
  requires io.netty.transport;
  requires io.netty.codec;
  requires io.netty.codec.http;
  // The launcher reloads its file on SIGHUP (sun.misc.Signal); it falls back to watching the file.
  requires jdk.unsupported;
  requires static transitive org.jspecify;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.nlb.launcher;
}
