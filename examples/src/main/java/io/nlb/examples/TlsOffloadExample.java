package io.nlb.examples;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.tls.PemCertificate;
import io.nlb.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS offload (seed 001, "Use NLB for TCPSSL offloading"): the load balancer terminates TLS with
 * its own certificate and forwards the decrypted bytes to plaintext TCP targets, so the targets
 * hold no certificate and do no cryptography.
 *
 * <p>A TLS listener on a free port standing in for 443 carries the server certificate and a named
 * security policy, {@value #POLICY} (TLS 1.3 and 1.2 only: a stock JVM disables the TLS 1.0/1.1
 * of the listener default, {@code ELBSecurityPolicy-2016-08}, and the transport refuses a policy
 * it cannot serve exactly). It forwards to a TCP group of two targets, {@code ECS01} and {@code
 * ECS02}, as in the seed. The group leaves client IP preservation off, which the seed requires of
 * a group behind a TLS listener.
 *
 * <p>The client trusts exactly the demo certificate and checks the host name, so each successful
 * handshake is with the load balancer; the targets read a plaintext line and answer with their
 * name, so an answer proves the load balancer decrypted. The client connects first with its
 * defaults (TLS 1.3), then allowing only TLS 1.2, and prints the negotiated protocol and cipher
 * suite with each answer.
 *
 * <p>The certificate and key are {@code tls-offload-demo.crt.pem} and {@code
 * tls-offload-demo.key.pem} in this package: a self-signed P-256 certificate for {@value #HOST}.
 * <b>The private key is public, for this demo only; never use it for anything else.</b> Made
 * once with:
 *
 * <pre>
 * keytool -genkeypair -alias offload -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
 *   -dname "CN=offload.example" -ext "SAN=dns:offload.example" -startdate "2020/01/01 00:00:00" \
 *   -validity 36500 -storetype PKCS12 -keystore offload.p12 -storepass changeit -keypass changeit
 * openssl pkcs12 -in offload.p12 -passin pass:changeit -nocerts -nodes | openssl pkcs8 -topk8 -nocrypt -out tls-offload-demo.key.pem
 * openssl pkcs12 -in offload.p12 -passin pass:changeit -nokeys -clcerts | openssl x509 -out tls-offload-demo.crt.pem
 * </pre>
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl examples exec:java -Dexec.mainClass=io.nlb.examples.TlsOffloadExample
 * </pre>
 */
public final class TlsOffloadExample {
  /** The listener's security policy. */
  public static final String POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
  /** The name the certificate is for; the client sends it as SNI and checks it. */
  public static final String HOST = "offload.example";
  private static final int REQUESTS = 20;

  private TlsOffloadExample() {}

  /**
   * What the client saw.
   *
   * @param tls13 answers per "target (protocol, cipher suite)" with the client's defaults
   * @param tls12 the same with the client limited to TLS 1.2
   */
  public record Result(Map<String, Integer> tls13, Map<String, Integer> tls12) {}

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static Result run(PrintStream out) throws GeneralSecurityException {
    PemCertificate certificate = PemCertificate.parse(resource("tls-offload-demo.crt.pem"), resource("tls-offload-demo.key.pem"));
    // Plain TCP servers: they never see TLS.
    List<NameServer> targets = List.of(NameServer.start("ECS01", "127.0.1.1"), NameServer.start("ECS02", "127.0.1.2"));
    NettyTransport transport = NettyTransport.builder().shutdownTimeout(Duration.ofSeconds(1)).build();
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      TargetGroup web = nlb.createTargetGroup(
          TargetGroupConfig.builder("web", Protocol.TCP, 80).targetType(TargetType.IP).build());
      int port = Loopback.freePort(); // stands in for 443
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("offload")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.1.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TLS, port)
              .certificate(certificate)
              .sslPolicy(POLICY)
              .forwardTo(web)
              .build())
          .build());
      for (NameServer s : targets) {
        Target t = Target.ip(s.host(), s.port());
        web.registerTargets(t);
        // No health-check engine here (see Demo for one): the targets are declared healthy by hand.
        web.reportHealth(t, TargetHealth.healthy());
      }
      out.println("Load balancer " + lb.name() + ": " + transport.bindings(lb));
      out.println("  TLS " + port + " (" + POLICY + ", certificate CN=" + certificate.info().commonName() + ")");
      out.println("    -> TCP group web: " + targets);

      SSLContext client = clientContext(certificate);
      Map<String, Integer> tls13 = call(out, client, port, List.of());
      Map<String, Integer> tls12 = call(out, client, port, List.of("TLSv1.2"));
      return new Result(tls13, tls12);
    } finally {
      targets.forEach(NameServer::close);
    }
  }

  /** {@value #REQUESTS} TLS connections through the listener; {@code protocols} empty for the client's defaults. */
  private static Map<String, Integer> call(PrintStream out, SSLContext tls, int port, List<String> protocols) {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        s.setSoTimeout(3_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(HOST)));
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        if (!protocols.isEmpty()) {
          p.setProtocols(protocols.toArray(String[]::new));
        }
        s.setSSLParameters(p);
        s.startHandshake(); // with the load balancer
        String answer = Loopback.exchange(s, "hello"); // the target read the line in the clear
        seen.merge(answer + " (" + s.getSession().getProtocol() + ", " + s.getSession().getCipherSuite() + ")", 1, Integer::sum);
      } catch (IOException e) {
        seen.merge("failed: " + e.getMessage(), 1, Integer::sum);
      }
    }
    out.printf("%n%d TLS connections through port %d, client protocols %s:%n", REQUESTS, port,
        protocols.isEmpty() ? "default" : protocols);
    seen.forEach((k, v) -> out.printf("  %-56s %3d%n", k, v));
    return seen;
  }

  private static String resource(String name) {
    try (InputStream in = TlsOffloadExample.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from io/nlb/examples");
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client context trusting exactly the load balancer's certificate. */
  private static SSLContext clientContext(PemCertificate certificate) throws GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try {
      trust.load(null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    trust.setCertificateEntry("load-balancer", certificate.chain().get(0));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
