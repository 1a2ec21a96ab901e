/** Runnable examples of the library, one per scenario, and the demo. */
@NullMarked
package io.nlb.examples;

import org.jspecify.annotations.NullMarked;
