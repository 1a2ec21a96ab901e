package io.nlb.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loopback load tool for {@code benchmarks/compare/run.sh}. Subcommands:
 *
 * <pre>
 * target     --echo P1,P2 --sink P3,P4 [--threads 2]        run the target servers
 * free-ports N                                               print N free loopback ports
 * bench      --names lib,haproxy,direct --echo H:P,H:P,H:P --sink H:P,H:P,H:P --pids 1,2,0
 *            [--rounds 3] [--conn-threads 4] [--conn-seconds 10] [--latency-seconds 5]
 *            [--bulk-mib 1024] [--bulk-streams 1] [--warmup-seconds 3] --out results.tsv
 * idle       --name X --to H:P --pid P [--count 5000] [--hold-seconds 5] [--jvm true] --out results.tsv
 * report     --in results.tsv --names lib,haproxy,direct --idle-names a,b,c --svg chart.svg
 * udp-echo   --port P                                       a UDP echo target (see UdpLoad)
 * udp        --name X --to H:P --pid P [--clients 4] [--seconds 10] --out results.tsv
 * </pre>
 *
 * <p>Results are rows {@code round workload setup metric value} (tab-separated), appended to
 * {@code --out}; {@code report} prints a Markdown table of medians and ratios and writes the chart.
 * Workloads run interleaved: every round runs each workload against every setup, the setup order
 * rotating by one each round, so slow drift of the (shared) machine hits all setups alike.
 */
