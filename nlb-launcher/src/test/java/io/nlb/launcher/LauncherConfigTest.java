package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.Protocol;
import io.nlb.core.TargetType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LauncherConfigTest {
  private static final String SAMPLE = """
      transport:
        ioMode: nio
        threads: 2
      targetGroups:
        - name: web
          protocol: TCP
          port: 9001
          targetType: ip
          healthCheck: {protocol: HTTP, path: /health, intervalSeconds: 10, healthyThreshold: 2}
          attributes:
            deregistration_delay.timeout_seconds: "30"
          targets:
            - {id: 127.0.0.1, port: 9001}
            - {id: 127.0.0.1, port: 9002, zone: zone-a}
      loadBalancers:
        - name: local
          zones:
            - {name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}
          attributes:
            load_balancing.cross_zone.enabled: "true"
          listeners:
            - {protocol: TCP, port: 8080, targetGroup: web, attributes: {tcp.idle_timeout.seconds: "120"}}
      """;

  @Test
  void parse_sample_mirrorsTheBuilders() {
    LauncherConfig c = LauncherConfig.parseYaml(SAMPLE);

    assertThat(c.transport().ioMode()).isEqualTo("NIO");
    assertThat(c.transport().threads()).isEqualTo(2);
    assertThat(c.healthChecks()).isTrue();
    assertThat(c.groups()).hasSize(1);
    LauncherConfig.Group g = c.groups().get(0);
    assertThat(g.config().name()).isEqualTo("web");
    assertThat(g.config().targetType()).isEqualTo(TargetType.IP);
    assertThat(g.config().healthCheck().path()).isEqualTo("/health");
    assertThat(g.config().healthCheck().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(g.config().attributes().deregistrationDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(g.targets()).extracting(Object::toString).containsExactly("127.0.0.1:9001", "127.0.0.1:9002@zone-a");
    assertThat(c.loadBalancers()).hasSize(1);
    assertThat(c.loadBalancers().get(0).attributes().crossZoneEnabled()).isTrue();
    assertThat(c.loadBalancers().get(0).listeners().get(0).protocol()).isEqualTo(Protocol.TCP);
    assertThat(c.loadBalancers().get(0).listeners().get(0).attributes().tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void parse_limits_reachTheTransportSettings() {
    LauncherConfig c = LauncherConfig.parseYaml("""
        transport:
          maxConnectionsPerListener: 5000
          maxConnectionsPerClient: 50
          flowBufferBytes: 65536
          maxUdpFlows: 1000
          tlsHandshakeTimeoutSeconds: 3
        """);

    assertThat(c.transport().limits())
        .isEqualTo(new LauncherConfig.Limits(5000, 50, 65536, 1000, Duration.ofSeconds(3)));
    assertThat(LauncherConfig.parseYaml("transport: {threads: 1}").transport().limits())
        .isEqualTo(LauncherConfig.Limits.DEFAULTS);
    // Every limit is accepted by the transport builder as parsed.
    assertThat(c.transport().limits().applyTo(io.nlb.transport.netty.NettyTransport.builder())).isNotNull();
  }

  @Test
  void parse_badLimits_nameKeyValueAndRange() {
    String bad = """
        transport:
          maxConnectionsPerListener: 0
          maxConnectionsPerClient: 3000000000
          flowBufferBytes: 512
          maxUdpFlows: many
          tlsHandshakeTimeoutSeconds: 0
        """;

    assertThatThrownBy(() -> LauncherConfig.parseYaml(bad))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "transport.maxConnectionsPerListener: 0 (expected: 1-2147483647, 2147483647 for unlimited)",
            "transport.maxConnectionsPerClient: 3000000000 (expected: 1-2147483647, 2147483647 for unlimited)",
            "transport.flowBufferBytes: 512 (expected: 1024-1073741824)",
            "transport.maxUdpFlows: \"many\" (expected: 1-2147483647)",
            "transport.tlsHandshakeTimeoutSeconds: 0 (expected: 1-3600)"));
  }

  @Test
  void parse_manyMistakes_reportsEachWithItsPath() {
    String bad = """
        transport: {ioMode: fast}
        targetGroups:
          - name: -web
            protocol: TCP
            port: 70000
          - name: api
            protocol: SCTP
            port: 80
          - name: ok
            protocol: TCP
            port: 80
            attributes: {deregistration_delay.timeout_seconds: "3601"}
            healthCheck: {healthyThreshold: 11}
            targets: [{id: not-an-ip}]
        loadBalancers:
          - name: internal-lb
            zones: [{name: zone-a, addresses: [127.0.0.1]}]
            listeners: [{protocol: TCP, port: 0, targetGroup: ok}]
            colour: blue
        """;

    assertThatThrownBy(() -> LauncherConfig.parseYaml(bad))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "transport.ioMode: \"fast\" (expected: AUTO, NIO, EPOLL or IO_URING)",
            "targetGroups[0].name: \"-web\" (expected: 1-32 letters, digits and hyphens, not starting or ending with a hyphen)",
            "targetGroups[1].protocol: \"SCTP\" (expected: TCP, TLS, UDP or TCP_UDP)",
            "targetGroups[2].healthCheck.healthyThreshold: 11 (expected: 2-10)",
            "targetGroups[2].attributes.deregistration_delay.timeout_seconds: \"3601\" (expected: 0-3600)",
            "targetGroups[2].targets[0].id: \"not-an-ip\" (expected: an IPv4 or IPv6 address literal)",
            "loadBalancers[0].colour: unknown key (expected: one of [attributes, ipAddressType, listeners, name, scheme, tags, zones])",
            "loadBalancers[0].name: \"internal-lb\" (expected: a name not starting with internal-)"));
  }

  @Test
  void parse_listenerPortOutOfRange_namesTheListener() {
    String bad = """
        loadBalancers:
          - name: lb
            zones: [{name: zone-a, addresses: [127.0.0.1]}]
            listeners: [{protocol: TCP, port: 0, targetGroup: web}]
        """;

    assertThatThrownBy(() -> LauncherConfig.parseYaml(bad))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems())
            .containsExactlyInAnyOrder("loadBalancers[0].listeners[0].port: 0 (expected: 1-65535)",
                "loadBalancers[0].listeners[0].targetGroup: \"web\" (expected: the name of a target group under targetGroups;"
                    + " the file defines none)"));
  }

  @Test
  void parse_listenerToUndefinedGroup_reportedWithItsPath_beforeAnythingStarts() {
    String bad = """
        targetGroups:
          - {name: web, protocol: TCP, port: 80}
          - {name: api, protocol: TCP, port: 81}
        loadBalancers:
          - name: lb
            zones: [{name: zone-a, addresses: [127.0.0.1]}]
            listeners:
              - {protocol: TCP, port: 80, targetGroup: web}
              - {protocol: TCP, port: 81, targetGroup: missing}
        """;

    assertThatThrownBy(() -> LauncherConfig.parseYaml(bad))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "loadBalancers[0].listeners[1].targetGroup: \"missing\" (expected: the name of a target group under targetGroups,"
                + " one of [web, api])"));
  }

  @Test
  void problem_fieldSaidOnce() {
    assertThat(ConfigParser.problem("a.listeners[0].port", "listener.port: 0 (expected: 1-65535)"))
        .isEqualTo("a.listeners[0].port: 0 (expected: 1-65535)");
    assertThat(ConfigParser.problem("targetGroups[0]", "targetGroup.port: 0 (expected: 1-65535)"))
        .isEqualTo("targetGroups[0].port: 0 (expected: 1-65535)");
    assertThat(ConfigParser.problem("targetGroups[0]", "healthCheck.port: 0 (expected: 1-65535)"))
        .isEqualTo("targetGroups[0]: healthCheck.port: 0 (expected: 1-65535)");
    assertThat(ConfigParser.problem("x.healthCheck.timeoutSeconds", "healthCheck.timeout: PT1S (expected: 2-120 s)"))
        .isEqualTo("x.healthCheck.timeoutSeconds: PT1S (expected: 2-120 s)");
    assertThat(ConfigParser.problem("x.zones[0]", "no addresses (expected: one or more)"))
        .isEqualTo("x.zones[0]: no addresses (expected: one or more)");
  }

  @Test
  void parse_transportUdpSocketPerEventLoop_defaultsToTrue_andIsBoolean() {
    assertThat(LauncherConfig.parseYaml("transport: {ioMode: EPOLL}").transport().udpSocketPerEventLoop()).isTrue();
    assertThat(LauncherConfig.parseYaml("transport: {udpSocketPerEventLoop: false}").transport().udpSocketPerEventLoop()).isFalse();
    assertThat(LauncherConfig.parseYaml("transport: {udpSocketPerEventLoop: true}").transport().udpSocketPerEventLoop()).isTrue();
    assertThatThrownBy(() -> LauncherConfig.parseYaml("transport: {udpSocketPerEventLoop: 2}"))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("transport.udpSocketPerEventLoop: \"2\" (expected: true or false)"));
  }

  @Test
  void parse_transportZeroCopy_isOptionalAndBoolean() {
    assertThat(LauncherConfig.parseYaml("transport: {ioMode: EPOLL, zeroCopy: true}").transport().zeroCopy()).isTrue();
    assertThat(LauncherConfig.parseYaml("transport: {ioMode: EPOLL, zeroCopy: false}").transport().zeroCopy()).isFalse();
    assertThat(LauncherConfig.parseYaml("transport: {ioMode: EPOLL}").transport().zeroCopy()).isNull();
    assertThatThrownBy(() -> LauncherConfig.parseYaml("transport: {zeroCopy: sometimes}"))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("transport.zeroCopy: \"sometimes\" (expected: true or false)"));
  }

  @Test
  void parse_notYaml_saysSo() {
    assertThatThrownBy(() -> LauncherConfig.parseYaml("targetGroups: [unclosed"))
        .isInstanceOf(LauncherConfig.ConfigException.class).hasMessageStartingWith("not valid YAML");
  }
}
