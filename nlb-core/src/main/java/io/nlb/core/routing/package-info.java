/** Flow keys, the flow hash, immutable routing snapshots and the what-if API. */
@NullMarked
package io.nlb.core.routing;

import org.jspecify.annotations.NullMarked;
