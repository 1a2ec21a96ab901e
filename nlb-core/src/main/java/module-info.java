/**
 * The load balancer's vocabulary and brain: immutable configuration built through validating
 * builders, runtime handles whose operations mirror the elbv2 verbs, the routing engine that turns
 * a flow hash into a target, and the SPIs through which transports, TLS, health checks and
 * metrics plug in. This module performs no I/O.
 */
module io.nlb.core {
  requires static transitive org.jspecify;
  requires org.slf4j;
  // Problems formats every argument error; not re-exported (no API type of it).
  requires io.nlb.common;

  exports io.nlb.core;
  exports io.nlb.core.routing;
  exports io.nlb.core.spi;
  exports io.nlb.core.internal to
      io.nlb.transport.netty,
      io.nlb.healthcheck,
      io.nlb.tls;

  uses io.nlb.core.spi.TransportProvider;
}
