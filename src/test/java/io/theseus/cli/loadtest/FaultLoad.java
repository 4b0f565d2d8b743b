package io.theseus.cli.loadtest;

import io.theseus.model.Matcher;
import io.theseus.query.Queryable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The load generator and exact verifier of {@code theseus loadtest --verify}, driven in-process by
 * the fault tests: a {@link TargetRun} sends in the background (with retries through the fault)
 * while the test breaks something, then {@link Verifier} classifies every generated sample as
 * acknowledged / sent-unacknowledged / unsent and reads everything back, after recovery, through
 * the query API or directly from Cassandra. The loss figure is the verifier's {@code missing}:
 * acknowledged samples not returned.
 *
 * <p>Threading: {@link #start} runs the shards on a background thread; {@link #await} joins it
 * before the verifier reads the bookkeeping.
 */
final class FaultLoad {
  final Workload workload;
  final TargetRun run;
  final HttpClient client;
  private Thread thread;
  private volatile Throwable failure;
  /** Distinct 4xx answers (not retried by the generator), for the figures. */
  java.util.Set<String> rejections = java.util.Set.of();

  private FaultLoad(Workload w, HttpClient client, Sender sender) {
    this.workload = w;
    this.client = client;
    Target t = w.targets().get(0);
    this.run =
        new TargetRun(w, t, sender, TargetRun.t0(w, w.rate(), System.currentTimeMillis()), false);
  }

  /**
   * An open-loop load of {@code rate} samples/s for {@code durationMs} over {@code series} series,
   * sent round-robin per request to {@code urls} (remote-write URLs). Failed requests (I/O, 5xx,
   * 429) are retried up to {@code retries} times with backoff up to 1 s, as Prometheus does.
   */
  static FaultLoad of(List<String> urls, int series, double rate, long durationMs, int retries) {
    Workload.Builder b = new Workload.Builder();
    b.seed = 9;
    b.series = series;
    b.labels = 4;
    b.valuesPerLabel = 5;
    b.familySize = 50;
    b.mix = new int[] {50, 50, 0, 0};
    b.intervalMs = 15_000;
    b.batchSize = 100;
    b.connections = 4;
    b.rate = rate;
    b.durationMs = durationMs;
    b.maxLagMs = 120_000;
    b.maxRetries = retries;
    b.minBackoffMs = 50;
    b.maxBackoffMs = 1_000;
    b.verify = true;
    b.targets.add(new Target("theseus", urls.get(0), null, null, null, Map.of(), 0));
    Workload w = b.build();
    HttpClient client = Sender.client(4);
    List<Sender> senders = new ArrayList<>();
    for (String u : urls) {
      senders.add(Sender.http(client, new Target(u, u, null, null, null, Map.of(), 0)));
    }
    AtomicLong next = new AtomicLong();
    java.util.Set<String> rejections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Sender rr =
        (body, len, p) -> {
          Sender.Response r =
              senders.get((int) (next.getAndIncrement() % senders.size())).send(body, len, p);
          if (r.status() / 100 == 4 && rejections.size() < 20) {
            rejections.add(r.status() + " " + r.message());
          }
          return r;
        };
    FaultLoad f = new FaultLoad(w, client, rr);
    f.rejections = rejections;
    return f;
  }

  /** Starts sending in the background. */
  FaultLoad start() {
    thread =
        new Thread(
            () -> {
              try {
                run.runFor(workload.durationMs(), true);
              } catch (Throwable e) {
                failure = e;
              }
            },
            "fault-load");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Samples acknowledged so far. */
  long acked() {
    return run.stats.ackedSamples.sum();
  }

  /** Waits (generously) until {@code cond} holds; fails with {@code what} otherwise. */
  static void await(String what, long timeoutSec, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSec);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeoutSec + " s waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  /** Waits until the load has finished (all batches sent or given up after retries). */
  void await() throws InterruptedException {
    thread.join(TimeUnit.MINUTES.toMillis(10));
    if (thread.isAlive()) {
      run.stop = true;
      thread.join();
      throw new AssertionError("the load did not finish within 10 minutes");
    }
    if (failure != null) {
      throw new AssertionError("load generator failed", failure);
    }
  }

  /** Exact verification through the Prometheus query API at {@code baseUrl}. */
  Verifier.Result verifyQueryApi(String baseUrl) {
    Target t = new Target("read", baseUrl + "/api/v1/push", baseUrl, null, null, Map.of(), 0);
    return new Verifier(run).verify(new QueryApiReadBack(client, t));
  }

  /** Exact verification reading {@code source} directly (e.g. Cassandra only, no head). */
  Verifier.Result verify(Queryable source) {
    return new Verifier(run).verify(new QueryableReadBack(source));
  }

  /** A read-back over a {@link Queryable} (used to read Cassandra alone, bypassing the head). */
  record QueryableReadBack(Queryable q) implements ReadBack {
    @Override
    public List<ReadBack.Series> read(String family, long minTs, long maxTs) {
      List<ReadBack.Series> out = new ArrayList<>();
      for (io.theseus.query.Series s :
          q.select(minTs, maxTs, List.of(Matcher.eq("__name__", family)), Queryable.Hints.NONE)
              .series()) {
        int from = 0;
        while (from < s.size() && s.timestamps()[from] < minTs) {
          from++;
        }
        int to = from;
        while (to < s.size() && s.timestamps()[to] <= maxTs) {
          to++;
        }
        out.add(
            new ReadBack.Series(
                s.labels().toMap(),
                java.util.Arrays.copyOfRange(s.timestamps(), from, to),
                java.util.Arrays.copyOfRange(s.values(), from, to)));
      }
      return out;
    }

    @Override
    public boolean rawNaN() {
      return true;
    }

    @Override
    public String describe() {
      return "queryable " + q;
    }
  }

  /**
   * One line of figures: samples sent (acknowledged + sent-unacknowledged), acknowledged, lost
   * (acknowledged, not returned), duplicated, recovery seconds; printed and appended to
   * target/fault-figures.txt for docs/reliability.md.
   */
  String figures(String test, Verifier.Result r, double recoverySec) {
    String line =
        String.format(
            Locale.ROOT,
            "%s %s: sent=%d acknowledged=%d lost=%d duplicated=%d unexpected=%d altered=%d"
                + " requests=%d retries=%d 5xx=%d io_errors=%d rejected_4xx=%d given_up=%d"
                + " recovery_s=%.1f errors=%s first_error=%s",
            Instant.now(), test, r.required + r.optional, r.required, r.missing, r.duplicated,
            r.unexpected, r.altered, run.stats.requests.sum(), run.stats.retries.sum(),
            run.stats.status5xx.sum(), run.stats.ioErrors.sum(), run.stats.rejectedSamples.sum(),
            run.stats.failedSamples.sum(), recoverySec, r.errors, run.stats.firstError.get());
    System.out.println("FAULT FIGURES " + line);
    try {
      Files.writeString(
          Paths.get("target", "fault-figures.txt"),
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("cannot record figures: " + e);
    }
    for (String rej : rejections) {
      System.out.println("  rejected (4xx, not retried): " + rej);
    }
    for (Verifier.Mismatch m : r.mismatches) {
      System.out.println("  mismatch " + m);
    }
    return line;
  }

  /** GET status of {@code url}, or -1 when nothing listens. */
  static int status(HttpClient client, String url) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Path of a child JVM's java binary. */
  static String java() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Writes a Theseus YAML config file. */
  static Path config(Path dir, String name, String yaml) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }
}
