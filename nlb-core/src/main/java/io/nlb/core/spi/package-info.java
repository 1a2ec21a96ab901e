/** Service provider interfaces through which transports plug into the core. */
@NullMarked
package io.nlb.core.spi;

import org.jspecify.annotations.NullMarked;
