/**
 * Internal to the project: exported only to its own modules. See {@link io.nlb.common.Problems}.
 */
@NullMarked
package io.nlb.common;

import org.jspecify.annotations.NullMarked;
