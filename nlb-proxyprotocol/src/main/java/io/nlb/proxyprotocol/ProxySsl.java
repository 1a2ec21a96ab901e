package io.nlb.proxyprotocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The typed view of a decoded {@code PP2_TYPE_SSL} TLV: which TLS facts the client presented and
 * the sub-TLVs that describe them. Obtained from {@link ProxyHeader#ssl()}; built for encoding
 * with {@link ProxyTlv#ssl(int, int, List)}.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * ProxySsl ssl = header.ssl();
 * if (ssl != null && ssl.clientSsl()) {
 *   log.info("TLS {} cipher {}", ssl.version(), ssl.cipher());
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxySsl {
  /** Client flag {@code PP2_CLIENT_SSL}: the client connected over TLS. */
  public static final int CLIENT_SSL = 0x01;
  /** Client flag {@code PP2_CLIENT_CERT_CONN}: the client presented a certificate now. */
  public static final int CLIENT_CERT_CONN = 0x02;
  /** Client flag {@code PP2_CLIENT_CERT_SESS}: the client presented one during the session. */
  public static final int CLIENT_CERT_SESS = 0x04;

  private final int client;
  private final int verify;
  private final List<ProxyTlv> subTlvs;

  ProxySsl(int client, int verify, List<ProxyTlv> subTlvs) {
    this.client = client;
    this.verify = verify;
    this.subTlvs = List.copyOf(subTlvs);
  }

  /** {@return the {@code client} bit field, 0-255} */
  public int client() {
    return client;
  }

  /** {@return the {@code verify} field: zero if the client certificate was verified} */
  public int verify() {
    return verify;
  }

  /** {@return whether the client connected over TLS ({@link #CLIENT_SSL})} */
  public boolean clientSsl() {
    return (client & CLIENT_SSL) != 0;
  }

  /** {@return whether the client presented a certificate on this connection} */
  public boolean clientCertConnection() {
    return (client & CLIENT_CERT_CONN) != 0;
  }

  /** {@return whether the client presented a certificate at least once in this TLS session} */
  public boolean clientCertSession() {
    return (client & CLIENT_CERT_SESS) != 0;
  }

  /** {@return whether {@link #verify()} is zero: a client certificate was presented and verified} */
  public boolean verified() {
    return verify == 0;
  }

  /** {@return the sub-TLVs in wire order, known or not} */
  public List<ProxyTlv> subTlvs() {
    return subTlvs;
  }

  /** {@return {@code PP2_SUBTYPE_SSL_VERSION}, e.g. {@code "TLSv1.3"}, or {@code null} if absent} */
  public @Nullable String version() {
    return string(TlvType.SSL_VERSION, false);
  }

  /** {@return {@code PP2_SUBTYPE_SSL_CN}, the client certificate's common name, or {@code null}} */
  public @Nullable String commonName() {
    return string(TlvType.SSL_CN, true);
  }

  /** {@return {@code PP2_SUBTYPE_SSL_CIPHER}, or {@code null} if absent} */
  public @Nullable String cipher() {
    return string(TlvType.SSL_CIPHER, false);
  }

  /** {@return {@code PP2_SUBTYPE_SSL_SIG_ALG}, or {@code null} if absent} */
  public @Nullable String signatureAlgorithm() {
    return string(TlvType.SSL_SIG_ALG, false);
  }

  /** {@return {@code PP2_SUBTYPE_SSL_KEY_ALG}, or {@code null} if absent} */
  public @Nullable String keyAlgorithm() {
    return string(TlvType.SSL_KEY_ALG, false);
  }

  private @Nullable String string(TlvType type, boolean utf8) {
    for (ProxyTlv tlv : subTlvs) {
      if (tlv.type() == type.wireByte()) {
        return tlv.valueAsString(utf8 ? UTF_8 : US_ASCII);
      }
    }
    return null;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ProxySsl)) {
      return false;
    }
    ProxySsl that = (ProxySsl) o;
    return client == that.client && verify == that.verify && subTlvs.equals(that.subTlvs);
  }

  @Override
  public int hashCode() {
    return (31 * client + verify) * 31 + subTlvs.hashCode();
  }

  @Override
  public String toString() {
    return "ProxySsl[client=" + Wire.hex(client) + ", verify=" + verify + ", " + subTlvs + "]";
  }
}
