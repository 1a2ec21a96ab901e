package io.nlb.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpProtocolTest {

  @Test
  void number_eachProtocol_isTheIanaValue() {
    assertThat(IpProtocol.TCP.number()).isEqualTo(6);
    assertThat(IpProtocol.UDP.number()).isEqualTo(17);
  }

  @Test
  void ofNumber_knownNumbers_returnTheProtocol() {
    assertThat(IpProtocol.ofNumber(6)).isEqualTo(IpProtocol.TCP);
    assertThat(IpProtocol.ofNumber(17)).isEqualTo(IpProtocol.UDP);
  }

  @Test
  void ofNumber_otherNumber_throws() {
    assertThatThrownBy(() -> IpProtocol.ofNumber(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("protocol: 1 (expected: 6 (TCP) or 17 (UDP))");
  }
}
