package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nlb.awsapi.CertificateStore;
import io.nlb.awsapi.Subnet;
import io.nlb.core.AlpnPolicy;
import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.IpAddressType;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.NlbException;
import io.nlb.core.Protocol;
import io.nlb.core.Scheme;
import io.nlb.core.ServerCertificate;
import io.nlb.core.Target;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.tls.PemCertificate;
import io.nlb.tls.TlsProvider;
import io.nlb.transport.netty.NettyTransport;
import io.nlb.transport.netty.NettyTransportBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
 */
public final class LauncherConfig {
  /** A target group with the targets to register in it. */
  public record Group(TargetGroupConfig config, List<Target> targets) {}

  /**
   * Transport settings; {@code zeroCopy} null leaves {@code NettyTransportBuilder#zeroCopy} at its
   * default. {@code shutdownTimeout} ({@code transport.shutdownTimeoutSeconds}, default {@link
   * #DEFAULT_SHUTDOWN_TIMEOUT}) is how long a stop (SIGTERM, Ctrl-C) lets open flows finish after
   * the listeners stop accepting, before resetting the rest.
   */
  public record TransportSettings(String ioMode, int threads, @Nullable Duration connectTimeout, TlsProvider tlsProvider,
      Limits limits, @Nullable Boolean zeroCopy, Duration shutdownTimeout) {
    /**
     * Settings with the JDK TLS provider, default limits and the default zero-copy choice.
     *
     * @param ioMode the I/O mode's name
     * @param threads event-loop threads; 0 for Netty's default
     * @param connectTimeout the timeout of connections to targets; null for the default
     */
    public TransportSettings(String ioMode, int threads, @Nullable Duration connectTimeout) {
      this(ioMode, threads, connectTimeout, TlsProvider.AUTO, Limits.DEFAULTS, null, DEFAULT_SHUTDOWN_TIMEOUT);
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
      this(ioMode, threads, connectTimeout, tlsProvider, Limits.DEFAULTS, null, DEFAULT_SHUTDOWN_TIMEOUT);
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
      if (!SHARED_KEYS.contains(n)) {
        throw new ConfigException(List.of(LauncherConfig.key(n) + ": unknown key in the shared configuration (expected: one of " + SHARED_KEYS + ")"));
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
    Parser p = new Parser(baseDir);
    if (root == null || !root.isObject()) {
      throw new ConfigException(List.of("(root): " + (root == null ? "empty" : root.getNodeType()) + " (expected: a mapping with targetGroups and loadBalancers)"));
    }
    p.allowOnly("", root, ConfigKeys.ROOT.names());
    StatusSettings status = StatusSettings.parse(root.get("status"), p.problems);
    io.nlb.cluster.ClusterSettings sharedState = ClusterConfig.parse(root.get("cluster"), p.problems);
    TransportSettings transport = p.transport(root.get("transport"));
    boolean health = p.bool("healthChecks", root.get("healthChecks"), true);
    List<Group> groups = new ArrayList<>();
    JsonNode tgs = root.get("targetGroups");
    if (p.list("targetGroups", tgs)) {
      for (int i = 0; i < tgs.size(); i++) {
        Group g = p.group("targetGroups[" + i + "]", tgs.get(i));
        if (g != null) {
          groups.add(g);
        }
      }
    }
    if (tgs != null && tgs.isArray()) {
      for (JsonNode g : tgs) {
        JsonNode n = g.get("name");
        if (n != null && n.isValueNode()) {
          p.groupNames.add(n.asText());
        }
      }
    }
    List<LoadBalancerConfig> lbs = new ArrayList<>();
    JsonNode lbNodes = root.get("loadBalancers");
    if (p.list("loadBalancers", lbNodes)) {
      for (int i = 0; i < lbNodes.size(); i++) {
        LoadBalancerConfig c = p.loadBalancer("loadBalancers[" + i + "]", lbNodes.get(i));
        if (c != null) {
          lbs.add(c);
        }
      }
    }
    AwsApiSettings awsApi = p.awsApi(root.get("awsApi"), lbs, lbNodes);
    ClusterSettings cluster = ClusterSettings.parse(root, lbs, p.problems);
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

  private static final java.util.regex.Pattern FIELD = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_.\\-]*): (.*)",
      java.util.regex.Pattern.DOTALL);
  /** The builders name their argument after the type ({@code listener.port}); the file's section for each. */
  private static final Map<String, ConfigKeys.Section> BUILDER_PREFIXES = Map.of("targetGroup", ConfigKeys.TARGET_GROUP,
      "loadBalancer", ConfigKeys.LOAD_BALANCER, "listener", ConfigKeys.LISTENER, "zone", ConfigKeys.ZONE, "target", ConfigKeys.TARGET);

