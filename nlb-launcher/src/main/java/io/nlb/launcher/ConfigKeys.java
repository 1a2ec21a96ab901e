package io.nlb.launcher;

import io.nlb.core.AlpnPolicy;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.IpAddressType;
import io.nlb.core.Protocol;
import io.nlb.core.Scheme;
import io.nlb.core.TargetType;
import io.nlb.tls.TlsProvider;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The key table of the configuration file: every section, its keys, their types, defaults and
 * meaning. The parser ({@link LauncherConfig}, {@link StatusSettings}) accepts exactly these keys
 * (anything else is an "unknown key" problem), and {@link ConfigReference} generates the
 * reference ({@code docs/launcher-config.md}) and the JSON Schema from it, so the three cannot
 * drift apart. Immutable.
 */
final class ConfigKeys {
  private ConfigKeys() {}

  /** What a key holds. */
  enum Kind {
    STRING, INTEGER, BOOLEAN, ENUM, STRING_MAP, STRING_LIST, SECTION, SECTION_LIST
  }

  /**
   * One key.
   *
   * @param name the key as written in the file
   * @param kind what it holds
   * @param required whether the section is refused without it
   * @param dflt the default, as text for the reference; {@code null} when there is none to state
   * @param description one sentence or two
   * @param values for {@link Kind#ENUM}, the accepted values
   * @param section for {@link Kind#SECTION} and {@link Kind#SECTION_LIST}, the section's id
   * @param min for {@link Kind#INTEGER}, the least value
   * @param max for {@link Kind#INTEGER}, the greatest value
   */
  record Key(String name, Kind kind, boolean required, @Nullable String dflt, String description, List<String> values,
      @Nullable String section, long min, long max) {}

  /**
   * One mapping of the file.
   *
   * @param id a short name (the JSON Schema definition's name)
   * @param path where it appears, e.g. {@code loadBalancers[].listeners[]}
   * @param description what it describes
   * @param keys its keys, in the order the reference lists them
   */
  record Section(String id, String path, String description, List<Key> keys) {
    /** The accepted key names. */
    Set<String> names() {
      Set<String> out = new LinkedHashSet<>();
      keys.forEach(k -> out.add(k.name()));
      return out;
    }
  }

  private static Key string(String name, boolean required, @Nullable String dflt, String description) {
    return new Key(name, Kind.STRING, required, dflt, description, List.of(), null, 0, 0);
  }

  private static Key integer(String name, boolean required, @Nullable String dflt, long min, long max, String description) {
    return new Key(name, Kind.INTEGER, required, dflt, description, List.of(), null, min, max);
  }

  private static Key bool(String name, @Nullable String dflt, String description) {
    return new Key(name, Kind.BOOLEAN, false, dflt, description, List.of(), null, 0, 0);
  }

  private static Key oneOf(String name, boolean required, @Nullable String dflt, List<String> values, String description) {
    return new Key(name, Kind.ENUM, required, dflt, description, List.copyOf(values), null, 0, 0);
  }

  private static Key map(String name, String description) {
    return new Key(name, Kind.STRING_MAP, false, null, description, List.of(), null, 0, 0);
  }

  private static Key strings(String name, String description) {
    return new Key(name, Kind.STRING_LIST, false, null, description, List.of(), null, 0, 0);
  }

  private static Key section(String name, String section, String description) {
    return new Key(name, Kind.SECTION, false, null, description, List.of(), section, 0, 0);
  }

  private static Key sections(String name, String section, String description) {
    return new Key(name, Kind.SECTION_LIST, false, null, description, List.of(), section, 0, 0);
  }

  private static List<String> names(Enum<?>[] values) {
    List<String> out = new ArrayList<>();
    for (Enum<?> v : values) {
      out.add(v.toString());
    }
    return out;
  }

  private static final String PORT_RANGE = "1-65535";

