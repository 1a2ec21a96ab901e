package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link AuditEvent#toJson()} is hand-written (core has no JSON library): Jackson checks it. */
class AuditEventJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant TIME = Instant.parse("2026-12-07T06:00:00Z");

  /** Strings that break naive JSON writers. */
  static List<String> trickyStrings() {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    return List.of(
        "plain",
        "",
        "say \"hi\"",
        "back\\slash \\\" \\\\",
        controls.toString(),
        "del \u007f",
        "caf\u00e9 \u4e2d\u6587 \u0416",
        "emoji \ud83d\ude00 pair",
        "line\u2028separator\u2029paragraph",
        "</script><!--",
        "{\"not\":\"an object\"}",
        "trailing backslash \\");
  }

  @Test
  void toJson_trickyStringsAsValuesAndKeys_parseBackToTheSameValues() throws Exception {
    Map<String, Object> request = new LinkedHashMap<>();
    int i = 0;
    for (String s : trickyStrings()) {
      request.put("k" + i++, s);
      request.put("key " + s, "value");
    }
    request.put("list", new ArrayList<Object>(trickyStrings()));
    AuditEvent event = new AuditEvent(7, "RegisterTargets", TIME, request, Map.of("ok", true), null, null);

    JsonNode parsed = JSON.readTree(event.toJson());

    assertThat(parsed.get("eventId").asLong()).isEqualTo(7);
    assertThat(parsed.get("eventTime").asText()).isEqualTo("2026-12-07T06:00:00Z");
    assertThat(parsed.get("eventName").asText()).isEqualTo("RegisterTargets");
    assertThat(parsed.get("requestParameters")).isEqualTo(JSON.valueToTree(request));
    assertThat(parsed.get("responseElements")).isEqualTo(JSON.valueToTree(Map.of("ok", true)));
  }

  @Test
  void toJson_controlAndLineSeparatorCharacters_escaped_otherUnicodeKept() {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("all", String.join("|", trickyStrings()) + "\u0085\u009f");
    String json = new AuditEvent(1, "X", TIME, request, Map.of(), null, null).toJson();

    for (char c : json.toCharArray()) {
      assertThat(c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029')
          .as("char %04x in %s", (int) c, json).isFalse();
    }
    assertThat(json).contains("caf\u00e9 \u4e2d\u6587", "\ud83d\ude00", "\\u2028", "\\u0000", "\\u007f");
  }

  @Test
  void toJson_loneSurrogates_areEscapedAndSurviveUtf8() throws Exception {
    String lone = "high \ud800 alone, low \udc00 alone";
    Map<String, Object> request = Map.of("s", lone);
    String json = new AuditEvent(1, "X", TIME, request, Map.of(), null, null).toJson();

    // Written as UTF-8 (a log file), an unescaped lone surrogate would turn into '?'.
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    assertThat(JSON.readTree(utf8).get("requestParameters").get("s").asText()).isEqualTo(lone);
  }

  @Test
  void toJson_numbersNullsBooleansAndNesting_keepTheirTypes() throws Exception {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("max", Long.MAX_VALUE);
    nested.put("min", Integer.MIN_VALUE);
    nested.put("ratio", 0.25);
    nested.put("flag", false);
    nested.put("nothing", null);
    nested.put("list", Arrays.asList(1, "two", null, List.of(), Map.of()));
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("nested", nested);
    JsonNode parsed = JSON.readTree(new AuditEvent(1, "X", TIME, request, Map.of(), null, null).toJson());

    JsonNode n = parsed.get("requestParameters").get("nested");
    assertThat(n.get("max").isIntegralNumber()).isTrue();
    assertThat(n.get("max").asLong()).isEqualTo(Long.MAX_VALUE);
    assertThat(n.get("min").asInt()).isEqualTo(Integer.MIN_VALUE);
    assertThat(n.get("ratio").asDouble()).isEqualTo(0.25);
    assertThat(n.get("flag").isBoolean()).isTrue();
    assertThat(n.get("nothing").isNull()).isTrue();
    assertThat(n.get("list")).isEqualTo(JSON.valueToTree(Arrays.asList(1, "two", null, List.of(), Map.of())));
  }

  @Test
  void toJson_nonFiniteNumbers_areStringsNotInvalidJson() throws Exception {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("nan", Double.NaN);
    request.put("inf", Double.POSITIVE_INFINITY);
    request.put("negInf", Float.NEGATIVE_INFINITY);
    JsonNode p = JSON.readTree(new AuditEvent(1, "X", TIME, request, Map.of(), null, null).toJson())
        .get("requestParameters");

    assertThat(p.get("nan").asText()).isEqualTo("NaN");
    assertThat(p.get("inf").asText()).isEqualTo("Infinity");
    assertThat(p.get("negInf").asText()).isEqualTo("-Infinity");
  }

  @Test
  void toJson_refused_hasErrorCodeAndMessageInsteadOfResponse() throws Exception {
    AuditEvent event = new AuditEvent(3, "CreateLoadBalancer", TIME, Map.of("name", "a\"b"), Map.of(),
        ErrorCode.VALIDATION_ERROR, "name: \"a\"b\" (expected: letters)\nsecond line");

    JsonNode parsed = JSON.readTree(event.toJson());

    assertThat(parsed.has("responseElements")).isFalse();
    assertThat(parsed.get("errorCode").asText()).isEqualTo(ErrorCode.VALIDATION_ERROR.apiName());
    assertThat(parsed.get("errorMessage").asText()).isEqualTo("name: \"a\"b\" (expected: letters)\nsecond line");
    assertThat(parsed.get("requestParameters").get("name").asText()).isEqualTo("a\"b");
  }
}
