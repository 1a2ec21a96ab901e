/** The health-check engine: active TCP, HTTP and HTTPS checks, passive checks, and the target health lifecycle. */
@NullMarked
package io.nlb.healthcheck;

import org.jspecify.annotations.NullMarked;
