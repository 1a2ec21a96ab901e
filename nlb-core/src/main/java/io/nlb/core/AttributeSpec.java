package io.nlb.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One attribute key of the elbv2 API: its kind, range and default. The three attribute classes
 * declare their keys with these so that string-keyed and typed access validate identically.
 */
final class AttributeSpec {
  enum Kind {
    BOOLEAN,
    INTEGER,
    INTEGER_OR_OFF,
    CHOICE,
    TEXT
  }

  static final String OFF = "off";

  final String key;
  final Kind kind;
  final int min;
  final int max;
  final List<String> choices;
  /** The default, or null when it depends on context (protocol, target type, scheme). */
  final @Nullable String defaultValue;
  /** Text that a TEXT value must not contain, or null. */
  private final @Nullable String forbidden;

  private AttributeSpec(String key, Kind kind, int min, int max, List<String> choices, @Nullable String defaultValue) {
    this(key, kind, min, max, choices, defaultValue, null);
  }

  private AttributeSpec(String key, Kind kind, int min, int max, List<String> choices, @Nullable String defaultValue,
      @Nullable String forbidden) {
    this.key = key;
    this.kind = kind;
    this.min = min;
    this.max = max;
    this.choices = choices;
    this.defaultValue = defaultValue;
    this.forbidden = forbidden;
  }

  static AttributeSpec bool(String key, @Nullable String defaultValue) {
    return new AttributeSpec(key, Kind.BOOLEAN, 0, 0, List.of("true", "false"), defaultValue);
  }

  static AttributeSpec integer(String key, int min, int max, String defaultValue) {
    return new AttributeSpec(key, Kind.INTEGER, min, max, List.of(), defaultValue);
  }

  static AttributeSpec integerOrOff(String key, int min, int max, String defaultValue) {
    return new AttributeSpec(key, Kind.INTEGER_OR_OFF, min, max, List.of(), defaultValue);
  }

  static AttributeSpec choice(String key, String defaultValue, String... choices) {
    return new AttributeSpec(key, Kind.CHOICE, 0, 0, List.of(choices), defaultValue);
  }

  static AttributeSpec text(String key, String defaultValue) {
    return new AttributeSpec(key, Kind.TEXT, 0, 1024, List.of(), defaultValue);
  }

  /** Text that must not contain {@code forbidden} (the access-log prefix and {@code AWSLogs}). */
  static AttributeSpec textWithout(String key, String defaultValue, String forbidden) {
    return new AttributeSpec(key, Kind.TEXT, 0, 1024, List.of(), defaultValue, forbidden);
  }

  String expected(int effectiveMax) {
    switch (kind) {
      case BOOLEAN:
        return "true or false";
      case INTEGER:
        return min + "-" + effectiveMax;
      case INTEGER_OR_OFF:
        return "off or " + min + "-" + effectiveMax;
      case CHOICE:
        return String.join(", ", choices);
      default:
        return forbidden == null ? "at most 1024 characters" : "at most 1024 characters, without " + forbidden;
    }
  }

  /** Validates {@code value} and returns its canonical spelling ({@code "TRUE"} becomes {@code "true"}). */
  String normalize(String value) {
    return normalize(value, max);
  }

  String normalize(String value, int effectiveMax) {
    String v = value.trim();
    switch (kind) {
      case BOOLEAN: {
        String l = v.toLowerCase(Locale.ROOT);
        if (l.equals("true") || l.equals("false")) {
          return l;
        }
        break;
      }
      case INTEGER_OR_OFF:
        if (v.equalsIgnoreCase(OFF)) {
          return OFF;
        }
        // fall through: an integer
      case INTEGER:
        try {
          int n = Integer.parseInt(v);
          if (n >= min && n <= effectiveMax) {
            return Integer.toString(n);
          }
        } catch (NumberFormatException e) {
          // reported below
        }
        break;
      case CHOICE: {
        String l = v.toLowerCase(Locale.ROOT);
        if (choices.contains(l)) {
          return l;
        }
        break;
      }
      case TEXT:
        if (value.length() <= 1024 && (forbidden == null || !value.contains(forbidden))) {
          return value;
        }
        break;
    }
    throw Check.invalid(key, value, expected(effectiveMax));
  }

  /** Looks up {@code key} among {@code specs} or throws naming every known key. */
  static AttributeSpec find(String owner, List<AttributeSpec> specs, String key) {
    for (AttributeSpec s : specs) {
      if (s.key.equals(key)) {
        return s;
      }
    }
    List<String> keys = new ArrayList<>();
    specs.forEach(s -> keys.add(s.key));
    throw Check.invalid(owner + ".attributes", key, "one of " + keys);
  }

  /**
   * Normalizes every entry of {@code raw}; collects a problem for each bad entry instead of
   * stopping at the first.
   */
  static Map<String, String> normalizeAll(String owner, List<AttributeSpec> specs, Map<String, String> raw, List<String> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      try {
        AttributeSpec s = find(owner, specs, e.getKey());
        out.put(s.key, s.normalize(e.getValue()));
      } catch (IllegalArgumentException ex) {
        problems.add(ex.getMessage());
      }
    }
    return out;
  }
}
