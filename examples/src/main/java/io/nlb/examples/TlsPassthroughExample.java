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
import io.nlb.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS passthrough: the load balancer forwards TCP and never sees plaintext; the targets terminate
 * TLS themselves, with their own certificates (seed 003: "TLS all the way to the container").
 *
 * <p>Two services, {@code orders} and {@code payments}, sit behind <em>one</em> load balancer
 * through two target groups. A listener has one default action, so each service gets its own
 * listener: a free port standing in for 443 forwards to {@code orders}, another standing in for
 * 8443 forwards to {@code payments}. Targets are registered with their own ports, as containers
 * with dynamic port mapping are: two {@code orders} targets share the address {@code 127.0.1.1}
 * on different ports.
 *
 * <p>The client trusts the two self-signed certificates explicitly, sends SNI and checks the host
 * name, so a successful handshake proves it reached the right service's target through the load
 * balancer, which holds no certificate at all.
 *
 * <p>The certificates and keys come from {@code passthrough-demo.p12} in this package (store and
 * key password {@code changeit}; for the example only, its private keys are public), made with:
 *
 * <pre>
 * for svc in orders payments; do
 *   keytool -genkeypair -alias $svc -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
 *     -dname "CN=$svc.example" -ext "SAN=dns:$svc.example" -startdate "2020/01/01 00:00:00" \
 *     -validity 36500 -storetype PKCS12 -keystore passthrough-demo.p12 -storepass changeit -keypass changeit
 * done
 * </pre>
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl examples exec:java -Dexec.mainClass=io.nlb.examples.TlsPassthroughExample
 * </pre>
 */
public final class TlsPassthroughExample {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final int REQUESTS = 20;

  private TlsPassthroughExample() {}

  /**
   * What the client saw, per service.
   *
   * @param orders answers per "target (certificate subject)" through the orders listener
   * @param payments the same through the payments listener
   */
  public record Result(Map<String, Integer> orders, Map<String, Integer> payments) {}

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
    KeyStore demo = loadDemoKeyStore();
    // Each service's targets present that service's certificate.
    List<NameServer> orders = List.of(
        NameServer.start("orders-1", "127.0.1.1", serverContext(demo, "orders").getServerSocketFactory()),
        NameServer.start("orders-2", "127.0.1.1", serverContext(demo, "orders").getServerSocketFactory()));
    List<NameServer> payments = List.of(
        NameServer.start("payments-1", "127.0.1.1", serverContext(demo, "payments").getServerSocketFactory()),
        NameServer.start("payments-2", "127.0.1.2", serverContext(demo, "payments").getServerSocketFactory()));
    NettyTransport transport = NettyTransport.builder().shutdownTimeout(Duration.ofSeconds(1)).build();
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      // Plain TCP groups: the bytes of the TLS sessions pass through untouched. The group port is
      // only a default; every target is registered with its own port.
      TargetGroup ordersGroup = nlb.createTargetGroup(
          TargetGroupConfig.builder("orders", Protocol.TCP, 443).targetType(TargetType.IP).build());
      TargetGroup paymentsGroup = nlb.createTargetGroup(
          TargetGroupConfig.builder("payments", Protocol.TCP, 443).targetType(TargetType.IP).build());
      int ordersPort = Loopback.freePort();   // stands in for 443
      int paymentsPort = Loopback.freePort(); // stands in for 8443
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("passthrough")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.1.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, ordersPort).forwardTo(ordersGroup).build())
          .listener(ListenerConfig.builder(Protocol.TCP, paymentsPort).forwardTo(paymentsGroup).build())
          .build());
      register(ordersGroup, orders);
      register(paymentsGroup, payments);
      out.println("Load balancer " + lb.name() + ": " + transport.bindings(lb));
      out.println("  TCP " + ordersPort + " -> group orders:   " + orders);
      out.println("  TCP " + paymentsPort + " -> group payments: " + payments);

      SSLContext client = clientContext(demo);
      Map<String, Integer> seenOrders = call(out, client, ordersPort, "orders.example");
      Map<String, Integer> seenPayments = call(out, client, paymentsPort, "payments.example");
      return new Result(seenOrders, seenPayments);
    } finally {
      orders.forEach(NameServer::close);
      payments.forEach(NameServer::close);
    }
  }

  private static void register(TargetGroup group, List<NameServer> servers) {
    for (NameServer s : servers) {
      Target t = Target.ip(s.host(), s.port());
      group.registerTargets(t);
      // No health-check engine here (see Demo for one): the targets are declared healthy by hand.
      group.reportHealth(t, TargetHealth.healthy());
    }
  }

  /** {@value #REQUESTS} TLS connections to {@code host} through the load balancer's {@code port}. */
  private static Map<String, Integer> call(PrintStream out, SSLContext tls, int port, String host) {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      try (Socket tcp = new Socket()) {
        tcp.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        tcp.setSoTimeout(3_000);
        // TLS over the connection to the load balancer: the handshake is with the target.
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(tcp, host, port, true)) {
          SSLParameters p = s.getSSLParameters();
          p.setServerNames(List.of(new SNIHostName(host)));
          p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
          s.setSSLParameters(p);
          s.startHandshake();
          X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
          String answer = Loopback.exchange(s, "hello");
          seen.merge(answer + " (" + cert.getSubjectX500Principal().getName() + ", " + s.getSession().getProtocol() + ")", 1, Integer::sum);
        }
      } catch (IOException e) {
        seen.merge("failed: " + e.getMessage(), 1, Integer::sum);
      }
    }
    out.printf("%n%d TLS connections to %s through port %d:%n", REQUESTS, host, port);
    seen.forEach((k, v) -> out.printf("  %-48s %3d%n", k, v));
    return seen;
  }

  private static KeyStore loadDemoKeyStore() throws GeneralSecurityException {
    try (InputStream in = TlsPassthroughExample.class.getResourceAsStream("passthrough-demo.p12")) {
      if (in == null) {
        throw new IllegalStateException("passthrough-demo.p12 is missing from io/nlb/examples");
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD);
      return ks;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server context holding only {@code alias}'s key, so the target presents that certificate. */
  private static SSLContext serverContext(KeyStore demo, String alias) throws GeneralSecurityException {
    KeyStore one = KeyStore.getInstance("PKCS12");
    try {
      one.load(null, PASSWORD);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Key key = demo.getKey(alias, PASSWORD);
    Certificate[] chain = demo.getCertificateChain(alias);
    one.setKeyEntry(alias, key, PASSWORD, chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(one, PASSWORD);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** A client context trusting exactly the two demo certificates. */
  private static SSLContext clientContext(KeyStore demo) throws GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try {
      trust.load(null, PASSWORD);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String alias : List.of("orders", "payments")) {
      trust.setCertificateEntry(alias, demo.getCertificate(alias));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
