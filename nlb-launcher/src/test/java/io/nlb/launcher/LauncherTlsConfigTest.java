package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.AlpnPolicy;
import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.tls.TlsProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher file's TLS keys: certificates by PEM path, policies, the TLS provider. */
class LauncherTlsConfigTest {
  private static String config(String listeners) {
    return """
        transport: {ioMode: NIO, tlsProvider: jdk}
        targetGroups:
          - {name: web, protocol: TCP, port: 9001}
        loadBalancers:
          - name: local
            zones: [{name: zone-a, addresses: [127.0.0.1]}]
            listeners:
        """ + listeners.indent(6);
  }

  @Test
  void parse_tlsListener_readsCertificatesRelativeToTheFile(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("tls"));
    TestPem main = TestPem.write(dir.resolve("tls"), "main", "main.example");
    TestPem other = TestPem.write(dir.resolve("tls"), "other", "other.example");
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config("""
        - {protocol: TCP, port: 8080, targetGroup: web}
        - protocol: TLS
          port: 8443
          targetGroup: web
          sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
          alpnPolicy: HTTP2Preferred
          certificate: {certificateChain: tls/main-chain.pem, privateKey: tls/main-key.pem}
          certificates:
            - {certificateChain: tls/other-chain.pem, privateKey: tls/other-key.pem}
        """));

    LauncherConfig c = LauncherConfig.read(file);

    assertThat(c.transport().tlsProvider()).isEqualTo(TlsProvider.JDK);
    ListenerConfig tls = c.loadBalancers().get(0).listeners().get(1);
    assertThat(tls.protocol()).isEqualTo(Protocol.TLS);
    assertThat(tls.sslPolicy()).contains("ELBSecurityPolicy-TLS13-1-2-2021-06");
    assertThat(tls.alpnPolicy()).isEqualTo(AlpnPolicy.HTTP2_PREFERRED);
    assertThat(tls.certificate()).hasValueSatisfying(cert -> assertThat(cert.toString()).contains("main.example"));
    assertThat(tls.certificates()).singleElement().satisfies(cert -> assertThat(cert.toString()).contains("other.example"));
    assertThat(main.certificate.getSubjectX500Principal().getName()).isEqualTo("CN=main.example");
    assertThat(other.key).exists();
  }

  @Test
  void parse_badPemPaths_reportEachWithItsPath(@TempDir Path dir) throws Exception {
    TestPem good = TestPem.write(dir, "good", "good.example");
    Files.writeString(dir.resolve("not-a-key.pem"), "hello");
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config("""
        - {protocol: TLS, port: 443, targetGroup: web, certificate: {certificateChain: good-chain.pem, privateKey: good-key.pem}}
        - protocol: TLS
          port: 8443
          targetGroup: web
          certificate: {certificateChain: good-chain.pem, privateKey: missing.pem}
          certificates:
            - {certificateChain: good-chain.pem, privateKey: not-a-key.pem}
            - {certificateChain: good-chain.pem}
        """));

    assertThatThrownBy(() -> LauncherConfig.read(file))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "loadBalancers[0].listeners[1].certificate.privateKey: \"missing.pem\" (expected: a readable PEM file;"
                + " relative paths resolve against " + dir.toAbsolutePath() + ")",
            "loadBalancers[0].listeners[1].certificates[0].privateKey: \"not-a-key.pem\": \"no PEM block\""
                + " (expected: -----BEGIN PRIVATE KEY----- (unencrypted PKCS#8))",
            "loadBalancers[0].listeners[1].certificates[1].privateKey: missing (expected: a value)"));
    assertThat(good.chain).exists();
  }

  @Test
  void parse_noTlsProvider_defaultsToAutoPerPolicy() throws Exception {
    String yaml = config("- {protocol: TCP, port: 8080, targetGroup: web}").replace("{ioMode: NIO, tlsProvider: jdk}", "{ioMode: NIO}");

    assertThat(LauncherConfig.parseYaml(yaml).transport().tlsProvider()).isEqualTo(TlsProvider.AUTO);
  }

  @Test
  void parse_unknownTlsProvider_saysWhichAreKnown() {
    String bad = config("- {protocol: TCP, port: 8080, targetGroup: web}").replace("tlsProvider: jdk", "tlsProvider: gnutls");

    assertThatThrownBy(() -> LauncherConfig.parseYaml(bad))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("transport.tlsProvider: \"gnutls\" (expected: AUTO, JDK or OPENSSL)"));
  }

  @Test
  void parse_relativeAccessLogBucket_resolvesAgainstTheFile(@TempDir Path dir) {
    String yaml = config("- {protocol: TCP, port: 8080, targetGroup: web}").replace("    zones:",
        "    attributes: {access_logs.s3.enabled: \"true\", access_logs.s3.bucket: logs}\n    zones:");

    LauncherConfig c = LauncherConfig.parseYaml(yaml, dir);

    assertThat(c.loadBalancers().get(0).attributes().accessLogsDirectory()).isEqualTo(dir.resolve("logs").toString());
  }

  @Test
  void tlsSampleFile_parses() throws Exception {
    LauncherConfig c = LauncherConfig.read(Path.of("config/tls-offload.yaml"));

    ListenerConfig tls = c.loadBalancers().get(0).listeners().get(0);
    assertThat(tls.protocol()).isEqualTo(Protocol.TLS);
    assertThat(tls.certificate()).hasValueSatisfying(cert -> assertThat(cert.toString()).contains("offload.example"));
    assertThat(c.loadBalancers().get(0).attributes().accessLogsDirectory())
        .isEqualTo(Path.of("config").toAbsolutePath().resolve("access-logs").toString());
  }
}
