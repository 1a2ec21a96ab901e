/** Service provider interfaces through which transports, health checkers, TLS and metrics plug into the core. */
@NullMarked
package io.nlb.core.spi;

import org.jspecify.annotations.NullMarked;
