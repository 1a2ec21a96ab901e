package io.nlb.common;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one JSON string writer of the project's hand-written JSON (audit events, the AWS API's
 * REST-JSON answers): the string stays on one line in any log viewer and survives any encoding.
 * Quotes, backslashes and control characters (C0, DEL, C1) are escaped, so are the Unicode line
 * and paragraph separators, and so is a surrogate without its pair (UTF-8 cannot carry it; it
 * would become {@code ?}).
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * StringBuilder sb = new StringBuilder();
 * JsonStrings.quote(sb, "a\"b\n"); // "a\"b\n" with the quote and the newline escaped
 * }</pre>
 *
 * <p>Not API: the package is exported only to the project's modules.
 *
 * @since 0.1
 */
public final class JsonStrings {
  private static final String HEX = "0123456789abcdef";

  private JsonStrings() {}

  /**
   * Appends {@code s} to {@code sb} as a JSON string, quotes included.
   *
   * @param sb where to append
   * @param s the text
   */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(sb, c);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * Appends {@code value} as JSON: a map as an object (keys by {@code String.valueOf}, in the map's
   * order), a list as an array, a finite number or a boolean as it prints, {@code null} as {@code
   * null}; anything else, {@code NaN} and the infinities included (JSON has no spelling for them),
   * as a {@link #quote quoted} string of its {@code toString}.
   *
   * @param sb where to append
   * @param value the value
   */
  public static void value(StringBuilder sb, @Nullable Object value) {
    if (value == null) {
      sb.append("null");
    } else if ((value instanceof Double d && !Double.isFinite(d)) || (value instanceof Float f && !Float.isFinite(f))) {
      quote(sb, value.toString());
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> m) {
      sb.append('{');
      String separator = "";
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(separator);
        separator = ",";
        quote(sb, String.valueOf(e.getKey()));
        sb.append(':');
        value(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        value(sb, l.get(i));
      }
      sb.append(']');
    } else {
      quote(sb, value.toString());
    }
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u").append(HEX.charAt(c >>> 12)).append(HEX.charAt((c >>> 8) & 0xf))
        .append(HEX.charAt((c >>> 4) & 0xf)).append(HEX.charAt(c & 0xf));
  }
}
