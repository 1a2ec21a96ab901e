package io.nlb.awsapi;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.nlb.core.ErrorCode;
import io.nlb.core.NlbException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The request side of the zonal-shift REST-JSON API: the JSON body and query string read, members
 * checked, pages cut with their {@code nextToken}, and the library's refusals translated, each
 * refusal a {@link ZonalShiftService.Refusal} in the API's error shape.
 *
 * <p>Stateless and thread-safe.
 */
final class ZonalShiftInput {
  private static final Pattern EXPIRES_IN = Pattern.compile("([1-9][0-9]{0,4})([mh])");
  private static final Duration MAX_SHIFT = Duration.ofHours(72);

  private ZonalShiftInput() {}

  static Map<String, Object> page(List<Object> all, Map<String, String> query) {
    int max = 100;
    @Nullable String m = query.get("maxResults");
    if (m != null) {
      try {
        max = Integer.parseInt(m);
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 1 || max > 100) {
        throw new ZonalShiftService.Refusal("ValidationException", 400, "maxResults: " + m + " (expected: 1-100)", Map.of());
      }
    }
    int from = 0;
    @Nullable String token = query.get("nextToken");
    if (token != null) {
      try {
        String t = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
        if (!t.startsWith("from:")) {
          throw new IllegalArgumentException(t);
        }
        from = Integer.parseInt(t.substring(5));
        if (from < 0 || from > all.size()) {
          throw new IllegalArgumentException(t);
        }
      } catch (IllegalArgumentException e) {
        throw ZonalShiftService.validation("InvalidToken", "nextToken: " + token + " (expected: a nextToken of an earlier answer)");
      }
    }
    int to = Math.min(all.size(), from + max);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", new ArrayList<>(all.subList(from, to)));
    if (to < all.size()) {
      out.put("nextToken", Base64.getUrlEncoder().withoutPadding().encodeToString(("from:" + to).getBytes(StandardCharsets.US_ASCII)));
    }
    return out;
  }

  static Map<String, Object> json(byte[] body) {
    try {
      return Json.readObject(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new ZonalShiftService.Refusal("SerializationException", 400, String.valueOf(e.getMessage()), Map.of());
    }
  }

  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery.isEmpty()) {
      return out;
    }
    new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false).parameters()
        .forEach((k, v) -> out.put(k, v.isEmpty() ? "" : v.get(v.size() - 1)));
    return out;
  }

  static String required(Map<String, Object> in, String name) {
    String v = optional(in, name);
    if (v == null) {
      throw ZonalShiftService.validation("MissingValue", name + ": (absent) (expected: a value; the member is required)");
    }
    return v;
  }

  static @Nullable String optional(Map<String, Object> in, String name) {
    Object v = in.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ZonalShiftService.Refusal("SerializationException", 400, name + ": " + v + " (expected: a string)", Map.of());
    }
    return s;
  }

  static void checkComment(String comment) {
    if (comment.length() > 128) {
      throw new ZonalShiftService.Refusal("ValidationException", 400, "comment: " + comment.length() + " characters (expected: at most 128)",
          Map.of());
    }
  }

  /** {@code 30m}, {@code 2h}: 1 minute to 72 hours, as the API's pattern and the guide's limit say. */
  static Duration expiresIn(String value) {
    Matcher m = EXPIRES_IN.matcher(value);
    if (!m.matches()) {
      throw ZonalShiftService.validation("InvalidExpiresIn", "expiresIn: " + value + " (expected: minutes or hours such as 30m or 2h)");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = m.group(2).equals("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
    if (d.compareTo(MAX_SHIFT) > 0) {
      throw ZonalShiftService.validation("InvalidExpiresIn", "expiresIn: " + value + " (expected: 1m-4320m or 1h-72h)");
    }
    return d;
  }

  interface LibraryCall<T> {
    T run();
  }

  /** The library's refusals in this API's shapes. */
  static <T> T library(LibraryCall<T> call) {
    try {
      return call.run();
    } catch (NlbException e) {
      String message = String.join("; ", e.problems());
      if (e.code() == ErrorCode.AVAILABILITY_ZONE_NOT_SUPPORTED) {
        throw ZonalShiftService.validation("InvalidAz", message);
      }
      if (e.code() == ErrorCode.VALIDATION_ERROR) {
        throw ZonalShiftService.validation("InvalidExpiresIn", message);
      }
      if (e.code() == ErrorCode.OPERATION_NOT_PERMITTED) {
        // One zone, or cross-zone load balancing on: the resource cannot shift away from a zone.
        throw ZonalShiftService.validation("UnsupportedAz", message);
      }
      throw new ZonalShiftService.Refusal("InternalServerException", 500, message, Map.of());
    }
  }
}
