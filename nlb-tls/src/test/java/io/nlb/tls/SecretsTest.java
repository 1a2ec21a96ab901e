package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.nlb.core.AuditEvent;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Private keys never leave the objects that hold them: not through {@code toString()}, not through
 * the messages of parse errors (a key in the wrong place, a damaged key, a key of another
 * certificate), not through audit events. Asserted against a known key's PEM body: neither the
 * whole base64 body nor any 16-character piece of it may appear.
 */
class SecretsTest {
  private static final X509Bundle BUNDLE = bundle("secret.example");
  private static final X509Bundle OTHER = bundle("other.example");

  private static X509Bundle bundle(String cn) {
    try {
      return new CertificateBuilder().ecp256().subject("CN=" + cn).addSanDnsName(cn).setIsCertificateAuthority(true)
          .buildSelfSigned();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The base64 body of the PEM key (no armour, no line breaks). */
  private static String keyBody() {
    return BUNDLE.getPrivateKeyPEM().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
  }

  /** The key's base64 body, as pieces of 16 characters (any of them in a text is a leak). */
  private static List<String> keyPieces() {
    String body = keyBody();
    List<String> out = new ArrayList<>();
    for (int i = 0; i + 16 <= body.length(); i += 8) {
      out.add(body.substring(i, i + 16));
    }
    return out;
  }

  private static void assertNoKey(String text) {
    assertThat(text).doesNotContain(keyBody());
    for (String piece : keyPieces()) {
      assertThat(text).as("a piece of the private key").doesNotContain(piece);
    }
  }

  /** The message of {@code t} and of every cause, and their toString(). */
  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c).append('\n').append(c.getMessage()).append('\n');
    }
    return b.toString();
  }

  @Test
  void toString_pemAndKeyStoreCertificates_showNoKey() throws Exception {
    PemCertificate pem = PemCertificate.parse(BUNDLE.getCertificatePEM(), BUNDLE.getPrivateKeyPEM());
    assertNoKey(pem.toString());
    assertThat(pem.toString()).contains(pem.id());

    KeyStore ks = BUNDLE.toKeyStore("secret".toCharArray());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, "secret".toCharArray());
    KeyStore loaded = KeyStore.getInstance("PKCS12");
    loaded.load(new ByteArrayInputStream(out.toByteArray()), "secret".toCharArray());
    String alias = loaded.aliases().nextElement();
    KeyStoreCertificate kc = KeyStoreCertificate.of(loaded, alias, "secret".toCharArray());
    assertNoKey(kc.toString());
    assertThat(kc.toString()).doesNotContain("secret\"").contains(kc.id());
  }

  @Test
  void parse_badKeys_messagesCarryNoKeyMaterial() {
    String chain = BUNDLE.getCertificatePEM();
    String key = BUNDLE.getPrivateKeyPEM();
    String body = keyBody();
    List<Throwable> failures = new ArrayList<>();
    // The key given as the chain, and the chain as the key (arguments swapped).
    failures.add(catchThrowable(() -> PemCertificate.parse(key, chain)));
    // A damaged key: one base64 character changed, then the body cut short.
    char c = body.charAt(body.length() / 2);
    failures.add(catchThrowable(() -> PemCertificate.parse(chain,
        key.replace(body.substring(body.length() / 2 - 8, body.length() / 2 + 1),
            body.substring(body.length() / 2 - 8, body.length() / 2) + (c == 'A' ? 'B' : 'A')))));
    failures.add(catchThrowable(() -> PemCertificate.parse(chain,
        "-----BEGIN PRIVATE KEY-----\n" + body.substring(0, body.length() - 20) + "\n-----END PRIVATE KEY-----\n")));
    failures.add(catchThrowable(() -> PemCertificate.parse(chain,
        "-----BEGIN PRIVATE KEY-----\n" + body.substring(0, body.length() - 3) + "\n-----END PRIVATE KEY-----\n")));
    // A PKCS#1 / encrypted label, and the key of another certificate.
    failures.add(catchThrowable(() -> PemCertificate.parse(chain, key.replace("PRIVATE KEY", "EC PRIVATE KEY"))));
    failures.add(catchThrowable(() -> PemCertificate.parse(OTHER.getCertificatePEM(), key)));
    for (Throwable t : failures) {
      assertThat(t).isInstanceOf(IllegalArgumentException.class);
      assertNoKey(messages(t));
    }
  }

  @Test
  void auditEventsAndConfig_tlsListenerWithKey_showOnlyTheFingerprint() {
    PemCertificate pem = PemCertificate.parse(BUNDLE.getCertificatePEM(), BUNDLE.getPrivateKeyPEM());
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    try (Nlb nlb = Nlb.builder().auditListener(events::add).build()) {
      nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).targetType(TargetType.IP).build());
      ListenerConfig listener = ListenerConfig.builder(Protocol.TLS, 443).forwardTo("web").certificate(pem)
          .sslPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06").build();
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.0.0/8").build()).listener(listener).build());
      assertNoKey(listener.toString());
      assertNoKey(lb.toString());
    }
    assertThat(events).isNotEmpty();
    StringBuilder all = new StringBuilder();
    for (AuditEvent e : events) {
      all.append(e.toJson()).append('\n');
    }
    assertNoKey(all.toString());
    assertThat(all.toString()).contains(pem.id());
  }
}
