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

  enum Sample {
    FIRST_ONE,
    SECOND
  }

  @Test
  void lowerHyphen_constantNames_lowerCaseWithHyphens() {
    assertThat(WireNames.lowerHyphen("INTERNET_FACING")).isEqualTo("internet-facing");
    assertThat(WireNames.lowerHyphen("IPV4")).isEqualTo("ipv4");
    assertThatThrownBy(() -> WireNames.lowerHyphen("ipv4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("constantName");
  }

  @Test
  void lookup_findsTheConstantSpelledSo_orNothing() {
    assertThat(WireNames.lookup(Sample.values(), "first-one", s -> WireNames.lowerHyphen(s.name())))
        .contains(Sample.FIRST_ONE);
    assertThat(WireNames.lookup(Sample.values(), "SECOND", Sample::name)).contains(Sample.SECOND);
    assertThat(WireNames.lookup(Sample.values(), "second", Sample::name)).isEmpty();
  }
}
