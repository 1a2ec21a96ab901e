/** Metric names, units and dimensions of the load balancer, and the recording SPI. */
@NullMarked
package io.nlb.metrics;

import org.jspecify.annotations.NullMarked;
