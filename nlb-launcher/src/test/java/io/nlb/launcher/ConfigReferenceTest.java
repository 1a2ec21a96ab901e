package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/**
 * The generated configuration reference and JSON Schema match the parser's key table. Stale
 * committed files fail here; {@code -Dnlb.updateReference=true} rewrites them.
 */
class ConfigReferenceTest {
  private static final Path MARKDOWN = Path.of("../docs/launcher-config.md");
  private static final Path SCHEMA = Path.of("src/main/resources/" + ConfigReference.SCHEMA_RESOURCE);
  private static final boolean UPDATE = Boolean.getBoolean("nlb.updateReference");

  private static void check(Path committed, String generated) throws Exception {
    if (UPDATE) {
      Files.createDirectories(committed.toAbsolutePath().getParent());
      Files.writeString(committed, generated, StandardCharsets.UTF_8);
    }
    assertThat(committed).as("%s is missing; regenerate with -Dnlb.updateReference=true", committed).exists();
    assertThat(Files.readString(committed, StandardCharsets.UTF_8))
        .as("%s is stale: regenerate with mvn -pl nlb-launcher -am test -Dtest=ConfigReferenceTest -Dnlb.updateReference=true"
            + " -Dsurefire.failIfNoSpecifiedTests=false", committed)
        .isEqualTo(generated);
  }

  @Test
  void markdown_committedFileIsCurrent() throws Exception {
    check(MARKDOWN, ConfigReference.markdown());
  }

  @Test
  void schema_committedFileIsCurrent() throws Exception {
    check(SCHEMA, ConfigReference.jsonSchema());
  }

  @Test
  void schema_inTheJar_likeTheFile() throws Exception {
    try (var in = ConfigReference.class.getClassLoader().getResourceAsStream(ConfigReference.SCHEMA_RESOURCE)) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(ConfigReference.jsonSchema());
    }
  }

  @Test
  void reference_listsEveryKeyOfEverySection() {
    String md = ConfigReference.markdown();
    for (ConfigKeys.Section s : ConfigKeys.ALL) {
      assertThat(md).contains("## `" + s.path() + "`");
      for (ConfigKeys.Key k : s.keys()) {
        assertThat(md).contains("| `" + k.name() + "` |");
      }
    }
  }

  @Test
  void parser_refusesAKeyTheTableLacks_andNamesTheTablesKeys() {
    assertThatThrownBy(() -> LauncherConfig.parseYaml("transport: {colour: red}"))
        .hasMessageContaining("transport.colour: unknown key (expected: one of [")
        .hasMessageContaining("shutdownTimeoutSeconds");
  }

  /** The sample files use only keys the schema declares, with values of the declared kinds (a small walker, no validator library). */
  @Test
  void sampleFiles_conformToTheSchema() throws Exception {
    JsonNode schema = new ObjectMapper().readTree(ConfigReference.jsonSchema());
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (String sample : new String[] {"config/sample.yaml", "config/tls-offload.yaml"}) {
      walk(schema, schema, yaml.readTree(Path.of(sample).toFile()), sample);
    }
  }

  private static void walk(JsonNode schema, JsonNode def, JsonNode value, String path) {
    if (def.has("$ref")) {
      String ref = def.get("$ref").asText();
      walk(schema, ref.equals("#") ? schema : schema.at(ref.substring(1)), value, path);
      return;
    }
    String type = def.path("type").asText("");
    switch (type) {
      case "object" -> {
        assertThat(value.isObject()).as(path).isTrue();
        JsonNode props = def.path("properties");
        for (Iterator<String> it = value.fieldNames(); it.hasNext();) {
          String name = it.next();
          if (def.path("additionalProperties").isBoolean()) {
            assertThat(props.has(name)).as("%s.%s declared in the schema", path, name).isTrue();
            walk(schema, props.get(name), value.get(name), path + "." + name);
          }
        }
        def.path("required").forEach(r -> assertThat(value.has(r.asText())).as("%s.%s required", path, r.asText()).isTrue());
      }
      case "array" -> {
        assertThat(value.isArray()).as(path).isTrue();
        for (int i = 0; i < value.size(); i++) {
          walk(schema, def.get("items"), value.get(i), path + "[" + i + "]");
        }
      }
      case "string" -> {
        assertThat(value.isValueNode()).as(path).isTrue();
        if (def.has("enum")) {
          assertThat(def.get("enum").toString()).as(path).contains("\"" + value.asText() + "\"");
        }
      }
      default -> assertThat(value.isValueNode()).as(path).isTrue();
    }
  }
}
