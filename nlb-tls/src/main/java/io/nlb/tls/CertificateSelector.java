package io.nlb.tls;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the certificate a TLS listener presents to one client: a pure function of the
 * listener's certificates, the name the client asked for (SNI), what the client can verify, and
 * the time.
 *
 * <ol>
 *   <li>Certificates of the certificate list whose names match the SNI name exactly are
 *       candidates; if there are none, those whose wildcard names match. The default certificate
 *       is not a candidate unless it was also added to the list: the guide uses it only for
 *       clients that send no SNI name or whose name matches nothing in the list.
 *   <li>Candidates the client cannot use are dropped: an EC certificate needs a client that
 *       offers an ECDSA suite or (TLS 1.3) an ECDSA signature scheme, an RSA one a client offering
 *       RSA.
 *   <li>Several left: the best wins, compared in this order: signature hash (SHA-2, then SHA-1,
 *       then MD5), key strength (larger first; RSA and EC compared by their symmetric-equivalent
 *       bits), valid now before not valid now, later expiry, then list order.
 *   <li>No SNI, no match, or no usable match: the default certificate.
 * </ol>
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class CertificateSelector {
  private CertificateSelector() {}

  /**
   * What the client can verify, read from its ClientHello.
   *
   * @param rsa the client can use an RSA certificate
   * @param ecdsa the client can use an EC (ECDSA) certificate
   */
  public record ClientCapabilities(boolean rsa, boolean ecdsa) {
    /** A client that can use both kinds. */
    public static final ClientCapabilities ANY = new ClientCapabilities(true, true);

    /**
     * {@return whether the client can use {@code certificate}}
     *
     * @param certificate the certificate
     */
    public boolean canUse(TlsCertificate certificate) {
      return certificate.info().keyType() == CertificateInfo.KeyType.EC ? ecdsa : rsa;
    }
  }

  /**
   * Selects the certificate for one handshake.
   *
   * @param defaultCertificate the listener's default certificate
   * @param list the listener's certificate list (it may hold the default certificate too)
   * @param serverName the SNI host name, or {@code null} if the client sent none
   * @param client what the client can verify
   * @param now the current time, for the validity comparison
   * @return the {@code TlsCertificate}
   */
  public static TlsCertificate select(TlsCertificate defaultCertificate, List<? extends TlsCertificate> list,
      @Nullable String serverName, ClientCapabilities client, Instant now) {
    if (serverName == null || serverName.isEmpty()) {
      return defaultCertificate;
    }
    // Guide, "Default certificate" and "Certificate list": smart selection chooses among the list;
    // the default certificate serves only clients whose name matches nothing there.
    List<TlsCertificate> exact = new ArrayList<>();
    List<TlsCertificate> wildcard = new ArrayList<>();
    for (TlsCertificate c : list) {
      if (c.info().matchesExactly(serverName)) {
        exact.add(c);
      } else if (c.info().matchesWildcard(serverName)) {
        wildcard.add(c);
      }
    }
    TlsCertificate best = best(exact, client, now);
    if (best == null) {
      best = best(wildcard, client, now);
    }
    return best == null ? defaultCertificate : best;
  }

  private static @Nullable TlsCertificate best(List<TlsCertificate> candidates, ClientCapabilities client, Instant now) {
    TlsCertificate best = null;
    Comparator<TlsCertificate> order = ranking(now);
    for (TlsCertificate c : candidates) {
      if (client.canUse(c) && (best == null || order.compare(c, best) < 0)) {
        best = c;
      }
    }
    return best;
  }

  /** Best first; ties keep list order because {@link #best} only replaces on strictly better. */
  static Comparator<TlsCertificate> ranking(Instant now) {
    return Comparator.<TlsCertificate>comparingInt(c -> -c.info().signatureHashRank())
        .thenComparingInt(c -> -c.info().securityBits())
        .thenComparingInt(c -> c.info().isValidAt(now) ? 0 : 1)
        .thenComparing(c -> c.info().notAfter(), Comparator.reverseOrder());
  }
}
