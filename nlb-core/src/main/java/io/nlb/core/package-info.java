/**
 * The public model: load balancers, listeners, target groups and targets, their builders,
 * attributes, health states and errors.
 *
 * <h2>Why {@link io.nlb.core.AuditEvent#toJson()} is written by hand</h2>
 *
 * <p>The audit line is about 100 lines of code that write maps, lists, strings, numbers and
 * booleans as one line of JSON, with the escaping a log line needs; {@code AuditEventJsonTest}
 * parses its output with Jackson to prove it is JSON. Rendering it with Jackson instead would make
 * Jackson a dependency of this module, which has none but {@code nlb-common}, SLF4J's API and
 * JSpecify's annotations. Measured with Jackson 2.18.2 (what the launcher uses):
 *
 * <ul>
 *   <li>size: this module and its runtime dependencies are 308 KB of jars; {@code
 *       jackson-databind} with {@code jackson-core} and {@code jackson-annotations} would add
 *       2,335 KB (7.6 times the whole), {@code jackson-core} alone (its streaming writer) 598 KB;
 *   <li>start-up: writing the first event through an {@code ObjectMapper} loads 685 more classes
 *       than the hand-written writer (1,458 against 773 in a JVM that only writes that event, 468
 *       of them Jackson's);
 *   <li>reach: every user, down to a routing unit test that never writes an audit line, would get
 *       Jackson on the class path and a {@code requires} on the module path.
 * </ul>
 *
 * <p>So the writer stays, and this module stays free of Jackson. The launcher, which already
 * depends on Jackson, may render events its own way from {@link io.nlb.core.AuditEvent}'s getters.
 */
@NullMarked
package io.nlb.core;

import org.jspecify.annotations.NullMarked;
