package io.nlb.transport.netty;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.nlb.tls.PemCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.NullUnmarked;

/**
 * Certificates, TLS clients and blocking line-answering targets (plaintext or TLS) for the TLS
 * integration tests. Targets answer each line {@code l} with {@code name:l}.
 */
@NullUnmarked
final class TlsTargets implements AutoCloseable {
  /** EC P-256 keys: quick to make, and every policy has ECDSA suites. Made once per JVM. */
  static final PemCertificate A = cert("a.example");
  static final PemCertificate B = cert("b.example");
  static final PemCertificate TARGET = cert("target.example");

  private final List<ServerSocket> servers = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  static PemCertificate cert(String name) {
    try {
      X509Bundle b = new CertificateBuilder().ecp256().subject("CN=" + name).addSanDnsName(name)
          .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
          .setIsCertificateAuthority(true).buildSelfSigned();
      return PemCertificate.parse(b.getCertificatePEM(), b.getPrivateKeyPEM());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context that trusts exactly {@code certs}. */
  static SSLContext trusting(PemCertificate... certs) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    for (int i = 0; i < certs.length; i++) {
      ks.setCertificateEntry("c" + i, certs[i].chain().get(0));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  static SSLContext serving(PemCertificate cert) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "pw".toCharArray();
    ks.setKeyEntry("k", cert.privateKey(), pw, cert.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** A handshaken client connection to 127.0.0.1:{@code port}, sending {@code sni} when not null. */
  static SSLSocket connect(SSLContext ctx, int port, String sni, String... protocols) throws IOException {
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(5000);
    SSLParameters p = s.getSSLParameters();
    if (sni != null) {
      p.setServerNames(List.of(new SNIHostName(sni)));
    }
    if (protocols.length > 0) {
      p.setProtocols(protocols);
    }
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  /** Sends one line and reads the answer line. */
  static String ask(Socket s, String line) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = s.getInputStream().read()) >= 0 && c != '\n') {
      b.append((char) c);
    }
    return b.toString();
  }

  /** A target; {@link #accepted} counts its connections. */
  static final class Target {
    final int port;
    final AtomicInteger accepted = new AtomicInteger();

    Target(int port) {
      this.port = port;
    }
  }

  /** A plaintext target named {@code name}. */
  Target plain(String name) throws IOException {
    return start(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), name);
  }

  /** A TLS target named {@code name} presenting {@code cert}. */
  Target tls(String name, PemCertificate cert) throws Exception {
    return start(serving(cert).getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), name);
  }

  /** A plaintext target that answers every connection with {@code text} at once and closes. */
  Target rude(String text) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    servers.add(server);
    Target t = new Target(server.getLocalPort());
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          t.accepted.incrementAndGet();
          s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          if (server.isClosed()) {
            return;
          }
        }
      }
    }, "rude-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return t;
  }

  private Target start(ServerSocket server, String name) {
    servers.add(server);
    Target t = new Target(server.getLocalPort());
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          return;
        }
        t.accepted.incrementAndGet();
        sockets.add(s);
        Thread conn = new Thread(() -> serve(s, name), name + "-conn");
        conn.setDaemon(true);
        conn.start();
      }
    }, name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return t;
  }

  private static void serve(Socket s, String name) {
    try (s) {
      s.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        s.getOutputStream().write((name + ":" + line + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
      }
    } catch (IOException e) {
      // The peer went away or the handshake failed; the test looks at what the client saw.
    }
  }

  @Override
  public void close() {
    for (ServerSocket s : servers) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
