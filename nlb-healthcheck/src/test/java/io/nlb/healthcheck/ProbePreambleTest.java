package io.nlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.proxyprotocol.ProxyV2Encoder;
import org.junit.jupiter.api.Test;

/** The PROXY v2 LOCAL header the engine writes on health checks, against the codec. */
class ProbePreambleTest {
  @Test
  void localHeaderConstant_equalsTheCodecsLocalHeader() {
    assertThat(ProbePreamble.LOCAL_HEADER_BYTES).isEqualTo(ProxyV2Encoder.create().encodeLocal());
  }

  @Test
  void none_writesNothing() {
    assertThat(ProbePreamble.NONE_BYTES).isEmpty();
  }
}
