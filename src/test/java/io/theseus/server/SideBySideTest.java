package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theseus.proto.Remote;
import io.theseus.server.ApiTestServer.W;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Side-by-side check (issue 6 item 7): the same generated series are remote-written into Theseus
 * and into Debian's Prometheus 2.42 ({@code --web.enable-remote-write-receiver}); every query of a
 * broad set (each function, aggregation and operator family) runs as {@code query_range} on both
 * and the results must agree within 1e-5 relative tolerance. Disagreements are listed in {@code
 * target/side-by-side-report.txt} and fail the test.
 */
@ExtendWith(CassandraExtension.class)
class SideBySideTest {
  static final double TOLERANCE = 1e-5;
  static final ObjectMapper JSON = new ObjectMapper();

  static final List<String> QUERIES =
      List.of(
          // selectors, offsets, @, regex
          "sbs_temp_celsius",
          "sbs_requests_total{code=\"200\"}",
          "sbs_requests_total{code=~\"5..\",instance!=\"i0\"}",
          "sbs_temp_celsius offset 5m",
          "sbs_temp_celsius @ end()",
          "sbs_gappy",
          "{__name__=~\"sbs_temp.*\"}",
          // counters
          "rate(sbs_requests_total[1m])",
          "rate(sbs_requests_total[5m])",
          "irate(sbs_requests_total[5m])",
          "increase(sbs_requests_total[2m])",
          "resets(sbs_requests_total[10m])",
          "changes(sbs_temp_celsius[5m])",
          // gauges
          "delta(sbs_temp_celsius[5m])",
          "idelta(sbs_temp_celsius[5m])",
          "deriv(sbs_temp_celsius[5m])",
          "predict_linear(sbs_temp_celsius[5m], 600)",
          "holt_winters(sbs_temp_celsius[5m], 0.5, 0.5)",
          // over_time
          "avg_over_time(sbs_temp_celsius[5m])",
          "min_over_time(sbs_temp_celsius[5m])",
          "max_over_time(sbs_temp_celsius[5m])",
          "sum_over_time(sbs_temp_celsius[5m])",
          "count_over_time(sbs_gappy[5m])",
          "last_over_time(sbs_gappy[5m])",
          "quantile_over_time(0.9, sbs_temp_celsius[5m])",
          "stddev_over_time(sbs_temp_celsius[5m])",
          "stdvar_over_time(sbs_temp_celsius[5m])",
          "present_over_time(sbs_gappy[5m])",
          "absent_over_time(sbs_gappy[1m])",
          "absent(nonexistent_metric)",
          "absent(sbs_gappy)",
          // aggregations
          "sum(sbs_temp_celsius)",
          "avg(sbs_temp_celsius)",
          "min(sbs_temp_celsius)",
          "max(sbs_temp_celsius)",
          "count(sbs_requests_total)",
          "stddev(sbs_temp_celsius)",
          "stdvar(sbs_temp_celsius)",
          "group(sbs_requests_total)",
          "sum by (code) (rate(sbs_requests_total[5m]))",
          "sum without (instance) (rate(sbs_requests_total[5m]))",
          "topk(2, sbs_temp_celsius)",
          "bottomk(1, rate(sbs_requests_total[5m]))",
          "quantile(0.75, sbs_temp_celsius)",
          "count_values(\"v\", round(sbs_temp_celsius))",
          "avg by (instance) (sbs_requests_total)",
          // histograms
          "histogram_quantile(0.9, sum by (le) (rate(sbs_latency_seconds_bucket[5m])))",
          "histogram_quantile(0.5, rate(sbs_latency_seconds_bucket[5m]))",
          "rate(sbs_latency_seconds_sum[5m]) / rate(sbs_latency_seconds_count[5m])",
          // arithmetic, comparison, logical, vector matching
          "sbs_temp_celsius * 2 + 1",
          "sbs_temp_celsius - sbs_temp_celsius offset 1m",
          "sbs_temp_celsius / 3",
          "sbs_temp_celsius % 7",
          "sbs_temp_celsius ^ 2",
          "-sbs_temp_celsius",
          "sbs_temp_celsius > 20",
          "sbs_temp_celsius > bool 20",
          "sbs_temp_celsius == bool sbs_temp_celsius",
          "sbs_temp_celsius < 10 or sbs_temp_celsius > 25",
          "sbs_temp_celsius and sbs_temp_celsius > 20",
          "sbs_temp_celsius unless sbs_temp_celsius > 20",
          "sbs_requests_total / on (instance) group_left sbs_temp_celsius",
          "sbs_requests_total / ignoring (code) group_left sbs_temp_celsius",
          "sum by (instance) (sbs_requests_total) / on (instance) sbs_temp_celsius",
          "2 * 3 + 1",
          "time()",
          "vector(1) + 1",
          // math and label functions
          "abs(sbs_temp_celsius)",
          "ceil(sbs_temp_celsius)",
          "floor(sbs_temp_celsius)",
          "round(sbs_temp_celsius, 0.5)",
          "exp(sbs_temp_celsius / 10)",
          "ln(abs(sbs_temp_celsius) + 1)",
          "log2(abs(sbs_temp_celsius) + 1)",
          "log10(abs(sbs_temp_celsius) + 1)",
          "sqrt(abs(sbs_temp_celsius))",
          "clamp(sbs_temp_celsius, 10, 20)",
          "clamp_min(sbs_temp_celsius, 15)",
          "clamp_max(sbs_temp_celsius, 15)",
          "sgn(sbs_temp_celsius)",
          "sin(sbs_temp_celsius)",
          "cos(sbs_temp_celsius)",
          "sbs_temp_celsius atan2 10",
          "deg(sbs_temp_celsius)",
          "rad(sbs_temp_celsius)",
          "timestamp(sbs_temp_celsius)",
          "label_replace(sbs_temp_celsius, \"host\", \"$1\", \"instance\", \"i(.*)\")",
          "label_join(sbs_temp_celsius, \"both\", \"-\", \"instance\", \"job\")",
          "scalar(sum(sbs_temp_celsius))",
          "minute()",
          "hour()",
          "day_of_week()",
          "days_in_month()",
          "sort_desc(sbs_temp_celsius)",
          // subqueries
          "max_over_time(rate(sbs_requests_total[1m])[10m:1m])",
          "avg_over_time(sbs_temp_celsius[5m:30s])",
          "rate(sbs_requests_total[5m] offset 2m)");

