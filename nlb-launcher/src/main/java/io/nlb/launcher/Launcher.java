package io.nlb.launcher;

import io.netty.channel.EventLoopGroup;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.LoadBalancerState;
import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import io.nlb.core.TargetGroup;
import io.nlb.dns.DnsServer;
import io.nlb.dns.NodeDirectory;
import io.nlb.healthcheck.HealthCheckEngine;
import io.nlb.awsapi.AwsApiServer;
import io.nlb.metrics.MetricsRecorder;
import io.nlb.metrics.store.MetricStore;
import io.nlb.transport.netty.IoMode;
import io.nlb.transport.netty.NettyTransport;
import io.nlb.transport.netty.NettyTransportBuilder;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the load balancers a configuration file describes ({@link LauncherConfig}) until stopped:
 * SIGTERM or Ctrl-C closes them gracefully (new connections refused, flows given the transport's
 * shutdown timeout). A bad file prints one line per problem and exits with status 2, with nothing
 * bound.
 *
 * <pre>
 * java -jar nlb-launcher/target/nlb-launcher-*-exec.jar nlb-launcher/config/sample.yaml
 * </pre>
 *
 * <p>{@link #run} also reloads the file on SIGHUP or when it changes ({@link ConfigReloader}), and
 * serves a read-only status page when the file has a {@code status} key ({@link StatusServer}).
 * Flow and host-count metrics are kept in a {@link MetricStore} with {@link #METRICS_PERIOD}
 * periods, and, when the file has a {@code status} section, in a Prometheus registry through the
 * Micrometer binding (the status endpoint's {@code /metrics}; {@link PrometheusMetrics}).
 *
 * @since 0.1
 */
public final class Launcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Launcher.class);
  /** How long a change through the AWS API waits, in cluster mode, for this node to run it before answering. */
  private static final java.time.Duration SHARED_API_WAIT = java.time.Duration.ofSeconds(5);

  private final Nlb nlb;
  private final NettyTransport transport;
  private final @Nullable HealthCheckEngine health;
  private final List<LoadBalancer> loadBalancers;
  // --- reload and status page
  /** The metric store's period: short, so the status page shows recent numbers. */
  public static final Duration METRICS_PERIOD = Duration.ofSeconds(10);
  private final LauncherConfig config;
  private final MetricStore metrics;
  private final @Nullable PrometheusMetrics prometheus;
  private final ScheduledExecutorService ticker;
  private final ConfigReloader reloader;
  private boolean closed;
  private @Nullable StatusServer status;
  private volatile @Nullable AwsApiServer awsApi;
  private @Nullable DnsServer dns;
  // --- cluster (nlb-cluster): set when the file has a cluster section
  private volatile io.nlb.cluster.@Nullable ClusterNode cluster;
  private volatile long maxConfigBytes = LauncherConfig.DEFAULT_MAX_FILE_BYTES;

  private Launcher(Nlb nlb, NettyTransport transport, @Nullable HealthCheckEngine health, List<LoadBalancer> loadBalancers,
      LauncherConfig config, MetricStore metrics, @Nullable PrometheusMetrics prometheus, ScheduledExecutorService ticker) {
    this.prometheus = prometheus;
    this.nlb = nlb;
    this.transport = transport;
    this.health = health;
    this.loadBalancers = List.copyOf(loadBalancers);
    this.config = config;
    this.metrics = metrics;
    this.ticker = ticker;
    this.reloader = new ConfigReloader(this, config);
  }

  /**
   * Creates everything the configuration describes and binds it. On any refusal everything
   * created so far is closed again and the refusal is rethrown.
   *
   * @param config the configuration
   * @return the running launcher
   * @throws NlbException when the control plane refuses part of the configuration
   * @throws IllegalStateException when a load balancer cannot bind its listeners
   */
  public static Launcher start(LauncherConfig config) {
    return start(config, null);
  }

  /** As {@link #start(LauncherConfig)}, on the given event loops instead of the transport's own (tests). */
  static Launcher start(LauncherConfig config, @Nullable EventLoopGroup eventLoops) {
    MetricStore metrics = MetricStore.builder().period(METRICS_PERIOD).retention(Duration.ofHours(1)).build();
    // Only the status page reads the Prometheus registry, and a reload cannot add one.
    PrometheusMetrics prometheus = config.status() == null ? null : new PrometheusMetrics();
    MetricsRecorder recorder = prometheus == null ? metrics : prometheus.teeWith(metrics);
    NettyTransportBuilder tb = NettyTransport.builder().ioMode(IoMode.valueOf(config.transport().ioMode()))
        .tlsProvider(config.transport().tlsProvider()).metrics(recorder);
    config.transport().limits().applyTo(tb);
    if (eventLoops != null) {
      tb.eventLoopGroup(eventLoops);
    }
    if (config.transport().threads() > 0) {
      tb.threads(config.transport().threads());
    }
    Duration connect = config.transport().connectTimeout();
    if (connect != null) {
      tb.connectTimeout(connect);
    }
    tb.shutdownTimeout(config.transport().shutdownTimeout());
    Boolean zeroCopy = config.transport().zeroCopy();
    if (zeroCopy != null) {
      tb.zeroCopy(zeroCopy);
    }
    tb.udpSocketPerEventLoop(config.transport().udpSocketPerEventLoop());
    ClusterSettings cluster = config.cluster();
    java.util.Set<String> served = cluster.zones();
    if (served != null) {
      tb.servedZones(served);
    }
    tb.reusePort(cluster.reusePort());
    NettyTransport transport = tb.build();
    Nlb.Builder nb = Nlb.builder().transport(transport.spi()).identity(cluster.identity());
    Long seed = cluster.flowHashSeed();
    if (seed != null) {
      nb.flowHashSeed(seed);
    }
    Nlb nlb = nb.build();
    HealthCheckEngine health = null;
    Launcher launcher = null;
    try {
      for (LauncherConfig.Group g : config.groups()) {
        TargetGroup tg = nlb.createTargetGroup(g.config());
        if (!g.targets().isEmpty()) {
          tg.registerTargets(g.targets());
        }
      }
      List<LoadBalancer> lbs = new ArrayList<>();
      for (LoadBalancerConfig c : config.loadBalancers()) {
        LoadBalancer lb = nlb.createLoadBalancer(c);
        if (lb.state() == LoadBalancerState.FAILED) {
          throw new IllegalStateException("loadBalancer[" + c.name() + "]: " + lb.stateReason().orElse("failed")
              + " (expected: every listener bound on every zone's address)");
        }
        lbs.add(lb);
        for (String binding : transport.bindings(lb)) {
          log.info("{} listening on {}", lb.name(), binding);
        }
      }
      if (config.healthChecks()) {
        health = HealthCheckEngine.builder(nlb)
            .metrics(recorder)
            .listener((target, previous, current) -> log.info("health {}: {} -> {}", target, previous, current))
            .build();
        health.start();
      }
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nlb-metrics-tick");
        t.setDaemon(true);
        return t;
      });
      ticker.scheduleAtFixedRate(metrics::tick, 1, 1, TimeUnit.SECONDS);
      launcher = new Launcher(nlb, transport, health, lbs, config, metrics, prometheus, ticker);
      AwsApiSettings api = config.awsApi();
      if (api != null) {
        // After the file's load balancers: the endpoint lists them, and their names are taken.
        AwsApiServer.Builder ab = api.builder(nlb, metrics);
        if (config.sharedState() != null) {
          // In cluster mode a change through the API is a compare-and-swap on the shared state.
          Launcher l = launcher;
          ab.sharedState(new ClusterApiState(config, () -> l.cluster), SHARED_API_WAIT);
        }
        launcher.awsApi = ab.build().start();
        if (!api.address().isLoopbackAddress()) {
          log.warn("awsApi: bound to {}, beyond loopback: requests are signed but travel over plain HTTP", api.address().getHostAddress());
        }
      }
      InetSocketAddress dnsAddress = cluster.dns();
      if (dnsAddress != null) {
        // Alone, this process knows its own nodes only: the zones it does not run answer as gone.
        // With a cluster section, the live members' published state says which nodes are there.
        NodeDirectory directory = NodeDirectory.of(nlb, (lb, zone) -> served == null || served.contains(zone));
        if (config.sharedState() != null) {
          Launcher l = launcher;
          directory = new ClusterNodeDirectory(NodeDirectory.of(nlb), () -> l.cluster);
        }
        launcher.dns = DnsServer.builder(directory, nlb.dnsSuffix()).address(dnsAddress).build();
        log.info("dns: answering for *.{} on {} (udp, tcp)", nlb.dnsSuffix(), launcher.dns.address());
      }
      StatusSettings s = config.status();
      if (s != null) {
        launcher.status = StatusServer.start(launcher, s);
        log.info("status page on http://{}/", launcher.status.address());
      }
      io.nlb.cluster.ClusterSettings clusterSettings = config.sharedState();
      if (clusterSettings != null) {
        ConsensusRouting routing = null;
        if (health != null) {
          // Routing follows the live nodes' health consensus; the engine's own view is published.
          HealthCheckEngine engine = health;
          Launcher l = launcher;
          ConsensusRouting r = new ConsensusRouting(clusterSettings.nodeName(), nlb, engine::health, () -> l.cluster);
          engine.addListener((target, previous, current) -> r.reconcile());
          routing = r;
        }
        launcher.cluster = ClusterMode.start(launcher, config, clusterSettings, routing);
      }
      return launcher;
    } catch (java.io.UncheckedIOException e) {
      closeAfterFailure(launcher, health, nlb);
      throw new IllegalStateException(e.getMessage(), e);
    } catch (IOException e) {
      closeAfterFailure(launcher, health, nlb);
      throw new IllegalStateException("status: cannot bind " + config.status() + ": " + e.getMessage() + " (expected: a free port)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeAfterFailure(launcher, health, nlb);
      throw new IllegalStateException("cluster: interrupted while joining", e);
    } catch (RuntimeException e) {
      closeAfterFailure(launcher, health, nlb);
      throw e;
    }
  }

  private static void closeAfterFailure(@Nullable Launcher launcher, @Nullable HealthCheckEngine health, Nlb nlb) {
    if (launcher != null) {
      launcher.close();
      return;
    }
    if (health != null) {
      health.close();
    }
    nlb.close();
  }

  /** {@return the configuration it was started with} */
  public LauncherConfig config() {
    return config;
  }

  /** {@return the statistics store the transport and the health checks record into} */
  public MetricStore metrics() {
    return metrics;
  }

  /**
   * What keeps the launcher from serving, one line each ({@link NettyTransport#liveness()}: dead
   * event loops, listeners not accepting); empty when it is live. Thread-safe.
   */
  List<String> livenessProblems() {
    return transport.liveness().problems();
  }

  /**
   * Every metric recorded so far, in the Prometheus text exposition format (version 0.0.4); empty
   * without a {@code status} section (nothing records into a registry then).
   */
  String scrape() {
    PrometheusMetrics p = prometheus;
    return p == null ? "" : p.scrape();
  }

  /** The size limit for configuration files, also for reloads. */
  long maxConfigBytes() {
    return maxConfigBytes;
  }

  /** {@return the reloader, which applies changed files; {@link #run} also makes it watch the file} */
  public ConfigReloader reloader() {
    return reloader;
  }

  /** {@return the status page, if the file asked for one} */
  public java.util.Optional<StatusServer> statusServer() {
    return java.util.Optional.ofNullable(status);
  }

  /** {@return the AWS API endpoint, if the file has an {@code awsApi} section} */
  public java.util.Optional<AwsApiServer> awsApiServer() {
    return java.util.Optional.ofNullable(awsApi);
  }

  /** {@return the DNS server, if the file has a {@code dns} key} */
  public java.util.Optional<DnsServer> dnsServer() {
    return java.util.Optional.ofNullable(dns);
  }

  /**
   * The cluster membership when the file has a {@code cluster} section: the shared configuration
   * ({@link io.nlb.cluster.ClusterState#update}, for APIs that change it), the live nodes, and
   * {@link io.nlb.cluster.ClusterNode#clusterStatus()}.
   *
   * @return the node, or empty in single-process mode
   */
  public java.util.Optional<io.nlb.cluster.ClusterNode> cluster() {
    return java.util.Optional.ofNullable(cluster);
  }

  /** {@return the running control plane} */
  public Nlb nlb() {
    return nlb;
  }

  /** {@return the load balancers, in file order} */
  public List<LoadBalancer> loadBalancers() {
    return loadBalancers;
  }

  /** {@return the transport} */
  public NettyTransport transport() {
    return transport;
  }

  /**
   * Stops gracefully: the listeners stop accepting, open flows get {@code
   * transport.shutdownTimeoutSeconds} to finish, the rest are reset; health checks, the status page
   * and reloads stop. Logs what it waits for, what it drained and reset, and when it is done.
   * Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long start = System.nanoTime();
    int tcp = transport.activeTcpFlows();
    int udp = transport.activeUdpFlows();
    log.info("stopping: listeners stop accepting; {} TCP and {} UDP flows open, TCP flows get up to {} s to finish",
        tcp, udp, config.transport().shutdownTimeout().toSeconds());
    reloader.close();
    AwsApiServer api = awsApi;
    if (api != null) {
      api.close(); // before the control plane: no request runs against a closing Nlb
    }
    io.nlb.cluster.ClusterNode c = cluster;
    if (c != null) {
      c.close(); // revokes the lease first: the other nodes and DNS see this one leave at once
    }
    StatusServer s = status;
    if (s != null) {
      s.close();
    }
    DnsServer d = dns;
    if (d != null) {
      d.close();
    }
    ticker.shutdownNow();
    if (health != null) {
      health.close();
    }
    nlb.close();
    log.info("stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * The {@code nlb} command: {@code run CONFIG}, {@code validate CONFIG}, {@code --help}, {@code
   * --version}; {@code nlb CONFIG} is short for {@code nlb run CONFIG}. Exits with 0 after a clean
   * stop or a valid file, 2 for a bad file or bad usage (nothing bound), 1 when start-up failed.
   *
   * @param args the command line
   * @throws InterruptedException if interrupted while waiting for the stop
   */
  public static void main(String[] args) throws InterruptedException {
    int status = run(args, new CountDownLatch(1));
    if (status != 0) {
      System.exit(status);
    }
  }

  /** The body of {@link #main}: the command's exit code; {@code stop} ends {@code run}. */
  static int run(String[] args, CountDownLatch stop) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    return Cli.execute(args, stop, out, err);
  }

  /**
   * Reads and checks a configuration file; prints every problem to {@code err}.
   *
   * @return the configuration, or {@code null} when it has problems
   */
  static @Nullable LauncherConfig readConfig(Path file, long maxBytes, PrintWriter err) {
    try {
      if (!Files.isRegularFile(file)) {
        err.println("config: " + file + " (expected: a readable YAML or JSON file)");
        return null;
      }
      return LauncherConfig.read(file, maxBytes);
    } catch (LauncherConfig.ConfigException e) {
      e.problems().forEach(err::println);
      return null;
    } catch (IOException e) {
      err.println("config: " + file + ": " + e.getMessage() + " (expected: a readable YAML or JSON file)");
      return null;
    }
  }

  /** {@code nlb run FILE}: starts, watches the file, and waits for {@code stop} or JVM shutdown. */
  static int runFile(Path file, long maxConfigBytes, CountDownLatch stop, PrintWriter err) throws InterruptedException {
    LauncherConfig config = readConfig(file, maxConfigBytes, err);
    if (config == null) {
      return Cli.BAD_CONFIG;
    }
    Launcher launcher;
    try {
      launcher = start(config);
    } catch (NlbException e) {
      Cli.print(e, err);
      return Cli.BAD_CONFIG;
    } catch (RuntimeException e) {
      err.println(e.getMessage());
      return Cli.FAILED;
    }
    launcher.maxConfigBytes = maxConfigBytes;
    try {
      launcher.reloader().watch(file);
    } catch (IOException | RuntimeException e) {
      log.warn("reload: cannot watch {}: {}; SIGHUP only", file, e.toString());
    }
    Thread hook = new Thread(() -> {
      launcher.close();
      stop.countDown();
    }, "nlb-launcher-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stop.await();
    try {
      Runtime.getRuntime().removeShutdownHook(hook); // stopped through the latch (tests): close here
      launcher.close();
    } catch (IllegalStateException shuttingDown) {
      // the JVM is stopping: the hook closes the launcher
    }
    return Cli.OK;
  }
}
