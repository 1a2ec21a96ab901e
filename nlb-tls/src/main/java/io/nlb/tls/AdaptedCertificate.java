package io.nlb.tls;

import io.nlb.common.Problems;
import io.nlb.core.ServerCertificate;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A {@link ServerCertificate} of another implementation, seen as a {@link TlsCertificate}. */
final class AdaptedCertificate implements TlsCertificate {
  private final ServerCertificate certificate;
  private final List<X509Certificate> chain;
  private final CertificateInfo info;

  private AdaptedCertificate(ServerCertificate certificate, List<X509Certificate> chain, CertificateInfo info) {
    this.certificate = certificate;
    this.chain = chain;
    this.info = info;
  }

  /** Adapts {@code c}; errors name {@code path} (such as {@code listener[TLS:443].certificate[id]}). */
  static AdaptedCertificate of(String path, ServerCertificate c) {
    List<X509Certificate> chain = List.copyOf(c.chain());
    if (chain.isEmpty()) {
      throw Problems.invalid(path + ".chain", "[]", "the certificate chain, leaf first");
    }
    Certificates.requireKeyMatches(path + ".privateKey", chain.get(0), c.privateKey());
    return new AdaptedCertificate(c, chain, CertificateInfo.of(chain.get(0)));
  }

  @Override
  public String id() {
    return certificate.id();
  }

  @Override
  public List<X509Certificate> chain() {
    return chain;
  }

  @Override
  public PrivateKey privateKey() {
    return certificate.privateKey();
  }

  @Override
  public CertificateInfo info() {
    return info;
  }

  @Override
  public String toString() {
    return "AdaptedCertificate{" + certificate.id() + "}";
  }
}
