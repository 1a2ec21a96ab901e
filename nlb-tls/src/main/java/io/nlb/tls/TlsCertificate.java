package io.nlb.tls;

import io.nlb.core.ServerCertificate;

/**
 * A server certificate with what SNI selection needs to know about its leaf ({@link #info()}).
 * Made by {@link PemCertificate#parse} or {@link KeyStoreCertificate#of}, or from any other
 * {@link ServerCertificate} by {@link #of}; {@link #id()} is the SHA-256 fingerprint of the leaf,
 * lower-case hex, for the first two.
 *
 * <p>Implementations are immutable and thread-safe, and their {@code toString()} never shows key
 * material.
 *
 * @since 0.1
 */
public interface TlsCertificate extends ServerCertificate {
  /** {@return names, key, signature and validity of the leaf} */
  CertificateInfo info();

  /**
   * {@code certificate} itself when it is a {@code TlsCertificate}, else a view of it with the
   * {@link CertificateInfo} of its leaf.
   *
   * <pre>{@code
   * TlsCertificate t = TlsCertificate.of(vaultCertificate);
   * }</pre>
   *
   * @param certificate any server certificate
   * @return a certificate SNI selection can use
   * @throws IllegalArgumentException when its chain is empty or its key is not the leaf's
   */
  static TlsCertificate of(ServerCertificate certificate) {
    return certificate instanceof TlsCertificate t ? t : AdaptedCertificate.of("certificate[" + certificate.id() + "]", certificate);
  }
}
