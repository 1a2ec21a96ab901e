package io.nlb.examples;

import io.nlb.core.HealthCheck;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.healthcheck.HealthCheckEngine;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;
import io.nlb.metrics.store.MetricStore;
import io.nlb.transport.netty.NettyTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Embedding the load balancer in an application, end to end on loopback: two TCP targets, a load
 * balancer with a TCP listener, active health checks, client connections through it, and the
 * metrics read back. The root README shows this file; {@code EmbeddingExampleTest} runs it and
 * checks that the README shows the same code.
 */
public final class EmbeddingExample {
  private EmbeddingExample() {}

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   * @throws Exception if a socket fails or the targets do not turn healthy
   */
  public static void main(String[] args) throws Exception {
    System.out.println(run());
  }

  /**
   * What the example saw.
   *
   * @param answers the target names the clients got back, one per connection
   * @param newFlowCount the load balancer's {@code NewFlowCount}
   * @param processedBytes the load balancer's {@code ProcessedBytes}, both directions
   */
  public record Result(List<String> answers, long newFlowCount, long processedBytes) {}

  /**
   * The example.
   *
   * @return what the clients got and what the metrics say
   * @throws Exception if a socket fails or the targets do not turn healthy
   */
  public static Result run() throws Exception {
    // Two targets: TCP servers on loopback that answer each line with their name.
    try (ServerSocket t1 = target("t1"); ServerSocket t2 = target("t2")) {
      int port = freePort(); // the listener's port; an application would use a fixed one
      MetricStore metrics = MetricStore.create();
      NettyTransport transport = NettyTransport.builder().metrics(metrics).build();
      try (Nlb nlb = Nlb.builder().transport(transport.spi()).build()) {
        TargetGroup web = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80)
            .targetType(TargetType.IP)
            .healthCheck(HealthCheck.builder().interval(Duration.ofSeconds(5)).build())
            .build());
        LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("app")
            .zone(Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.0.0/8").build())
            .listener(ListenerConfig.builder(Protocol.TCP, port).forwardTo(web).build())
            .build());
        web.registerTargets(Target.ip("127.0.0.1", t1.getLocalPort()), Target.ip("127.0.0.1", t2.getLocalPort()));

        // Health checks run only with the engine (nlb-healthcheck): TCP connects every 5 s.
        CountDownLatch healthy = new CountDownLatch(2);
        try (HealthCheckEngine health = HealthCheckEngine.builder(nlb)
            .listener((target, previous, current) -> {
              System.out.println(target + ": " + previous + " -> " + current);
              if (current.isHealthy()) {
                healthy.countDown();
              }
            })
            .build()) {
          health.start();
          if (!healthy.await(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("targets not healthy: " + web.describeTargetHealth());
          }

          // Clients connect to the listener; each connection is a new flow hashed to a target.
          List<String> answers = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            answers.add(ask(new InetSocketAddress("127.0.0.1", port), "hello"));
          }
          System.out.println("answers: " + answers);

          // Metrics in one call each: live values, no waiting for a period to end.
          Dimensions all = Dimensions.of(lb.resourceId());
          long flows = metrics.value(Metric.NEW_FLOW_COUNT, all);
          long bytes = metrics.value(Metric.PROCESSED_BYTES, all);
          System.out.println("NewFlowCount " + flows + ", ProcessedBytes " + bytes);
          return new Result(answers, flows, bytes);
        }
      }
    }
  }

  /** A TCP server on a free loopback port answering every line with {@code name}. */
  static ServerSocket target(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
          if (in.readLine() != null) {
            out.println(name);
          }
        } catch (IOException e) {
          // closed, or a health check that connected and left: next connection
        }
      }
    }, "target-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
    return server;
  }

  /** A TCP port free on loopback right now. */
  static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  /** Sends one line and returns the answer. */
  static String ask(InetSocketAddress address, String line) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(address, 2000);
      s.setSoTimeout(5000);
      PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
      out.println(line);
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
  }
}