  static final Section ROOT = new Section("root", "(top level)", "The whole file.", List.of(
      section("transport", "transport", "How the data plane runs: I/O mode, threads, TLS provider, protection limits, stop grace period."),
      bool("healthChecks", "true", "Runs the health-check engine: each target group's `healthCheck` probes its targets."),
      sections("targetGroups", "targetGroup", "The target groups, each with its targets."),
      sections("loadBalancers", "loadBalancer", "The load balancers, each with its zones and listeners."),
      section("status", "status", "The read-only status endpoint (`/`, `/status.json`, `/metrics`, `/healthz`); absent: none."),
      section("awsApi", "awsApi", "The AWS API endpoint (elbv2 and CloudWatch, module nlb-aws-api) started with the daemon; absent: none."),
      section("identity", "identity", "What processes started from this file share: ids, ARNs, DNS names and the flow-hash seed derive from it."),
      section("node", "node", "Which zones' nodes this process runs, and whether other processes may share their addresses; absent: every zone."),
      section("dns", "dns", "An authoritative DNS server for the load balancers' DNS names; absent: none."),
      section("cluster", "cluster", "Shared state with other launcher processes through etcd (docs/cluster.md); absent: this process alone.")));

  static final Section IDENTITY = new Section("identity", "identity",
      "The deployment's identity: every process started with the same identity and the same load balancers and groups presents the"
          + " same resource ids, ARNs and DNS names and sends each flow to the same target. Changing it needs a restart.", List.of(
          string("name", false, ClusterSettings.DEFAULT_IDENTITY, "1-256 characters; ids and the flow-hash seed derive from it and the"
              + " resources' names (never random)."),
          integer("flowHashSeed", false, null, Long.MIN_VALUE, Long.MAX_VALUE, "The flow-hash seed; absent: derived from `name`. A secret"
              + " value shared by the processes keeps clients from aiming their flows at one target.")));

  static final Section NODE = new Section("node", "node", "This process's part of the load balancers. Changing it needs a restart.",
      List.of(
          strings("zones", "The zones whose nodes this process runs (binds their addresses); absent: every zone. The other zones stay"
              + " in the configuration, so routing and DNS are the same in every process."),
          bool("reusePort", "false", "Binds listening sockets with SO_REUSEPORT, so that several processes (of the same user) share one"
              + " node address; when one stops, the kernel moves its flows to the others.")));

  static final Section DNS = new Section("dns", "dns", "The DNS server (UDP and TCP, same port). Changing it needs a restart.", List.of(
      integer("port", true, null, 0, 65535, "The port; 0 picks a free one (logged). Port 53 needs CAP_NET_BIND_SERVICE."),
      string("address", false, "127.0.0.1", "The address to bind, an IPv4 or IPv6 literal.")));

