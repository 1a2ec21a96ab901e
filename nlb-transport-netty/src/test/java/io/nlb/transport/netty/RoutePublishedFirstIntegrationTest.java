package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerState;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A listener's route is published before its socket accepts: a client that connects in a tight
 * loop while a load balancer is created and while listeners are added is either refused (nothing
 * listens yet) or served, never accepted and then dropped.
 */
@NullUnmarked
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RoutePublishedFirstIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  /** Connects to each port in turn until stopped; counts refusals and echoes, keeps every other outcome. */
  private static final class Storm implements Runnable {
    final List<Integer> ports;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger[] served;
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

    Storm(List<Integer> ports) {
      this.ports = ports;
      this.served = new AtomicInteger[ports.size()];
      for (int i = 0; i < served.length; i++) {
        served[i] = new AtomicInteger();
      }
    }

    @Override
    public void run() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!stop.get() && System.nanoTime() < deadline) {
        for (int i = 0; i < ports.size(); i++) {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", ports.get(i)), 2000);
            s.setSoTimeout(3000);
            s.getOutputStream().write('x');
            int b = s.getInputStream().read();
            if (b == 'x') {
              served[i].incrementAndGet();
            } else {
              errors.add("port " + ports.get(i) + ": read " + b + " instead of the echo");
            }
          } catch (ConnectException e) {
            refused.incrementAndGet();
          } catch (IOException e) {
            errors.add("port " + ports.get(i) + ": " + e);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("modes")
  void connectStorm_duringCreateAndListenerAdd_onlyRefusedOrServed(IoMode mode) throws Exception {
    h = new Harness(mode);
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("web", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    for (int round = 0; round < 3; round++) {
      int first = Harness.freePort();
      int second = Harness.freePort();
      Storm storm = new Storm(List.of(first, second));
      Thread t = new Thread(storm, "storm");
      t.start();
      try {
        LoadBalancer lb = h.lb("lb-" + round, Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, first).forwardTo(g).build());
        assertThat(lb.state()).isEqualTo(LoadBalancerState.ACTIVE);
        lb.createListener(ListenerConfig.builder(Protocol.TCP, second).forwardTo(g).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((storm.served[0].get() == 0 || storm.served[1].get() == 0) && System.nanoTime() < deadline && t.isAlive()) {
          Thread.sleep(5);
        }
      } finally {
        storm.stop.set(true);
        t.join(10_000);
      }
      assertThat(storm.errors).as("outcomes other than refused or served, round " + round).isEmpty();
      assertThat(storm.served[0].get()).isPositive();
      assertThat(storm.served[1].get()).isPositive();
      // Deleting the load balancer resets its flows and drops its backlog: no client is connecting now.
      h.nlb.loadBalancer("lb-" + round).orElseThrow().delete();
    }
  }
}
