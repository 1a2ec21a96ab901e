package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TlsPassthroughExampleTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void run_twoListenersTwoGroups_eachServiceTerminatesItsOwnTls() throws Exception {
    TlsPassthroughExample.Result r = TlsPassthroughExample.run(new PrintStream(OutputStream.nullOutputStream()));

    // Every handshake succeeded with the service's own certificate (host name checked), and each
    // listener reached only its own group's targets, both of them.
    assertThat(r.orders()).containsOnlyKeys(
        "orders-1 (CN=orders.example, TLSv1.3)", "orders-2 (CN=orders.example, TLSv1.3)");
    assertThat(r.payments()).containsOnlyKeys(
        "payments-1 (CN=payments.example, TLSv1.3)", "payments-2 (CN=payments.example, TLSv1.3)");
    assertThat(r.orders().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
  }
}
