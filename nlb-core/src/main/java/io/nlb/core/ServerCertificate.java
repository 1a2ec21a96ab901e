package io.nlb.core;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A server certificate a TLS listener presents: an identifier, the certificate chain and the
 * private key of the leaf, in JDK types. The core only tells certificates apart and counts them;
 * a transport terminates TLS with {@link #chain()} and {@link #privateKey()}, so any
 * implementation works (the TLS module's {@code PemCertificate} and {@code KeyStoreCertificate}
 * read them from PEM or a {@code KeyStore}; an application may hold them in a vault).
 *
 * <pre>{@code
 * ServerCertificate cert = PemCertificate.parse(chainPem, keyPem);
 * ListenerConfig tls = ListenerConfig.builder(Protocol.TLS, 443).forwardTo("web").certificate(cert).build();
 * }</pre>
 *
 * <p>Implementations must be immutable and thread-safe, return a key that matches the leaf's public
 * key, and never expose the private key in {@code toString()}.
 *
 * @since 0.1
 */
public interface ServerCertificate {
  /**
   * {@return a stable identifier, unique among the certificates of one load balancer (for example the
   * SHA-256 fingerprint of the leaf certificate, or a name the application chose)}
   */
  String id();

  /** {@return the certificate chain, leaf first; never empty for a certificate a listener can present} */
  List<X509Certificate> chain();

  /** {@return the private key of the leaf} Handle with care: this is the secret that must not leak. */
  PrivateKey privateKey();
}
