package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.RegisteredTarget;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetHealthState;
import io.nlb.core.TargetType;
import io.nlb.core.HealthCheck;
import io.nlb.healthcheck.HealthCheckEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Passive health checks end to end: the relay reports failed connects to the health-check engine,
 * which takes a dead target out of service long before its next active check (the interval here
 * is 300 s and the clock is manual, so no active check runs after the first).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@org.jspecify.annotations.NullUnmarked
class PassiveHealthIntegrationTest {
  private Harness h;
  private HealthCheckEngine engine;
  private ServerSocket a;
  private ServerSocket b;

  @AfterEach
  void tearDown() throws Exception {
    if (engine != null) {
      engine.close();
    }
    for (ServerSocket s : new ServerSocket[] {a, b}) {
      if (s != null) {
        s.close();
      }
    }
    if (h != null) {
      h.close();
    }
  }

  private static ServerSocket named(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return;
        }
      }
    }, "target-" + name);
    t.setDaemon(true);
    t.start();
    return server;
  }

  private static String ask(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "reset";
    }
  }

  @ParameterizedTest
  @MethodSource("io.nlb.transport.netty.Harness#modes")
  void deadTarget_passiveFailuresTakeItOutBeforeAnyActiveCheck(IoMode mode) throws Exception {
    h = new Harness(mode);
    a = named("A");
    b = named("B");
    int port = Harness.freePort();
    TargetGroup tg = h.nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 9).targetType(TargetType.IP)
        .healthCheck(HealthCheck.builder().interval(Duration.ofSeconds(300)).build()).build());
    tg.registerTargets(Target.ip("127.0.0.1", a.getLocalPort()), Target.ip("127.0.0.1", b.getLocalPort()));
    h.lb("lb", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo("web").build());
    engine = HealthCheckEngine.builder(h.nlb).scheduler(h.scheduler).random(() -> 0L).jitter(0)
        .reportDelay(Duration.ZERO).build();
    engine.start();
    h.scheduler.runDueTasks(); // first active checks start
    RegisteredTarget ra = tg.registeredTargets().get(0);
    RegisteredTarget rb = tg.registeredTargets().get(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      h.scheduler.runDueTasks();
      return ra.health().isHealthy() && rb.health().isHealthy();
    });

    a.close(); // A dies; its next active check is 300 s away
    int resets = 0;
    for (int i = 0; i < 200 && ra.health().state() == TargetHealthState.HEALTHY; i++) {
      if (ask(port).equals("reset")) {
        resets++;
      }
      h.scheduler.runDueTasks(); // flush the engine's reports
    }

    assertThat(ra.health().state()).isEqualTo(TargetHealthState.UNHEALTHY);
    assertThat(resets).isGreaterThanOrEqualTo(3);
    assertThat(engine.completedChecks(ra)).isEqualTo(1);
    for (int i = 0; i < 20; i++) {
      assertThat(ask(port)).isEqualTo("B");
    }
  }
}
