package io.nlb.tls;

import io.nlb.common.Problems;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A server certificate taken from one private-key entry of a {@link KeyStore} (PKCS#12 or JKS).
 * The key and chain are read once, when the certificate is made; later changes to the key store
 * are not seen.
 *
 * <pre>{@code
 * KeyStore ks = KeyStore.getInstance("PKCS12");
 * try (InputStream in = Files.newInputStream(path)) { ks.load(in, storePassword); }
 * TlsCertificate cert = KeyStoreCertificate.of(ks, "server", keyPassword);
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@code toString()} shows names and the fingerprint, never the key.
 *
 * @since 0.1
 */
public final class KeyStoreCertificate extends CertificateWithKey {
  private final String alias;

  private KeyStoreCertificate(String alias, List<X509Certificate> chain, PrivateKey key) {
    super(chain, key);
    this.alias = alias;
  }

  /**
   * Reads the private-key entry {@code alias} of {@code keyStore}.
   *
   * @param keyStore the key store
   * @param alias the alias
   * @param password the password
   * @return the {@code KeyStoreCertificate}
   * @throws IllegalArgumentException if the alias is missing, not a private-key entry, the
   *     password is wrong, or the chain is not X.509
   */
  public static KeyStoreCertificate of(KeyStore keyStore, String alias, char[] password) {
    try {
      if (!keyStore.containsAlias(alias)) {
        throw Problems.invalid("alias", alias, "one of " + java.util.Collections.list(keyStore.aliases()));
      }
      Key k = keyStore.getKey(alias, password);
      if (!(k instanceof PrivateKey pk)) {
        throw Problems.invalid("alias", alias, "a private-key entry");
      }
      Certificate[] certs = keyStore.getCertificateChain(alias);
      if (certs == null || certs.length == 0) {
        throw Problems.invalid("alias", alias, "an entry with a certificate chain");
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : certs) {
        if (!(c instanceof X509Certificate x)) {
          throw Problems.invalid("alias", alias, "X.509 certificates");
        }
        chain.add(x);
      }
      Certificates.requireKeyMatches("alias", chain.get(0), pk);
      return new KeyStoreCertificate(alias, chain, pk);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(Problems.message("alias", alias, "a readable private-key entry: " + e.getMessage()), e);
    }
  }

  /** {@return the key-store alias the entry was read from} */
  public String alias() {
    return alias;
  }

  @Override
  public String toString() {
    return Certificates.describe("KeyStoreCertificate[" + alias + "]", chain(), info());
  }
}
