/** Implementation details shared with sibling modules only; not API. */
@NullMarked
package io.nlb.core.internal;

import org.jspecify.annotations.NullMarked;
