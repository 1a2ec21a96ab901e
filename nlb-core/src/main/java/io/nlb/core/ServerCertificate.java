package io.nlb.core;

/**
 * A server certificate a TLS listener presents. The core only needs to tell certificates apart
 * and count them; the TLS module provides implementations that carry the certificate chain and
 * private key (from PEM or a {@code KeyStore}).
 *
 * <p>Implementations must be immutable and thread-safe, and must never expose the private key in
 * {@code toString()}.
 *
 * @since 0.1
 */
public interface ServerCertificate {
  /**
   * {@return a stable identifier, unique among the certificates of one load balancer (for example the
   * SHA-256 fingerprint of the leaf certificate, or a name the application chose)}
   */
  String id();
}
