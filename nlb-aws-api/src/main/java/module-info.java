/**
 * The elbv2 Query API (version 2015-12-01) on the wire: an HTTP endpoint that verifies AWS
 * Signature Version 4, parses form-encoded requests, runs them against an {@link io.nlb.core.Nlb}
 * and answers in the elbv2 XML, so the AWS CLI and SDKs create and manage the library's load
 * balancers; CloudWatch statistics and the ARC zonal-shift API come from the same endpoint. Entry
 * point: {@link io.nlb.awsapi.AwsApiServer}.
 */
module io.nlb.awsapi {
  requires static org.jspecify;
  requires transitive io.nlb.core;
  // MetricStore appears in AwsApiServer.Builder.
  requires transitive io.nlb.metrics;
  requires transitive io.nlb.metrics.store;
  requires io.nlb.common;
  requires io.nlb.tls;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires org.slf4j;

  exports io.nlb.awsapi;
}
