/**
 * The standalone launcher: runs load balancers described by a YAML or JSON file.
 *
 * <h2>Why {@link io.nlb.launcher.LauncherConfig} walks the Jackson tree by hand</h2>
 *
 * <p>Jackson data binding onto records, plus one validation pass over the records, was tried on
 * the {@code transport} section ({@code LauncherConfigBindingPrototypeTest}, on the inputs of
 * {@code LauncherConfigTest}). What it gives on the messages, which must each carry their path and
 * all come at once:
 *
 * <ul>
 *   <li>Values of the right type but out of range, or not one of a set, come out the same as
 *       today: every one, each with its path, since the validation pass sees the whole record.
 *   <li>Values of the wrong type (a word where a number goes, a number beyond {@code int}, a word
 *       where {@code true} or {@code false} goes) stop binding at the first. Of the five mistakes
 *       in the test's bad-limits file, binding reports one; the other four show up one per
 *       edit-and-retry. Unknown keys, too, come one at a time.
 *   <li>The path survives ({@code JsonMappingException.getPath()}); the wording does not: {@code
 *       transport.zeroCopy: Cannot deserialize value of type `java.lang.Boolean` from String
 *       "sometimes": ...} instead of {@code transport.zeroCopy: "sometimes" (expected: true or
 *       false)}, and an unknown key no longer lists the keys allowed there.
 *   <li>Code: the section's walk is about 70 lines; the bound version is a record of 12 lines and
 *       about 60 of binding, validation and exception mapping, so nothing is saved. Keeping every
 *       message at once would need a problem-collecting deserializer per value type, or fields
 *       typed as text and parsed in the validator, which brings the walk back.
 * </ul>
 *
 * <p>So the walk stays: it reports every problem of a file in one run, in the project's
 * {@code "path: value (expected: ...)"} form, and {@code ConfigKeys} stays the one table of keys,
 * ranges and defaults that the walk, the reference page and the JSON Schema are made from.
 */
@NullMarked
package io.nlb.launcher;

import org.jspecify.annotations.NullMarked;
