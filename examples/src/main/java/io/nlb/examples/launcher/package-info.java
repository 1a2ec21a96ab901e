/** The standalone launcher: runs load balancers described by a YAML or JSON file. */
@NullMarked
package io.nlb.examples.launcher;

import org.jspecify.annotations.NullMarked;
