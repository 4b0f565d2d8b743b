package io.theseus.cli.loadtest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Runs a {@link Workload}: all targets concurrently, or with {@code compare} the first target and
 * the comparison target in alternating rounds; then optional read-back verification, the summary
 * table, JSON/HTML reports and thresholds. Returns the exit code: 0 pass, 1 verification or
 * threshold failure. Threading: one thread per target round plus the shard threads inside each
 * {@link TargetRun}; this thread prints progress once a second.
 */
public final class Loadtest {
  /** Output and comparison options (not part of the workload). */
  public record Options(
      Path jsonReport,
      Path htmlReport,
      Target compare,
      int rounds,
      List<String> failIf,
      String progress,
      String verifyVia,
      long verifyDuringMs,
      PrintStream out,
      PrintStream err) {}

  private final Workload w;
  private final Options o;
  private final List<Threshold> thresholds = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final boolean tty;
  private final Map<TargetRun, DuringVerifier> during = new java.util.IdentityHashMap<>();

  Loadtest(Workload w, Options o) {
    this.w = w;
    this.o = o;
    for (String f : o.failIf()) {
      thresholds.add(Threshold.parse(f));
    }
    if (o.compare() != null && w.targets().size() != 1) {
      throw new IllegalArgumentException("--compare needs exactly one target, got " + w.targets().size());
    }
    for (String via : o.verifyVia().split(",")) {
      if (!via.equals("query") && !via.equals("read")) {
        throw new IllegalArgumentException("--verify-via: '" + o.verifyVia() + "' must be query, read or query,read");
      }
    }
    if (o.verifyDuringMs() < 0) {
      throw new IllegalArgumentException("--verify-during: " + o.verifyDuringMs() + " ms must be >= 0");
    }
    if (o.rounds() < 1) {
      throw new IllegalArgumentException("--rounds: " + o.rounds() + " must be >= 1");
    }
    this.tty = switch (o.progress()) {
      case "always" -> true;
      case "never" -> false;
      default -> System.console() != null;
    };
  }

  int run() throws Exception {
    HttpClient client = Sender.client(w.connections());
    long now = System.currentTimeMillis();
    List<TargetRun> runs = new ArrayList<>();
    List<Target> targets = new ArrayList<>(w.targets());
    if (o.compare() != null) {
      targets.add(o.compare());
    }
    for (Target t : targets) {
      Sender s = t.isDiscard() ? Sender.discard() : Sender.http(client, t);
      runs.add(new TargetRun(w, t, s, TargetRun.t0(w, w.rateFor(t), now), w.closedLoop()));
    }
    for (Workload.BenchQuery q : w.queries().exprs()) {
      QueryBench.expand(q.expr(), runs.get(0).model); // fails now, not after the writes
    }
    List<QueryLoad> queries = new ArrayList<>();
    for (TargetRun r : runs) {
      queries.add(new QueryLoad(r, client));
    }
    if (o.verifyDuringMs() > 0) {
      String via = o.verifyVia().split(",")[0];
      for (TargetRun r : runs) {
        if (!r.target.isDiscard()) {
          ReadBack rb = via.equals("read")
              ? new RemoteReadBack(client, r.target) : new QueryApiReadBack(client, r.target);
          during.put(r, new DuringVerifier(r, rb, o.verifyDuringMs()));
        }
      }
    }
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    Instant started = Instant.now();
    o.err().printf(Locale.ROOT, "loadtest: %d series x %d labels, %s, batch %d, %d connections, %s%s for %s%n",
        w.series(), w.labels(), w.protocol(), w.batchSize(), w.connections(),
        w.closedLoop() ? "closed loop" : "open loop at " + (long) w.rate() + " samples/s",
        o.compare() != null ? ", compare in " + o.rounds() + " rounds" : "", Durations.format(w.durationMs()));
    for (DuringVerifier d : during.values()) {
      d.start();
    }
    try {
      writePhase(runs, queries);
    } finally {
      for (DuringVerifier d : during.values()) {
        d.stop();
      }
    }
    long cpuNanos = os.getProcessCpuTime() - cpu0;
    double wallSec = (System.nanoTime() - wall0) / 1e9;
    double cpuPct = cpuNanos / 1e7 / wallSec;

    List<Report.Endpoint> eps = new ArrayList<>();
    boolean verifyFailed = false;
    for (Map.Entry<TargetRun, DuringVerifier> e : during.entrySet()) {
      DuringVerifier d = e.getValue();
      Verifier.Result t = d.totals();
      verifyFailed |= !t.ok();
      printVerify(e.getKey(), t, "during-run checks (" + d.checks() + ")");
    }
    return finish(runs, queries, client, started, wallSec, cpuPct, cpuNanos, eps, verifyFailed);
  }

