package io.theseus.cli.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The query benchmark phase of a load test: after the writes, every {@link Workload.BenchQuery}
 * runs as a {@code query_range} ending at the newest written timestamp, {@code repeats} times per
 * target, closed loop (one request at a time), interleaved across targets so that machine noise
 * hits all of them alike. Each phase first runs every query on every target ten times unrecorded
 * (JIT of all query paths, settling after the writes); then six unrecorded warm-up requests per
 * query and target precede its measurement (connections, caches); the first also records the answer's shape (series and points), which must
 * agree across targets (else a warning: the targets do not hold the same data and the latencies
 * are not comparable).
 *
 * <p>With {@code flush}, each target that accepts {@code POST /flush} (Theseus; Prometheus has no
 * such endpoint and is skipped) is flushed, and after {@code flushWaitMs} measured again as phase
 * {@code flushed}: for Theseus its head then no longer holds the data (given a short retain
 * period), so the queries read Cassandra. Latency is measured from sending the request to having
 * the whole body; JSON parsing is outside the measurement. Single-threaded.
 */
final class QueryBench {
  /** Unrecorded requests per query and target after the first one (JIT warm-up). */
  static final int EXTRA_WARMUP = 5;

  /** Unrecorded rounds of all queries of a phase on all targets before the first measurement. */
  static final int PHASE_WARMUP_ROUNDS = 10;

  static final String LIVE = "live";
  static final String FLUSHED = "flushed";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One query x target x phase. Latencies in milliseconds. */
  record Row(
      String query,
      String target,
      String phase,
      long count,
      long errors,
      double p50,
      double p90,
      double p99,
      double mean,
      int series,
      long points,
      String firstError) {}

  private final Workload w;
  private final List<TargetRun> runs;
  private final HttpClient client;
  private final PrintStream err;
  final List<String> warnings = new ArrayList<>();

  QueryBench(Workload w, List<TargetRun> runs, HttpClient client, PrintStream err) {
    this.w = w;
    this.runs = runs;
    this.client = client;
    this.err = err;
  }

  boolean enabled() {
    return !w.queries().exprs().isEmpty();
  }

  /** Runs both phases; returns one row per query, target and phase. */
  List<Row> run() throws InterruptedException {
    List<TargetRun> live = new ArrayList<>();
    long end = Long.MAX_VALUE;
    for (TargetRun r : runs) {
      if (!r.target.isDiscard()) {
        live.add(r);
        end = Math.min(end, r.maxTs);
      }
    }
    List<Row> rows = new ArrayList<>();
    if (live.isEmpty()) {
      warnings.add("query benchmark: no target with a query URL");
      return rows;
    }
    end -= Math.floorMod(end, 1000);
    if (w.queries().settleMs() > 0) {
      err.println("query benchmark: settling for " + Durations.format(w.queries().settleMs()));
      Thread.sleep(w.queries().settleMs());
    }
    rows.addAll(phase(live, LIVE, end));
    if (w.queries().flush()) {
      List<TargetRun> flushed = new ArrayList<>();
      for (TargetRun r : live) {
        String problem = flush(r.target);
        if (problem == null) {
          flushed.add(r);
        } else {
          err.println("query benchmark: " + r.target.name() + " not measured flushed: " + problem);
        }
      }
      if (!flushed.isEmpty()) {
        Thread.sleep(w.queries().flushWaitMs());
        rows.addAll(phase(flushed, FLUSHED, end));
      }
    }
    return rows;
  }

