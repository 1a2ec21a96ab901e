package io.nlb.tls;

import io.nlb.common.Problems;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/** Checks shared by the certificate implementations. */
final class Certificates {
  private Certificates() {}

  /** Fails unless {@code key} is the private half of the leaf's public key (sign, then verify). */
  static void requireKeyMatches(String field, X509Certificate leaf, PrivateKey key) {
    PublicKey pub = leaf.getPublicKey();
    if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
      throw Problems.invalid(field, key.getAlgorithm() + " key", "the private key of the leaf certificate (" + pub.getAlgorithm() + ")");
    }
    String alg = pub.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = "nlb-tls key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(alg);
      signer.initSign(key);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg);
      verifier.initVerify(pub);
      verifier.update(probe);
      if (!verifier.verify(sig)) {
        throw Problems.invalid(field, "a key of another certificate", "the private key of the leaf certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(Problems.message(field, e.getMessage(), "a usable " + pub.getAlgorithm() + " private key"), e);
    }
  }

  static String describe(String kind, List<X509Certificate> chain, CertificateInfo info) {
    // Names, key shape and fingerprint only: never key material.
    return kind + "{id=" + info.fingerprint() + ", names=" + info.dnsNames() + ", key=" + info.keyType() + "-" + info.keySize()
        + ", chain=" + chain.size() + ", notAfter=" + info.notAfter() + "}";
  }
}