  static final Section TRANSPORT = new Section("transport", "transport", "Settings of the Netty transport. Changing them needs a restart.",
      List.of(
          oneOf("ioMode", false, "AUTO", List.of("AUTO", "NIO", "EPOLL", "IO_URING"),
              "The I/O mode; AUTO picks the best available on this machine (case-insensitive)."),
          integer("threads", false, "0", 0, 256, "Event loop threads; 0 lets Netty choose (twice the cores)."),
          integer("connectTimeoutSeconds", false, null, 1, 120, "How long a connection to a target may take; absent: the transport's default."),
          oneOf("tlsProvider", false, "AUTO", names(TlsProvider.values()),
              "Who terminates TLS listeners; AUTO: with io.netty:netty-tcnative-boringssl-static on the class path, OPENSSL for each policy it serves exactly and, under the others, for each handshake it negotiates exactly as the policy does; JDK otherwise."),
          integer("maxConnectionsPerListener", false, "2147483647", 1, Integer.MAX_VALUE,
              "Open connections per listener port, at most; more are refused (RejectedFlowCount_ListenerLimit). 2147483647: unlimited."),
          integer("maxConnectionsPerClient", false, "2147483647", 1, Integer.MAX_VALUE,
              "Open connections per client address, at most; more are refused (RejectedFlowCount_ClientLimit). 2147483647: unlimited."),
          integer("flowBufferBytes", false, "1048576", 1024, 1L << 30,
              "Bytes buffered per flow direction before reading pauses (FlowBufferFullCount counts the pauses)."),
          integer("maxUdpFlows", false, "65536", 1, Integer.MAX_VALUE,
              "UDP flows tracked at once; datagrams of new flows beyond it are dropped (RejectedFlowCount_UdpFlowTable)."),
          integer("tlsHandshakeTimeoutSeconds", false, "10", 1, 3600,
              "How long a TLS listener waits for a client's handshake (RejectedFlowCount_TlsHandshakeTimeout)."),
          bool("zeroCopy", null, "EPOLL only: relays plain TCP flows with splice(2); absent: the transport's default."),
          bool("udpSocketPerEventLoop", "true",
              "EPOLL and IO_URING: each UDP listener binds one socket per event loop (SO_REUSEPORT), so datagrams use every core; false binds one socket, which costs less CPU per datagram while one core is enough."),
          integer("shutdownTimeoutSeconds", false, "30", 0, 3600,
              "On SIGTERM or Ctrl-C, how long open TCP flows may finish after the listeners stop accepting; the rest are reset.")));

  static final Section STATUS = new Section("status", "status", "The status endpoint. Changing it needs a restart.", List.of(
      integer("port", true, null, 0, 65535, "The port; 0 picks a free one (logged)."),
      string("address", false, "127.0.0.1",
          "The address to bind, an IPv4 or IPv6 literal. The endpoint has no authentication: beyond loopback it logs a warning.")));

  // --- cluster (nlb-cluster; docs/cluster.md)
  static final Section CLUSTER = new Section("cluster", "cluster",
      "Several launcher processes as one load balancer: the configuration's targetGroups and loadBalancers live in etcd"
          + " (this file seeds them when etcd has none), and each process publishes its health under a lease."
          + " Changing it needs a restart.", List.of(
          strings("endpoints", "The etcd client URLs, e.g. `http://10.0.0.5:2379`; at least one (required)."),
          string("keyPrefix", false, "/nlb", "The prefix of every key of this load-balancer cluster, e.g. `/nlb/prod`."),
          string("nodeName", true, null, "This process's name, unique in the cluster: 1-63 letters, digits, `-`, `_` or `.`."),
          integer("leaseTtlSeconds", false, "10", 1, 300, "How long this process stays listed after its last keep-alive."),
          integer("requestTimeoutMillis", false, "2000", 100, 60000, "How long one call to etcd may take.")));

  static final Section TARGET_GROUP = new Section("targetGroup", "targetGroups[]", "A target group.", List.of(
      string("name", true, null, "The group's name, unique in the file; listeners forward to it by this name."),
      oneOf("protocol", true, null, names(Protocol.values()), "The protocol to the targets."),
      integer("port", true, null, 1, 65535, "The targets' port unless a target names its own."),
      oneOf("targetType", false, "instance", names(TargetType.values()), "What a target id is."),
      oneOf("ipAddressType", false, "ipv4", List.of("ipv4", "ipv6"), "The targets' address family."),
      section("healthCheck", "healthCheck", "How targets are checked (when `healthChecks` is true)."),
      map("attributes", "Target group attributes by their AWS names, e.g. `deregistration_delay.timeout_seconds: \"30\"`."),
      map("tags", "Tags, key to value."),
      sections("targets", "target", "The targets to register.")));

  static final Section TARGET = new Section("target", "targetGroups[].targets[]", "A target.", List.of(
      string("id", true, null, "An IP address (targetType ip), an instance id `i-...` (instance), or an ALB's name (with `type: alb`)."),
      integer("port", false, null, 1, 65535, "The target's port; absent: the group's."),
      string("zone", false, null, "The zone the target is in; absent: the zone whose targetRanges contain its address."),
      oneOf("type", false, null, List.of("alb"), "`alb` for an Application Load Balancer target.")));

