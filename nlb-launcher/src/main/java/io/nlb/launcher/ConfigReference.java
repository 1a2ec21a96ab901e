package io.nlb.launcher;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Generates the configuration reference ({@code docs/launcher-config.md}) and the JSON Schema
 * ({@code nlb-launcher.schema.json}) from the parser's key table, {@link ConfigKeys}. Both files
 * are committed; {@code ConfigReferenceTest} fails when they are stale and rewrites them with
 * {@code -Dnlb.updateReference=true}. Stateless.
 */
final class ConfigReference {
  /** Where the schema lives in the jar (and, with this name, in the distribution). */
  static final String SCHEMA_RESOURCE = "nlb-launcher.schema.json";

  private ConfigReference() {}

  /** The reference as Markdown. */
  static String markdown() {
    StringBuilder b = new StringBuilder(16_384);
    b.append("# Launcher configuration reference\n\n")
        .append("<!-- Generated from nlb-launcher's key table (io.nlb.launcher.ConfigKeys) by ConfigReferenceTest; do not edit.\n")
        .append("     Regenerate: mvn -pl nlb-launcher -am test -Dtest=ConfigReferenceTest -Dnlb.updateReference=true")
        .append(" -Dsurefire.failIfNoSpecifiedTests=false -->\n\n")
        .append("The launcher reads one YAML (`.yaml`, `.yml`) or JSON (`.json`) file of at most 1 MiB (`--max-config-bytes`).\n")
        .append("Every key below is accepted, any other is refused with its path; every problem of a file is reported at once,\n")
        .append("each with its path (`loadBalancers[0].listeners[1].port: 70000 (expected: 1-65535)`), and nothing is started.\n")
        .append("`nlb validate FILE` checks a file without starting anything. Numbers and booleans may also be written as strings.\n")
        .append("Editors that read JSON Schema can complete and check keys with [`").append(SCHEMA_RESOURCE)
        .append("`](../nlb-launcher/src/main/resources/").append(SCHEMA_RESOURCE).append(") (in the distribution: `conf/")
        .append(SCHEMA_RESOURCE).append("`).\n\n");
    b.append("Sections: ");
    for (int i = 0; i < ConfigKeys.ALL.size(); i++) {
      ConfigKeys.Section s = ConfigKeys.ALL.get(i);
      b.append(i == 0 ? "" : ", ").append("[`").append(s.path()).append("`](#").append(s.id()).append(')');
    }
    b.append(".\n");
    for (ConfigKeys.Section s : ConfigKeys.ALL) {
      b.append("\n<a id=\"").append(s.id()).append("\"></a>\n\n## `").append(s.path()).append("`\n\n").append(s.description()).append("\n\n")
          .append("| key | type | required | default | meaning |\n| --- | --- | --- | --- | --- |\n");
      for (ConfigKeys.Key k : s.keys()) {
        b.append("| `").append(k.name()).append("` | ").append(type(k)).append(" | ").append(k.required() ? "yes" : "")
            .append(" | ").append(k.dflt() == null ? "" : "`" + k.dflt() + "`").append(" | ").append(k.description().replace("|", "\\|"))
            .append(" |\n");
      }
    }
    return b.toString();
  }

  private static String type(ConfigKeys.Key k) {
    return switch (k.kind()) {
      case STRING -> "string";
      case INTEGER -> "integer " + k.min() + "-" + k.max();
      case BOOLEAN -> "`true` or `false`";
      case ENUM -> "one of " + String.join(", ", k.values().stream().map(v -> "`" + v + "`").toList());
      case STRING_MAP -> "mapping of names to values";
      case STRING_LIST -> "list of strings";
      case SECTION -> "[`" + ConfigKeys.byId(section(k)).path() + "`](#" + section(k) + ")";
      case SECTION_LIST -> "list of [`" + ConfigKeys.byId(section(k)).path() + "`](#" + section(k) + ")";
    };
  }

  private static String section(ConfigKeys.Key k) {
    String s = k.section();
    if (s == null) {
      throw new IllegalStateException(k.name() + ": a section key without a section");
    }
    return s;
  }

  /** The JSON Schema (draft-07) of the file, with two-space indentation and a final line break. */
  static String jsonSchema() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("$schema", "http://json-schema.org/draft-07/schema#");
    root.put("title", "nlb launcher configuration");
    describeSection(root, ConfigKeys.ROOT);
    ObjectNode defs = root.putObject("definitions");
    for (ConfigKeys.Section s : ConfigKeys.ALL) {
      if (s != ConfigKeys.ROOT) {
        describeSection(defs.putObject(s.id()), s);
      }
    }
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return mapper.writer(printer).writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void describeSection(ObjectNode node, ConfigKeys.Section s) {
    node.put("description", s == ConfigKeys.ROOT ? "The nlb launcher's configuration file." : s.description() + " (" + s.path() + ")");
    node.put("type", "object");
    node.put("additionalProperties", false);
    List<String> required = s.keys().stream().filter(ConfigKeys.Key::required).map(ConfigKeys.Key::name).toList();
    if (!required.isEmpty()) {
      ArrayNode r = node.putArray("required");
      required.forEach(r::add);
    }
    ObjectNode props = node.putObject("properties");
    for (ConfigKeys.Key k : s.keys()) {
      ObjectNode p = props.putObject(k.name());
      p.put("description", k.description() + (k.dflt() == null ? "" : " Default: " + k.dflt() + "."));
      switch (k.kind()) {
        case STRING -> p.put("type", "string");
        case INTEGER -> {
          ArrayNode any = p.putArray("anyOf");
          any.addObject().put("type", "integer").put("minimum", k.min()).put("maximum", k.max());
          any.addObject().put("type", "string").put("pattern", "^\\s*-?[0-9]+\\s*$");
        }
        case BOOLEAN -> {
          ArrayNode any = p.putArray("anyOf");
          any.addObject().put("type", "boolean");
          any.addObject().put("type", "string").putArray("enum").add("true").add("false");
        }
        case ENUM -> {
          p.put("type", "string");
          ArrayNode e = p.putArray("enum");
          k.values().forEach(e::add);
        }
        case STRING_MAP -> {
          p.put("type", "object");
          p.putObject("additionalProperties").putArray("type").add("string").add("number").add("boolean");
        }
        case STRING_LIST -> {
          p.put("type", "array");
          p.putObject("items").put("type", "string");
        }
        case SECTION -> p.put("$ref", ref(section(k)));
        case SECTION_LIST -> {
          p.put("type", "array");
          p.putObject("items").put("$ref", ref(section(k)));
        }
      }
    }
  }

  private static String ref(String id) {
    return id.equals("root") ? "#" : "#/definitions/" + id;
  }
}