  /**
   * A builder's refusal ({@code "listener.port: 0 (expected: 1-65535)"}) as a problem at {@code
   * path} in the file, without saying the field twice: {@code
   * "loadBalancers[0].listeners[0].port: 0 (expected: 1-65535)"}. A message naming another field
   * keeps it ({@code "targetGroups[0]: healthCheck.timeout: ..."}); one naming a key of the
   * element at {@code path} moves to that key ({@code "targetGroups[0].name: ..."}).
   */
  static String problem(String path, String message) {
    java.util.regex.Matcher m = FIELD.matcher(message);
    if (!m.matches()) {
      return path + ": " + message;
    }
    String field = m.group(1);
    String rest = m.group(2);
    String last = field.substring(field.lastIndexOf('.') + 1);
    String pathLast = path.substring(path.lastIndexOf('.') + 1);
    int bracket = pathLast.indexOf('[');
    if (bracket >= 0) {
      pathLast = pathLast.substring(0, bracket);
    }
    if (path.equals(field) || path.endsWith("." + field) || (!last.isEmpty() && pathLast.startsWith(last))) {
      return path + ": " + rest;
    }
    int dot = field.indexOf('.');
    if (path.endsWith("]") && dot > 0 && dot == field.lastIndexOf('.')) {
      ConfigKeys.Section section = BUILDER_PREFIXES.get(field.substring(0, dot));
      if (section != null && section.names().contains(last)) {
        return path + "." + last + ": " + rest;
      }
    }
    return path + ": " + message;
  }

  /**
   * A key of the file as it appears in a problem's path: control characters escaped, so that a
   * key cannot break a problem over several lines (found by LauncherConfigJazzerTest).
   */
  static String key(String k) {
    StringBuilder b = null;
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        if (b == null) {
          b = new StringBuilder(k.length() + 8).append(k, 0, i);
        }
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? k : b.toString();
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

  /** Walks the tree, collecting problems instead of stopping at the first. */
  private static final class Parser {
    /** A certificate chain or key file larger than this is refused unread. */
    static final int MAX_PEM_BYTES = 1 << 20;

    final List<String> problems = new ArrayList<>();
    /** The names under targetGroups, for the listeners' references. */
    final Set<String> groupNames = new java.util.LinkedHashSet<>();
    /** Relative file paths in the configuration resolve against this directory. */
    final Path baseDir;

    Parser(Path baseDir) {
      this.baseDir = baseDir;
    }

    /** Runs a builder step; a refusal becomes a problem prefixed with the file path. */
    <T> @Nullable T attempt(String path, Supplier<T> step) {
      try {
        return step.get();
      } catch (NlbException e) {
        for (String problem : e.problems()) {
          problems.add(problem(path, problem));
        }
      } catch (IllegalArgumentException e) {
        problems.add(problem(path, String.valueOf(e.getMessage())));
      }
      return null;
    }

    void allowOnly(String path, JsonNode node, Set<String> keys) {
      Iterator<String> names = node.fieldNames();
      while (names.hasNext()) {
        String n = names.next();
        if (!keys.contains(n)) {
          problems.add((path.isEmpty() ? "" : path + ".") + key(n) + ": unknown key (expected: one of " + new java.util.TreeSet<>(keys) + ")");
        }
      }
    }

    boolean list(String path, @Nullable JsonNode node) {
      if (node == null || node.isNull()) {
        return false;
      }
      if (!node.isArray()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a list)");
        return false;
      }
      return true;
    }

    @Nullable String text(String path, @Nullable JsonNode node, boolean required) {
      if (node == null || node.isNull()) {
        if (required) {
          problems.add(path + ": missing (expected: a value)");
        }
        return null;
      }
      if (!node.isValueNode()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a single value)");
        return null;
      }
      return node.asText();
    }

    @Nullable Integer integer(String path, @Nullable JsonNode node, boolean required) {
      String t = text(path, node, required);
      if (t == null) {
        return null;
      }
      try {
        return Integer.parseInt(t.trim());
      } catch (NumberFormatException e) {
        problems.add(path + ": \"" + t + "\" (expected: a whole number)");
        return null;
      }
    }

