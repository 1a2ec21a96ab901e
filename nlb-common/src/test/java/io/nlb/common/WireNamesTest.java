package io.nlb.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WireNamesTest {
  @Test
  void pascalCase_constantNames_joinCapitalizedWords() {
    assertThat(WireNames.pascalCase("SAMPLE_COUNT")).isEqualTo("SampleCount");
    assertThat(WireNames.pascalCase("AVAILABILITY_ZONE")).isEqualTo("AvailabilityZone");
    assertThat(WireNames.pascalCase("SUM")).isEqualTo("Sum");
    assertThat(WireNames.pascalCase("TLS_1_3")).isEqualTo("Tls13");
  }

  @Test
  void pascalCase_notAConstantName_namesTheValue() {
    assertThatThrownBy(() -> WireNames.pascalCase("sample_count"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("constantName: \"sample_count\" (expected: upper-case words joined by single underscores)");
    assertThatThrownBy(() -> WireNames.pascalCase("A__B")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WireNames.pascalCase("")).isInstanceOf(IllegalArgumentException.class);
  }
}