  static final Section HEALTH_CHECK = new Section("healthCheck", "targetGroups[].healthCheck", "A target group's health check.", List.of(
      oneOf("protocol", false, "TCP", names(HealthCheckProtocol.values()), "How to check."),
      string("port", false, "traffic-port", "`traffic-port` (the target's) or a port number."),
      string("path", false, "/", "HTTP and HTTPS: the path to request."),
      integer("timeoutSeconds", false, "10 (6 for HTTP)", 2, 120, "How long one check may take."),
      integer("intervalSeconds", false, "30", 5, 300, "Time between checks."),
      integer("healthyThreshold", false, "5", 2, 10, "Consecutive successes that make a target healthy."),
      integer("unhealthyThreshold", false, "2", 2, 10, "Consecutive failures that make a target unhealthy."),
      string("matcher", false, "200-399", "HTTP and HTTPS: the status codes that count as success, e.g. `200` or `200-299`.")));

  static final Section LOAD_BALANCER = new Section("loadBalancer", "loadBalancers[]", "A load balancer. Adding or removing one needs a restart.",
      List.of(
          string("name", true, null, "The load balancer's name."),
          oneOf("scheme", false, "internet-facing", names(Scheme.values()), "The scheme (informational in the launcher)."),
          oneOf("ipAddressType", false, "ipv4", names(IpAddressType.values()), "The address family of the nodes."),
          sections("zones", "zone", "The zones: each gives node addresses to bind and the target ranges it serves."),
          map("attributes", "Load balancer attributes by their AWS names, e.g. `load_balancing.cross_zone.enabled: \"true\"`;"
              + " `access_logs.s3.bucket` is a directory, relative to the file."),
          sections("listeners", "listener", "The listeners."),
          map("tags", "Tags, key to value.")));

  static final Section ZONE = new Section("zone", "loadBalancers[].zones[]", "A zone of a load balancer.", List.of(
      string("name", true, null, "The zone's name, e.g. `zone-a`."),
      strings("addresses", "The node addresses of this zone: each listener binds on each."),
      strings("targetRanges", "CIDR ranges of the targets in this zone, e.g. `10.0.1.0/24`.")));

  static final Section LISTENER = new Section("listener", "loadBalancers[].listeners[]", "A listener.", List.of(
      oneOf("protocol", true, null, names(Protocol.values()), "The protocol clients speak."),
      integer("port", true, null, 1, 65535, "The port to listen on (" + PORT_RANGE + ")."),
      string("targetGroup", true, null, "The name of the target group to forward to; it must be defined in `targetGroups`."),
      map("attributes", "Listener attributes by their AWS names, e.g. `tcp.idle_timeout.seconds: \"350\"`."),
      oneOf("alpnPolicy", false, "None", names(AlpnPolicy.values()), "TLS listeners: the ALPN policy."),
      string("sslPolicy", false, "ELBSecurityPolicy-2016-08",
          "TLS listeners: the security policy by its AWS name; on a stock JVM name a TLS 1.2+ policy."),
      string("vpcEndpointId", false, null, "A VPC endpoint id for the PROXY protocol v2 TLV, e.g. `vpce-0123456789abcdef0`."),
      section("certificate", "certificate", "TLS listeners: the default certificate."),
      sections("certificates", "certificate", "TLS listeners: further certificates, chosen by SNI.")));

  static final Section CERTIFICATE = new Section("certificate", "loadBalancers[].listeners[].certificate",
      "A certificate from PEM files, read and checked when the file is read. Paths resolve against the file's directory.", List.of(
          string("certificateChain", true, null, "The PEM file of the chain, leaf first (at most 1 MiB)."),
          string("privateKey", true, null, "The PEM file of the leaf's unencrypted PKCS#8 private key (at most 1 MiB).")));

