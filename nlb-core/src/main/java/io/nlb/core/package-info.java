/** The public model: load balancers, listeners, target groups and targets, their builders, attributes, health states and errors. */
@NullMarked
package io.nlb.core;

import org.jspecify.annotations.NullMarked;
