package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void readObject_scalarsAndEscapes_decoded() {
    Map<String, Object> m = Json.readObject(" {\"a\": \"x\\\"y\\u0041\\n\", \"n\": 12.5, \"t\": true, \"z\": null} ");

    assertThat(m).containsEntry("a", "x\"yA\n").containsEntry("n", 12.5).containsEntry("t", Boolean.TRUE).containsEntry("z", "");
  }

  @Test
  void readObject_emptyBodyOrObject_isEmpty() {
    assertThat(Json.readObject("")).isEmpty();
    assertThat(Json.readObject("{ }")).isEmpty();
  }

  @Test
  void readObject_malformed_namesOffsetAndExpectation() {
    assertThatThrownBy(() -> Json.readObject("{\"a\" 1}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("body: '1' at offset 5 (expected: ':')");
    assertThatThrownBy(() -> Json.readObject("{\"a\": [1]}")).hasMessageContaining("(expected: a string, number, boolean or null)");
    assertThatThrownBy(() -> Json.readObject("{\"a\": 1} x")).hasMessageContaining("(expected: the end of the body)");
    assertThatThrownBy(() -> Json.readObject("{\"a\": \"open")).hasMessageContaining("(expected: more input)");
  }

  @Test
  void write_nestedValues_escapedAndOrdered() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "q\"\\\u0001");
    m.put("l", List.of(1, "two", false));
    m.put("t", BigDecimal.valueOf(1700000000123L, 3));
    m.put("w", Map.of("zone-a", 1.0));

    assertThat(Json.write(m)).isEqualTo("{\"s\":\"q\\\"\\\\\\u0001\",\"l\":[1,\"two\",false],\"t\":1700000000.123,\"w\":{\"zone-a\":1.0}}");
  }
}