    boolean bool(String path, @Nullable JsonNode node, boolean dflt) {
      String t = text(path, node, false);
      if (t == null) {
        return dflt;
      }
      if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
        problems.add(path + ": \"" + t + "\" (expected: true or false)");
        return dflt;
      }
      return Boolean.parseBoolean(t);
    }

    Map<String, String> map(String path, @Nullable JsonNode node) {
      Map<String, String> out = new LinkedHashMap<>();
      if (node == null || node.isNull()) {
        return out;
      }
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping of keys to values)");
        return out;
      }
      node.fields().forEachRemaining(e -> {
        String v = text(path + "." + key(e.getKey()), e.getValue(), true);
        if (v != null) {
          out.put(e.getKey(), v);
        }
      });
      return out;
    }

    TransportSettings transport(@Nullable JsonNode node) {
      if (node == null || node.isNull()) {
        return new TransportSettings("AUTO", 0, null);
      }
      allowOnly("transport", node, ConfigKeys.TRANSPORT.names());
      String mode = text("transport.ioMode", node.get("ioMode"), false);
      if (mode != null && !Set.of("AUTO", "NIO", "EPOLL", "IO_URING").contains(mode.toUpperCase(Locale.ROOT))) {
        problems.add("transport.ioMode: \"" + mode + "\" (expected: AUTO, NIO, EPOLL or IO_URING)");
      }
      Integer threads = integer("transport.threads", node.get("threads"), false);
      if (threads != null && (threads < 0 || threads > 256)) {
        problems.add("transport.threads: " + threads + " (expected: 0-256, 0 for Netty's default)");
      }
      Integer connect = integer("transport.connectTimeoutSeconds", node.get("connectTimeoutSeconds"), false);
      if (connect != null && (connect < 1 || connect > 120)) {
        problems.add("transport.connectTimeoutSeconds: " + connect + " (expected: 1-120)");
      }
      TlsProvider provider = tlsProvider(node.get("tlsProvider"));
      Limits d = Limits.DEFAULTS;
      int perListener = limit(node, "maxConnectionsPerListener", 1, NettyTransport.UNLIMITED, d.maxConnectionsPerListener(),
          NettyTransport.UNLIMITED + " for unlimited");
      int perClient = limit(node, "maxConnectionsPerClient", 1, NettyTransport.UNLIMITED, d.maxConnectionsPerClient(),
          NettyTransport.UNLIMITED + " for unlimited");
      int buffer = limit(node, "flowBufferBytes", NettyTransport.MIN_FLOW_BUFFER_BYTES, NettyTransport.MAX_FLOW_BUFFER_BYTES,
          d.flowBufferBytes(), null);
      int udp = limit(node, "maxUdpFlows", 1, Integer.MAX_VALUE, d.maxUdpFlows(), null);
      int handshake = limit(node, "tlsHandshakeTimeoutSeconds", 1, 3600, (int) d.tlsHandshakeTimeout().toSeconds(), null);
      int shutdown = limit(node, "shutdownTimeoutSeconds", 0, 3600, (int) DEFAULT_SHUTDOWN_TIMEOUT.toSeconds(), null);
      JsonNode zc = node.get("zeroCopy");
      Boolean zeroCopy = zc == null || zc.isNull() ? null : bool("transport.zeroCopy", zc, false);
      return new TransportSettings(mode == null ? "AUTO" : mode.toUpperCase(Locale.ROOT), threads == null ? 0 : threads,
          connect == null ? null : Duration.ofSeconds(connect), provider,
          new Limits(perListener, perClient, buffer, udp, Duration.ofSeconds(handshake)), zeroCopy, Duration.ofSeconds(shutdown));
    }

    /** An optional whole number {@code transport.<key>} in {@code min-max}; the default when absent or bad. */
    private int limit(JsonNode node, String key, int min, int max, int dflt, @Nullable String note) {
      String path = "transport." + key;
      String t = text(path, node.get(key), false);
      if (t == null) {
        return dflt;
      }
      long v;
      try {
        v = Long.parseLong(t.trim());
      } catch (NumberFormatException e) {
        v = Long.MIN_VALUE;
      }
      if (v < min || v > max) {
        problems.add(path + ": " + (v == Long.MIN_VALUE ? "\"" + t + "\"" : Long.toString(v)) + " (expected: " + min + "-" + max
            + (note == null ? "" : ", " + note) + ")");
        return dflt;
      }
      return (int) v;
    }

    TlsProvider tlsProvider(@Nullable JsonNode node) {
      String name = text("transport.tlsProvider", node, false);
      if (name == null) {
        return TlsProvider.AUTO;
      }
      TlsProvider provider;
      try {
        provider = TlsProvider.valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add("transport.tlsProvider: \"" + name + "\" (expected: AUTO, JDK or OPENSSL)");
        return TlsProvider.AUTO;
      }
      if (!provider.isAvailable()) {
        problems.add("transport.tlsProvider: " + provider
            + " (expected: an available provider; OPENSSL needs io.netty:netty-tcnative-boringssl-static on the class path)");
      }
      return provider;
    }

    @Nullable Group group(String path, JsonNode node) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping)");
        return null;
      }
      allowOnly(path, node, ConfigKeys.TARGET_GROUP.names());
      String name = text(path + ".name", node.get("name"), true);
      String protocol = text(path + ".protocol", node.get("protocol"), true);
      Integer port = integer(path + ".port", node.get("port"), true);
      int before = problems.size();
      Protocol proto = protocol == null ? null : attempt(path + ".protocol", () -> Protocol.parse("protocol", protocol));
      if (name == null || proto == null || port == null || problems.size() > before) {
        return null;
      }
      TargetGroupConfig.Builder b = attempt(path, () -> TargetGroupConfig.builder(name, proto, port));
      if (b == null) {
        return null;
      }
      String type = text(path + ".targetType", node.get("targetType"), false);
      if (type != null) {
        attempt(path + ".targetType", () -> b.targetType(TargetType.parse("targetType", type)));
      }
      String ipType = text(path + ".ipAddressType", node.get("ipAddressType"), false);
      if (ipType != null) {
        attempt(path + ".ipAddressType", () -> b.ipAddressType(IpAddressType.parse("ipAddressType", ipType)));
      }
      HealthCheck hc = healthCheck(path + ".healthCheck", node.get("healthCheck"));
      if (hc != null) {
        b.healthCheck(hc);
      }
      map(path + ".attributes", node.get("attributes")).forEach((k, v) -> attempt(path + ".attributes." + key(k), () -> b.attribute(k, v)));
      map(path + ".tags", node.get("tags")).forEach((k, v) -> attempt(path + ".tags." + key(k), () -> b.tag(k, v)));
      List<Target> targets = new ArrayList<>();
      JsonNode ts = node.get("targets");
      if (list(path + ".targets", ts)) {
        for (int i = 0; i < ts.size(); i++) {
          Target t = target(path + ".targets[" + i + "]", ts.get(i));
          if (t != null) {
            targets.add(t);
          }
        }
      }
      TargetGroupConfig config = attempt(path, b::build);
      return config == null ? null : new Group(config, targets);
    }

    @Nullable Target target(String path, JsonNode node) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping such as {id: 10.0.0.1, port: 80})");
        return null;
      }
      allowOnly(path, node, ConfigKeys.TARGET.names());
      String id = text(path + ".id", node.get("id"), true);
      if (id == null) {
        return null;
      }
      String type = text(path + ".type", node.get("type"), false);
      Target t = attempt(path + ".id", () -> {
        if (type != null && type.equalsIgnoreCase("alb")) {
          return Target.alb(id);
        }
        return id.startsWith("i-") ? Target.instance(id) : Target.ip(id);
      });
      if (t == null) {
        return null;
      }
      Integer port = integer(path + ".port", node.get("port"), false);
      if (port != null) {
        Target tp = t;
        t = attempt(path + ".port", () -> tp.withPort(port));
      }
      String zone = text(path + ".zone", node.get("zone"), false);
      if (zone != null && t != null) {
        Target tz = t;
        t = attempt(path + ".zone", () -> tz.withZone(zone));
      }
      return t;
    }

    @Nullable HealthCheck healthCheck(String path, @Nullable JsonNode node) {
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping)");
        return null;
      }
      allowOnly(path, node, ConfigKeys.HEALTH_CHECK.names());
      HealthCheck.Builder b = HealthCheck.builder();
      String protocol = text(path + ".protocol", node.get("protocol"), false);
      if (protocol != null) {
        attempt(path + ".protocol", () -> b.protocol(HealthCheckProtocol.parse("protocol", protocol)));
      }
      String port = text(path + ".port", node.get("port"), false);
      if (port != null) {
        attempt(path + ".port", () -> b.port(port));
      }
      String p = text(path + ".path", node.get("path"), false);
      if (p != null) {
        attempt(path + ".path", () -> b.path(p));
      }
      Integer timeout = integer(path + ".timeoutSeconds", node.get("timeoutSeconds"), false);
      if (timeout != null) {
        attempt(path + ".timeoutSeconds", () -> b.timeout(Duration.ofSeconds(timeout)));
      }
      Integer interval = integer(path + ".intervalSeconds", node.get("intervalSeconds"), false);
      if (interval != null) {
        attempt(path + ".intervalSeconds", () -> b.interval(Duration.ofSeconds(interval)));
      }
      Integer healthy = integer(path + ".healthyThreshold", node.get("healthyThreshold"), false);
      if (healthy != null) {
        attempt(path + ".healthyThreshold", () -> b.healthyThreshold(healthy));
      }
      Integer unhealthy = integer(path + ".unhealthyThreshold", node.get("unhealthyThreshold"), false);
      if (unhealthy != null) {
        attempt(path + ".unhealthyThreshold", () -> b.unhealthyThreshold(unhealthy));
      }
      String matcher = text(path + ".matcher", node.get("matcher"), false);
      if (matcher != null) {
        attempt(path + ".matcher", () -> b.matcher(matcher));
      }
      return b.build();
    }

    @Nullable LoadBalancerConfig loadBalancer(String path, JsonNode node) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping)");
        return null;
      }
      allowOnly(path, node, ConfigKeys.LOAD_BALANCER.names());
      String name = text(path + ".name", node.get("name"), true);
      if (name == null) {
        return null;
      }
      LoadBalancerConfig.Builder b = attempt(path + ".name", () -> LoadBalancerConfig.builder(name));
      if (b == null) {
        return null;
      }
      String scheme = text(path + ".scheme", node.get("scheme"), false);
      if (scheme != null) {
        attempt(path + ".scheme", () -> b.scheme(Scheme.parse("scheme", scheme)));
      }
      String ipType = text(path + ".ipAddressType", node.get("ipAddressType"), false);
      if (ipType != null) {
        attempt(path + ".ipAddressType", () -> b.ipAddressType(IpAddressType.parse("ipAddressType", ipType)));
      }
      JsonNode zones = node.get("zones");
      if (list(path + ".zones", zones)) {
        for (int i = 0; i < zones.size(); i++) {
          Zone z = zone(path + ".zones[" + i + "]", zones.get(i));
          if (z != null) {
            b.zone(z);
          }
        }
      }
      map(path + ".attributes", node.get("attributes")).forEach((k, v) -> attempt(path + ".attributes." + key(k),
          () -> b.attribute(k, k.equals("access_logs.s3.bucket") && !v.isEmpty() ? baseDir.resolve(v).toString() : v)));
      map(path + ".tags", node.get("tags")).forEach((k, v) -> attempt(path + ".tags." + key(k), () -> b.tag(k, v)));
      JsonNode listeners = node.get("listeners");
      if (list(path + ".listeners", listeners)) {
        for (int i = 0; i < listeners.size(); i++) {
          ListenerConfig l = listener(path + ".listeners[" + i + "]", listeners.get(i));
          if (l != null) {
            b.listener(l);
          }
        }
      }
      return attempt(path, b::build);
    }

    @Nullable Zone zone(String path, JsonNode node) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping such as {name: zone-a, addresses: [127.0.0.1]})");
        return null;
      }
      allowOnly(path, node, ConfigKeys.ZONE.names());
      String name = text(path + ".name", node.get("name"), true);
      if (name == null) {
        return null;
      }
      Zone.Builder b = attempt(path + ".name", () -> Zone.builder(name));
      if (b == null) {
        return null;
      }
      JsonNode addresses = node.get("addresses");
      if (list(path + ".addresses", addresses)) {
        for (int i = 0; i < addresses.size(); i++) {
          String a = text(path + ".addresses[" + i + "]", addresses.get(i), true);
          if (a != null) {
            attempt(path + ".addresses[" + i + "]", () -> b.address(a));
          }
        }
      }
      JsonNode ranges = node.get("targetRanges");
      if (list(path + ".targetRanges", ranges)) {
        for (int i = 0; i < ranges.size(); i++) {
          String r = text(path + ".targetRanges[" + i + "]", ranges.get(i), true);
          if (r != null) {
            attempt(path + ".targetRanges[" + i + "]", () -> b.targetRange(r));
          }
        }
      }
      return attempt(path, b::build);
    }

    @Nullable ListenerConfig listener(String path, JsonNode node) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping such as {protocol: TCP, port: 80, targetGroup: web})");
        return null;
      }
      allowOnly(path, node, ConfigKeys.LISTENER.names());
      String protocol = text(path + ".protocol", node.get("protocol"), true);
      Integer port = integer(path + ".port", node.get("port"), true);
      String tg = text(path + ".targetGroup", node.get("targetGroup"), true);
      if (tg != null && !groupNames.contains(tg)) {
        problems.add(path + ".targetGroup: \"" + tg + "\" (expected: the name of a target group under targetGroups"
            + (groupNames.isEmpty() ? "; the file defines none" : ", one of " + groupNames) + ")");
      }
      Protocol proto = protocol == null ? null : attempt(path + ".protocol", () -> Protocol.parse("protocol", protocol));
      if (proto == null || port == null || tg == null) {
        return null;
      }
      ListenerConfig.Builder b = attempt(path + ".port", () -> ListenerConfig.builder(proto, port));
      if (b == null) {
        return null;
      }
      attempt(path + ".targetGroup", () -> b.forwardTo(tg));
      map(path + ".attributes", node.get("attributes")).forEach((k, v) -> attempt(path + ".attributes." + key(k), () -> b.attribute(k, v)));
      String alpn = text(path + ".alpnPolicy", node.get("alpnPolicy"), false);
      if (alpn != null) {
        attempt(path + ".alpnPolicy", () -> b.alpnPolicy(AlpnPolicy.parse("alpnPolicy", alpn)));
      }
      String policy = text(path + ".sslPolicy", node.get("sslPolicy"), false);
      if (policy != null) {
        attempt(path + ".sslPolicy", () -> b.sslPolicy(policy));
      }
      String vpce = text(path + ".vpcEndpointId", node.get("vpcEndpointId"), false);
      if (vpce != null) {
        attempt(path + ".vpcEndpointId", () -> b.vpcEndpointId(vpce));
      }
      int beforeCertificates = problems.size();
      JsonNode certNode = node.get("certificate");
      if (certNode != null && !certNode.isNull()) {
        PemCertificate cert = certificate(path + ".certificate", certNode);
        if (cert != null) {
          b.certificate(cert);
        }
      }
      JsonNode certs = node.get("certificates");
      if (list(path + ".certificates", certs)) {
        for (int i = 0; i < certs.size(); i++) {
          PemCertificate cert = certificate(path + ".certificates[" + i + "]", certs.get(i));
          if (cert != null) {
            b.addCertificate(cert);
          }
        }
      }
      if (problems.size() > beforeCertificates) {
        return null; // a certificate was refused; "no default certificate" would only repeat it
      }
      return attempt(path, b::build);
    }

    /** {@code {certificateChain: chain.pem, privateKey: key.pem}}, both read and checked now. */
    @Nullable PemCertificate certificate(String path, JsonNode node) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping such as {certificateChain: chain.pem, privateKey: key.pem})");
        return null;
      }
      allowOnly(path, node, ConfigKeys.CERTIFICATE.names());
      String chainFile = text(path + ".certificateChain", node.get("certificateChain"), true);
      String keyFile = text(path + ".privateKey", node.get("privateKey"), true);
      String chain = chainFile == null ? null : pemFile(path + ".certificateChain", chainFile);
      String key = keyFile == null ? null : pemFile(path + ".privateKey", keyFile);
      if (chain == null || key == null) {
        return null;
      }
      try {
        return PemCertificate.parse(chain, key);
      } catch (IllegalArgumentException e) {
        // PemCertificate names the part it refused ("certificateChain: ..." or "privateKey: ..."):
        // attach that to the key in the file and say which file it was.
        String message = String.valueOf(e.getMessage());
        for (String part : List.of("certificateChain", "privateKey")) {
          if (message.startsWith(part + ": ")) {
            String file = part.equals("privateKey") ? keyFile : chainFile;
            problems.add(path + "." + part + ": \"" + file + "\": " + message.substring(part.length() + 2));
            return null;
          }
        }
        problems.add(path + ": " + message);
        return null;
      }
    }

    /**
     * The {@code awsApi} section. Subnet zones are looked up among {@code awsApi.zones} and the
     * zones of the file's load balancers ({@code lbNodes} too, so that a load balancer with another
     * problem does not make its zones "unknown" as well).
     */
    @Nullable AwsApiSettings awsApi(@Nullable JsonNode node, List<LoadBalancerConfig> lbs, @Nullable JsonNode lbNodes) {
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isObject()) {
        problems.add("awsApi: " + node.getNodeType() + " (expected: a mapping such as {port: 4566, accessKeys: [...]})");
        return null;
      }
      int before = problems.size();
      allowOnly("awsApi", node, ConfigKeys.AWS_API.names());
      Integer port = integer("awsApi.port", node.get("port"), true);
      if (port != null && (port < 0 || port > 65535)) {
        problems.add("awsApi.port: " + port + " (expected: 0-65535)");
      }
      InetAddress address = InetAddress.getLoopbackAddress();
      String a = text("awsApi.address", node.get("address"), false);
      if (a != null) {
        InetAddress parsed = StatusSettings.literal(a.trim());
        if (parsed == null) {
          problems.add("awsApi.address: \"" + a + "\" (expected: an IPv4 or IPv6 literal such as 127.0.0.1)");
        } else {
          address = parsed;
        }
      }
      String region = text("awsApi.region", node.get("region"), false);
      if (region != null && !region.matches("[a-z]{2}(-[a-z]+)+-\\d{1,2}")) {
        problems.add("awsApi.region: \"" + region + "\" (expected: a region name such as us-east-2)");
      }
      region = region == null ? "us-east-1" : region;
      String account = text("awsApi.accountId", node.get("accountId"), false);
      if (account != null && !account.matches("\\d{12}")) {
        problems.add("awsApi.accountId: \"" + account + "\" (expected: 12 digits)");
      }
      account = account == null ? "123456789012" : account;
      Map<String, String> keys = new LinkedHashMap<>();
      JsonNode keyNodes = node.get("accessKeys");
      if (keyNodes == null || keyNodes.isNull() || (keyNodes.isArray() && keyNodes.isEmpty())) {
        problems.add("awsApi.accessKeys: missing (expected: at least one {id, secret} or {id, secretFile}; unsigned requests"
            + " are always refused)");
      } else if (list("awsApi.accessKeys", keyNodes)) {
        for (int i = 0; i < keyNodes.size(); i++) {
          accessKey("awsApi.accessKeys[" + i + "]", keyNodes.get(i), keys);
        }
      }
      Map<String, Zone> zones = new LinkedHashMap<>();
      JsonNode zoneNodes = node.get("zones");
      if (list("awsApi.zones", zoneNodes)) {
        for (int i = 0; i < zoneNodes.size(); i++) {
          Zone z = zone("awsApi.zones[" + i + "]", zoneNodes.get(i));
          if (z != null && zones.putIfAbsent(z.name(), z) != null) {
            problems.add("awsApi.zones[" + i + "].name: \"" + z.name() + "\" (expected: a name not used by another of awsApi.zones)");
          }
        }
      }
      for (LoadBalancerConfig lb : lbs) {
        for (Zone z : lb.zones()) {
          zones.putIfAbsent(z.name(), z);
        }
      }
      Set<String> knownZones = new java.util.TreeSet<>(zones.keySet());
      if (lbNodes != null && lbNodes.isArray()) {
        for (JsonNode lb : lbNodes) {
          JsonNode zs = lb.get("zones");
          if (zs != null && zs.isArray()) {
            zs.forEach(z -> {
              JsonNode n = z.get("name");
              if (n != null && n.isValueNode()) {
                knownZones.add(n.asText());
              }
            });
          }
        }
      }
      List<Subnet> subnets = new ArrayList<>();
      JsonNode subnetNodes = node.get("subnets");
      if (list("awsApi.subnets", subnetNodes)) {
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < subnetNodes.size(); i++) {
          Subnet sn = subnet("awsApi.subnets[" + i + "]", subnetNodes.get(i), zones, knownZones);
          if (sn != null && !ids.add(sn.id())) {
            problems.add("awsApi.subnets[" + i + "].id: \"" + sn.id() + "\" (expected: an id not used by another subnet)");
          } else if (sn != null) {
            subnets.add(sn);
          }
        }
      }
      Map<String, ServerCertificate> byArn = new LinkedHashMap<>();
      JsonNode certs = node.get("certificates");
      if (list("awsApi.certificates", certs)) {
        for (int i = 0; i < certs.size(); i++) {
          String path = "awsApi.certificates[" + i + "]";
          JsonNode c = certs.get(i);
          if (!c.isObject()) {
            problems.add(path + ": " + c.getNodeType() + " (expected: a mapping such as {arn: ..., certificateChain: chain.pem, privateKey: key.pem})");
            continue;
          }
          allowOnly(path, c, ConfigKeys.AWS_API_CERTIFICATE.names());
          String arn = text(path + ".arn", c.get("arn"), true);
          if (arn != null && !arn.matches("arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9._-]+")) {
            problems.add(path + ".arn: \"" + arn + "\" (expected: an ACM certificate ARN such as"
                + " arn:aws:acm:us-east-1:123456789012:certificate/web)");
            arn = null;
          }
          com.fasterxml.jackson.databind.node.ObjectNode pem = c.deepCopy();
          pem.remove("arn");
          PemCertificate cert = certificate(path, pem);
          if (arn != null && cert != null && byArn.putIfAbsent(arn, cert) != null) {
            problems.add(path + ".arn: \"" + arn + "\" (expected: an ARN not used by another certificate)");
          }
        }
      }
      CertificateStore listed = CertificateStore.of(byArn);
      CertificateStore store = listed;
      String dirName = text("awsApi.certificateDirectory", node.get("certificateDirectory"), false);
      if (dirName != null) {
        try {
          Path dir = baseDir.resolve(dirName);
          CertificateStore fromDir = CertificateStore.directory(dir, region, account);
          store = arn -> listed.certificate(arn).or(() -> fromDir.certificate(arn));
        } catch (UncheckedIOException | IllegalArgumentException e) {
          String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : String.valueOf(e.getMessage());
          problems.add("awsApi.certificateDirectory: \"" + dirName + "\": " + why + " (expected: a readable directory of <name>.crt.pem and"
              + " <name>.key.pem pairs; relative paths resolve against " + baseDir.toAbsolutePath() + ")");
        }
      }
      Path state = null;
      String stateName = text("awsApi.stateFile", node.get("stateFile"), false);
      if (stateName != null) {
        try {
          state = baseDir.resolve(stateName).toAbsolutePath();
          Path parent = state.getParent();
          if (parent == null || !Files.isDirectory(parent) || Files.isDirectory(state)) {
            problems.add("awsApi.stateFile: \"" + stateName + "\" (expected: a file in an existing directory; relative paths resolve against "
                + baseDir.toAbsolutePath() + ")");
          }
        } catch (java.nio.file.InvalidPathException e) {
          problems.add("awsApi.stateFile: \"" + stateName + "\": " + e.getReason() + " (expected: a file path)");
        }
      }
      if (problems.size() > before || port == null) {
        return null;
      }
      return new AwsApiSettings(address, port, region, account, keys, subnets, store, state, node.toString());
    }

    private void accessKey(String path, JsonNode node, Map<String, String> keys) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping such as {id: AKIDNLBEXAMPLE000001, secretFile: secret.txt})");
        return;
      }
      allowOnly(path, node, ConfigKeys.AWS_API_ACCESS_KEY.names());
      String id = text(path + ".id", node.get("id"), true);
      if (id != null && !id.matches("[A-Z0-9]{16,128}")) {
        problems.add(path + ".id: \"" + id + "\" (expected: 16-128 capital letters and digits)");
        id = null;
      }
      String secret = text(path + ".secret", node.get("secret"), false);
      String secretFile = text(path + ".secretFile", node.get("secretFile"), false);
      if (secret != null && secretFile != null) {
        problems.add(path + ": both secret and secretFile (expected: one of them)");
        return;
      }
      String value;
      if (secretFile == null) {
        if (secret == null) {
          problems.add(path + ".secret: missing (expected: secret or secretFile)");
          return;
        }
        value = secret;
      } else {
        String expected = " (expected: a readable file holding the secret on one line; relative paths resolve against "
            + baseDir.toAbsolutePath() + ")";
        try {
          Path f = baseDir.resolve(secretFile);
          if (!Files.isRegularFile(f) || Files.size(f) > 4096) {
            problems.add(path + ".secretFile: \"" + secretFile + "\"" + expected);
            return;
          }
          value = Files.readString(f, java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (java.nio.file.InvalidPathException | IOException | UncheckedIOException e) {
          problems.add(path + ".secretFile: \"" + secretFile + "\": " + e.getMessage() + expected);
          return;
        }
      }
      if (value.isEmpty()) {
        problems.add(path + (secretFile != null ? ".secretFile: \"" + secretFile + "\" is empty" : ".secret: (empty)")
            + " (expected: the secret access key)");
        return;
      }
      if (id != null && keys.putIfAbsent(id, value) != null) {
        problems.add(path + ".id: \"" + id + "\" (expected: an id not used by another access key)");
      }
    }

    private @Nullable Subnet subnet(String path, JsonNode node, Map<String, Zone> zones, Set<String> knownZones) {
      if (!node.isObject()) {
        problems.add(path + ": " + node.getNodeType() + " (expected: a mapping such as {id: subnet-0a1b2c, zone: zone-a})");
        return null;
      }
      allowOnly(path, node, ConfigKeys.AWS_API_SUBNET.names());
      int before = problems.size();
      String id = text(path + ".id", node.get("id"), true);
      if (id != null && !id.matches("subnet-[0-9A-Za-z]{1,64}")) {
        problems.add(path + ".id: \"" + id + "\" (expected: subnet- followed by 1-64 letters or digits)");
      }
      String zoneName = text(path + ".zone", node.get("zone"), true);
      Zone zone = zoneName == null ? null : zones.get(zoneName);
      if (zoneName != null && zone == null && !knownZones.contains(zoneName)) {
        problems.add(path + ".zone: \"" + zoneName + "\" (expected: a zone of awsApi.zones or of the load balancers: "
            + (knownZones.isEmpty() ? "none defined" : String.join(", ", knownZones)) + ")");
      } else if (zone != null && zone.addresses().isEmpty()) {
        problems.add(path + ".zone: \"" + zoneName + "\" has no addresses (expected: a zone with a node address)");
      }
      List<String> extra = new ArrayList<>();
      JsonNode addresses = node.get("addresses");
      if (list(path + ".addresses", addresses)) {
        for (int i = 0; i < addresses.size(); i++) {
          String ad = text(path + ".addresses[" + i + "]", addresses.get(i), true);
          if (ad != null && StatusSettings.literal(ad.trim()) == null) {
            problems.add(path + ".addresses[" + i + "]: \"" + ad + "\" (expected: an IPv4 or IPv6 literal)");
          } else if (ad != null) {
            extra.add(ad.trim());
          }
        }
      }
      if (problems.size() > before || id == null || zone == null) {
        return null;
      }
      return attempt(path, () -> Subnet.of(id, zone, extra.toArray(String[]::new)));
    }

    /** The text of a PEM file, or null after recording why it cannot be read. */
    @Nullable String pemFile(String path, String name) {
      String expected = " (expected: a readable PEM file; relative paths resolve against " + baseDir.toAbsolutePath() + ")";
      Path file;
      try {
        file = baseDir.resolve(name);
      } catch (java.nio.file.InvalidPathException e) {
        problems.add(path + ": \"" + name + "\": " + e.getReason() + expected);
        return null;
      }
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        problems.add(path + ": \"" + name + "\"" + expected);
        return null;
      }
      try (java.io.InputStream in = Files.newInputStream(file)) {
        // Bounded: a path such as /proc/kcore is a "regular file" far too large to hold.
        byte[] bytes = in.readNBytes(MAX_PEM_BYTES + 1);
        if (bytes.length > MAX_PEM_BYTES) {
          problems.add(path + ": \"" + name + "\": larger than " + (MAX_PEM_BYTES >> 10) + " KiB (expected: a PEM file of at most "
              + (MAX_PEM_BYTES >> 10) + " KiB)");
          return null;
        }
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      } catch (IOException | UncheckedIOException e) {
        problems.add(path + ": \"" + name + "\": " + e.getMessage() + expected);
        return null;
      }
    }
  }
}
