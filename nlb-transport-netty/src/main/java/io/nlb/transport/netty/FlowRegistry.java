package io.nlb.transport.netty;

import io.nlb.core.FlowResets;
import io.nlb.core.RouteTarget;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The open flows of one transport: a set of live flows per target, so that the control plane's
 * drain and health hooks reach the flows of one target without scanning all of them, and the
 * counts of open TCP and UDP flows that {@link NettyTransport#close()} waits on.
 *
 * <p>Thread-safe: event loops open and close flows concurrently; the control plane reads the sets
 * and hands each flow its signal, which the flow carries to its own event loop.
 */
final class FlowRegistry {
  private final ConcurrentHashMap<Long, Set<Flow>> byTarget = new ConcurrentHashMap<>();
  private final AtomicInteger tcpFlows = new AtomicInteger();
  /** UDP flows open now; {@link UdpListener} counts a flow in before it routes it (the table bound). */
  final AtomicInteger udpFlows = new AtomicInteger();
  /** Datagrams dropped because the UDP flow table was full. */
  final LongAdder udpOverflows = new LongAdder();
  /** Notified when the last TCP flow closes while {@link #closing} is set. */
  private final Object drained = new Object();
  private volatile boolean closing;

  /** Records that {@code f} is open: in its load balancer's set, its target's set and the counts. */
  void opened(Flow f, LbState st, boolean tcp) {
    st.flows.add(f);
    byTarget.compute(f.target().registrationId(), (k, s) -> {
      Set<Flow> set = s == null ? ConcurrentHashMap.newKeySet() : s;
      set.add(f);
      return set;
    });
    if (tcp) {
      tcpFlows.incrementAndGet();
    }
  }

  /** Records that {@code f} has ended; wakes {@link #awaitNoTcpFlows} after the last TCP flow. */
  void closed(Flow f, LbState st, boolean tcp) {
    st.flows.remove(f);
    byTarget.computeIfPresent(f.target().registrationId(), (k, s) -> {
      s.remove(f);
      return s.isEmpty() ? null : s;
    });
    if (tcp && tcpFlows.decrementAndGet() == 0 && closing) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  int tcpFlows() {
    return tcpFlows.get();
  }

  /**
   * Applies one routing change's effect on open flows (computed by the core from the difference
   * between its old and new routes): closes the flows of terminated targets, marks or unmarks the
   * flows of targets whose health changed. Flows are matched by registration.
   */
  void reset(FlowResets resets) {
    for (RouteTarget t : resets.terminate()) {
      Set<Flow> flows = byTarget.get(t.registrationId());
      if (flows != null) {
        for (Flow f : flows) {
          f.terminate();
        }
      }
    }
    mark(resets.unhealthy(), true);
    mark(resets.healthy(), false);
  }

  private void mark(List<RouteTarget> targets, boolean unhealthy) {
    for (RouteTarget t : targets) {
      Set<Flow> flows = byTarget.get(t.registrationId());
      if (flows != null) {
        for (Flow f : flows) {
          f.targetUnhealthy(unhealthy);
        }
      }
    }
  }

  /** From now on the close of the last TCP flow wakes {@link #awaitNoTcpFlows}. */
  void closing() {
    closing = true;
  }

  /** Waits up to {@code nanos} for every TCP flow to end (after {@link #closing()}); never on an event loop. */
  void awaitNoTcpFlows(long nanos) {
    long deadline = System.nanoTime() + nanos;
    synchronized (drained) {
      long left;
      while (tcpFlows.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
