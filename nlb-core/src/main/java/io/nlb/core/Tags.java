package io.nlb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tagging rules shared by load balancers and target groups: at most 50 tags per resource, keys
 * of 1-127 and values of 0-255 Unicode characters made of letters, digits, spaces and {@code + -
 * = . _ : / @}, no leading or trailing space, and the {@code aws:} prefix reserved.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class Tags {
  /** Tags per resource. */
  public static final int MAX_TAGS = 50;
  /** Characters (code points) in a key. */
  public static final int MAX_KEY_LENGTH = 127;
  /** Characters (code points) in a value. */
  public static final int MAX_VALUE_LENGTH = 255;

  private static final String ALLOWED = "letters, digits, spaces and + - = . _ : / @";

  private Tags() {}

  /**
   * Checks one key; returns it unchanged.
   *
   * @param field the name of the value, for the error message
   * @param key the key
   * @return the same text
   */
  public static String checkKey(String field, String key) {
    return checkTag(field, key, 1, MAX_KEY_LENGTH, "key");
  }

  /**
   * Checks one value; returns it unchanged.
   *
   * @param field the name of the value, for the error message
   * @param value the value
   * @return the same text
   */
  public static String checkValue(String field, String value) {
    return checkTag(field, value, 0, MAX_VALUE_LENGTH, "value");
  }

  /** The rules keys and values share: a length in code points, the characters, no {@code aws:} prefix. */
  private static String checkTag(String field, String s, int minLength, int maxLength, String what) {
    int n = s.codePointCount(0, s.length());
    if (n < minLength || n > maxLength) {
      throw Check.invalid(field, s, minLength + "-" + maxLength + " characters");
    }
    checkText(field, s);
    if (s.toLowerCase(Locale.ROOT).startsWith("aws:")) {
      throw Check.invalid(field, s, "a " + what + " not starting with the reserved prefix aws:");
    }
    return s;
  }

  private static void checkText(String field, String s) {
    if (!s.isEmpty() && (s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ')) {
      throw Check.invalid(field, s, "no leading or trailing spaces");
    }
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (!(Character.isLetterOrDigit(cp) || cp == ' ' || "+-=._:/@".indexOf(cp) >= 0)) {
        throw Check.invalid(field, s, ALLOWED);
      }
      i += Character.charCount(cp);
    }
  }

  /**
   * Applies {@code additions} to {@code current} (an existing key takes the new value) and returns
   * the result, or throws listing every problem; {@code current} is never modified.
   */
  static Map<String, String> add(String resource, Map<String, String> current, Map<String, String> additions) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : additions.entrySet()) {
      String field = resource + ".tags[" + e.getKey() + "]";
      try {
        checkKey(field + ".key", e.getKey());
        checkValue(field + ".value", e.getValue());
      } catch (IllegalArgumentException ex) {
        problems.add(ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new NlbException(ErrorCode.VALIDATION_ERROR, problems);
    }
    Map<String, String> next = new LinkedHashMap<>(current);
    next.putAll(additions);
    if (next.size() > MAX_TAGS) {
      throw new NlbException(ErrorCode.TOO_MANY_TAGS,
          Check.message(resource + ".tags", next.size() + " tags", "at most " + MAX_TAGS));
    }
    return next;
  }

  /** Removes {@code keys} from {@code current}; unknown keys are ignored, as the API does. */
  static Map<String, String> remove(Map<String, String> current, Collection<String> keys) {
    Map<String, String> next = new LinkedHashMap<>(current);
    keys.forEach(next::remove);
    return next;
  }
}
