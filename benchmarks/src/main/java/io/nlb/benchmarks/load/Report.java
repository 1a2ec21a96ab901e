package io.nlb.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns the result rows into a Markdown table (median of the rounds, min–max, ratios) and an SVG
 * bar chart. {@code --haproxy} and {@code --direct} name the reference setups (default {@code haproxy},
 * {@code direct}); every other name in {@code --names} is a variant of the library, compared with
 * HAProxy.
 */
final class Report {
  private Report() {}

  /** One line of the table: which metric, how to print it, and the goal for library / haproxy. */
  private record Line(String workload, String metric, String label, int decimals, String goal, boolean higherIsBetter) {}

  private static final List<Line> LINES = List.of(
      new Line("connrate", "conn_per_s", "new connections/s", 0, "≥ 1.0×", true),
      new Line("connrate", "conn_p50_us", "  per-connection time p50 (µs)", 0, "", false),
      new Line("connrate", "conn_p99_us", "  per-connection time p99 (µs)", 0, "", false),
      new Line("connrate", "proxy_cpu_us_per_conn", "  proxy CPU per connection (µs)", 1, "", false),
      new Line("connrate", "errors", "  errors", 0, "", false),
      new Line("latency", "p50_us", "ping-pong p50 (µs)", 1, "", false),
      new Line("latency", "p99_us", "ping-pong p99 (µs)", 1, "≤ 1.1×", false),
      new Line("latency", "p999_us", "  ping-pong p99.9 (µs)", 1, "", false),
      new Line("latency", "proxy_cpu_us_per_msg", "  proxy CPU per round trip (µs)", 1, "", false),
      new Line("bulk", "mb_per_s", "bulk throughput (MB/s)", 0, "≥ 1.0×", true),
      new Line("bulk", "proxy_cpu_s_per_gb", "  proxy CPU per GB (s)", 2, "", false));

