/**
 * The health-check engine: schedules active checks (performed by the transport's {@link
 * io.nlb.core.spi.HealthProbe}), takes passive signals, and runs the target health lifecycle.
 */
@NullMarked
package io.nlb.healthcheck;

import org.jspecify.annotations.NullMarked;
