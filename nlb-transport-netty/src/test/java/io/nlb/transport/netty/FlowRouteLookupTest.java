package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A new flow reads nothing from the core but its route slot: the classes on the path of a new flow
 * (TCP and UDP) refer to none of the core's live objects. Checked on the compiled classes with
 * {@code javap}, so every call site counts, including ones a test would not reach: a reference to
 * {@code LoadBalancer.routingSnapshot()}, {@code Nlb.passiveHealth()} or a {@code
 * RegisteredTarget} anywhere in these classes fails it.
 */
class FlowRouteLookupTest {
  /** The core types a flow must not touch: mutable objects of the control plane. */
  private static final Pattern LIVE = Pattern.compile(
      "io/nlb/core/(LoadBalancer|Nlb|RoutingSnapshot|RegisteredTarget|TargetGroup|Listener)\\b[.;:]?(\\w*)");

  /**
   * The classes a new flow runs: TcpFlow, its handlers (RouteAndConnect, the relays, the idle
   * timeout), the UDP listener and flow, and their routing helpers.
   */
  private static List<Path> flowClasses() throws Exception {
    Path dir = classDir();
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> {
        String n = p.getFileName().toString();
        return n.endsWith(".class") && (n.startsWith("TcpFlow") || n.startsWith("UdpListener") || n.startsWith("UdpFlow")
            || n.startsWith("RouteAndConnect") || n.startsWith("FlowRouting") || n.startsWith("RelaySide")
            || n.startsWith("CopyRelay") || n.startsWith("SpliceRelay") || n.startsWith("IdleTimeout")
            || n.equals("Routes.class") || n.equals("Flow.class"));
      }).forEach(out::add);
    }
    return out;
  }

  private static Path classDir() throws URISyntaxException {
    return Path.of(TcpFlow.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(TcpFlow.class.getPackageName().replace('.', '/'));
  }

  private static String javap(Path classFile) {
    ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
    StringWriter out = new StringWriter();
    int rc = javap.run(new PrintWriter(out), new PrintWriter(out), "-v", "-p", classFile.toString());
    assertThat(rc).as("javap %s: %s", classFile, out).isZero();
    return out.toString();
  }

  @Test
  void newFlowPath_refersToNoLiveCoreObject() throws Exception {
    List<Path> classes = flowClasses();
    assertThat(classes).extracting(p -> p.getFileName().toString())
        .contains("TcpFlow.class", "UdpListener.class", "UdpFlow.class", "Routes.class", "RouteAndConnect.class",
            "FlowRouting.class", "CopyRelay.class", "IdleTimeout.class");
    List<String> found = new ArrayList<>();
    for (Path c : classes) {
      Matcher m = LIVE.matcher(javap(c));
      while (m.find()) {
        found.add(c.getFileName() + ": " + m.group());
      }
    }
    assertThat(found).as("references to live core objects on the new-flow path").isEmpty();
  }

  @Test
  void newFlowPath_readsItsRouteSlot() throws Exception {
    // FlowRouting is the one place that reads it; the TCP and UDP paths both route through it.
    assertThat(javap(classDir().resolve("FlowRouting.class"))).contains("io/nlb/core/RouteSlot.route:()");
    assertThat(javap(classDir().resolve("RouteAndConnect.class"))).contains("FlowRouting.route:(");
    assertThat(javap(classDir().resolve("UdpListener.class"))).contains("FlowRouting.route:(");
  }
}
