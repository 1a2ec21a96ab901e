package io.nlb.tls;

import io.nlb.core.ServerCertificate;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A server certificate with its private key, as a TLS listener presents it: the chain (leaf
 * first) and what SNI selection needs to know about the leaf ({@link #info()}). Made by {@link
 * PemCertificate#parse} or {@link KeyStoreCertificate#of}; {@link #id()} is the SHA-256
 * fingerprint of the leaf, lower-case hex.
 *
 * <p>Implementations are immutable and thread-safe, and their {@code toString()} never shows key
 * material.
 *
 * @since 0.1
 */
public interface TlsCertificate extends ServerCertificate {
  /** {@return the certificate chain, leaf first} */
  List<X509Certificate> chain();

  /** {@return the private key of the leaf} Handle with care: this is the secret that must not leak. */
  PrivateKey privateKey();

  /** {@return names, key, signature and validity of the leaf} */
  CertificateInfo info();
}
