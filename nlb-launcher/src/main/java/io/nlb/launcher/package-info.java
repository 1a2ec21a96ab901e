/** The standalone launcher: runs load balancers described by a YAML or JSON file. */
@NullMarked
package io.nlb.launcher;

import org.jspecify.annotations.NullMarked;
