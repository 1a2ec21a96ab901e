package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicySupportTest {
  private static final List<String> JDK17_DEFAULT = List.of("SSLv3", "TLSv1", "TLSv1.1", "DTLSv1.0", "RC4", "DES",
      "MD5withRSA", "DH keySize < 1024", "EC keySize < 224", "3DES_EDE_CBC", "anon", "NULL", "ECDH");

  @Test
  void blocking_jdkDefaults_namesTheEntriesThatDisableLegacyItems() {
    assertThat(PolicySupport.blocking(JDK17_DEFAULT, "TLSv1", List.of("TLSv1"))).containsExactly("TLSv1");
    assertThat(PolicySupport.blocking(JDK17_DEFAULT, "SSL_RSA_WITH_3DES_EDE_CBC_SHA", PolicySupport.components(CipherSuite.DES_CBC3_SHA)))
        .containsExactly("3DES_EDE_CBC");
    assertThat(PolicySupport.blocking(JDK17_DEFAULT, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        PolicySupport.components(CipherSuite.ECDHE_RSA_AES128_GCM_SHA256))).isEmpty();
    assertThat(PolicySupport.blocking(List.of("TLS_RSA_*"), "TLS_RSA_WITH_AES_128_CBC_SHA", PolicySupport.components(CipherSuite.AES128_SHA)))
        .containsExactly("TLS_RSA_*");
  }

  @Test
  void message_notExact_namesFieldMissingItemsAndFix() {
    PolicySupport s = PolicySupport.check(SecurityPolicy.TLS13_1_2_2021_06, TlsProvider.OPENSSL);
    if (!s.exact()) {
      assertThat(s.message()).startsWith("sslPolicy: \"ELBSecurityPolicy-TLS13-1-2-2021-06\" (expected: a policy OPENSSL serves exactly; ")
          .contains("fix: ");
      assertThatThrownBy(s::requireExact).isInstanceOf(IllegalStateException.class).hasMessage(s.message());
      assertThatThrownBy(() -> TlsContexts.server(SecurityPolicy.TLS13_1_2_2021_06, TlsProvider.OPENSSL, TestCertificates.RSA, List.of()))
          .isInstanceOf(IllegalStateException.class).hasMessage(s.message());
    }
  }

  /** Prints the policy x provider matrix and writes it to target/policy-support.md for the README. */
  @Test
  void matrix_allPoliciesBothProviders_writtenToTarget() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("| policy | JDK | OPENSSL | AUTO (default) |\n| --- | --- | --- | --- |\n");
    for (SecurityPolicy p : SecurityPolicy.all()) {
      md.append("| ").append(p.name());
      for (TlsProvider provider : List.of(TlsProvider.JDK, TlsProvider.OPENSSL)) {
        PolicySupport s = PolicySupport.check(p, provider);
        md.append(" | ").append(s.exact() ? "exact" : "no: " + String.join("; ", s.problems()));
      }
      md.append(" | ").append(TlsProvider.AUTO.resolve(p));
      md.append(" |\n");
    }
    md.append("\nJDK column: this test JVM, with TLSv1, TLSv1.1 and 3DES_EDE_CBC removed from jdk.tls.disabledAlgorithms.\n");
    md.append("On a stock JDK 17 (TLSv1, TLSv1.1, 3DES_EDE_CBC disabled) every policy allowing TLSv1 or TLSv1.1 is not exact on JDK,\n"
        + "and PolicySupport names those entries of jdk.tls.disabledAlgorithms as the fix.\n");
    System.out.println(md);
    Path out = Path.of("target", "policy-support.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md, StandardCharsets.UTF_8);
    assertThat(PolicySupport.check(SecurityPolicy.DEFAULT, TlsProvider.JDK).exact()).isTrue();
  }

  @Test
  void openSsl_exactPolicy_serverOrderAndHandshake() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(TlsProvider.OPENSSL.isAvailable(),
        "netty-tcnative/BoringSSL is not available on this platform; OpenSSL provider not tested");
    SecurityPolicy policy = SecurityPolicy.FS_1_2_RES_2020_10;
    assertThat(PolicySupport.check(policy, TlsProvider.OPENSSL).exact()).isTrue();
    List<String> reversed = new java.util.ArrayList<>(policy.jsseCipherSuites());
    java.util.Collections.reverse(reversed);
    EnginePair p = new EnginePair(EnginePair.jdkClient(List.of("TLSv1.2"), reversed, List.of()),
        EnginePair.server(TlsContexts.server(policy, TlsProvider.OPENSSL, TestCertificates.RSA, List.of())));
    try {
      p.handshake();
      assertThat(p.client.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    } finally {
      io.netty.util.ReferenceCountUtil.release(p.server);
    }
  }
}