  static final Section AWS_API = new Section("awsApi", "awsApi",
      "The AWS API endpoint: the AWS CLI and SDKs create and manage load balancers next to the file's, which they list but may"
          + " not change. Changing it needs a restart.", List.of(
          integer("port", true, null, 0, 65535, "The port; 0 picks a free one (logged)."),
          string("address", false, "127.0.0.1",
              "The address to bind, an IPv4 or IPv6 literal. Requests are signed, but over plain HTTP: beyond loopback it logs a warning."),
          string("region", false, "us-east-1", "The region requests are signed for and ARNs carry, e.g. `us-east-2`."),
          string("accountId", false, "123456789012", "The 12-digit account id in ARNs."),
          sections("accessKeys", "awsApiAccessKey", "The access keys that may sign requests; at least one."),
          sections("zones", "zone", "Zones for the subnets, beside the zones of the file's load balancers (same keys)."),
          sections("subnets", "awsApiSubnet", "The subnets `CreateLoadBalancer` may name."),
          string("certificateDirectory", false, null, "A directory of `<name>.crt.pem` and `<name>.key.pem` pairs, read at start:"
              + " each is `arn:aws:acm:<region>:<accountId>:certificate/<name>`. Relative to the file."),
          sections("certificates", "awsApiCertificate", "Certificates for `CertificateArn` values, each with its ARN."),
          string("stateFile", false, null, "Where what the API creates is kept across restarts (written atomically after every"
              + " change). Relative to the file; absent: the API's load balancers are gone after a restart.")));

  static final Section AWS_API_ACCESS_KEY = new Section("awsApiAccessKey", "awsApi.accessKeys[]",
      "An access key of the AWS API endpoint: give `secret` or `secretFile`.", List.of(
          string("id", true, null, "The access key id: 16-128 capital letters and digits, e.g. `AKIDNLBEXAMPLE000001`."),
          string("secret", false, null, "The secret access key."),
          string("secretFile", false, null, "A file holding the secret access key (one line; relative to the file).")));

  static final Section AWS_API_SUBNET = new Section("awsApiSubnet", "awsApi.subnets[]", "A subnet of the AWS API endpoint.", List.of(
      string("id", true, null, "The subnet id: `subnet-` followed by 1-64 letters or digits."),
      string("zone", true, null, "The zone it lies in: the name of a zone under `awsApi.zones` or of the file's load balancers;"
          + " its first address is the node address a load balancer in this subnet binds."),
      strings("addresses", "Further node addresses a `SubnetMapping` may choose (`PrivateIPv4Address`, `IPv6Address`).")));

  static final Section AWS_API_CERTIFICATE = new Section("awsApiCertificate", "awsApi.certificates[]",
      "A certificate of the AWS API endpoint from PEM files, read and checked when the file is read.", List.of(
          string("arn", true, null, "The ARN `CertificateArn` values name, e.g. `arn:aws:acm:us-east-1:123456789012:certificate/web`."),
          string("certificateChain", true, null, "The PEM file of the chain, leaf first (at most 1 MiB)."),
          string("privateKey", true, null, "The PEM file of the leaf's unencrypted PKCS#8 private key (at most 1 MiB).")));

  /** Every section, in the order the reference lists them. */
  static final List<Section> ALL = List.of(ROOT, TRANSPORT, STATUS, CLUSTER, TARGET_GROUP, TARGET, HEALTH_CHECK, LOAD_BALANCER, ZONE,
      LISTENER, CERTIFICATE, AWS_API, AWS_API_ACCESS_KEY, AWS_API_SUBNET, AWS_API_CERTIFICATE, IDENTITY, NODE, DNS);

  /** The section with {@code id}. */
  static Section byId(String id) {
    for (Section s : ALL) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("section: " + id + " (expected: one of the sections of ConfigKeys)");
  }
}
