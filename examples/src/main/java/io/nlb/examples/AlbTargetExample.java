package io.nlb.examples;

import com.sun.net.httpserver.HttpServer;
import io.nlb.core.AlbEndpoint;
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
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@code alb} target group (seed 002): the load balancer forwards to an Application Load
 * Balancer whose addresses change over time, and follows them by itself.
 *
 * <p>Two JDK HTTP servers on {@code 127.0.3.1} and {@code 127.0.3.2}, same port, stand in for the
 * ALB's nodes. The {@link AlbEndpoint}'s address source is a mutable list (in production: a DNS
 * lookup of the ALB's name), re-read every second. The example
 *
 * <ol>
 *   <li>starts with the ALB on {@code 127.0.3.1} only: every request reaches node 1;
 *   <li>opens one keep-alive connection and keeps it;
 *   <li>"scales" the ALB to {@code 127.0.3.2}: once the endpoint has been re-read, new connections
 *       reach node 2, while the kept connection stays on node 1 (existing flows never move);
 *   <li>lists both addresses: new connections spread over both (by flow hash).
 * </ol>
 *
 * <p>The rules of the service apply: an {@code alb} group holds exactly one target, its port
 * equals the ALB listener's, and only TCP listeners forward to it.
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl examples exec:java -Dexec.mainClass=io.nlb.examples.AlbTargetExample
 * </pre>
 */
public final class AlbTargetExample {
  private static final int REQUESTS = 20;
  private static final String NODE_1 = "127.0.3.1";
  private static final String NODE_2 = "127.0.3.2";

  private AlbTargetExample() {}

  /**
   * Answers per ALB node in each phase.
   *
   * @param first the ALB on node 1 only
   * @param afterMove the ALB moved to node 2
   * @param keptConnection who answered on the connection opened before the move, after it
   * @param both the ALB on both nodes
   */
  public record Result(Map<String, Integer> first, Map<String, Integer> afterMove, String keptConnection,
      Map<String, Integer> both) {}

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
    int albPort = Loopback.freePort(NODE_1, NODE_2);
    List<HttpServer> albNodes = List.of(httpServer(NODE_1, albPort, "alb-node-1"), httpServer(NODE_2, albPort, "alb-node-2"));
    // What DNS would say about the ALB; the example changes it while traffic flows.
    List<InetAddress> albDns = new CopyOnWriteArrayList<>(List.of(address(NODE_1)));
    NettyTransport transport = NettyTransport.builder().shutdownTimeout(Duration.ofSeconds(1)).build();
    try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
      nlb.createAlbEndpoint(AlbEndpoint.builder("my-alb", albPort)
          .addresses(() -> List.copyOf(albDns))   // may block (a DNS lookup); runs off the data plane
          .refreshInterval(Duration.ofSeconds(1)) // the shortest allowed; the default is 60 s
          .build());
      TargetGroup toAlb = nlb.createTargetGroup(TargetGroupConfig.builder("to-alb", Protocol.TCP, albPort)
          .targetType(TargetType.ALB)
          .build());
      int port = Loopback.freePort();
      // Static addresses per zone in front of an ALB whose addresses move: the point of the feature.
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("static-front")
          .zone(Zone.of("zone-a", "127.0.0.1"))
          .zone(Zone.of("zone-b", "127.0.0.2"))
          .listener(ListenerConfig.builder(Protocol.TCP, port).forwardTo(toAlb).build())
          .build());
      toAlb.registerTargets(Target.alb("my-alb"));
      // No health-check engine here (see Demo for one): the ALB is declared healthy by hand.
      toAlb.reportHealth(Target.alb("my-alb"), TargetHealth.healthy());
      out.println("Load balancer " + lb.name() + " " + transport.bindings(lb) + " -> alb target group -> my-alb:" + albPort);

      out.println("\nThe ALB is on " + NODE_1 + ":");
      Map<String, Integer> first = requests(out, port);

      Socket kept = new Socket();
      kept.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      kept.setSoTimeout(3_000);
      try (kept) {
        out.println("A keep-alive connection, opened now, is answered by " + get(kept, true));

        albDns.set(0, address(NODE_2));
        awaitAddresses(nlb, List.of(address(NODE_2)));
        out.println("\nThe ALB moved to " + NODE_2 + "; the endpoint now reads " + nlb.albEndpointAddresses("my-alb") + ":");
        Map<String, Integer> afterMove = requests(out, port);
        String keptAnswer = get(kept, true);
        out.println("The keep-alive connection is still answered by " + keptAnswer + " (existing flows stay put)");

        albDns.add(0, address(NODE_1));
        awaitAddresses(nlb, List.of(address(NODE_1), address(NODE_2)));
        out.println("\nThe ALB is on both nodes:");
        Map<String, Integer> both = requests(out, port);
        return new Result(first, afterMove, keptAnswer, both);
      }
    } finally {
      albNodes.forEach(s -> s.stop(0));
    }
  }

  private static Map<String, Integer> requests(PrintStream out, int port) {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      String node = i % 2 == 0 ? "127.0.0.1" : "127.0.0.2";
      String answer;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(node, port), 2_000);
        s.setSoTimeout(3_000);
        answer = get(s, false);
      } catch (IOException e) {
        answer = "failed";
      }
      seen.merge(answer, 1, Integer::sum);
    }
    out.println("  " + REQUESTS + " new connections: " + seen);
    return seen;
  }

  /** One HTTP/1.1 GET on {@code s}; returns the body (the ALB node's name). */
  private static String get(Socket s, boolean keepAlive) throws IOException {
    OutputStream o = s.getOutputStream();
    o.write(("GET / HTTP/1.1\r\nHost: my-alb.example\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    o.flush();
    InputStream in = new BufferedInputStream(s.getInputStream());
    int length = -1;
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    if (length < 0) {
      throw new IOException("no Content-Length in the response");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8).trim();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed in the response headers");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  /** A stand-in ALB node: answers every request with its name. */
  private static HttpServer httpServer(String host, int port, String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 50);
    byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(body);
      }
    });
    server.start();
    return server;
  }

  /** Waits until the endpoint has been re-read (within about one refresh interval). */
  private static void awaitAddresses(Nlb nlb, List<InetAddress> expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!nlb.albEndpointAddresses("my-alb").equals(expected)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("ALB endpoint addresses still " + nlb.albEndpointAddresses("my-alb"));
      }
      Thread.sleep(50);
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new UncheckedIOException(e);
    }
  }
}
