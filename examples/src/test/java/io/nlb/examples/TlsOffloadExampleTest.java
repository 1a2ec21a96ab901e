package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TlsOffloadExampleTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void run_tlsListenerToPlainGroup_bothTargetsAnswerDecryptedRequests() throws Exception {
    TlsOffloadExample.Result r = TlsOffloadExample.run(new PrintStream(OutputStream.nullOutputStream()));

    // Every handshake was with the load balancer (certificate and host name checked by the client)
    // and every plaintext target answered; both targets were reached under each protocol.
    assertThat(r.tls13().keySet()).hasSize(2).allSatisfy(k -> assertThat(k).matches("ECS0[12] \\(TLSv1\\.3, TLS_AES_.*\\)"));
    assertThat(r.tls13().keySet()).anyMatch(k -> k.startsWith("ECS01")).anyMatch(k -> k.startsWith("ECS02"));
    // Under TLS 1.2 the policy offers only ECDHE suites with AEAD ciphers to an EC certificate.
    assertThat(r.tls12().keySet()).hasSize(2)
        .allSatisfy(k -> assertThat(k).matches("ECS0[12] \\(TLSv1\\.2, TLS_ECDHE_ECDSA_WITH_(AES_\\d+_GCM|CHACHA20_POLY1305)_SHA\\d+\\)"));
    assertThat(sum(r.tls13())).isEqualTo(20);
    assertThat(sum(r.tls12())).isEqualTo(20);
  }

  private static int sum(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }
}
