package io.nlb.launcher;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A self-signed EC certificate made at run time (netty-pkitesting), written as a PEM pair. */
final class TestPem {
  final X509Certificate certificate;
  final Path chain;
  final Path key;

  private TestPem(X509Certificate certificate, Path chain, Path key) {
    this.certificate = certificate;
    this.chain = chain;
    this.key = key;
  }

  /** Writes {@code <name>-chain.pem} and {@code <name>-key.pem} for {@code host} into {@code dir}. */
  static TestPem write(Path dir, String name, String host) throws Exception {
    X509Bundle b = new CertificateBuilder().ecp256().subject("CN=" + host).addSanDnsName(host)
        .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
        .setIsCertificateAuthority(true).buildSelfSigned();
    Path chain = dir.resolve(name + "-chain.pem");
    Path key = dir.resolve(name + "-key.pem");
    write(chain, b.getCertificatePEM());
    write(key, b.getPrivateKeyPEM());
    return new TestPem(b.getCertificate(), chain, key);
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
  }
}
