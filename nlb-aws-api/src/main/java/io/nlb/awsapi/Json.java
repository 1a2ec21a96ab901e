package io.nlb.awsapi;

import io.nlb.common.JsonStrings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON the REST-JSON operations need: reading a request body that is one object of
 * scalar members, and writing maps, lists, strings, numbers and booleans. Stateless.
 */
final class Json {
  private Json() {}

  /**
   * Reads one object whose members are strings, numbers, booleans or null (nested values are not
   * needed by any operation served here and are refused).
   *
   * @throws IllegalArgumentException naming the offset and what was expected
   */
  static Map<String, Object> readObject(String text) {
    Reader r = new Reader(text);
    r.skipSpace();
    if (r.pos == text.length()) {
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    r.expect('{');
    r.skipSpace();
    if (r.peek() == '}') {
      r.pos++;
    } else {
      while (true) {
        r.skipSpace();
        String name = r.string();
        r.skipSpace();
        r.expect(':');
        r.skipSpace();
        out.put(name, r.scalar());
        r.skipSpace();
        char c = r.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw r.error("',' or '}'");
        }
      }
    }
    r.skipSpace();
    if (r.pos != text.length()) {
      throw r.error("the end of the body");
    }
    return out;
  }

  /** Writes {@code value}: a map, list, string, number, boolean or null ({@link JsonStrings#value}). */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    JsonStrings.value(sb, value);
    return sb.toString();
  }

  private static final class Reader {
    private final String text;
    int pos;

    Reader(String text) {
      this.text = text;
    }

    char peek() {
      if (pos >= text.length()) {
        throw error("more input");
      }
      return text.charAt(pos);
    }

    char next() {
      char c = peek();
      pos++;
      return c;
    }

    void expect(char c) {
      if (next() != c) {
        pos--;
        throw error("'" + c + "'");
      }
    }

    void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    Object scalar() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (text.startsWith("true", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (text.startsWith("false", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      if (text.startsWith("null", pos)) {
        pos += 4;
        return "";
      }
      int start = pos;
      while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
      if (start == pos) {
        throw error("a string, number, boolean or null");
      }
      try {
        return Double.parseDouble(text.substring(start, pos));
      } catch (NumberFormatException e) {
        pos = start;
        throw error("a number");
      }
    }

    String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > text.length()) {
              throw error("four hex digits");
            }
            try {
              sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("four hex digits");
            }
            pos += 4;
          }
          default -> {
            pos--;
            throw error("an escape such as \\n or \\u0041");
          }
        }
      }
    }

    IllegalArgumentException error(String expected) {
      String at = pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end";
      return new IllegalArgumentException("body: " + at + " at offset " + pos + " (expected: " + expected + ")");
    }
  }
}
