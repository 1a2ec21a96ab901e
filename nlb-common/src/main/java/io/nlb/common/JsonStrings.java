package io.nlb.common;

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

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u").append(HEX.charAt(c >>> 12)).append(HEX.charAt((c >>> 8) & 0xf))
        .append(HEX.charAt((c >>> 4) & 0xf)).append(HEX.charAt(c & 0xf));
  }
}
