package io.theseus.cli.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a finished run: the summary table (text), the JSON report and a self-contained HTML
 * report with inline SVG charts of throughput and latency over time (no scripts, no CDN).
 */
final class Report {
  /** Figures of one endpoint, by metric name (the names thresholds use), plus extras. */
  record Endpoint(String name, String url, Map<String, Double> metrics, List<double[]> timeline,
      Map<String, Object> details) {}

  private Report() {}

  static final String[][] ROWS = {
    {"rate", "accepted samples/s", "%.0f"},
    {"p50", "write p50 (ms)", "%.2f"},
    {"p99", "write p99 (ms)", "%.2f"},
    {"p999", "write p99.9 (ms)", "%.2f"},
    {"max", "write max (ms)", "%.2f"},
    {"acked", "acknowledged samples", "%.0f"},
    {"requests", "requests", "%.0f"},
    {"errors", "failed requests", "%.0f"},
    {"retries", "retries", "%.0f"},
    {"drops", "dropped samples", "%.0f"},
    {"rejected", "rejected samples (4xx)", "%.0f"},
    {"failed", "failed samples (retries exhausted)", "%.0f"},
    {"wire_bytes_per_sample", "wire bytes/sample", "%.2f"},
    {"cpu", "loadtest CPU (% of a core)", "%.0f"},
    {"samples_per_worker_cpu_second", "samples per shard-thread CPU-s", "%.0f"},
    {"query_p50", "query p50 (ms)", "%.2f"},
    {"query_p99", "query p99 (ms)", "%.2f"},
    {"query_errors", "query errors", "%.0f"},
    {"loss", "verify: missing samples", "%.0f"},
    {"mismatches", "verify: mismatches", "%.0f"},
    {"loss_during", "verify during the run: missing", "%.0f"},
  };

  static void table(PrintStream out, List<Endpoint> eps, boolean ratio) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-36s", "metric"));
    for (Endpoint e : eps) {
      sb.append(String.format(Locale.ROOT, " %16s", trim(e.name(), 16)));
    }
    if (ratio && eps.size() == 2) {
      sb.append(String.format(Locale.ROOT, " %10s", "ratio 2/1"));
    }
    out.println(sb);
    for (String[] row : ROWS) {
      boolean any = false;
      for (Endpoint e : eps) {
        any |= e.metrics().containsKey(row[0]);
      }
      if (!any) {
        continue;
      }
      sb.setLength(0);
      sb.append(String.format(Locale.ROOT, "%-36s", row[1]));
      for (Endpoint e : eps) {
        Double v = e.metrics().get(row[0]);
        sb.append(String.format(Locale.ROOT, " %16s", v == null ? "-" : String.format(Locale.ROOT, row[2], v)));
      }
      if (ratio && eps.size() == 2) {
        Double a = eps.get(0).metrics().get(row[0]);
        Double b = eps.get(1).metrics().get(row[0]);
        sb.append(String.format(Locale.ROOT, " %10s",
            a == null || b == null || a == 0 ? "-" : String.format(Locale.ROOT, "%.3f", b / a)));
      }
      out.println(sb);
    }
  }

  private static String trim(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n);
  }

  static void json(Path file, Map<String, Object> report) throws IOException {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(file, m.writeValueAsString(report));
  }

  static Map<String, Object> endpointJson(Endpoint e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", e.name());
    m.put("url", e.url());
    m.put("metrics", e.metrics());
    m.putAll(e.details());
    List<Map<String, Double>> tl = new ArrayList<>();
    for (double[] p : e.timeline()) {
      Map<String, Double> x = new LinkedHashMap<>();
      x.put("t", p[0]);
      x.put("rate", p[1]);
      x.put("p50_ms", p[2]);
      x.put("p99_ms", p[3]);
      x.put("errors_per_s", p[4]);
      x.put("pending", p[5]);
      tl.add(x);
    }
    m.put("timeline", tl);
    return m;
  }

  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

  static void html(Path file, String title, List<Endpoint> eps, List<String> notes, String tableText)
      throws IOException {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(esc(title))
        .append("</title><style>body{font-family:sans-serif;margin:2em;max-width:1000px}"
            + "pre{background:#f4f4f4;padding:1em}svg{background:#fff;border:1px solid #ccc}"
            + ".legend span{margin-right:1.5em}</style></head><body>");
    h.append("<h1>").append(esc(title)).append("</h1>");
    h.append("<div class=\"legend\">");
    for (int i = 0; i < eps.size(); i++) {
      h.append("<span style=\"color:").append(COLORS[i % COLORS.length]).append("\">&#9632; ")
          .append(esc(eps.get(i).name())).append(" (").append(esc(eps.get(i).url())).append(")</span>");
    }
    h.append("</div>");
    h.append("<h2>Accepted samples/s</h2>").append(svg(eps, 1, "samples/s"));
    h.append("<h2>Write latency p99 (ms, per second, from intended send time)</h2>").append(svg(eps, 3, "ms"));
    h.append("<h2>Write latency p50 (ms)</h2>").append(svg(eps, 2, "ms"));
    h.append("<h2>Errors/s</h2>").append(svg(eps, 4, "errors/s"));
    h.append("<h2>Summary</h2><pre>").append(esc(tableText)).append("</pre>");
    if (!notes.isEmpty()) {
      h.append("<h2>Notes</h2><ul>");
      for (String n : notes) {
        h.append("<li>").append(esc(n)).append("</li>");
      }
      h.append("</ul>");
    }
    h.append("</body></html>\n");
    Files.writeString(file, h.toString());
  }

  /** A line chart of column {@code col} of every endpoint's timeline. */
  static String svg(List<Endpoint> eps, int col, String unit) {
    int w = 900;
    int hgt = 260;
    int left = 70;
    int bottom = 30;
    double maxX = 1;
    double maxY = 0;
    for (Endpoint e : eps) {
      for (double[] p : e.timeline()) {
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[col]);
      }
    }
    maxY = maxY <= 0 ? 1 : maxY * 1.1;
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"")
        .append(hgt).append("\">");
    for (int i = 0; i <= 4; i++) {
      double y = hgt - bottom - (hgt - bottom - 10) * i / 4.0;
      s.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
              + "<text x=\"4\" y=\"%.1f\" font-size=\"11\">%s</text>",
          left, y, w - 10, y, y + 4, fmt(maxY * i / 4)));
    }
    for (int i = 0; i <= 5; i++) {
      double x = left + (w - left - 10) * i / 5.0;
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.0fs</text>",
          x - 8, hgt - 8, maxX * i / 5));
    }
    for (int k = 0; k < eps.size(); k++) {
      s.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(COLORS[k % COLORS.length])
          .append("\" points=\"");
      for (double[] p : eps.get(k).timeline()) {
        double x = left + (w - left - 10) * p[0] / maxX;
        double y = hgt - bottom - (hgt - bottom - 10) * p[col] / maxY;
        s.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      s.append("\"/>");
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"12\" font-size=\"11\">%s</text>", left + 4, esc(unit)));
    s.append("</svg>");
    return s.toString();
  }

  private static String fmt(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