  static void run(Map<String, String> o) throws IOException {
    List<String> names = LoadTool.list(LoadTool.required(o, "names"));
    List<String> idleNames = LoadTool.list(o.getOrDefault("idle-names", ""));
    Map<String, List<Double>> values = new LinkedHashMap<>();
    for (String in : LoadTool.list(LoadTool.required(o, "in"))) {
      for (String line : Files.readAllLines(Path.of(in), StandardCharsets.UTF_8)) {
        String[] f = line.split("\t");
        if (f.length == 5) {
          values.computeIfAbsent(key(f[1], f[2], f[3]), k -> new ArrayList<>()).add(Double.parseDouble(f[4]));
        }
      }
    }
    StringBuilder md = new StringBuilder();
    String hap = o.getOrDefault("haproxy", "haproxy");
    String direct = o.getOrDefault("direct", "direct");
    List<String> libs = new ArrayList<>();
    for (String n : names) {
      if (!n.equals(hap) && !n.equals(direct)) {
        libs.add(n);
      }
    }
    int tableStart = md.length();
    boolean anyRow = false;
    md.append("| metric | goal |");
    for (String n : names) {
      md.append(' ').append(n).append(" |");
    }
    for (String l : libs) {
      md.append(' ').append(l).append(" / ").append(hap).append(" |");
    }
    md.append(' ').append(hap).append(" / ").append(direct).append(" |\n");
    md.append("|---|---|").append("---:|".repeat(names.size() + libs.size() + 1)).append('\n');
    for (Line l : LINES) {
      boolean any = false;
      for (String n : names) {
        any |= values.containsKey(key(l.workload, n, l.metric));
      }
      if (!any) {
        continue;
      }
      anyRow = true;
      md.append("| ").append(l.label.startsWith("  ") ? "&nbsp;&nbsp;" + l.label.trim() : "**" + l.label + "**")
          .append(" | ").append(l.goal.isEmpty() ? "" : "lib / haproxy " + l.goal).append(" |");
      for (String n : names) {
        md.append(' ').append(cell(values.get(key(l.workload, n, l.metric)), l.decimals)).append(" |");
      }
      for (String lib : libs) {
        double ratio = ratio(values, l, lib, hap);
        String verdict = "";
        if (!l.goal.isEmpty() && !Double.isNaN(ratio)) {
          boolean met = l.higherIsBetter ? ratio >= 1.0 : ratio <= 1.1;
          verdict = met ? " ✔" : " ✘";
        }
        md.append(' ').append(fmtRatio(ratio)).append(verdict).append(" |");
      }
      md.append(' ').append(fmtRatio(ratio(values, l, hap, direct))).append(" |\n");
    }
    if (anyRow) {
      md.append('\n');
    } else {
      md.setLength(tableStart); // a run without the TCP workloads (run.sh WORKLOADS): no empty table
    }
    if (!idleNames.isEmpty()) {
      Double conns = median(values.get(key("idle", idleNames.get(0), "connections")));
      String c = conns == null ? "?" : num(conns, 0);
      md.append("| " + c + " idle connections | VmRSS before (MiB) | VmRSS holding " + c + " (MiB) | growth per connection (KiB) | VmHWM (MiB) | RSS ÷ haproxy's | JVM live heap before → holding (MiB) | live heap per connection (bytes) |\n");
      md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
      Double hapRss = median(values.get(key("idle", o.getOrDefault("haproxy", "haproxy"), "rss_idle_mib")));
      for (String n : idleNames) {
        Double rss = median(values.get(key("idle", n, "rss_idle_mib")));
        md.append("| ").append(n).append(" | ")
            .append(cell(values.get(key("idle", n, "rss_before_mib")), 1)).append(" | ")
            .append(cell(values.get(key("idle", n, "rss_idle_mib")), 1)).append(" | ")
            .append(cell(values.get(key("idle", n, "kib_per_conn")), 1)).append(" | ")
            .append(cell(values.get(key("idle", n, "hwm_mib")), 1)).append(" | ")
            .append(rss == null || hapRss == null ? "—" : fmtRatio(rss / hapRss)).append(" | ");
        List<Double> lb = values.get(key("idle", n, "live_heap_before_mib"));
        md.append(lb == null ? "—" : cell(lb, 1) + " → " + cell(values.get(key("idle", n, "live_heap_idle_mib")), 1)).append(" | ")
            .append(lb == null ? "—" : cell(values.get(key("idle", n, "live_heap_bytes_per_conn")), 0)).append(" |\n");
      }
      md.append('\n');
    }
    System.out.print(md);
    String svg = o.get("svg");
    if (svg != null) {
      Files.writeString(Path.of(svg), svg(values, names, idleNames, o.getOrDefault("caption", "")), StandardCharsets.UTF_8);
    }
  }

  private static String key(String workload, String setup, String metric) {
    return workload + "\u0000" + setup + "\u0000" + metric;
  }

