package io.nlb.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What every {@link TlsCertificate} of this module holds once its source is read: the chain, the
 * leaf's key and what SNI needs to know about the leaf. Two are equal when they are of the same
 * class and their leaves have the same fingerprint, which is also the {@link #id()}.
 *
 * <p>Immutable and thread-safe.
 */
abstract class CertificateWithKey implements TlsCertificate {
  private final List<X509Certificate> chain;
  private final PrivateKey key;
  private final CertificateInfo info;

  CertificateWithKey(List<X509Certificate> chain, PrivateKey key) {
    this.chain = List.copyOf(chain);
    this.key = key;
    this.info = CertificateInfo.of(chain.get(0));
  }

  @Override
  public final String id() {
    return info.fingerprint();
  }

  @Override
  public final List<X509Certificate> chain() {
    return chain;
  }

  @Override
  public final PrivateKey privateKey() {
    return key;
  }

  @Override
  public final CertificateInfo info() {
    return info;
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((CertificateWithKey) o).info.fingerprint().equals(info.fingerprint());
  }

  @Override
  public final int hashCode() {
    return info.fingerprint().hashCode();
  }
}
