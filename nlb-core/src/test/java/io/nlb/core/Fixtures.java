package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nlb.core.routing.FlowKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared builders for the core tests: a manual clock, two zones with target ranges, helpers. */
final class Fixtures {
  static final ServerCertificate CERT_1 = cert("cert-1");
  static final ServerCertificate CERT_2 = cert("cert-2");

  /**
   * A certificate that only has an id: the core tells certificates apart and counts them, and never
   * reads the chain or the key (which a transport would).
   */
  static ServerCertificate cert(String id) {
    return new ServerCertificate() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public List<java.security.cert.X509Certificate> chain() {
        return List.of();
      }

      @Override
      public java.security.PrivateKey privateKey() {
        throw new UnsupportedOperationException("test certificate " + id + ": no key");
      }
    };
  }

  private Fixtures() {}

  static Zone zoneA() {
    return Zone.builder("zone-a").address("127.0.0.1").targetRange("10.0.1.0/24").build();
  }

  static Zone zoneB() {
    return Zone.builder("zone-b").address("127.0.0.2").targetRange("10.0.2.0/24").build();
  }

  static Zone zoneC() {
    return Zone.builder("zone-c").address("127.0.0.3").targetRange("10.0.3.0/24").build();
  }

  static Nlb nlb(ManualScheduler time) {
    return Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).build();
  }

  static Nlb nlb(ManualScheduler time, Quotas quotas) {
    return Nlb.builder().scheduler(time).flowHashSeed(42).tableSize(251).quotas(quotas).build();
  }

  static TargetGroup ipGroup(Nlb nlb, String name, Protocol protocol, int port) {
    return nlb.createTargetGroup(TargetGroupConfig.builder(name, protocol, port).targetType(TargetType.IP).build());
  }

  static TargetGroup ipGroup(Nlb nlb, String name) {
    return ipGroup(nlb, name, Protocol.TCP, 8080);
  }

  static ListenerConfig tcp(int port, String group) {
    return ListenerConfig.builder(Protocol.TCP, port).forwardTo(group).build();
  }

  static ListenerConfig tls(int port, String group) {
    return ListenerConfig.builder(Protocol.TLS, port).forwardTo(group).certificate(CERT_1).build();
  }

  /** A load balancer in zone-a and zone-b with a TCP:80 listener forwarding to {@code group}. */
  static LoadBalancer lb(Nlb nlb, String name, String group) {
    return nlb.createLoadBalancer(LoadBalancerConfig.builder(name).zone(zoneA()).zone(zoneB()).listener(tcp(80, group)).build());
  }

  /** {@code n} ip targets 10.0.{zone}.1 .. 10.0.{zone}.n. */
  static List<Target> targets(int zone, int n) {
    List<Target> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(Target.ip("10.0." + zone + "." + i));
    }
    return out;
  }

  static void healthy(TargetGroup tg, List<Target> targets) {
    for (Target t : targets) {
      tg.reportHealth(t, TargetHealth.healthy());
    }
  }

  static void unhealthy(TargetGroup tg, List<Target> targets) {
    for (Target t : targets) {
      tg.reportHealth(t, TargetHealth.of(TargetHealthReason.TARGET_FAILED_HEALTH_CHECKS));
    }
  }

  /** A TCP flow from 192.0.2.{client}:{port} to the node of zone-a (127.0.0.1) or zone-b, port 80. */
  static FlowKey flow(int client, int srcPort, int sequence, String nodeAddress) {
    return FlowKey.tcp(new InetSocketAddress("192.0.2." + client, srcPort), new InetSocketAddress(nodeAddress, 80), sequence);
  }

  static FlowKey flow(int i) {
    return flow(1 + (i % 250), 1024 + i, i, "127.0.0.1");
  }

  /** The route of the TCP listener on {@code port}. */
  static ListenerRoute route(LoadBalancer lb, int port) {
    return java.util.Objects.requireNonNull(lb.routingSnapshot().listener(io.nlb.core.routing.IpProtocol.TCP, port), "no listener");
  }

  /** The node of {@code zone} in the TCP listener on port 80. */
  static NodeRoute node(LoadBalancer lb, String zone) {
    return java.util.Objects.requireNonNull(route(lb, 80).node(zone), "no node");
  }

  static NlbException nlbError(ThrowingCallable call) {
    Throwable[] caught = new Throwable[1];
    assertThatThrownBy(() -> {
      try {
        call.call();
      } catch (Throwable t) {
        caught[0] = t;
        throw t;
      }
    }).isInstanceOf(NlbException.class);
    return (NlbException) caught[0];
  }

  static IllegalArgumentException argError(ThrowingCallable call) {
    Throwable[] caught = new Throwable[1];
    assertThatThrownBy(() -> {
      try {
        call.call();
      } catch (Throwable t) {
        caught[0] = t;
        throw t;
      }
    }).isInstanceOf(IllegalArgumentException.class);
    return (IllegalArgumentException) caught[0];
  }
}