public final class LoadTool {
  private LoadTool() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: LoadTool target|free-ports|bench|idle|report [--option value]...");
      System.exit(2);
    }
    Map<String, String> o = options(args);
    switch (args[0]) {
      case "target" -> TargetServer.run(ints(o.getOrDefault("echo", "")), ints(o.getOrDefault("sink", "")),
          Integer.parseInt(o.getOrDefault("threads", "2")));
      case "free-ports" -> freePorts(Integer.parseInt(args[1]));
      case "bench" -> bench(o);
      case "idle" -> idle(o);
      case "report" -> Report.run(o);
      case "udp-echo" -> UdpLoad.echo(o);
      case "udp" -> UdpLoad.run(o);
      default -> {
        System.err.println("unknown subcommand: " + args[0] + " (expected: target, free-ports, bench, idle, report, udp-echo or udp)");
        System.exit(2);
      }
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + ": missing value");
        }
        o.put(args[i].substring(2), args[++i]);
      }
    }
    return o;
  }

  static String required(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + ": missing (expected: a value)");
    }
    return v;
  }

  static List<Integer> ints(String csv) {
    List<Integer> r = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        r.add(Integer.parseInt(s.trim()));
      }
    }
    return r;
  }

  static List<String> list(String csv) {
    List<String> r = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        r.add(s.trim());
      }
    }
    return r;
  }

  static InetSocketAddress address(String hostPort) {
    int i = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, i), Integer.parseInt(hostPort.substring(i + 1)));
  }

  /** Ports the kernel hands out for port 0 right now; distinct; racy only against other processes. */
  static void freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        held.add(s);
        System.out.println(s.getLocalPort());
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  private static void bench(Map<String, String> o) throws Exception {
    List<String> names = list(required(o, "names"));
    List<String> echo = list(required(o, "echo"));
    List<String> sink = list(required(o, "sink"));
    List<String> pidList = list(o.getOrDefault("pids", ""));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
    int connThreads = Integer.parseInt(o.getOrDefault("conn-threads", "4"));
    long connMillis = (long) (Double.parseDouble(o.getOrDefault("conn-seconds", "10")) * 1000);
    long latMillis = (long) (Double.parseDouble(o.getOrDefault("latency-seconds", "5")) * 1000);
    long bulkBytes = Long.parseLong(o.getOrDefault("bulk-mib", "1024")) << 20;
    int bulkStreams = Integer.parseInt(o.getOrDefault("bulk-streams", "1"));
    long warmupMillis = (long) (Double.parseDouble(o.getOrDefault("warmup-seconds", "3")) * 1000);
    int size = Integer.parseInt(o.getOrDefault("message-bytes", "64"));
    Path out = Path.of(required(o, "out"));
    if (echo.size() != names.size() || sink.size() != names.size()) {
      throw new IllegalArgumentException("--echo and --sink need one address per --names entry");
    }
    long[] pids = new long[names.size()];
    for (int i = 0; i < pids.length; i++) {
      pids[i] = i < pidList.size() ? Long.parseLong(pidList.get(i)) : 0;
    }
    String[] workloads = {"connrate", "latency", "bulk"};
    if (warmupMillis > 0) {
      // Unrecorded pass: JIT of the launcher and of this client, haproxy's pools, the targets.
      for (int s = 0; s < names.size(); s++) {
        log("warm-up " + names.get(s));
        Workloads.connectionRate(address(echo.get(s)), connThreads, warmupMillis, size);
        Workloads.latency(address(echo.get(s)), 0, warmupMillis, size);
        Workloads.bulk(address(sink.get(s)), Math.min(bulkBytes, 256L << 20), bulkStreams, 256 * 1024);
      }
    }
    for (int r = 1; r <= rounds; r++) {
      for (String w : workloads) {
        for (int k = 0; k < names.size(); k++) {
          int s = (k + r - 1) % names.size();
          String name = names.get(s);
          double cpu0 = ProcStats.cpuSeconds(pids[s]);
          double load = ProcStats.loadAverage1();
          List<String[]> rows = new ArrayList<>();
          switch (w) {
            case "connrate" -> {
              Workloads.ConnRate c = Workloads.connectionRate(address(echo.get(s)), connThreads, connMillis, size);
              double cpu = ProcStats.cpuSeconds(pids[s]) - cpu0;
              rows.add(row(r, w, name, "conn_per_s", c.perSecond()));
              rows.add(row(r, w, name, "errors", c.errors()));
              rows.add(row(r, w, name, "conn_p50_us", c.p50Nanos() / 1e3));
              rows.add(row(r, w, name, "conn_p99_us", c.p99Nanos() / 1e3));
              if (pids[s] > 0 && c.connections() > 0) {
                rows.add(row(r, w, name, "proxy_cpu_us_per_conn", cpu / c.connections() * 1e6));
              }
            }
            case "latency" -> {
              Workloads.Latency l = Workloads.latency(address(echo.get(s)), 500, latMillis, size);
              double cpu = ProcStats.cpuSeconds(pids[s]) - cpu0;
              rows.add(row(r, w, name, "samples", l.samples()));
              rows.add(row(r, w, name, "p50_us", l.p50Nanos() / 1e3));
              rows.add(row(r, w, name, "p99_us", l.p99Nanos() / 1e3));
              rows.add(row(r, w, name, "p999_us", l.p999Nanos() / 1e3));
              if (pids[s] > 0 && l.samples() > 0) {
                rows.add(row(r, w, name, "proxy_cpu_us_per_msg", cpu / l.samples() * 1e6));
              }
            }
            default -> {
              Workloads.Bulk b = Workloads.bulk(address(sink.get(s)), bulkBytes, bulkStreams, 256 * 1024);
              double cpu = ProcStats.cpuSeconds(pids[s]) - cpu0;
              rows.add(row(r, w, name, "mb_per_s", b.megabytesPerSecond()));
              if (pids[s] > 0) {
                rows.add(row(r, w, name, "proxy_cpu_s_per_gb", cpu / (b.bytes() / 1e9)));
              }
            }
          }
          rows.add(row(r, w, name, "loadavg1", load));
          append(out, rows);
          StringBuilder line = new StringBuilder("round " + r + " " + w + " " + name + ":");
          for (String[] row : rows) {
            line.append(' ').append(row[3]).append('=').append(row[4]);
          }
          log(line.toString());
          Thread.sleep(500);
        }
      }
    }
  }

  /**
   * Records the proxy's resident memory, then opens {@code count} connections through it (each
   * proven with a one-byte echo), holds them, records again, closes them.
   */
  private static void idle(Map<String, String> o) throws Exception {
    String name = required(o, "name");
    InetSocketAddress to = address(required(o, "to"));
    long pid = Long.parseLong(required(o, "pid"));
    int count = Integer.parseInt(o.getOrDefault("count", "5000"));
    long holdMillis = (long) (Double.parseDouble(o.getOrDefault("hold-seconds", "5")) * 1000);
    Path out = Path.of(required(o, "out"));
    boolean jvm = Boolean.parseBoolean(o.getOrDefault("jvm", "false"));
    long before = ProcStats.rssKib(pid);
    long liveBefore = jvm ? liveHeapBytes(pid) : -1;
    long t0 = System.nanoTime();
    List<SocketChannel> open = Workloads.openIdle(to, count);
    double openSeconds = (System.nanoTime() - t0) / 1e9;
    Thread.sleep(holdMillis);
    long after = ProcStats.rssKib(pid);
    long hwm = ProcStats.hwmKib(pid);
    // After the RSS reading: the histogram runs a full GC, which may shrink what it measures.
    long liveIdle = jvm ? liveHeapBytes(pid) : -1;
    Workloads.closeAll(open);
    List<String[]> rows = new ArrayList<>();
    rows.add(row(1, "idle", name, "connections", count));
    rows.add(row(1, "idle", name, "rss_before_mib", before / 1024.0));
    rows.add(row(1, "idle", name, "rss_idle_mib", after / 1024.0));
    rows.add(row(1, "idle", name, "hwm_mib", hwm / 1024.0));
    rows.add(row(1, "idle", name, "kib_per_conn", (after - before) / (double) count));
    rows.add(row(1, "idle", name, "open_seconds", openSeconds));
    if (liveBefore > 0 && liveIdle > 0) {
      rows.add(row(1, "idle", name, "live_heap_before_mib", liveBefore / 1048576.0));
      rows.add(row(1, "idle", name, "live_heap_idle_mib", liveIdle / 1048576.0));
      rows.add(row(1, "idle", name, "live_heap_bytes_per_conn", (liveIdle - liveBefore) / (double) count));
    }
    append(out, rows);
    log(String.format(Locale.ROOT, "idle %s: %d connections open in %.1f s; VmRSS %.1f MiB -> %.1f MiB (VmHWM %.1f MiB)",
        name, count, openSeconds, before / 1024.0, after / 1024.0, hwm / 1024.0));
  }

  /**
   * The JVM's live heap: {@code jcmd PID GC.class_histogram} runs a full GC and ends with a
   * {@code Total <instances> <bytes>} line. -1 when jcmd is missing or fails.
   */
  static long liveHeapBytes(long pid) {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
      long total = -1;
      try (var r = p.inputReader()) {
        String line;
        while ((line = r.readLine()) != null) {
          String t = line.trim();
          if (t.startsWith("Total")) {
            String[] f = t.split("\\s+");
            total = Long.parseLong(f[f.length - 1]);
          }
        }
      }
      return p.waitFor() == 0 ? total : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String[] row(int round, String workload, String setup, String metric, double value) {
    return new String[] {Integer.toString(round), workload, setup, metric, String.format(Locale.ROOT, "%.3f", value)};
  }

  private static void append(Path out, List<String[]> rows) throws IOException {
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      b.append(String.join("\t", r)).append('\n');
    }
    Files.writeString(out, b.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  static void log(String s) {
    PrintStream err = System.err;
    err.printf(Locale.ROOT, "[%tT load %.2f] %s%n", System.currentTimeMillis(), ProcStats.loadAverage1(), s);
  }
}
