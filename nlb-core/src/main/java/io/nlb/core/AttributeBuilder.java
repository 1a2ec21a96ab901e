package io.nlb.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared body of the attribute builders: explicit values checked against one key set, set by
 * their elbv2 keys. Subclasses add the typed setters.
 */
abstract class AttributeBuilder<B extends AttributeBuilder<B>> {
  final Map<String, String> values;
  private final String owner;
  private final List<AttributeSpec> specs;

  AttributeBuilder(String owner, List<AttributeSpec> specs, Map<String, String> initial) {
    this.owner = owner;
    this.specs = specs;
    this.values = new LinkedHashMap<>(initial);
  }

  abstract B self();

  /**
   * Sets an attribute by its elbv2 key.
   *
   * @param key the key
   * @param value the value
   * @return this builder
   * @throws IllegalArgumentException for an unknown key or a value out of range
   */
  public B set(String key, String value) {
    AttributeSpec s = AttributeSpec.find(owner, specs, key);
    values.put(s.key, s.normalize(value));
    return self();
  }

  /**
   * Sets every entry of {@code attributes}, stopping at the first bad one.
   *
   * @param attributes the attributes
   * @return this builder
   */
  public B setAll(Map<String, String> attributes) {
    attributes.forEach(this::set);
    return self();
  }
}
