package io.nlb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsAccessLogTest {
  private static TlsAccessLogEntry entry(Instant time, List<String> alpnClient) {
    return new TlsAccessLogEntry(time, "net/my-network-loadbalancer/c6e77e28c25b2234", "g3d4b5e8bb8464cd",
        new InetSocketAddress("72.21.218.154", 51341), new InetSocketAddress("172.100.100.185", 443), 5, 2, 98, 246, -1,
        "cert-sha256", CipherSuite.ECDHE_RSA_AES128_SHA, TlsVersion.TLS_1_2,
        "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com", "h2", "h2", alpnClient);
  }

  @Test
  void format_documentedExample_goldenLine() {
    assertThat(entry(Instant.parse("2020-04-01T08:51:42Z"), List.of("h2", "http/1.1")).format()).isEqualTo(
        "tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd "
            + "72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - cert-sha256 - ECDHE-RSA-AES128-SHA tlsv12 - "
            + "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com h2 h2 \"h2\",\"http%2F1.1\"");
  }

  @Test
  void format_handshakeNeverFinished_dashes() {
    TlsAccessLogEntry e = new TlsAccessLogEntry(Instant.parse("2018-12-20T02:59:40Z"), "net/a/b", "l",
        new InetSocketAddress("10.0.0.1", 1000), new InetSocketAddress("10.0.0.2", 443), 10000, -1, 0, 0, 40,
        null, null, null, null, null, null, null);
    assertThat(e.format()).isEqualTo("tls 2.0 2018-12-20T02:59:40 net/a/b l 10.0.0.1:1000 10.0.0.2:443 10000 - 0 0 40 - - - - - - - - -");
    assertThat(e.format().split(" ")).hasSize(21);
  }

  @Test
  void format_tls13AndEncodedSni_logsTlsv13AndUrlEncodes() {
    TlsAccessLogEntry e = new TlsAccessLogEntry(Instant.EPOCH, "e", "l", new InetSocketAddress("::1", 1),
        new InetSocketAddress("::1", 2), 1, 1, 1, 1, -1, "c", CipherSuite.TLS_AES_128_GCM_SHA256, TlsVersion.TLS_1_3, "a b.example",
        null, null, null);
    assertThat(e.format()).contains(" TLS_AES_128_GCM_SHA256 tlsv13 - a+b.example - - -");
  }

  @Test
  void fileFor_documentedPattern_directoryLayout(@TempDir Path dir) {
    DirectoryAccessLogSink sink = new DirectoryAccessLogSink(dir, "prefix", "123456789012", "us-east-2",
        "net/my-loadbalancer/1234567890abcdef", new Random(1));
    assertThat(dir.relativize(sink.fileFor(Instant.parse("2020-05-01T00:00:00Z"), "20sg8hgm")).toString()).isEqualTo(
        "prefix/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2020/05/01/"
            + "123456789012_elasticloadbalancing_us-east-2_net.my-loadbalancer.1234567890abcdef_20200501T0000Z_20sg8hgm.log.gz");
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    volatile Instant nowValue;

    MovableClock(Instant start) {
      nowValue = start;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    void set(Instant t) {
      nowValue = t;
    }

    @Override
    public Instant instant() {
      return nowValue;
    }
  }

  @Test
  void rotate_manualClockCrossesFiveMinutes_writesOneGzipFilePerInterval(@TempDir Path dir) throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2020-05-01T00:01:00Z"));
    DirectoryAccessLogSink sink = new DirectoryAccessLogSink(dir, "", "123456789012", "local", "net/lb/1", new Random(7));
    TlsAccessLog log = TlsAccessLog.start(sink, clock, 100);
    log.accept(entry(clock.instant(), List.of("h2")));
    log.accept(entry(clock.instant(), List.of("h2")));
    log.rotate();
    assertThat(files(dir)).isEmpty(); // interval not over yet
    clock.set(Instant.parse("2020-05-01T00:05:00Z"));
    log.rotate();
    List<Path> first = files(dir);
    assertThat(first).hasSize(1);
    assertThat(first.get(0).getFileName().toString()).matches("123456789012_elasticloadbalancing_local_net.lb.1_20200501T0005Z_[a-z0-9]{8}\\.log\\.gz");
    assertThat(gunzip(first.get(0))).hasSize(2);
    log.accept(entry(clock.instant(), List.of()));
    log.close(); // flushes the open interval
    assertThat(files(dir)).hasSize(2);
    assertThat(log.dropped()).isZero();
  }

  @Test
  void start_onManualScheduler_fileAppearsAtFiveMinuteBoundaryWithoutNewEntry(@TempDir Path dir) throws Exception {
    io.nlb.core.ManualScheduler time = new io.nlb.core.ManualScheduler(Instant.parse("2024-01-01T00:01:30Z"));
    DirectoryAccessLogSink sink = new DirectoryAccessLogSink(dir, "", "123456789012", "local", "net/lb/1", new Random(3));
    TlsAccessLog log = TlsAccessLog.start(sink, time, 100);
    try {
      log.accept(entry(time.now(), List.of("h2")));
      time.advance(java.time.Duration.ofSeconds(209)); // 00:04:59
      log.rotate(); // a barrier: the writer has seen everything queued so far
      assertThat(files(dir)).isEmpty();
      time.advance(java.time.Duration.ofSeconds(1)); // 00:05:00, the boundary: the timer publishes
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> files(dir).size() == 1);
      assertThat(files(dir).get(0).getFileName().toString()).contains("_20240101T0005Z_");
      assertThat(gunzip(files(dir).get(0))).hasSize(1);
      log.accept(entry(time.now(), List.of()));
      time.advance(java.time.Duration.ofMinutes(5)); // 00:10:00: the second interval, again by the timer alone
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> files(dir).size() == 2);
      time.advance(java.time.Duration.ofMinutes(5)); // a quiet interval writes no file
      log.rotate();
      assertThat(files(dir)).hasSize(2);
      assertThat(time.pendingTasks()).isEqualTo(1); // the next tick, and only that
    } finally {
      log.close();
    }
    assertThat(time.pendingTasks()).isZero(); // close cancels the timer
  }

  @Test
  void accept_queueFull_dropsAndCountsWithoutBlocking() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    List<String> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    AccessLogSink slow = (end, lines) -> {
      writing.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      written.addAll(lines);
    };
    MovableClock clock = new MovableClock(Instant.parse("2020-05-01T00:01:00Z"));
    TlsAccessLog log = TlsAccessLog.start(slow, clock, 2);
    log.accept(entry(clock.instant(), List.of()));
    clock.set(Instant.parse("2020-05-01T00:06:00Z"));
    log.accept(entry(clock.instant(), List.of())); // makes the writer publish the first interval and block in the sink
    writing.await();
    log.accept(entry(clock.instant(), List.of()));
    log.accept(entry(clock.instant(), List.of()));
    log.accept(entry(clock.instant(), List.of())); // queue (2) full: dropped
    assertThat(log.dropped()).isEqualTo(1);
    release.countDown();
    log.close();
    assertThat(written).hasSize(4);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".log.gz")).sorted().toList();
    }
  }

  private static List<String> gunzip(Path p) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}
