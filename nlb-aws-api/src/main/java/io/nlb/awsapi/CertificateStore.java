package io.nlb.awsapi;

import io.nlb.core.ServerCertificate;
import io.nlb.tls.PemCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code CertificateArn} values come from, since there is no certificate manager here: a
 * table from ARN to certificate, or a directory of PEM pairs.
 *
 * <pre>{@code
 * CertificateStore certs = CertificateStore.of(Map.of(
 *     "arn:aws:acm:us-east-1:123456789012:certificate/web",
 *     PemCertificate.read(Path.of("web.crt.pem"), Path.of("web.key.pem"))));
 * }</pre>
 *
 * <p>Implementations must be thread-safe; the endpoint calls {@link #certificate} from its
 * request thread.
 *
 * @since 0.1
 */
public interface CertificateStore {
  /** No certificates: every {@code CertificateArn} is {@code CertificateNotFound}. */
  CertificateStore NONE = arn -> Optional.empty();

  /**
   * The certificate an ARN names, if the store has it.
   *
   * @param arn a certificate ARN from a request
   * @return the certificate; empty when the store does not know the ARN
   */
  Optional<ServerCertificate> certificate(String arn);

  /**
   * A fixed table from ARN to certificate.
   *
   * @param byArn the certificates by ARN (copied)
   * @return the store
   */
  static CertificateStore of(Map<String, ? extends ServerCertificate> byArn) {
    Map<String, ServerCertificate> copy = Map.copyOf(byArn);
    return arn -> Optional.ofNullable(copy.get(arn));
  }

  /**
   * The PEM pairs of a directory, read once now: {@code <name>.crt.pem} (the chain, leaf first)
   * with {@code <name>.key.pem} (the PKCS#8 key) becomes {@code
   * arn:aws:acm:<region>:<account>:certificate/<name>}.
   *
   * @param dir the directory of PEM pairs
   * @param region the region in the ARNs
   * @param accountId the account id in the ARNs
   * @return the store of the pairs found
   * @throws UncheckedIOException if the directory or a pair cannot be read or parsed
   */
  static CertificateStore directory(Path dir, String region, String accountId) {
    Map<String, ServerCertificate> byArn = new LinkedHashMap<>();
    try (var files = Files.list(dir)) {
      for (Path crt : (Iterable<Path>) files.sorted()::iterator) {
        String file = crt.getFileName().toString();
        if (!file.endsWith(".crt.pem")) {
          continue;
        }
        String name = file.substring(0, file.length() - ".crt.pem".length());
        Path key = dir.resolve(name + ".key.pem");
        byArn.put("arn:aws:acm:" + region + ":" + accountId + ":certificate/" + name, PemCertificate.read(crt, key));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("certificates: " + dir + " (expected: a readable directory of <name>.crt.pem and <name>.key.pem pairs)", e);
    }
    return of(byArn);
  }
}
