/** JMH benchmarks of the library's hot paths and of its table builds. Never deployed. */
@NullMarked
package io.nlb.benchmarks;

import org.jspecify.annotations.NullMarked;
