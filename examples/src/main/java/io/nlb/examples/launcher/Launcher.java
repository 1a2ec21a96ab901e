package io.nlb.examples.launcher;

import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.LoadBalancerState;
import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import io.nlb.core.TargetGroup;
import io.nlb.healthcheck.HealthCheckEngine;
import io.nlb.metrics.store.MetricStore;
import io.nlb.transport.netty.IoMode;
import io.nlb.transport.netty.NettyTransport;
import java.io.IOException;
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
 * java -jar examples/target/nlb-launcher.jar examples/launcher/sample.yaml
 * </pre>
 *
 * <p>{@link #run} also reloads the file on SIGHUP or when it changes ({@link ConfigReloader}), and
 * serves a read-only status page when the file has a {@code status} key ({@link StatusServer}).
 * Flow and host-count metrics are kept in a {@link MetricStore} with {@link #METRICS_PERIOD}
 * periods.
 */
public final class Launcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Launcher.class);

  private final Nlb nlb;
  private final NettyTransport transport;
  private final @Nullable HealthCheckEngine health;
  private final List<LoadBalancer> loadBalancers;
  // --- reload and status page
  /** The metric store's period: short, so the status page shows recent numbers. */
  public static final Duration METRICS_PERIOD = Duration.ofSeconds(10);
  private final LauncherConfig config;
  private final MetricStore metrics;
  private final ScheduledExecutorService ticker;
  private final ConfigReloader reloader;
  private @Nullable StatusServer status;

  private Launcher(Nlb nlb, NettyTransport transport, @Nullable HealthCheckEngine health, List<LoadBalancer> loadBalancers,
      LauncherConfig config, MetricStore metrics, ScheduledExecutorService ticker) {
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
   * @throws NlbException when the control plane refuses part of the configuration
   * @throws IllegalStateException when a load balancer cannot bind its listeners
   */
  public static Launcher start(LauncherConfig config) {
    MetricStore metrics = MetricStore.builder().period(METRICS_PERIOD).retention(Duration.ofHours(1)).build();
    NettyTransport.Builder tb = NettyTransport.builder().ioMode(IoMode.valueOf(config.transport().ioMode()))
        .tlsProvider(config.transport().tlsProvider()).metrics(metrics);
    config.transport().limits().applyTo(tb);
    if (config.transport().threads() > 0) {
      tb.threads(config.transport().threads());
    }
    Duration connect = config.transport().connectTimeout();
    if (connect != null) {
      tb.connectTimeout(connect);
    }
    Boolean zeroCopy = config.transport().zeroCopy();
    if (zeroCopy != null) {
      tb.zeroCopy(zeroCopy);
    }
    NettyTransport transport = tb.build();
    Nlb nlb = Nlb.builder().transport(transport.spi()).build();
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
            .metrics(metrics)
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
      launcher = new Launcher(nlb, transport, health, lbs, config, metrics, ticker);
      StatusSettings s = config.status();
      if (s != null) {
        launcher.status = StatusServer.start(launcher, s);
        log.info("status page on http://{}/", launcher.status.address());
      }
      return launcher;
    } catch (IOException e) {
      closeAfterFailure(launcher, health, nlb);
      throw new IllegalStateException("status: cannot bind " + config.status() + ": " + e.getMessage() + " (expected: a free port)", e);
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

  /** The configuration it was started with. */
  public LauncherConfig config() {
    return config;
  }

  /** The statistics store the transport and the health checks record into. */
  public MetricStore metrics() {
    return metrics;
  }

  /** Applies changed files; {@link #run} also makes it watch the file. */
  public ConfigReloader reloader() {
    return reloader;
  }

  /** The status page, if the file asked for one. */
  public java.util.Optional<StatusServer> statusServer() {
    return java.util.Optional.ofNullable(status);
  }

  /** The running control plane. */
  public Nlb nlb() {
    return nlb;
  }

  /** The load balancers, in file order. */
  public List<LoadBalancer> loadBalancers() {
    return loadBalancers;
  }

  /** The transport. */
  public NettyTransport transport() {
    return transport;
  }

  /** Stops health checks and closes the transport gracefully. Idempotent. */
  @Override
  public void close() {
    reloader.close();
    StatusServer s = status;
    if (s != null) {
      s.close();
    }
    ticker.shutdownNow();
    if (health != null) {
      health.close();
    }
    nlb.close();
  }

  /**
   * Starts from {@code args[0]} and runs until the JVM is asked to stop.
   *
   * @param args the configuration file
   */
  public static void main(String[] args) throws InterruptedException {
    int status = run(args, new CountDownLatch(1));
    if (status != 0) {
      System.exit(status);
    }
  }

  /** The body of {@link #main}: 0 after a clean stop, 2 for a bad file, 1 when start-up failed. */
  static int run(String[] args, CountDownLatch stop) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: nlb-launcher <config.yaml|config.json>");
      return 2;
    }
    Path file = Path.of(args[0]);
    LauncherConfig config;
    try {
      if (!Files.isRegularFile(file)) {
        System.err.println("config: " + file + " (expected: a readable YAML or JSON file)");
        return 2;
      }
      config = LauncherConfig.read(file);
    } catch (LauncherConfig.ConfigException e) {
      e.problems().forEach(System.err::println);
      return 2;
    } catch (IOException e) {
      System.err.println("config: " + file + ": " + e.getMessage());
      return 2;
    }
    Launcher launcher;
    try {
      launcher = start(config);
    } catch (NlbException e) {
      e.problems().forEach(p -> System.err.println(e.code().apiName() + ": " + p));
      return 2;
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    try {
      launcher.reloader().watch(file);
    } catch (IOException | RuntimeException e) {
      log.warn("reload: cannot watch {}: {}; SIGHUP only", file, e.toString());
    }
    Thread hook = new Thread(() -> {
      log.info("stopping: closing listeners, letting flows finish");
      launcher.close();
      stop.countDown();
    }, "nlb-launcher-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stop.await();
    return 0;
  }
}
