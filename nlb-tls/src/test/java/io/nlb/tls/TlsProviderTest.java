package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which provider serves which policy by default ({@link TlsProvider#AUTO}), pinned. */
class TlsProviderTest {
  /** The policies BoringSSL (netty-tcnative 2.0.x) serves exactly; see {@link TlsProvider}'s javadoc for the others. */
  private static final Set<String> OPENSSL_BY_DEFAULT = Set.of("ELBSecurityPolicy-FS-1-2-Res-2020-10");

  @Test
  void auto_everyPolicy_resolvesToThePinnedProvider() {
    Map<String, TlsProvider> expected = new LinkedHashMap<>();
    Map<String, TlsProvider> actual = new LinkedHashMap<>();
    for (SecurityPolicy p : SecurityPolicy.all()) {
      boolean openSsl = TlsProvider.OPENSSL.isAvailable() && OPENSSL_BY_DEFAULT.contains(p.name());
      expected.put(p.name(), openSsl ? TlsProvider.OPENSSL : TlsProvider.JDK);
      actual.put(p.name(), TlsProvider.AUTO.resolve(p));
    }
    assertThat(actual).hasSize(18).containsExactlyEntriesOf(expected);
  }

  @Test
  void auto_resolvesToOpenSslExactlyWhereItIsExact() {
    for (SecurityPolicy p : SecurityPolicy.all()) {
      boolean exact = TlsProvider.OPENSSL.isAvailable() && PolicySupport.check(p, TlsProvider.OPENSSL).exact();
      assertThat(TlsProvider.AUTO.resolve(p)).as(p.name()).isEqualTo(exact ? TlsProvider.OPENSSL : TlsProvider.JDK);
    }
  }

  @Test
  void resolve_explicitProvider_isItself() {
    assertThat(TlsProvider.JDK.resolve(SecurityPolicy.FS_1_2_RES_2020_10)).isEqualTo(TlsProvider.JDK);
    assertThat(TlsProvider.OPENSSL.resolve(SecurityPolicy.TLS13_1_2_2021_06)).isEqualTo(TlsProvider.OPENSSL);
  }

  @Test
  void auto_isAlwaysAvailable_andNamesNoImplementation() {
    assertThat(TlsProvider.AUTO.isAvailable()).isTrue();
    assertThatThrownBy(TlsProvider.AUTO::nettyProvider).isInstanceOf(IllegalStateException.class).hasMessageContaining("resolve");
  }

  @Test
  void check_auto_reportsTheResolvedProvider() {
    PolicySupport s = PolicySupport.check(SecurityPolicy.TLS13_1_2_2021_06, TlsProvider.AUTO);
    assertThat(s.provider()).isEqualTo(TlsProvider.JDK);
    assertThat(s.exact()).isTrue();
  }

  @Test
  void termination_auto_followsThePolicyOnEveryChange() {
    TlsTermination tls = TlsTermination.builder(TlsProvider.AUTO).policy(SecurityPolicy.FS_1_2_RES_2020_10)
        .defaultCertificate(TestCertificates.RSA).build();
    TlsProvider fsRes = TlsProvider.OPENSSL.isAvailable() ? TlsProvider.OPENSSL : TlsProvider.JDK;
    assertThat(tls.state().provider()).isEqualTo(fsRes);

    tls.policy(SecurityPolicy.TLS13_1_2_2021_06); // BoringSSL lacks its SHA-2 CBC suites
    assertThat(tls.state().provider()).isEqualTo(TlsProvider.JDK);

    tls.policy(SecurityPolicy.FS_1_2_RES_2020_10);
    assertThat(tls.state().provider()).isEqualTo(fsRes);
  }

  @Test
  void origination_auto_resolvesAgainstTheBackendPolicy() {
    TlsOrigination o = TlsOrigination.forListener(SecurityPolicy.TLS13_1_2_2021_06, TlsProvider.AUTO);
    assertThat(o.provider()).isEqualTo(TlsProvider.AUTO.resolve(SecurityPolicy.backendFor(SecurityPolicy.TLS13_1_2_2021_06)));
  }
}