  private void writePhase(List<TargetRun> runs, List<QueryLoad> queries) throws Exception {
    if (o.compare() != null) {
      long per = Math.max(1, w.durationMs() / o.rounds());
      for (int round = 0; round < o.rounds(); round++) {
        for (int i = 0; i < runs.size(); i++) {
          roundOf(List.of(runs.get(i)), List.of(queries.get(i)), per, round == o.rounds() - 1,
              "round " + (round + 1) + "/" + o.rounds() + " ");
        }
      }
    } else {
      roundOf(runs, queries, w.durationMs(), true, "");
    }
  }

  private int finish(List<TargetRun> runs, List<QueryLoad> queries, HttpClient client,
      Instant started, double wallSec, double cpuPct, long cpuNanos, List<Report.Endpoint> eps,
      boolean verifyFailed) throws Exception {
    for (int i = 0; i < runs.size(); i++) {
      TargetRun r = runs.get(i);
      Verifier.Result vr = null;
      Map<String, Verifier.Result> byVia = new LinkedHashMap<>();
      if (w.verify() && !r.target.isDiscard()) {
        for (String via : o.verifyVia().split(",")) {
          ReadBack rb = via.equals("read")
              ? new RemoteReadBack(client, r.target) : new QueryApiReadBack(client, r.target);
          o.err().println("verify " + r.target.name() + ": reading back through " + rb.describe() + " ...");
          long v0 = System.nanoTime();
          Verifier.Result one = new Verifier(r).verify(rb);
          one.seconds = (System.nanoTime() - v0) / 1e9;
          verifyFailed |= !one.ok();
          printVerify(r, one, via);
          if (one.required == 0) {
            warnings.add(r.target.name() + ": verification had nothing to check: no request was acknowledged");
          }
          byVia.put(via, one);
          if (vr == null || !one.ok()) {
            vr = one;
          }
        }
      }
      eps.add(endpoint(r, queries.get(i), vr, byVia, cpuPct));
    }
    generatorWarnings(runs, cpuPct, cpuNanos, wallSec);

    QueryBench bench = new QueryBench(w, runs, client, o.err());
    List<QueryBench.Row> benchRows = List.of();
    if (bench.enabled()) {
      o.err().println("query benchmark: " + w.queries().exprs().size() + " queries x "
          + w.queries().repeats() + " runs per target");
      benchRows = bench.run();
      warnings.addAll(bench.warnings);
    }

    ByteArrayOutputStream tableBytes = new ByteArrayOutputStream();
    PrintStream tp = new PrintStream(tableBytes, true, StandardCharsets.UTF_8);
    Report.table(tp, eps, o.compare() != null);
    String table = tableBytes.toString(StandardCharsets.UTF_8);
    if (bench.enabled()) {
      QueryBench.table(tp, w, benchRows);
      table = tableBytes.toString(StandardCharsets.UTF_8);
    }
    o.out().print(table);

    List<Map<String, Object>> thr = new ArrayList<>();
    boolean thresholdFailed = false;
    for (Threshold t : thresholds) {
      for (Report.Endpoint e : eps) {
        Double v = e.metrics().get(t.metric());
        if (v == null) {
          warnings.add("--fail-if " + t.text() + ": no value for " + e.name() + " (e.g. loss needs --verify)");
          continue;
        }
        boolean failed = t.fails(v);
        thresholdFailed |= failed;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("expression", t.text());
        m.put("endpoint", e.name());
        m.put("value", v);
        m.put("failed", failed);
        thr.add(m);
        o.out().printf(Locale.ROOT, "threshold %-20s %-16s value %.3f  %s%n", t.text(), e.name(), v,
            failed ? "FAILED" : "ok");
      }
    }
    for (String wmsg : warnings) {
      o.err().println("warning: " + wmsg);
    }
    int exit = verifyFailed || thresholdFailed ? 1 : 0;

    if (o.jsonReport() != null) {
      Map<String, Object> rep = new LinkedHashMap<>();
      rep.put("tool", "theseus loadtest");
      rep.put("started", started.toString());
      rep.put("wall_seconds", wallSec);
      rep.put("workload", workloadJson());
      List<Map<String, Object>> el = new ArrayList<>();
      for (Report.Endpoint e : eps) {
        el.add(Report.endpointJson(e));
      }
      rep.put("endpoints", el);
      if (eps.size() == 2 && o.compare() != null) {
        Map<String, Double> ratio = new LinkedHashMap<>();
        for (String k : eps.get(0).metrics().keySet()) {
          Double a = eps.get(0).metrics().get(k);
          Double b = eps.get(1).metrics().get(k);
          if (a != null && b != null && a != 0) {
            ratio.put(k, b / a);
          }
        }
        rep.put("ratio_second_over_first", ratio);
      }
      if (bench.enabled()) {
        rep.put("query_bench", QueryBench.json(w, benchRows));
      }
      rep.put("thresholds", thr);
      rep.put("warnings", warnings);
      rep.put("exit_code", exit);
      Report.json(o.jsonReport(), rep);
      o.err().println("JSON report: " + o.jsonReport());
    }
    if (o.htmlReport() != null) {
      Report.html(o.htmlReport(), "theseus loadtest " + started, eps, warnings, table);
      o.err().println("HTML report: " + o.htmlReport());
    }
    return exit;
  }

