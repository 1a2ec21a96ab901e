package io.nlb.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemsTest {
  @Test
  void message_number_shownAsIs() {
    assertThat(Problems.message("healthyThreshold", 1, "2-10"))
        .isEqualTo("healthyThreshold: 1 (expected: 2-10)");
  }

  @Test
  void message_text_shownInQuotes() {
    assertThat(Problems.message("name", "a b", "letters")).isEqualTo("name: \"a b\" (expected: letters)");
    assertThat(Problems.message("name", new StringBuilder("sb"), "x")).isEqualTo("name: \"sb\" (expected: x)");
  }

  @Test
  void message_null_shownAsNull() {
    assertThat(Problems.message("target", null, "a value")).isEqualTo("target: null (expected: a value)");
  }

  @Test
  void message_rawText_shownWithoutQuotes() {
    assertThat(Problems.message("metric", Problems.raw("NewFlowCount"), "a counter"))
        .isEqualTo("metric: NewFlowCount (expected: a counter)");
  }

  @Test
  void message_otherValues_shownByValueOf() {
    assertThat(Problems.message("period", Duration.ofMillis(1500), "whole seconds"))
        .isEqualTo("period: PT1.5S (expected: whole seconds)");
    assertThat(Problems.message("zones", List.of("a", "b"), "one zone")).isEqualTo("zones: [a, b] (expected: one zone)");
  }

  @Test
  void invalid_carriesTheMessage() {
    IllegalArgumentException e = Problems.invalid("port", 0, "1-65535");
    assertThat(e).hasMessage("port: 0 (expected: 1-65535)").hasNoCause();
  }

  @Test
  void range_returnsTheValueWithinBounds_elseNamesFieldValueAndBounds() {
    assertThat(Problems.range("maxHeaders", 1, 1, 64)).isEqualTo(1);
    assertThat(Problems.range("maxHeaders", 64, 1, 64)).isEqualTo(64);
    assertThatThrownBy(() -> Problems.range("maxHeaders", 65, 1, 64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxHeaders: 65 (expected: 1-64)");
    assertThatThrownBy(() -> Problems.range("port", 0, 1, 65535)).hasMessage("port: 0 (expected: 1-65535)");
  }
}
