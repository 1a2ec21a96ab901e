package io.nlb.awsapi;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The page markers of the Query and JSON APIs ({@code Marker}/{@code NextMarker}, {@code
 * NextToken}): this endpoint's markers are the index where the next page starts, as text.
 *
 * <p>Stateless and thread-safe.
 */
final class Markers {
  private Markers() {}

  /**
   * Where the page {@code marker} asks for starts in a list of {@code size} items: 0 without a
   * marker.
   *
   * @param refusal the exception for a marker this endpoint did not return, given the marker
   */
  static int start(@Nullable String marker, int size, Function<String, RuntimeException> refusal) {
    if (marker == null) {
      return 0;
    }
    int from;
    try {
      from = Integer.parseInt(marker);
    } catch (NumberFormatException e) {
      from = -1;
    }
    if (from < 0 || from > size) {
      throw refusal.apply(marker);
    }
    return from;
  }
}
