package io.nlb.common;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

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
    checkConstantName(constantName);
    StringBuilder b = new StringBuilder(constantName.length());
    for (String word : constantName.split("_")) {
      b.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }

  /**
   * An upper-case, underscore-separated constant name in lower case with hyphens: {@code
   * INTERNET_FACING} becomes {@code internet-facing}, {@code IPV4} becomes {@code ipv4}.
   *
   * @param constantName a name such as {@code Enum.name()} returns: letters, digits and underscores
   * @return the name in lower case, each underscore replaced by a hyphen
   * @throws IllegalArgumentException if {@code constantName} is empty or has other characters
   */
  public static String lowerHyphen(String constantName) {
    checkConstantName(constantName);
    return constantName.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The constant whose wire spelling is {@code wire}, the one loop that every {@code parse} or
   * {@code of...} method of an enum would otherwise repeat.
   *
   * @param <E> the enum type
   * @param values the constants to search, usually {@code E.values()}
   * @param wire the spelling to find, compared exactly (callers normalize case first if they must)
   * @param spelling how each constant is spelled on the wire
   * @return the first constant spelled {@code wire}, or empty if none is
   */
  public static <E extends Enum<E>> Optional<E> lookup(E[] values, String wire, Function<E, String> spelling) {
    for (E e : values) {
      if (spelling.apply(e).equals(wire)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private static void checkConstantName(String constantName) {
    if (!constantName.matches("[A-Z0-9]+(_[A-Z0-9]+)*")) {
      throw Problems.invalid("constantName", constantName, "upper-case words joined by single underscores");
    }
  }
}
