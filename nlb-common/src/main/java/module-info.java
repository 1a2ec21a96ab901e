/**
 * What the project's modules share and no user calls: {@link io.nlb.common.Problems}, the one
 * formatter of {@code "field: value (expected: what)"} messages. A leaf that depends on nothing,
 * so that the other leaves ({@code io.nlb.proxyprotocol}, {@code io.nlb.metrics}) can use it
 * without learning about load balancers. Not API: the package is exported only to the modules
 * that use it.
 */
module io.nlb.common {
  requires static org.jspecify;

  exports io.nlb.common to
      io.nlb.awsapi,
      io.nlb.core,
      io.nlb.dns,
      io.nlb.cluster,
      io.nlb.metrics,
      io.nlb.metrics.store,
      io.nlb.metrics.micrometer,
      io.nlb.proxyprotocol,
      io.nlb.tls;
}
