package io.theseus.cli.loadtest;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Query load alongside writes: {@code concurrency} threads issue an open-loop stream at {@code qps}
 * (each thread every concurrency/qps seconds), drawing the class (instant, range, labels, series)
 * by weight, the family at random, range and step from the configured lists. Latency per class is
 * measured from the intended start (coordinated-omission corrected). Queries cover the window the
 * writer has produced so far.
 */
final class QueryLoad {
  static final int CLASSES = 4;
  final Recorder[] recorders = new Recorder[CLASSES];
  final Histogram[] totals = new Histogram[CLASSES];
  final LongAdder[] count = new LongAdder[CLASSES];
  final LongAdder[] errors = new LongAdder[CLASSES];
  final AtomicReference<String> firstError = new AtomicReference<>();
  private final TargetRun run;
  private final HttpClient client;
  private final Workload.QueryMix mix;
  private volatile boolean stop;
  private Thread[] threads;

  QueryLoad(TargetRun run, HttpClient client) {
    this.run = run;
    this.client = client;
    this.mix = run.w.queries();
    for (int i = 0; i < CLASSES; i++) {
      recorders[i] = new Recorder(Stats.MAX_US, 3);
      totals[i] = new Histogram(Stats.MAX_US, 3);
      count[i] = new LongAdder();
      errors[i] = new LongAdder();
    }
  }

  boolean enabled() {
    return mix.qps() > 0;
  }

  void start() {
    if (!enabled()) {
      return;
    }
    stop = false;
    threads = new Thread[mix.concurrency()];
    for (int i = 0; i < threads.length; i++) {
      int id = i;
      threads[i] = new Thread(() -> loop(id), "lt-query-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  void stopAndJoin() throws InterruptedException {
    stop = true;
    if (threads != null) {
      for (Thread t : threads) {
        t.join(150_000);
      }
    }
    for (int i = 0; i < CLASSES; i++) {
      totals[i].add(recorders[i].getIntervalHistogram());
    }
  }

  /** All classes merged. */
  Histogram merged() {
    Histogram h = new Histogram(Stats.MAX_US, 3);
    for (Histogram t : totals) {
      h.add(t);
    }
    return h;
  }

  long totalErrors() {
    long e = 0;
    for (LongAdder a : errors) {
      e += a.sum();
    }
    return e;
  }

  private void loop(int id) {
    SplittableRandom rnd = new SplittableRandom(run.w.seed() * 7919 + id);
    long period = (long) (mix.concurrency() / mix.qps() * 1e9);
    long next = System.nanoTime() + (long) (rnd.nextDouble() * period);
    int wsum = 0;
    for (int x : mix.weights()) {
      wsum += x;
    }
    while (!stop) {
      long now;
      while ((now = System.nanoTime()) < next && !stop) {
        LockSupport.parkNanos(Math.min(next - now, 50_000_000L));
      }
      if (stop) {
        break;
      }
      int pick = rnd.nextInt(Math.max(1, wsum));
      int cls = 0;
      while (cls < CLASSES - 1 && pick >= mix.weights()[cls]) {
        pick -= mix.weights()[cls];
        cls++;
      }
      String url = url(cls, rnd);
      try {
        QueryApiReadBack.get(client, run.target, url);
      } catch (Exception e) {
        errors[cls].increment();
        firstError.compareAndSet(null, e.getMessage());
      }
      count[cls].increment();
      recorders[cls].recordValue(Math.min(Stats.MAX_US, (System.nanoTime() - next) / 1000));
      next += period;
    }
  }

  String url(int cls, SplittableRandom rnd) {
    SeriesModel m = run.model;
    int f = rnd.nextInt(m.families);
    String fam = m.familyName(f);
    long end = run.maxTs;
    long range = mix.rangesMs()[rnd.nextInt(mix.rangesMs().length)];
    long start = Math.max(m.t0, end - range);
    String base = run.target.queryUrl() + "/api/v1/";
    String q;
    switch (cls) {
      case 0 -> {
        q = m.familyTypeOf(f) == SeriesModel.GAUGE || m.familyTypeOf(f) == SeriesModel.CONSTANT
            ? "avg by (l01) (" + fam + ")"
            : "sum by (l01) (rate(" + fam + "[5m]))";
        return base + "query?query=" + enc(q) + "&time=" + QueryApiReadBack.seconds(end);
      }
      case 1 -> {
        long step = mix.stepsMs()[rnd.nextInt(mix.stepsMs().length)];
        step = Math.max(step, (end - start) / 11_000 + 1);
        q = m.familyTypeOf(f) == SeriesModel.GAUGE || m.familyTypeOf(f) == SeriesModel.CONSTANT
            ? "max_over_time(" + fam + "[1m])"
            : "rate(" + fam + "[1m])";
        return base + "query_range?query=" + enc(q) + "&start=" + QueryApiReadBack.seconds(start)
            + "&end=" + QueryApiReadBack.seconds(end) + "&step=" + (step / 1000.0);
      }
      case 2 -> {
        return base + "labels?start=" + QueryApiReadBack.seconds(start) + "&end=" + QueryApiReadBack.seconds(end);
      }
      default -> {
        return base + "series?match%5B%5D=" + enc(fam) + "&start=" + QueryApiReadBack.seconds(start)
            + "&end=" + QueryApiReadBack.seconds(end);
      }
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
