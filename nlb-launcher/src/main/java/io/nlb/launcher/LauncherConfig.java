package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.Target;
import io.nlb.core.TargetGroupConfig;
import io.nlb.tls.TlsProvider;
import io.nlb.transport.netty.NettyTransport;
import io.nlb.transport.netty.NettyTransportBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The launcher's configuration file, YAML or JSON, in a shape that mirrors the builder API:
 *
 * <pre>{@code
 * transport:
 *   ioMode: AUTO                # AUTO, NIO, EPOLL, IO_URING
 *   threads: 2
 *   tlsProvider: AUTO           # AUTO, JDK or OPENSSL (netty-tcnative), for TLS listeners
 *   maxConnectionsPerClient: 100  # protection limits; see nlb-launcher/README.md
 *   zeroCopy: false             # EPOLL only: splice plain TCP flows (omit for the default)
 *   udpSocketPerEventLoop: true # EPOLL/IO_URING: a UDP socket per event loop (false: one)
 *   shutdownTimeoutSeconds: 30  # on SIGTERM, how long open flows may finish before a reset
 * healthChecks: true            # run the health-check engine
 * targetGroups:
 *   - name: web
 *     protocol: TCP
 *     port: 9001
 *     targetType: ip
 *     healthCheck: {protocol: TCP, intervalSeconds: 10, healthyThreshold: 2}
 *     attributes:
 *       deregistration_delay.timeout_seconds: "30"
 *     targets:
 *       - {id: 127.0.0.1, port: 9001}
 *       - {id: 127.0.0.1, port: 9002}
 * loadBalancers:
 *   - name: local
 *     zones:
 *       - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
 *     attributes:
 *       load_balancing.cross_zone.enabled: "true"
 *     listeners:
 *       - {protocol: TCP, port: 8080, targetGroup: web}
 *       - protocol: TLS
 *         port: 8443
 *         targetGroup: web
 *         sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
 *         certificate: {certificateChain: tls/chain.pem, privateKey: tls/key.pem}
 *         certificates:         # further certificates, chosen by SNI
 *           - {certificateChain: tls/other-chain.pem, privateKey: tls/other-key.pem}
 * }</pre>
 *
 * <p>File paths ({@code certificateChain}, {@code privateKey}, and the access-log directory
 * {@code access_logs.s3.bucket}) resolve against the configuration file's directory; PEM files
 * are read and checked (chain parses, key is unencrypted PKCS#8 and belongs to the leaf) while the
 * file is parsed. Name a TLS 1.2+ policy on a stock JVM: the listener default, {@code
 * ELBSecurityPolicy-2016-08}, includes TLS 1.0/1.1, which the JVM disables, so the transport
 * refuses it.
 *
 * <p>Every problem is reported, each once, with its path in the file ({@code
 * loadBalancers[0].listeners[1].port: 70000 (expected: 1-65535)}); nothing is created when there is
 * any.
 *
 * <p>Immutable once parsed; thread-safe.
 *
 * @since 0.1
 */
public final class LauncherConfig {
  /** A target group with the targets to register in it. */
  public record Group(TargetGroupConfig config, List<Target> targets) {}

  /**
   * Transport settings; {@code zeroCopy} null leaves {@code NettyTransportBuilder#zeroCopy} at its
   * default. {@code shutdownTimeout} ({@code transport.shutdownTimeoutSeconds}, default {@link
   * #DEFAULT_SHUTDOWN_TIMEOUT}) is how long a stop (SIGTERM, Ctrl-C) lets open flows finish after
   * the listeners stop accepting, before resetting the rest. {@code udpSocketPerEventLoop} ({@code
   * transport.udpSocketPerEventLoop}, default true) is {@code NettyTransportBuilder#udpSocketPerEventLoop}.
   */
  public record TransportSettings(String ioMode, int threads, @Nullable Duration connectTimeout, TlsProvider tlsProvider,
      Limits limits, @Nullable Boolean zeroCopy, Duration shutdownTimeout, boolean udpSocketPerEventLoop) {
    /**
     * Settings with the JDK TLS provider, default limits and the default zero-copy choice.
     *
     * @param ioMode the I/O mode's name
     * @param threads event-loop threads; 0 for Netty's default
     * @param connectTimeout the timeout of connections to targets; null for the default
     */
    public TransportSettings(String ioMode, int threads, @Nullable Duration connectTimeout) {
      this(ioMode, threads, connectTimeout, TlsProvider.AUTO, Limits.DEFAULTS, null, DEFAULT_SHUTDOWN_TIMEOUT, true);
    }

    /**
     * Settings with default limits and the default zero-copy choice.
     *
     * @param ioMode the I/O mode's name
     * @param threads event-loop threads; 0 for Netty's default
     * @param connectTimeout the timeout of connections to targets; null for the default
     * @param tlsProvider the TLS provider
     */
    public TransportSettings(String ioMode, int threads, @Nullable Duration connectTimeout, TlsProvider tlsProvider) {
      this(ioMode, threads, connectTimeout, tlsProvider, Limits.DEFAULTS, null, DEFAULT_SHUTDOWN_TIMEOUT, true);
    }
  }

  /** How long a stop lets open flows finish unless {@code transport.shutdownTimeoutSeconds} says otherwise. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A configuration file larger than this is refused before it is read, unless the command line
   * raises it ({@code --max-config-bytes}): 1 MiB.
   */
  public static final long DEFAULT_MAX_FILE_BYTES = 1L << 20;

  /**
   * The transport's protection limits (keys {@code transport.maxConnectionsPerListener}, {@code
   * maxConnectionsPerClient}, {@code flowBufferBytes}, {@code maxUdpFlows}, {@code
   * tlsHandshakeTimeoutSeconds}); {@link NettyTransport#UNLIMITED} where no limit is set.
   */
  public record Limits(int maxConnectionsPerListener, int maxConnectionsPerClient, int flowBufferBytes, int maxUdpFlows,
      Duration tlsHandshakeTimeout) {
    /**
     * The transport's defaults: no connection limits, 1 MiB flow buffers, 10 s handshakes, and
     * {@code maxUdpFlows} 0: the transport derives it from the process's descriptor limit.
     */
    public static final Limits DEFAULTS = new Limits(NettyTransport.UNLIMITED, NettyTransport.UNLIMITED, 1024 * 1024, 0,
        Duration.ofSeconds(10));

    /**
     * Applies these limits to {@code b}.
     *
     * @param b a transport builder
     * @return {@code b}
     */
    public NettyTransportBuilder applyTo(NettyTransportBuilder b) {
      b.maxConnectionsPerListener(maxConnectionsPerListener).maxConnectionsPerClient(maxConnectionsPerClient)
          .flowBufferBytes(flowBufferBytes).tlsHandshakeTimeout(tlsHandshakeTimeout);
      return maxUdpFlows > 0 ? b.maxUdpFlows(maxUdpFlows) : b;
    }
  }

  private final List<Group> groups;
  private final List<LoadBalancerConfig> loadBalancers;
  private final TransportSettings transport;
  private final boolean healthChecks;
  private final @Nullable StatusSettings status;
  private final @Nullable AwsApiSettings awsApi;
  private ClusterSettings cluster = ClusterSettings.DEFAULTS;

  private LauncherConfig(List<Group> groups, List<LoadBalancerConfig> loadBalancers, TransportSettings transport, boolean healthChecks,
      @Nullable StatusSettings status, @Nullable AwsApiSettings awsApi) {
    this.groups = List.copyOf(groups);
    this.loadBalancers = List.copyOf(loadBalancers);
    this.transport = transport;
    this.healthChecks = healthChecks;
    this.status = status;
    this.awsApi = awsApi;
  }

  /** {@return the target groups, in file order} */
  public List<Group> groups() {
    return groups;
  }

  /** {@return the load balancers, in file order} */
  public List<LoadBalancerConfig> loadBalancers() {
    return loadBalancers;
  }

  /** {@return the transport settings} */
  public TransportSettings transport() {
    return transport;
  }

  /** {@return whether to run the health-check engine} */
  public boolean healthChecks() {
    return healthChecks;
  }

  /** {@return the {@code identity}, {@code node} and {@code dns} settings ({@link ClusterSettings})} */
  public ClusterSettings cluster() {
    return cluster;
  }

  /** {@return the status page's settings ({@link StatusSettings}); {@code null} when there is no page} */
  public @Nullable StatusSettings status() {
    return status;
  }

  /** {@return the AWS API endpoint's settings ({@link AwsApiSettings}); {@code null} when there is none} */
  public @Nullable AwsApiSettings awsApi() {
    return awsApi;
  }

  // --- cluster (nlb-cluster, docs/cluster.md). Set once by parse(), before the value is shared.
  private io.nlb.cluster.@Nullable ClusterSettings sharedState;
  private com.fasterxml.jackson.databind.node.ObjectNode root = new ObjectMapper().createObjectNode();
  private Path baseDir = Path.of("");

  /** {@return the {@code cluster} section ({@link ClusterConfig}); {@code null} in single-process mode} */
  public io.nlb.cluster.@Nullable ClusterSettings sharedState() {
    return sharedState;
  }

  /** The keys the nodes of a cluster share: {@code targetGroups} and {@code loadBalancers} of the file, as a new document. */
  com.fasterxml.jackson.databind.node.ObjectNode sharedDocument() {
    com.fasterxml.jackson.databind.node.ObjectNode doc = root.objectNode();
    for (String key : SHARED_KEYS) {
      JsonNode n = root.get(key);
      if (n != null) {
        doc.set(key, n.deepCopy());
      }
    }
    return doc;
  }

  /**
   * This file with its shared keys replaced by those of {@code shared} (the cluster's document);
   * the local keys ({@code transport}, {@code status}, {@code cluster}, ...) stay this file's.
   *
   * @throws ConfigException listing every problem of the result
   */
  LauncherConfig withShared(com.fasterxml.jackson.databind.node.ObjectNode shared) {
    com.fasterxml.jackson.databind.node.ObjectNode merged = root.deepCopy();
    java.util.Iterator<String> names = shared.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!SHARED_KEYS.contains(n) && !n.equals(API_STATE_KEY)) {
        throw new ConfigException(List.of(ConfigParser.key(n) + ": unknown key in the shared configuration (expected: one of "
            + SHARED_KEYS + " or " + API_STATE_KEY + ")"));
      }
    }
    for (String key : SHARED_KEYS) {
      JsonNode n = shared.get(key);
      if (n == null) {
        merged.remove(key);
      } else {
        merged.set(key, n.deepCopy());
      }
    }
    return parse(merged, baseDir);
  }

  /** The top-level keys that live in etcd in cluster mode. */
  static final List<String> SHARED_KEYS = List.of("targetGroups", "loadBalancers");

  /**
   * The key of the shared document that holds what the AWS API created (the API's records as
   * text, in its state-file format); never in a file, and not part of the file's configuration.
   */
  static final String API_STATE_KEY = "awsApiState";

  /**
   * Reads a {@code .yaml}/{@code .yml} or {@code .json} file.
   *
   * @param file the file
   * @return the configuration
   * @throws IOException if the file cannot be read
   * @throws ConfigException listing every problem
   */
  public static LauncherConfig read(Path file) throws IOException {
    return read(file, DEFAULT_MAX_FILE_BYTES);
  }

  /**
   * Reads a {@code .yaml}/{@code .yml} or {@code .json} file of at most {@code maxBytes}; a larger
   * one is refused before it is read (its size is checked first, and the read stops at the limit,
   * for files whose size the file system does not know).
   *
   * @param file the file
   * @param maxBytes the largest size accepted
   * @return the configuration
   * @throws IOException if the file cannot be read
   * @throws ConfigException listing every problem, or the one about the size
   */
  public static LauncherConfig read(Path file, long maxBytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    String tooLarge = file + ": larger than " + maxBytes + " bytes (expected: a configuration file of at most " + maxBytes
        + " bytes; raise the limit with --max-config-bytes)";
    if (Files.size(file) > maxBytes) {
      throw new ConfigException(List.of(tooLarge));
    }
    byte[] bytes;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    }
    if (bytes.length > maxBytes) {
      throw new ConfigException(List.of(tooLarge));
    }
    String text;
    try {
      text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ConfigException(List.of(file + ": not UTF-8 text (expected: a YAML or JSON file in UTF-8)"));
    }
    return parse(text, name.endsWith(".json"), dir == null ? Path.of("") : dir, file + ": ");
  }

  /**
   * Parses a JSON ({@code json}) or YAML document; a syntax error becomes a {@link ConfigException}
   * whose one problem starts with {@code where}.
   */
  static LauncherConfig parse(String text, boolean json, Path baseDir, String where) {
    ObjectMapper mapper = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException(List.of(where + "not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage()));
    }
    return parse(root, baseDir);
  }

  /**
   * Parses a YAML or JSON document given as text; relative file paths resolve against the working
   * directory.
   *
   * @param text the document
   * @return the configuration
   * @throws ConfigException listing every problem
   */
  public static LauncherConfig parseYaml(String text) {
    return parseYaml(text, Path.of(""));
  }

  /**
   * Parses a YAML or JSON document given as text; relative file paths resolve against {@code
   * baseDir}.
   *
   * @param text the document
   * @param baseDir the directory relative paths resolve against
   * @return the configuration
   * @throws ConfigException listing every problem
   */
  public static LauncherConfig parseYaml(String text, Path baseDir) {
    return parse(text, false, baseDir, "");
  }

  static LauncherConfig parse(@Nullable JsonNode root) {
    return parse(root, Path.of(""));
  }

  static LauncherConfig parse(@Nullable JsonNode root, Path baseDir) {
    ConfigParser p = new ConfigParser(baseDir);
    if (root == null || !root.isObject()) {
      throw new ConfigException(List.of("(root): " + (root == null ? "empty" : root.getNodeType()) + " (expected: a mapping with targetGroups and loadBalancers)"));
    }
    p.allowOnly("", root, ConfigKeys.ROOT.names());
    StatusSettings status = StatusSettings.parse(root.get("status"), p.problems);
    io.nlb.cluster.ClusterSettings sharedState = ClusterConfig.parse(root.get("cluster"), p.problems);
    TransportSettings transport = TransportSection.transport(p, root.get("transport"));
    boolean health = p.bool("healthChecks", root.get("healthChecks"), true);
    JsonNode tgs = root.get("targetGroups");
    List<Group> groups = p.each("targetGroups", tgs, (path, n) -> TargetGroupSection.group(p, path, n));
    if (tgs != null && tgs.isArray()) {
      for (JsonNode g : tgs) {
        JsonNode n = g.get("name");
        if (n != null && n.isValueNode()) {
          p.groupNames.add(n.asText());
        }
      }
    }
    JsonNode lbNodes = root.get("loadBalancers");
    List<LoadBalancerConfig> lbs = p.each("loadBalancers", lbNodes, (path, n) -> LoadBalancerSection.loadBalancer(p, path, n));
    AwsApiSettings awsApi = AwsApiSection.awsApi(p, root.get("awsApi"), lbs, lbNodes);
    ClusterSettings cluster = ClusterSettings.parse(root, lbs, p.problems);
    if (sharedState != null && awsApi != null && awsApi.stateFile() != null) {
      p.problems.add("awsApi.stateFile: " + awsApi.stateFile() + " (expected: absent with a cluster section; the API's records"
          + " are kept in etcd, under " + API_STATE_KEY + " of the shared configuration)");
    }
    if (!p.problems.isEmpty()) {
      throw new ConfigException(p.problems);
    }
    LauncherConfig parsed = new LauncherConfig(groups, lbs, transport, health, status, awsApi);
    parsed.cluster = cluster;
    parsed.sharedState = sharedState;
    parsed.root = ((com.fasterxml.jackson.databind.node.ObjectNode) root).deepCopy();
    parsed.baseDir = baseDir;
    return parsed;
  }

  /** Every problem of a configuration file, each with its path. */
  public static final class ConfigException extends RuntimeException {
    /** The version of the serialized form. */
    private static final long serialVersionUID = 1L;
    /** Every problem found, each with its path. */
    private final List<String> problems;

    ConfigException(List<String> problems) {
      super(problems.size() == 1 ? problems.get(0) : problems.size() + " problems:\n  - " + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }

    /** {@return every problem found} */
    public List<String> problems() {
      return problems;
    }
  }
}
