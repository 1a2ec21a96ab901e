package io.nlb.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of the decoder with Jazzer. In a normal test run this replays the
 * committed corpus ({@code src/test/resources/io/nlb/proxyprotocol/ProxyHeaderJazzerTestInputs/});
 * with {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration} and adds what it finds interesting
 * to the corpus (see the README's reliability section for the command).
 *
 * <p>The property: any input yields a header, "need more bytes", or a {@link
 * ProxyProtocolException} — never another exception — and "need more" only while the input is
 * shorter than the largest possible header.
 */
class ProxyHeaderJazzerTest {
  private static final int MAX_V2 = 16 + 65535;

  @FuzzTest(maxDuration = "10m")
  void parse_anyInput_headerNeedMoreOrDocumentedException(byte[] input) {
    for (ProxyHeaderParser parser : new ProxyHeaderParser[] {
        ProxyHeaderParser.defaults(), ProxyHeaderParser.builder().requireValidCrc32c(false).build()}) {
      ByteBuffer in = ByteBuffer.wrap(input);
      try {
        ProxyHeader h = parser.parseOne(in);
        if (h == null) {
          assertThat(input.length).isLessThan(MAX_V2);
          assertThat(in.position()).isZero();
        } else {
          assertThat(in.position()).isPositive().isLessThanOrEqualTo(input.length);
          assertThat(h.command()).isNotNull();
        }
      } catch (ProxyProtocolException e) {
        assertThat(e.offset()).isBetween(0L, (long) input.length);
      }
    }
  }
}
