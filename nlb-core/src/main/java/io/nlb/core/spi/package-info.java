/** Service provider interfaces through which transports and health probes plug into the core. */
@NullMarked
package io.nlb.core.spi;

import org.jspecify.annotations.NullMarked;
