/** A {@link io.nlb.metrics.MetricsRecorder} that records into a Micrometer meter registry. */
@NullMarked
package io.nlb.metrics.micrometer;

import org.jspecify.annotations.NullMarked;
