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
  // io.nlb.core.internal is exported to no module: no other module's main or test code imports it
  // (the benchmarks do, from the class path). Add a qualified export when a sibling needs it.

  uses io.nlb.core.spi.TransportProvider;
}