  /** POSTs {@code <query url>/flush}; null on 2xx, else why not. */
  private String flush(Target t) throws InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(t.queryUrl() + "/flush"))
            .timeout(Duration.ofMinutes(10))
            .POST(HttpRequest.BodyPublishers.noBody());
    Sender.addAuth(b, t);
    try {
      err.println("query benchmark: flushing " + t.name() + " (POST " + t.queryUrl() + "/flush)");
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() / 100 == 2
          ? null
          : "POST /flush answered HTTP "
              + r.statusCode()
              + " "
              + r.body().substring(0, Math.min(200, r.body().length())).strip();
    } catch (IOException e) {
      return "POST /flush failed: " + e.getMessage();
    }
  }

  /** The {@code query_range} URL of {@code expr} over [start, end] at {@code t}. */
  private static String url(Target t, String expr, long start, long endMs, long stepMs) {
    return t.queryUrl()
        + "/api/v1/query_range?query="
        + URLEncoder.encode(expr, StandardCharsets.UTF_8)
        + "&start="
        + QueryApiReadBack.seconds(start)
        + "&end="
        + QueryApiReadBack.seconds(endMs)
        + "&step="
        + (stepMs / 1000.0);
  }

  /**
   * Unrecorded rounds of every query of the phase on every target before any query is measured:
   * a JVM target compiles the paths of all queries (and settles after the write phase) first, so
   * the query measured first is not measured while the JIT still works on the others. Errors
   * here are ignored (the measured requests count them).
   */
  private void warmUpPhase(List<TargetRun> targets, long endMs) throws InterruptedException {
    for (int round = 0; round < PHASE_WARMUP_ROUNDS; round++) {
      for (Workload.BenchQuery q : w.queries().exprs()) {
        String expr = expand(q.expr(), targets.get(0).model);
        for (TargetRun r : targets) {
          try {
            get(r.target, url(r.target, expr, endMs - q.rangeMs(), endMs, q.stepMs()));
          } catch (IOException e) {
            // counted by the measured requests
          }
        }
      }
    }
  }

  private List<Row> phase(List<TargetRun> targets, String phase, long endMs)
      throws InterruptedException {
    List<Row> rows = new ArrayList<>();
    int repeats = w.queries().repeats();
    warmUpPhase(targets, endMs);
    for (Workload.BenchQuery q : w.queries().exprs()) {
      String expr = expand(q.expr(), targets.get(0).model);
      long start = endMs - q.rangeMs();
      int n = targets.size();
      Histogram[] h = new Histogram[n];
      long[] errors = new long[n];
      String[] firstError = new String[n];
      int[] series = new int[n];
      long[] points = new long[n];
      String[] urls = new String[n];
      for (int i = 0; i < n; i++) {
        h[i] = new Histogram(Stats.MAX_US, 3);
        urls[i] = url(targets.get(i).target, expr, start, endMs, q.stepMs());
        // Warm-up (not recorded): connection, caches, and the answer's shape.
        try {
          JsonNode result =
              JSON.readTree(get(targets.get(i).target, urls[i])).path("data").path("result");
          series[i] = result.size();
          for (JsonNode s : result) {
            points[i] += s.path("values").size();
          }
        } catch (IOException e) {
          errors[i]++;
          firstError[i] = e.getMessage();
        }
      }
      for (int i = 1; i < n; i++) {
        if (firstError[0] == null
            && firstError[i] == null
            && (series[i] != series[0] || points[i] != points[0])) {
          warnings.add(
              String.format(
                  Locale.ROOT,
                  "query %s (%s): %s answered %d series / %d points, %s %d / %d: the targets do"
                      + " not hold the same data",
                  q.name(), phase, targets.get(0).target.name(), series[0], points[0],
                  targets.get(i).target.name(), series[i], points[i]));
        }
      }
      // More unrecorded rounds so that a JVM target's JIT is warm before anything is recorded.
      for (int rep = 0; rep < EXTRA_WARMUP; rep++) {
        for (int i = 0; i < n; i++) {
          try {
            get(targets.get(i).target, urls[i]);
          } catch (IOException e) {
            errors[i]++;
          }
        }
      }
      for (int rep = 0; rep < repeats; rep++) {
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          try {
            get(targets.get(i).target, urls[i]);
            h[i].recordValue(Math.min(Stats.MAX_US, (System.nanoTime() - t0) / 1000));
          } catch (IOException e) {
            errors[i]++;
            if (firstError[i] == null) {
              firstError[i] = e.getMessage();
            }
          }
        }
      }
      for (int i = 0; i < n; i++) {
        Histogram x = h[i];
        boolean any = x.getTotalCount() > 0;
        Row row =
            new Row(
                q.name(),
                targets.get(i).target.name(),
                phase,
                x.getTotalCount(),
                errors[i],
                any ? x.getValueAtPercentile(50) / 1000.0 : 0,
                any ? x.getValueAtPercentile(90) / 1000.0 : 0,
                any ? x.getValueAtPercentile(99) / 1000.0 : 0,
                any ? x.getMean() / 1000.0 : 0,
                series[i],
                points[i],
                firstError[i]);
        rows.add(row);
        err.printf(
            Locale.ROOT,
            "query %-14s %-12s %-8s p50 %8.1fms p99 %8.1fms  %d series%n",
            q.name(), row.target(), phase, row.p50(), row.p99(), row.series());
        if (firstError[i] != null) {
          warnings.add("query " + q.name() + " on " + row.target() + ": " + firstError[i]);
        }
      }
    }
    return rows;
  }

  /** The body of a 2xx GET with the target's auth; IOException naming the status otherwise. */
  private byte[] get(Target t, String url) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET();
    Sender.addAuth(b, t);
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() / 100 != 2) {
      String body = new String(r.body(), 0, Math.min(300, r.body().length), StandardCharsets.UTF_8);
      throw new IOException("HTTP " + r.statusCode() + ": " + body);
    }
    return r.body();
  }

  /** Replaces $counter, $gauge, $constant, $histogram by the first family of that type. */
  static String expand(String expr, SeriesModel m) {
    String out = expr;
    String[] names = {"$counter", "$gauge", "$constant", "$histogram"};
    int[] types = {
      SeriesModel.COUNTER, SeriesModel.GAUGE, SeriesModel.CONSTANT, SeriesModel.HISTOGRAM
    };
    for (int k = 0; k < names.length; k++) {
      if (!out.contains(names[k])) {
        continue;
      }
      String fam = null;
      for (int f = 0; f < m.families && fam == null; f++) {
        if (m.familyTypeOf(f) == types[k]) {
          fam = m.familyName(f);
        }
      }
      if (fam == null) {
        throw new IllegalArgumentException(
            "queries.exprs: '"
                + expr
                + "' uses "
                + names[k]
                + " but the mix generates no such family");
      }
      out = out.replace(names[k], fam);
    }
    return out;
  }

  /** The baseline target's name: the configured one, else the last target. */
  static String baseline(Workload w, List<Row> rows) {
    if (w.queries().baseline() != null) {
      return w.queries().baseline();
    }
    return rows.isEmpty() ? null : rows.get(rows.size() - 1).target();
  }

  private static Row find(List<Row> rows, String query, String target) {
    for (Row r : rows) {
      if (r.query().equals(query) && r.target().equals(target) && r.phase().equals(LIVE)) {
        return r;
      }
    }
    return null;
  }

  /** Ratio of {@code r}'s p50 over the baseline's live p50 for the same query (NaN if none). */
  static double ratio(List<Row> rows, String baseline, Row r, boolean mean) {
    Row b = find(rows, r.query(), baseline);
    if (b == null || b.count() == 0 || r.count() == 0) {
      return Double.NaN;
    }
    return mean ? r.mean() / b.mean() : r.p50() / b.p50();
  }

  static void table(PrintStream out, Workload w, List<Row> rows) {
    String base = baseline(w, rows);
    out.printf(
        Locale.ROOT,
        "%nquery_range latency (%d runs each, closed loop; ratio = p50 and mean over %s's)%n",
        w.queries().repeats(), base);
    out.printf(
        Locale.ROOT,
        "%-16s %-8s %-14s %9s %9s %9s %9s %7s %8s %8s %6s%n",
        "query", "phase", "target", "p50 ms", "p90 ms", "p99 ms", "mean ms", "series", "x p50",
        "x mean", "errors");
    for (Row r : rows) {
      double x = ratio(rows, base, r, false);
      double xm = ratio(rows, base, r, true);
      out.printf(
          Locale.ROOT,
          "%-16s %-8s %-14s %9.1f %9.1f %9.1f %9.1f %7d %8s %8s %6d%n",
          r.query(), r.phase(), r.target(), r.p50(), r.p90(), r.p99(), r.mean(), r.series(),
          Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2f", x),
          Double.isNaN(xm) ? "-" : String.format(Locale.ROOT, "%.2f", xm),
          r.errors());
    }
  }

  static Map<String, Object> json(Workload w, List<Row> rows) {
    String base = baseline(w, rows);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("repeats", w.queries().repeats());
    m.put("baseline", base);
    List<Map<String, Object>> l = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("query", r.query());
      x.put("target", r.target());
      x.put("phase", r.phase());
      x.put("count", r.count());
      x.put("errors", r.errors());
      x.put("p50_ms", r.p50());
      x.put("p90_ms", r.p90());
      x.put("p99_ms", r.p99());
      x.put("mean_ms", r.mean());
      x.put("series", r.series());
      x.put("points", r.points());
      double ratio = ratio(rows, base, r, false);
      x.put("ratio_p50_over_baseline", Double.isNaN(ratio) ? null : ratio);
      double rm = ratio(rows, base, r, true);
      x.put("ratio_mean_over_baseline", Double.isNaN(rm) ? null : rm);
      if (r.firstError() != null) {
        x.put("first_error", r.firstError());
      }
      l.add(x);
    }
    m.put("results", l);
    List<Map<String, Object>> qs = new ArrayList<>();
    for (Workload.BenchQuery q : w.queries().exprs()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("name", q.name());
      x.put("expr", q.expr());
      x.put("range_ms", q.rangeMs());
      x.put("step_ms", q.stepMs());
      qs.add(x);
    }
    m.put("queries", qs);
    return m;
  }
}
