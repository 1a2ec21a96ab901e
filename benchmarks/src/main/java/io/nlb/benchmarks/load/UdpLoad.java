package io.nlb.benchmarks.load;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * UDP workloads of {@code benchmarks/compare/run.sh}:
 *
 * <pre>
 * udp-echo  --port P                         echo every datagram back to its sender (one thread)
 * udp       --name X --to H:P --pid PID [--clients 4] [--seconds 10] [--round 1] --out results.tsv
 * </pre>
 *
 * <p>{@code udp} runs {@code --clients} threads, each with its own socket (a flow of its own through
 * the proxy), sending a 64-byte datagram and waiting for its echo, for {@code --seconds}; a datagram
 * lost for 200 ms is counted and the loop goes on. It appends rows {@code round udp setup metric
 * value}: {@code pps} (echoes received per second), {@code lost}, and {@code proxy_us_per_packet}
 * (the proxy's user + system CPU, children included, over the run divided by the datagrams it relayed, two per echo),
 * read from {@code /proc/PID/stat}; PID 0 skips the CPU figure.
 */
final class UdpLoad {
  private UdpLoad() {}

  static void echo(Map<String, String> o) throws IOException {
    int port = Integer.parseInt(LoadTool.required(o, "port"));
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      System.out.println("udp echo ready on " + port);
      System.out.flush();
      ByteBuffer buf = ByteBuffer.allocateDirect(65536);
      while (true) {
        buf.clear();
        var from = ch.receive(buf);
        buf.flip();
        ch.send(buf, from);
      }
    }
  }

  static void run(Map<String, String> o) throws Exception {
    String name = LoadTool.required(o, "name");
    String[] hp = LoadTool.required(o, "to").split(":");
    InetSocketAddress to = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
    int pid = Integer.parseInt(o.getOrDefault("pid", "0"));
    int clients = Integer.parseInt(o.getOrDefault("clients", "4"));
    double seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
    String round = o.getOrDefault("round", "1");
    Path out = Path.of(LoadTool.required(o, "out"));

    LongAdder echoes = new LongAdder();
    LongAdder lost = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    double cpu0 = ProcStats.cpuSeconds(pid);
    long t0 = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(() -> {
        byte[] payload = new byte[64];
        byte[] in = new byte[2048];
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
          s.connect(to);
          s.setSoTimeout(200);
          DatagramPacket send = new DatagramPacket(payload, payload.length);
          DatagramPacket recv = new DatagramPacket(in, in.length);
          while (!stop.get()) {
            s.send(send);
            try {
              s.receive(recv);
              echoes.increment();
            } catch (SocketTimeoutException e) {
              lost.increment();
            }
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "udp-client-" + i);
      t.start();
      threads.add(t);
    }
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread t : threads) {
      t.join(5000);
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long n = echoes.sum();
    StringBuilder rows = new StringBuilder();
    rows.append(row(round, name, "pps", n / elapsed)).append(row(round, name, "lost", lost.sum()));
    if (pid > 0 && n > 0) {
      double cpuUs = (ProcStats.cpuSeconds(pid) - cpu0) * 1e6;
      rows.append(row(round, name, "proxy_us_per_packet", cpuUs / (2.0 * n)));
    }
    Files.writeString(out, rows, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(rows);
  }

  private static String row(String round, String setup, String metric, double v) {
    return String.format(Locale.ROOT, "%s\tudp\t%s\t%s\t%.3f%n", round, setup, metric, v);
  }
}
