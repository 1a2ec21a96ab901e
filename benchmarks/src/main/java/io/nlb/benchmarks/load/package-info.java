/**
 * A small loopback load tool for comparing the launcher with HAProxy and with a direct connection:
 * target servers (echo, sink), the client workloads (new connections per second, ping-pong
 * latency, bulk throughput, idle connections with the proxy's resident memory) and the report
 * (Markdown table with ratios, SVG chart). Plain blocking/NIO JDK sockets, no dependencies, so the
 * client costs the same whichever proxy it measures. Driven by {@code benchmarks/compare/run.sh}.
 */
@NullMarked
package io.nlb.benchmarks.load;

import org.jspecify.annotations.NullMarked;
