package io.nlb.tls;

import io.nlb.common.Problems;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server certificate read from PEM: a certificate chain (leaf first, then intermediates) and an
 * unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}), RSA or EC.
 *
 * <pre>{@code
 * TlsCertificate cert = PemCertificate.read(Path.of("chain.pem"), Path.of("key.pem"));
 * ListenerConfig.builder(Protocol.TLS, 443).certificate(cert)...
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@code toString()} shows names and the fingerprint, never the key.
 *
 * @since 0.1
 */
public final class PemCertificate extends CertificateWithKey {
  private static final Pattern KEY_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

  private PemCertificate(List<X509Certificate> chain, PrivateKey key) {
    super(chain, key);
  }

  /**
   * Parses a PEM chain and a PEM PKCS#8 key.
   *
   * @param chainPem the certificate chain, PEM
   * @param privateKeyPem the private key, PEM (unencrypted PKCS#8)
   * @return the {@code PemCertificate}
   * @throws IllegalArgumentException if either cannot be read, the key is encrypted or in
   *     PKCS#1 form, or the key does not belong to the leaf
   */
  public static PemCertificate parse(String chainPem, String privateKeyPem) {
    List<X509Certificate> chain = parseChain(chainPem);
    PrivateKey key = parseKey(privateKeyPem);
    Certificates.requireKeyMatches("privateKey", chain.get(0), key);
    return new PemCertificate(chain, key);
  }

  /**
   * Reads {@code chainFile} and {@code keyFile} (UTF-8 PEM) and parses them as {@link #parse} does.
   *
   * @param chainFile the chain file
   * @param keyFile the key file
   * @return the {@code PemCertificate}
   * @throws IOException if reading or writing fails
   */
  public static PemCertificate read(Path chainFile, Path keyFile) throws IOException {
    return parse(Files.readString(chainFile, StandardCharsets.UTF_8), Files.readString(keyFile, StandardCharsets.UTF_8));
  }

  static List<X509Certificate> parseChain(String pem) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw Problems.invalid("certificateChain", "no certificate", "one or more -----BEGIN CERTIFICATE----- blocks, leaf first");
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          Problems.message("certificateChain", e.getMessage(), "PEM X.509 certificates, leaf first"), e);
    }
  }

  static PrivateKey parseKey(String pem) {
    Matcher m = KEY_BLOCK.matcher(pem);
    if (!m.find()) {
      throw Problems.invalid("privateKey", "no PEM block", "-----BEGIN PRIVATE KEY----- (unencrypted PKCS#8)");
    }
    String type = m.group(1);
    if (!type.equals("PRIVATE KEY")) {
      throw Problems.invalid("privateKey", type, "PRIVATE KEY (unencrypted PKCS#8; convert with openssl pkcs8 -topk8 -nocrypt)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      // The decoder's message names no key bytes, but it is not ours to forward: say what is wrong.
      throw Problems.invalid("privateKey", "damaged base64", "a complete PEM block");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw Problems.invalid("privateKey", "unreadable PKCS#8", "an RSA or EC private key");
  }

  @Override
  public String toString() {
    return Certificates.describe("PemCertificate", chain(), info());
  }
}