  static @Nullable Double median(@Nullable List<Double> v) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    int n = a.length;
    return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }

  private static double ratio(Map<String, List<Double>> values, Line l, String a, String b) {
    Double x = median(values.get(key(l.workload, a, l.metric)));
    Double y = median(values.get(key(l.workload, b, l.metric)));
    return x == null || y == null || y == 0 ? Double.NaN : x / y;
  }

  private static String fmtRatio(double r) {
    return Double.isNaN(r) ? "—" : String.format(Locale.ROOT, "%.2f×", r);
  }

  private static String num(double v, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  /** Median, and the range over the rounds when there is more than one. */
  private static String cell(@Nullable List<Double> v, int decimals) {
    Double m = median(v);
    if (m == null) {
      return "—";
    }
    if (v.size() == 1) {
      return num(m, decimals);
    }
    double lo = v.stream().mapToDouble(Double::doubleValue).min().orElse(m);
    double hi = v.stream().mapToDouble(Double::doubleValue).max().orElse(m);
    return num(m, decimals) + " <sub>" + num(lo, decimals) + "–" + num(hi, decimals) + "</sub>";
  }

  private static final String[] COLORS = {"#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#8c564b"};

  /** One colour per setup (by the first word of its name), HAProxy red and direct grey in every panel. */
  private static String color(String setup, Map<String, String> assigned) {
    String k = setup.split(" ")[0];
    return assigned.computeIfAbsent(k, x -> switch (x) {
      case "haproxy" -> "#d62728";
      case "direct" -> "#7f7f7f";
      default -> COLORS[(int) assigned.keySet().stream().filter(n -> !n.equals("haproxy") && !n.equals("direct")).count() % COLORS.length];
    });
  }

  /** Four panels (conn/s, p99, MB/s, idle RSS), one bar per setup, each panel on its own scale. */
  private static String svg(Map<String, List<Double>> values, List<String> names, List<String> idleNames, String caption) {
    record Panel(String title, String workload, String metric, List<String> setups, String better) {}
    List<Panel> panels = new ArrayList<>(List.of(
        new Panel("New connections/s", "connrate", "conn_per_s", names, "higher is better"),
        new Panel("Ping-pong p99 (µs)", "latency", "p99_us", names, "lower is better"),
        new Panel("Bulk throughput (MB/s)", "bulk", "mb_per_s", names, "higher is better")));
    if (!idleNames.isEmpty()) {
      panels.add(new Panel("VmRSS, 5,000 idle conns (MiB)", "idle", "rss_idle_mib", idleNames, "lower is better"));
    }
    int pw = 360;
    Map<String, String> colors = new LinkedHashMap<>();
    int ph = 300;
    int top = 60;
    int plotH = 170;
    int width = pw * panels.size() + 20;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n",
        width, ph + 20));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    for (int p = 0; p < panels.size(); p++) {
      Panel panel = panels.get(p);
      int x0 = 20 + p * pw;
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"13\" font-weight=\"bold\">%s</text>%n", x0, esc(panel.title)));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"36\" fill=\"#555\">median of rounds; %s</text>%n", x0, panel.better));
      double max = 0;
      for (String n : panel.setups) {
        Double m = median(values.get(key(panel.workload, n, panel.metric)));
        if (m != null) {
          max = Math.max(max, m);
        }
      }
      int baseY = top + plotH;
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", x0, baseY, x0 + pw - 30, baseY));
      int n = panel.setups.size();
      int slot = (pw - 40) / Math.max(1, n);
      for (int i = 0; i < n; i++) {
        String setup = panel.setups.get(i);
        Double m = median(values.get(key(panel.workload, setup, panel.metric)));
        int bx = x0 + 5 + i * slot;
        int bw = slot - 12;
        String color = color(setup, colors);
        boolean repeat = i > 0 && panel.setups.get(i - 1).split(" ")[0].equals(setup.split(" ")[0]);
        String opacity = repeat ? " fill-opacity=\"" + (i > 1 && panel.setups.get(i - 2).split(" ")[0].equals(setup.split(" ")[0]) ? "0.4" : "0.65") + "\"" : "";
        if (m != null && max > 0) {
          int h = (int) Math.round(m / max * plotH);
          s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"%s/>%n", bx, baseY - h, bw, h, color, opacity));
          s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              bx + bw / 2, baseY - h - 4, esc(num(m, m >= 100 ? 0 : 1))));
        }
        String[] words = setup.replace("(", "").replace(")", "").split(" ");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>%n",
            bx + bw / 2, baseY + 15, esc(words[0])));
        for (int w = 1; w < words.length; w++) {
          s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\" font-size=\"8\">%s</text>%n",
              bx + bw / 2, baseY + 15 + 11 * w, esc(words[w])));
        }
      }
    }
    if (!caption.isEmpty()) {
      s.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\" fill=\"#555\">%s</text>%n", ph + 10, esc(caption)));
    }
    s.append("</svg>\n");
    return s.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
