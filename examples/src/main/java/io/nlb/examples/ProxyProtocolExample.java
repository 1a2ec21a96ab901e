package io.nlb.examples;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupAttributes;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealth;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.proxyprotocol.ProxyHeader;
import io.nlb.proxyprotocol.ProxyHeaders;
import io.nlb.transport.netty.NettyTransport;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * PROXY protocol v2 through a VPC endpoint (seed 000, "Proxy protocol" and "VPC endpoint
 * services"): with IP targets behind a TCP listener, a target's connection comes from the load
 * balancer node, not the client. With {@code proxy_protocol_v2.enabled=true} on the target group
 * the load balancer starts every target connection with a binary header naming the client's
 * address and port and, for a listener reached through a VPC endpoint, the endpoint's id in the
 * AWS TLV (type {@code 0xEA}, subtype {@code 0x01}).
 *
 * <p>The TCP listener is marked with {@code vpcEndpointId("}{@value #VPC_ENDPOINT_ID}{@code ")}.
 * The target decodes the header with {@link ProxyHeaders#read} and answers with what it saw:
 * the client address from the header, the endpoint id, and the address the connection really
 * came from (the node, {@code 127.0.0.1}). The client connects from {@code 127.0.0.9}, so the two
 * differ visibly.
 *
 * <p>A second client sends a PROXY v1 header of its own first. The load balancer neither drops
 * nor rewrites it, so the target reads two headers: the first, written by the load balancer, is
 * the one to trust; the second is only as trustworthy as the client.
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl examples exec:java -Dexec.mainClass=io.nlb.examples.ProxyProtocolExample
 * </pre>
 */
public final class ProxyProtocolExample {
  /** The endpoint the listener is marked as reached through. */
  public static final String VPC_ENDPOINT_ID = "vpce-08d2bf15fac5001c9";
  /** The client's own address (any 127/8 address is local on Linux loopback). */
  public static final String CLIENT_ADDRESS = "127.0.0.9";
  /** The PROXY v1 header the second client sends itself. */
  public static final String CLIENT_OWN_HEADER = "PROXY TCP4 198.51.100.7 203.0.113.1 40000 443\r\n";

  private ProxyProtocolExample() {}

  /**
   * What the target saw on one connection.
   *
   * @param peer the address the target's connection came from (a load balancer node)
   * @param client the source of the first header (the client, as the load balancer saw it)
   * @param destination the destination of the first header (the listener's address and port)
   * @param vpcEndpointId the endpoint id in the first header's AWS TLV
   * @param headers every header read, in wire order
   * @param clientPort the local port of the client's socket, to compare with {@code client}
   */
  public record Seen(InetSocketAddress peer, @Nullable InetSocketAddress client, @Nullable InetSocketAddress destination,
      @Nullable String vpcEndpointId, List<ProxyHeader> headers, int clientPort) {}

  /**
   * What the target saw.
   *
   * @param listenerPort the listener's port
   * @param plain a client that sends only its request
   * @param stacked a client that sends its own PROXY v1 header first
   */
  public record Result(int listenerPort, Seen plain, Seen stacked) {}

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static Result run(PrintStream out) throws IOException, InterruptedException {
    NettyTransport transport = NettyTransport.builder().shutdownTimeout(Duration.ofSeconds(1)).build();
    try (ProxyTarget target = ProxyTarget.start("127.0.1.1"); Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      TargetGroup group = nlb.createTargetGroup(TargetGroupConfig.builder("private-service", Protocol.TCP, 80)
          .targetType(TargetType.IP)
          .attribute(TargetGroupAttributes.PROXY_PROTOCOL_V2, "true")
          .build());
      int port = Loopback.freePort();
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("endpoint-service")
          .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.1.0/24").build())
          .listener(ListenerConfig.builder(Protocol.TCP, port)
              .vpcEndpointId(VPC_ENDPOINT_ID) // consumers reach this listener through that endpoint
              .forwardTo(group)
              .build())
          .build());
      Target t = Target.ip(target.host(), target.port());
      group.registerTargets(t);
      // No health-check engine here (see Demo for one): the target is declared healthy by hand.
      group.reportHealth(t, TargetHealth.healthy());
      out.println("Load balancer " + lb.name() + ": " + transport.bindings(lb));
      out.println("  TCP " + port + " (via " + VPC_ENDPOINT_ID + ") -> group " + group.name()
          + " (proxy_protocol_v2.enabled=true): target " + target.host() + ":" + target.port());

      Seen plain = call(out, target, port, "");
      Seen stacked = call(out, target, port, CLIENT_OWN_HEADER);
      return new Result(port, plain, stacked);
    }
  }

  /** One connection from {@value #CLIENT_ADDRESS}, optionally sending {@code ownHeader} first. */
  private static Seen call(PrintStream out, ProxyTarget target, int port, String ownHeader) throws IOException, InterruptedException {
    int clientPort;
    String answer;
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(CLIENT_ADDRESS, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setSoTimeout(3_000);
      clientPort = s.getLocalPort();
      s.getOutputStream().write(ownHeader.getBytes(StandardCharsets.US_ASCII));
      answer = Loopback.exchange(s, "hello");
    }
    Seen seen = target.seen.poll(5, TimeUnit.SECONDS);
    if (seen == null) {
      throw new IOException("the target reported no connection");
    }
    seen = new Seen(seen.peer(), seen.client(), seen.destination(), seen.vpcEndpointId(), seen.headers(), clientPort);
    out.printf("%nClient %s:%d%s:%n", CLIENT_ADDRESS, clientPort, ownHeader.isEmpty() ? "" : ", sending its own header "
        + ownHeader.strip());
    out.println("  answer: " + answer);
    for (int i = 0; i < seen.headers().size(); i++) {
      out.println("  header " + (i + 1) + ": " + seen.headers().get(i));
    }
    return seen;
  }

  /**
   * A target that expects PROXY headers: decodes them, reads one line and answers with what the
   * header said. One accepting thread, one short-lived thread per connection; fine for examples.
   */
  private static final class ProxyTarget implements AutoCloseable {
    private final ServerSocket server;
    final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

    private ProxyTarget(ServerSocket server) {
      this.server = server;
      Thread acceptor = new Thread(this::acceptLoop, "proxy-target-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    static ProxyTarget start(String host) {
      try {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(host, 0), 50);
        return new ProxyTarget(s);
      } catch (IOException e) {
        throw new UncheckedIOException("proxy target cannot bind " + host, e);
      }
    }

    String host() {
      return server.getInetAddress().getHostAddress();
    }

    int port() {
      return server.getLocalPort();
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread worker = new Thread(() -> serve(s), "proxy-target");
          worker.setDaemon(true);
          worker.start();
        } catch (IOException e) {
          // Closed: the target is stopping.
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        s.setSoTimeout(5_000);
        InputStream in = new BufferedInputStream(s.getInputStream());
        List<ProxyHeader> headers = readHeaders(in); // in is now at the client's request
        ProxyHeader first = headers.get(0);          // written by the load balancer
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        if (lines.readLine() == null) {
          return;
        }
        InetSocketAddress client = first.source();
        String vpce = first.vpcEndpointId();
        seen.add(new Seen((InetSocketAddress) s.getRemoteSocketAddress(), client, first.destination(), vpce,
            headers, 0));
        OutputStream out = s.getOutputStream();
        out.write(("client " + (client == null ? "unknown" : client.getAddress().getHostAddress() + ":" + client.getPort())
            + " via " + vpce + " (connection from " + s.getInetAddress().getHostAddress() + ")\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        // Not a PROXY header, or the peer left; nothing to answer.
      }
    }

    /**
     * The headers at the start of the connection. {@link ProxyHeaders#read} returns the headers
     * that have arrived: it does not wait to see whether another follows. The load balancer
     * flushes its header as soon as the target connection is up, usually before the client's
     * bytes arrive, so a header the client stacked behind it may come later. This target's
     * clients speak first, so it waits for their first bytes and reads again if they are a header.
     */
    private static List<ProxyHeader> readHeaders(InputStream in) throws IOException {
      List<ProxyHeader> headers = new ArrayList<>(ProxyHeaders.read(in).all());
      byte[] next = new byte[5];
      in.mark(next.length);
      int n = in.readNBytes(next, 0, next.length);
      in.reset();
      boolean v1 = n == 5 && new String(next, StandardCharsets.US_ASCII).equals("PROXY");
      boolean v2 = n > 0 && next[0] == '\r'; // the v2 signature starts with CR LF CR LF
      if (v1 || v2) {
        headers.addAll(ProxyHeaders.read(in).all());
      }
      return List.copyOf(headers);
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        // Already closed.
      }
    }
  }
}
