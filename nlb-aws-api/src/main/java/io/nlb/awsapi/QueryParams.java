package io.nlb.awsapi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of one Query-protocol request, with the protocol's list and map conventions:
 * {@code Names.member.1}, {@code Listeners.member.2.Port}, {@code Attributes.member.1.Key}.
 * Immutable after parsing; not shared between threads.
 */
final class QueryParams {
  private final Map<String, String> values;

  QueryParams(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  Map<String, String> asMap() {
    return values;
  }

  Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  @Nullable String getOrNull(String name) {
    return values.get(name);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw ApiException.missing(name);
    }
    return v;
  }

  Optional<Integer> integer(String name, int min, int max) {
    String v = values.get(name);
    if (v == null) {
      return Optional.empty();
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i < min || i > max) {
        throw ApiException.validation(name + ": " + v + " (expected: " + min + "-" + max + ")");
      }
      return Optional.of(i);
    } catch (NumberFormatException e) {
      throw ApiException.validation(name + ": " + v + " (expected: an integer " + min + "-" + max + ")");
    }
  }

  Optional<Boolean> bool(String name) {
    String v = values.get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (v.equalsIgnoreCase("true")) {
      return Optional.of(true);
    }
    if (v.equalsIgnoreCase("false")) {
      return Optional.of(false);
    }
    throw ApiException.validation(name + ": " + v + " (expected: true or false)");
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The values of {@code prefix.member.N}, in N order; empty when none are given. */
  List<String> list(String prefix) {
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    String p = prefix + ".member.";
    for (Map.Entry<String, String> e : values.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(p) && k.indexOf('.', p.length()) < 0) {
        byIndex.put(index(k, k.substring(p.length())), e.getValue());
      }
    }
    return new ArrayList<>(byIndex.values());
  }

  /**
   * The structures of {@code prefix.member.N.Field...}, in N order, each as its own parameters
   * with the {@code prefix.member.N.} part removed.
   */
  List<QueryParams> structs(String prefix) {
    TreeMap<Integer, Map<String, String>> byIndex = new TreeMap<>();
    String p = prefix + ".member.";
    for (Map.Entry<String, String> e : values.entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(p)) {
        continue;
      }
      int dot = k.indexOf('.', p.length());
      if (dot < 0) {
        continue;
      }
      int n = index(k, k.substring(p.length(), dot));
      byIndex.computeIfAbsent(n, i -> new LinkedHashMap<>()).put(k.substring(dot + 1), e.getValue());
    }
    List<QueryParams> out = new ArrayList<>(byIndex.size());
    for (Map<String, String> m : byIndex.values()) {
      out.add(new QueryParams(m));
    }
    return out;
  }

  /** {@code prefix.member.N.Key} / {@code .Value} pairs (attributes, tags); duplicates refused. */
  Map<String, String> keyValues(String prefix, String duplicateCode) {
    Map<String, String> out = new LinkedHashMap<>();
    for (QueryParams s : structs(prefix)) {
      String key = s.required("Key");
      String value = s.get("Value").orElse("");
      if (out.put(key, value) != null) {
        throw ApiException.badRequest(duplicateCode, prefix + ".Key: " + key + " (expected: each key once)");
      }
    }
    return out;
  }

  private static int index(String key, String digits) {
    try {
      int n = Integer.parseInt(digits);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.validation(key + ": (parameter name) (expected: member indexes 1, 2, ...)");
    }
  }
}