  private void roundOf(List<TargetRun> runs, List<QueryLoad> queries, long ms, boolean last, String label)
      throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (TargetRun r : runs) {
      Thread t = new Thread(() -> {
        try {
          r.runFor(ms, last);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }, "lt-run-" + r.target.name());
      t.start();
      threads.add(t);
    }
    for (QueryLoad q : queries) {
      q.start();
    }
    long start = System.nanoTime();
    double[] base = new double[runs.size()];
    for (int i = 0; i < runs.size(); i++) {
      base[i] = runs.get(i).activeSeconds();
    }
    int tick = 0;
    while (threads.stream().anyMatch(Thread::isAlive)) {
      long next = start + (tick + 1) * 1_000_000_000L;
      long sleep = (next - System.nanoTime()) / 1_000_000L;
      if (sleep > 0) {
        for (Thread t : threads) {
          t.join(Math.max(1, sleep));
          sleep = (next - System.nanoTime()) / 1_000_000L;
          if (sleep <= 0) {
            break;
          }
        }
      }
      if (System.nanoTime() < next) {
        continue;
      }
      tick++;
      double el = (System.nanoTime() - start) / 1e9;
      StringBuilder line = new StringBuilder(label);
      for (int i = 0; i < runs.size(); i++) {
        TargetRun r = runs.get(i);
        r.stats.pendingSamples.set(r.pending(el));
        double[] x = r.stats.tick(base[i] + el);
        line.append(String.format(Locale.ROOT,
            "%s %3.0fs rem %3.0fs %8.1fk/s p50 %6.1fms p99 %7.1fms err %d retry %d drop %d pend %d  ",
            r.target.name(), el, Math.max(0, ms / 1000.0 - el), x[0] / 1000, x[1], x[2], r.stats.errors(),
            r.stats.retries.sum(), r.stats.droppedSamples.sum(), r.stats.pendingSamples.get()));
        DuringVerifier d = during.get(r);
        if (d != null) {
          line.append(d.live()).append("  ");
        }
      }
      if (tty) {
        o.err().print("\r" + line);
        o.err().flush();
      } else if (tick % 5 == 0) {
        o.err().println(line);
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    for (QueryLoad q : queries) {
      q.stopAndJoin();
    }
    if (tty) {
      o.err().println();
    }
    for (int i = 0; i < runs.size(); i++) {
      runs.get(i).stats.tick(runs.get(i).activeSeconds());
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private Report.Endpoint endpoint(TargetRun r, QueryLoad q, Verifier.Result vr,
      Map<String, Verifier.Result> byVia, double cpuPct) {
    Stats s = r.stats;
    Map<String, Double> m = new LinkedHashMap<>();
    double active = Math.max(1e-3, r.activeSeconds());
    m.put("rate", s.ackedSamples.sum() / active);
    m.put("p50", s.percentileMs(50));
    m.put("p90", s.percentileMs(90));
    m.put("p99", s.percentileMs(99));
    m.put("p999", s.percentileMs(99.9));
    m.put("max", s.total.getTotalCount() == 0 ? 0 : s.total.getMaxValue() / 1000.0);
    m.put("mean", s.total.getTotalCount() == 0 ? 0 : s.total.getMean() / 1000.0);
    m.put("acked", (double) s.ackedSamples.sum());
    m.put("requests", (double) s.requests.sum());
    m.put("errors", (double) s.errors());
    m.put("error_rate", s.requests.sum() == 0 ? 0 : 100.0 * s.errors() / s.requests.sum());
    m.put("retries", (double) s.retries.sum());
    m.put("drops", (double) s.droppedSamples.sum());
    m.put("rejected", (double) s.rejectedSamples.sum());
    m.put("failed", (double) s.failedSamples.sum());
    long sent = s.ackedSamples.sum() + s.rejectedSamples.sum() + s.failedSamples.sum();
    m.put("wire_bytes_per_sample", sent == 0 ? 0 : (double) s.wireBytes.sum() / Math.max(1, sent + s.retries.sum()));
    m.put("cpu", cpuPct);
    m.put("samples_per_worker_cpu_second",
        s.workerCpuNanos.sum() == 0 ? 0 : (sent + s.droppedSamples.sum()) / (s.workerCpuNanos.sum() / 1e9));
    Map<String, Object> details = new LinkedHashMap<>();
    if (q.enabled()) {
      Histogram all = q.merged();
      m.put("query_p50", all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(50) / 1000.0);
      m.put("query_p99", all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(99) / 1000.0);
      m.put("query_errors", (double) q.totalErrors());
      Map<String, Object> qc = new LinkedHashMap<>();
      for (int c = 0; c < QueryLoad.CLASSES; c++) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("count", q.count[c].sum());
        x.put("errors", q.errors[c].sum());
        Histogram h = q.totals[c];
        x.put("p50_ms", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0);
        x.put("p99_ms", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0);
        qc.put(Workload.QueryMix.CLASSES[c], x);
      }
      details.put("queries", qc);
      if (q.firstError.get() != null) {
        details.put("first_query_error", q.firstError.get());
      }
    }
    if (vr != null) {
      m.put("loss", (double) vr.loss());
      m.put("mismatches", (double) (vr.altered + vr.duplicated + vr.unexpected + vr.labelMismatches));
      details.put("verification", vr.toMap());
      for (Map.Entry<String, Verifier.Result> e : byVia.entrySet()) {
        details.put("verification_via_" + e.getKey(), e.getValue().toMap());
      }
    }
    DuringVerifier d = during.get(r);
    if (d != null) {
      Verifier.Result t = d.totals();
      m.put("loss_during", (double) t.loss());
      details.put("verification_during", d.toMap());
    }
    details.put("active_seconds", active);
    details.put("encode_wall_seconds", s.encodeNanos.sum() / 1e9);
    details.put("worker_cpu_seconds", s.workerCpuNanos.sum() / 1e9);
    details.put("raw_bytes", s.rawBytes.sum());
    details.put("wire_bytes", s.wireBytes.sum());
    details.put("first_error", s.firstError.get());
    details.put("t0_ms", r.model.t0);
    details.put("max_ts_ms", r.maxTs);
    if (s.firstError.get() != null) {
      warnings.add(r.target.name() + ": first error: " + s.firstError.get());
    }
    return new Report.Endpoint(r.target.name(), r.target.url(), m, s.timeline, details);
  }

  private void generatorWarnings(List<TargetRun> runs, double cpuPct, long cpuNanos, double wallSec) {
    int cores = Runtime.getRuntime().availableProcessors();
    for (TargetRun r : runs) {
      double active = Math.max(1e-3, r.activeSeconds());
      double encPct = r.stats.workerCpuNanos.sum() / 1e7 / active;
      if (w.closedLoop()) {
        if (cpuPct > 85.0 * cores) {
          warnings.add(String.format(Locale.ROOT,
              "%s: loadtest used %.0f%% CPU of %d cores (shard threads %.0f%% of a core): the generator may be the bottleneck",
              r.target.name(), cpuPct, cores, encPct));
        }
        continue;
      }
      if (w.stopAtNow()) {
        continue; // the writes ended when the backfill reached now, not at the planned rate
      }
      double target = r.profile.samplesDue(active) / active;
      double done = (r.stats.ackedSamples.sum() + r.stats.rejectedSamples.sum() + r.stats.failedSamples.sum())
          / active;
      if (done < 0.95 * target || r.stats.droppedSamples.sum() > 0) {
        boolean cpuBound = cpuPct > 85.0 * cores;
        warnings.add(String.format(Locale.ROOT,
            "%s: target %.0f samples/s not kept: %.0f samples/s sent, %d dropped; loadtest CPU %.0f%% of %d cores "
                + "(shard threads %.0f%% of a core) -> %s",
            r.target.name(), target, done, r.stats.droppedSamples.sum(), cpuPct, cores, encPct,
            cpuBound ? "the GENERATOR cannot keep up (CPU-bound); lower the rate or give it more cores"
                : "the server is slower than the target rate (latency/backpressure)"));
      }
    }
  }

  private void printVerify(TargetRun r, Verifier.Result vr, String via) {
    o.out().printf(Locale.ROOT,
        "verify %s via %s: %s in %.1fs  required %d found %d | unacknowledged %d found %d | missing %d altered %d duplicated %d "
            + "unexpected %d label-mismatch %d | %d series%n",
        r.target.name(), via, vr.ok() ? "OK" : "FAILED", vr.seconds, vr.required, vr.foundRequired, vr.optional, vr.foundOptional,
        vr.missing, vr.altered, vr.duplicated, vr.unexpected, vr.labelMismatches, vr.seriesChecked);
    for (String e : vr.errors) {
      o.out().println("  error: " + e);
    }
    for (Verifier.Mismatch m : vr.mismatches) {
      o.out().printf(Locale.ROOT, "  %-24s series %s ts %d expected %s got %s%n", m.kind(), m.series(), m.ts(),
          m.expected(), m.got());
    }
  }

  private Map<String, Object> workloadJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seed", w.seed());
    m.put("protocol", w.protocol().toString());
    m.put("series", w.series());
    m.put("labels", w.labels());
    m.put("values_per_label", w.valuesPerLabel());
    m.put("mix", w.mix());
    m.put("interval_ms", w.intervalMs());
    m.put("jitter_ms", w.jitterMs());
    m.put("churn_percent", w.churnPercent());
    m.put("out_of_order_percent", w.outOfOrderPercent());
    m.put("duplicate_percent", w.duplicatePercent());
    m.put("ha_replicas", w.haReplicas());
    m.put("batch_size", w.batchSize());
    m.put("connections", w.connections());
    m.put("mode", w.closedLoop() ? "closed" : "open");
    m.put("rate", w.rate());
    m.put("duration_ms", w.durationMs());
    List<String> t = new ArrayList<>();
    for (Target x : w.targets()) {
      t.add(x.name() + "=" + x.url());
    }
    if (o.compare() != null) {
      t.add(o.compare().name() + "=" + o.compare().url());
    }
    m.put("targets", t);
    return m;
  }

  /** Entry point used by the CLI command. */
  public static int run(Workload w, Options o) throws Exception {
    return new Loadtest(w, o).run();
  }
}
