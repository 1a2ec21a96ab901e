package io.nlb.common;

import java.util.Locale;

/**
 * Wire spellings derived from enum constant names, so that a table of constants does not repeat
 * each name as a string: {@code SAMPLE_COUNT} is {@code SampleCount} in CloudWatch.
 *
 * <p>Stateless and thread-safe. Meant for field initializers and start-up, not per-packet paths.
 *
 * <pre>{@code
 * enum Statistic {
 *   SAMPLE_COUNT, AVERAGE;
 *   private final String cloudWatchName = WireNames.pascalCase(name()); // "SampleCount", "Average"
 * }
 * }</pre>
 *
 * <p>Not API: the package is exported only to the project's modules.
 *
 * @since 0.1
 */
public final class WireNames {
  private WireNames() {}

  /**
   * An upper-case, underscore-separated constant name in PascalCase: {@code AVAILABILITY_ZONE}
   * becomes {@code AvailabilityZone}.
   *
   * @param constantName a name such as {@code Enum.name()} returns: letters, digits and underscores
   * @return each underscore-separated word capitalized, joined without separators
   * @throws IllegalArgumentException if {@code constantName} is empty or has other characters
   */
  public static String pascalCase(String constantName) {
    if (!constantName.matches("[A-Z0-9]+(_[A-Z0-9]+)*")) {
      throw Problems.invalid("constantName", constantName, "upper-case words joined by single underscores");
    }
    StringBuilder b = new StringBuilder(constantName.length());
    for (String word : constantName.split("_")) {
      b.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }
}
