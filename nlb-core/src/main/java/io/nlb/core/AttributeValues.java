package io.nlb.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** The shared body of the attribute classes: a canonical key → value map over a fixed key set. */
abstract class AttributeValues {
  private final String owner;
  private final List<AttributeSpec> specs;
  private final Map<String, String> values;

  /**
   * @param owner the kind of resource in messages ({@code listener}, {@code loadBalancer}, ...)
   * @param specs every key the resource accepts, in documented order
   * @param values the explicit values, by canonical key
   */
  AttributeValues(String owner, List<AttributeSpec> specs, Map<String, String> values) {
    this.owner = owner;
    this.specs = specs;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  final List<AttributeSpec> specs() {
    return specs;
  }

  final String owner() {
    return owner;
  }

  /**
   * {@return every attribute with its current value, defaults filled in, in the order the API documents
   * them — what describe-...-attributes returns}
   */
  public Map<String, String> asMap() {
    Map<String, String> out = new LinkedHashMap<>();
    for (AttributeSpec s : specs()) {
      String v = values.get(s.key);
      if (v == null) {
        v = s.defaultValue;
      }
      if (v != null) {
        out.put(s.key, v);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** {@return only the attributes that were set explicitly} */
  public Map<String, String> explicitValues() {
    return values;
  }

  /**
   * {@return the value of {@code key}, its default when unset}
   *
   * @param key the key
   * @throws IllegalArgumentException when {@code key} is not an attribute of this kind
   */
  public String get(String key) {
    AttributeSpec s = AttributeSpec.find(owner(), specs(), key);
    String v = values.get(s.key);
    if (v == null) {
      v = s.defaultValue;
    }
    if (v == null) {
      throw new IllegalStateException(key + ": unresolved (expected: a value resolved when the resource was created)");
    }
    return v;
  }

  final boolean bool(String key) {
    return Boolean.parseBoolean(get(key));
  }

  final int integer(String key) {
    return Integer.parseInt(get(key));
  }

  final OptionalInt integerOrOff(String key) {
    String v = get(key);
    return v.equals(AttributeSpec.OFF) ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((AttributeValues) o).asMap().equals(asMap());
  }

  @Override
  public int hashCode() {
    return asMap().hashCode();
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
