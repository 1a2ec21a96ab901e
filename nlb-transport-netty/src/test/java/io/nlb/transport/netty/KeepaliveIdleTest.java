package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Guide, "Connection idle timeout": keepalive packets from clients or targets reset the TCP idle
 * timeout (350 s), and a TLS listener that receives one from either side sends keepalives on both
 * connections every 20 seconds. The kernel's ACK times are supplied by hand, the clock is a
 * number.
 */
class KeepaliveIdleTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private static final long IDLE = 350 * S;
  /** An arbitrary origin: nanoTime values may be anywhere, negative included. */
  private static final long T0 = -1_000_000 * S;

  /** A socket whose last ACK arrived at a time the test sets (in the flow's nanoTime clock). */
  private static final class Socket implements KeepaliveIdle.AckAge {
    long now;
    long lastAck = Long.MIN_VALUE;

    @Override
    public long millis() {
      return lastAck == Long.MIN_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(now - lastAck);
    }
  }

  private final Socket client = new Socket();
  private final Socket target = new Socket();

  private long check(KeepaliveIdle k, long now, long lastData) {
    client.now = now;
    target.now = now;
    return k.check(now, lastData);
  }

  @Test
  void idleTimeout_clientKeepalives_resetTheTimeout() {
    KeepaliveIdle k = new KeepaliveIdle(IDLE, false, client, target);
    long data = T0;
    target.lastAck = data; // the ACK of the last data
    assertThat(KeepaliveIdle.firstCheckNanos(IDLE, false, true)).isEqualTo(IDLE);
    // The client's keepalives come every 60 s; at 350 s the last one was at 300 s: 300 s left.
    client.lastAck = T0 + 300 * S;
    assertThat(check(k, T0 + 350 * S, data)).isEqualTo(300 * S);
    assertThat(k.keepaliveSeen()).isTrue();
    assertThat(k.startKeepalives()).isFalse(); // TCP listeners never send their own
    client.lastAck = T0 + 600 * S;
    assertThat(check(k, T0 + 650 * S, data)).isEqualTo(300 * S);
    // The client stops: 350 s after its last keepalive the flow is idle.
    assertThat(check(k, T0 + 950 * S, data)).isZero();
  }

  @Test
  void idleTimeout_onlyAcksOfData_doNotExtendIt() {
    KeepaliveIdle k = new KeepaliveIdle(IDLE, false, client, target);
    long data = T0;
    client.lastAck = T0 + S / 2; // acknowledges the data just written to the client
    target.lastAck = T0;
    assertThat(check(k, T0 + IDLE, data)).isZero();
    assertThat(k.keepaliveSeen()).isFalse();
  }

  @Test
  void idleTimeout_acksNotVisible_countsDataOnly() {
    KeepaliveIdle k = new KeepaliveIdle(IDLE, true, KeepaliveIdle.UNKNOWN, KeepaliveIdle.UNKNOWN);
    assertThat(KeepaliveIdle.firstCheckNanos(IDLE, true, false)).isEqualTo(IDLE);
    assertThat(check(k, T0 + 100 * S, T0)).isEqualTo(250 * S);
    assertThat(check(k, T0 + IDLE, T0)).isZero();
  }

  @Test
  void tlsListener_keepaliveFromTarget_startsKeepalivesOnBothSidesOnce() {
    KeepaliveIdle k = new KeepaliveIdle(IDLE, true, client, target);
    assertThat(KeepaliveIdle.firstCheckNanos(IDLE, true, true)).isEqualTo(10 * S);
    long data = T0;
    client.lastAck = T0;
    assertThat(check(k, T0 + 10 * S, data)).isEqualTo(10 * S);
    assertThat(k.startKeepalives()).isFalse();
    target.lastAck = T0 + 15 * S; // the target's keepalive
    assertThat(check(k, T0 + 20 * S, data)).isEqualTo(10 * S);
    assertThat(k.startKeepalives()).isTrue();
    assertThat(k.startKeepalives()).isFalse();
    target.lastAck = T0 + 25 * S;
    check(k, T0 + 30 * S, data);
    assertThat(k.startKeepalives()).isFalse();
  }

  @Test
  void tlsListener_answersToItsOwnKeepalives_doNotKeepTheFlowAlive() {
    KeepaliveIdle k = new KeepaliveIdle(IDLE, true, client, target);
    long data = T0;
    long t = T0;
    // The client sends keepalives every 15 s for 100 s; the listener starts its own.
    for (long s = 15; s <= 105; s += 15) {
      client.lastAck = T0 + s * S;
      t = T0 + (s + 5) * S;
      check(k, t, data);
    }
    assertThat(k.startKeepalives()).isTrue();
    // Now only the answers to the listener's keepalives come back, 20 s apart, on both sides.
    long last = T0 + 105 * S;
    long reset = 0;
    for (long s = 125; s <= 1000; s += 10) {
      long now = T0 + s * S;
      if ((s - 105) % 20 == 0) {
        client.lastAck = now;
        target.lastAck = now;
      }
      if (check(k, now, data) == 0) {
        reset = now;
        break;
      }
    }
    assertThat(reset).isEqualTo(last + IDLE);
  }

  @Test
  void tlsListener_peerKeepalivesBetweenItsOwn_stillCount() {
    KeepaliveIdle k = new KeepaliveIdle(IDLE, true, client, target);
    long data = T0;
    client.lastAck = T0 + 5 * S;
    check(k, T0 + 10 * S, data);
    assertThat(k.startKeepalives()).isTrue();
    // The listener's probe is answered at 25 s (20 s after 5); the client's own keepalive at 35 s.
    client.lastAck = T0 + 25 * S;
    check(k, T0 + 30 * S, data);
    client.lastAck = T0 + 35 * S;
    check(k, T0 + 40 * S, data);
    // Counted: idle until 35 + 350 s.
    assertThat(check(k, T0 + 380 * S, data)).isEqualTo(5 * S);
    assertThat(check(k, T0 + 385 * S, data)).isZero();
  }

  @Test
  void idleTimeout_dataAfterKeepalive_isTheLaterActivity() {
    KeepaliveIdle k = new KeepaliveIdle(IDLE, false, client, target);
    client.lastAck = T0 + 100 * S;
    assertThat(check(k, T0 + 350 * S, T0)).isEqualTo(100 * S);
    assertThat(check(k, T0 + 450 * S, T0 + 200 * S)).isEqualTo(100 * S);
  }
}