  /**
   * Deterministic data: counters with a reset, gauges, a histogram, a gappy series with a stale
   * marker.
   */
  static List<W> data(long tStart, long tEnd) {
    Random r = new Random(42);
    List<Long> times = new ArrayList<>();
    for (long t = tStart; t <= tEnd; t += 15_000) {
      times.add(t);
    }
    long[] ts = times.stream().mapToLong(Long::longValue).toArray();
    int n = ts.length;
    List<W> out = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      for (String code : List.of("200", "500")) {
        double[] v = new double[n];
        double c = r.nextInt(1000);
        for (int k = 0; k < n; k++) {
          c += code.equals("200") ? r.nextDouble() * 10 : r.nextInt(3);
          if (i == 1 && code.equals("500") && k == n / 2) {
            c = 1;
          }
          v[k] = c;
        }
        out.add(
            W.of(
                ts,
                v,
                "__name__",
                "sbs_requests_total",
                "job",
                "sbs",
                "instance",
                "i" + i,
                "code",
                code));
      }
      double[] g = new double[n];
      double x = 10 + i * 5;
      for (int k = 0; k < n; k++) {
        x += r.nextGaussian();
        g[k] = Math.round(x * 1000) / 1000.0;
      }
      out.add(W.of(ts, g, "__name__", "sbs_temp_celsius", "job", "sbs", "instance", "i" + i));
      double[] les = {0.1, 0.5, 1};
      double[] cum = new double[4];
      double[][] b = new double[4][n];
      double[] sum = new double[n];
      double[] cnt = new double[n];
      double s = 0;
      for (int k = 0; k < n; k++) {
        for (int obs = 0; obs < 5; obs++) {
          double lat = Math.abs(r.nextGaussian()) * 0.6;
          s += lat;
          for (int j = 0; j < 3; j++) {
            if (lat <= les[j]) {
              cum[j]++;
            }
          }
          cum[3]++;
        }
        for (int j = 0; j < 4; j++) {
          b[j][k] = cum[j];
        }
        sum[k] = s;
        cnt[k] = cum[3];
      }
      String[] le = {"0.1", "0.5", "1", "+Inf"};
      for (int j = 0; j < 4; j++) {
        out.add(
            W.of(
                ts,
                b[j],
                "__name__",
                "sbs_latency_seconds_bucket",
                "job",
                "sbs",
                "instance",
                "i" + i,
                "le",
                le[j]));
      }
      out.add(
          W.of(ts, sum, "__name__", "sbs_latency_seconds_sum", "job", "sbs", "instance", "i" + i));
      out.add(
          W.of(
              ts, cnt, "__name__", "sbs_latency_seconds_count", "job", "sbs", "instance", "i" + i));
    }
    // gappy: samples in the first third, a stale marker, nothing, then samples again at the end
    List<Long> gt = new ArrayList<>();
    List<Double> gv = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      if (k < n / 3 || k > 2 * n / 3 + 30) {
        gt.add(ts[k]);
        gv.add((double) k);
      } else if (k == n / 3) {
        gt.add(ts[k]);
        gv.add(io.theseus.query.Series.staleNaN());
      }
    }
    out.add(
        W.of(
            gt.stream().mapToLong(Long::longValue).toArray(),
            gv.stream().mapToDouble(Double::doubleValue).toArray(),
            "__name__",
            "sbs_gappy",
            "job",
            "sbs",
            "instance",
            "g"));
    return out;
  }

  /** Splits the series into time-ordered batches (Prometheus's head rejects out-of-order data). */
  static List<Remote.WriteRequest> batches(List<W> series, long tStart, long tEnd, long span) {
    List<Remote.WriteRequest> out = new ArrayList<>();
    for (long from = tStart; from <= tEnd; from += span) {
      List<W> part = new ArrayList<>();
      for (W w : series) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < w.ts().length; i++) {
          if (w.ts()[i] >= from && w.ts()[i] < from + span) {
            idx.add(i);
          }
        }
        if (!idx.isEmpty()) {
          part.add(
              new W(
                  w.labels(),
                  idx.stream().mapToLong(i -> w.ts()[i]).toArray(),
                  idx.stream().mapToDouble(i -> w.vs()[i]).toArray()));
        }
      }
      out.add(ApiTestServer.writeRequest(part));
    }
    return out;
  }

  @Test
  void queryRange_broadQuerySet_agreesWithPrometheus242(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("theseus"));
    Files.createDirectories(dir.resolve("prom"));
    long tEnd = (System.currentTimeMillis() / 15_000) * 15_000 - 15_000;
    long tStart = tEnd - 50 * 60_000;
    List<W> series = data(tStart, tEnd);
    List<String> report = new ArrayList<>();
    int agree = 0;
    long points = 0;
    long promNanos = 0;
    long theseusNanos = 0;
    List<String> empty = new ArrayList<>();
    try (ApiTestServer srv = new ApiTestServer(ks, dir.resolve("theseus"), null, null);
        PrometheusProcess prom =
            new PrometheusProcess(
                dir.resolve("prom"),
                "global:\n  scrape_interval: 1h\n",
                "--web.enable-remote-write-receiver")) {
      for (Remote.WriteRequest wr : batches(series, tStart, tEnd, 5 * 60_000)) {
        srv.push(wr, null);
        ApiTestServer.push(prom.base + "/api/v1/write", wr, null);
      }
      long start = tEnd - 30 * 60_000;
      for (String q : QUERIES) {
        String path =
            "/api/v1/query_range?query="
                + URLEncoder.encode(q, StandardCharsets.UTF_8)
                + "&start="
                + start / 1000
                + "&end="
                + tEnd / 1000
                + "&step=30";
        long n0 = System.nanoTime();
        JsonNode want = JSON.readTree(prom.get(path).body());
        long n1 = System.nanoTime();
        JsonNode got = JSON.readTree(srv.get(path, null).body());
        promNanos += n1 - n0;
        theseusNanos += System.nanoTime() - n1;
        String diff = compare(want, got);
        int pts = 0;
        for (JsonNode x : want.path("data").path("result")) {
          pts += x.path("values").size();
        }
        points += pts;
        if (pts == 0 && !q.startsWith("absent(")) {
          empty.add(q);
        }
        if (diff == null) {
          agree++;
        } else {
          report.add(q + "\n    " + diff);
        }
      }
    }
    String text =
        "side-by-side vs Prometheus 2.42: "
            + agree
            + " of "
            + QUERIES.size()
            + " queries agree (relative tolerance "
            + TOLERANCE
            + "), "
            + points
            + " points compared; queries without data: "
            + empty
            + "\n"
            + "wall time for all queries (informational, shared VM): prometheus "
            + promNanos / 1_000_000
            + " ms, theseus "
            + theseusNanos / 1_000_000
            + " ms\n"
            + String.join("\n", report)
            + "\n";
    Path out = Paths.get(System.getProperty("user.dir"), "target", "side-by-side-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text);
    System.out.println(text);
    assertThat(report).as(text).isEmpty();
    assertThat(empty)
        .as("every query but absent() must have data, else the check proves nothing")
        .isEmpty();
  }

  /** Null when equal within tolerance, else a short description of the first difference. */
  static String compare(JsonNode want, JsonNode got) {
    if (!want.path("status").asText().equals(got.path("status").asText())) {
      return "status: prometheus " + want + " theseus " + got;
    }
    if (want.path("status").asText().equals("error")) {
      return want.path("errorType").equals(got.path("errorType"))
          ? null
          : "errorType: prometheus " + want + " theseus " + got;
    }
    Map<String, JsonNode> w = byMetric(want.path("data").path("result"));
    Map<String, JsonNode> g = byMetric(got.path("data").path("result"));
    if (!w.keySet().equals(g.keySet())) {
      return "series: prometheus " + w.keySet() + " theseus " + g.keySet();
    }
    for (String k : w.keySet()) {
      JsonNode a = w.get(k);
      JsonNode b = g.get(k);
      if (a.size() != b.size()) {
        return k
            + ": "
            + a.size()
            + " points in prometheus, "
            + b.size()
            + " in theseus; prometheus "
            + abbreviate(a)
            + " theseus "
            + abbreviate(b);
      }
      for (int i = 0; i < a.size(); i++) {
        double ta = a.get(i).get(0).asDouble();
        double tb = b.get(i).get(0).asDouble();
        double va = parse(a.get(i).get(1).asText());
        double vb = parse(b.get(i).get(1).asText());
        if (ta != tb || !close(va, vb)) {
          return k
              + " at "
              + ta
              + ": prometheus ["
              + a.get(i).get(0)
              + ","
              + a.get(i).get(1)
              + "] theseus ["
              + b.get(i).get(0)
              + ","
              + b.get(i).get(1)
              + "]";
        }
      }
    }
    return null;
  }

  static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  static Map<String, JsonNode> byMetric(JsonNode result) {
    Map<String, JsonNode> m = new TreeMap<>();
    for (JsonNode s : result) {
      TreeMap<String, String> labels = new TreeMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = s.path("metric").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        labels.put(e.getKey(), e.getValue().asText());
      }
      m.put(labels.toString(), s.path("values"));
    }
    return m;
  }

  static double parse(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  static boolean close(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) && Double.isNaN(b);
    }
    if (a == b) {
      return true;
    }
    return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }
}
