package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theseus.cli.Main;
import io.theseus.server.TheseusConfig;
import io.theseus.server.TheseusServer;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import io.theseus.store.TableStats;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the real {@code theseus loadtest} command (through {@link Main#commandLine()}) drives
 * a real Theseus on the test JVM's Cassandra and verifies every acknowledged sample; then a second
 * load is flushed to Cassandra and dropped from the head (retain period 0) and verified exactly
 * through remote read and the query API, so the read-back comes from the chunk store. Negative: a
 * receiver that answers 204 and discards everything makes the command exit 1 naming the missing
 * samples.
 */
@ExtendWith(CassandraExtension.class)
class LoadtestTheseusTest {
  static TheseusServer server;
  static String base;
  static CassandraKeyspace keyspace;
  /** Distinct samples written to Theseus by all tests of this class (for the bytes figure). */
  static final AtomicLong written = new AtomicLong();

  @BeforeAll
  static void startTheseus(CassandraKeyspace ks, @TempDir Path dir) {
    keyspace = ks;
    var cp = ks.cassandra().contactPoint();
    TheseusConfig c =
        new TheseusConfig(
            null, null, null,
            Map.of("ingestion_rate", 1_000_000, "ingestion_burst_size", 2_000_000), null);
    c =
        c.withServer(
                new TheseusConfig.Server("127.0.0.1:0", dir.toString(), false, null, null, null))
            .withCassandra(
                new TheseusConfig.Cassandra(
                    List.of(cp.getHostString() + ":" + cp.getPort()), null, ks.name(), null, "ONE",
                    null, null, null, null, null, null))
            // chunks cut at 30 min of sample time (120 samples at 15 s, like Prometheus), flushed
            // when idle 1 s, dropped from the head as soon as they are flushed
            .withIngester(
                new TheseusConfig.Ingester(
                    1_800_000L, 1_000L, 1_000L, 200L, 0L, null, null, null, null, null));
    server = new TheseusServer(c, null).start();
    base = "http://127.0.0.1:" + server.port();
  }

  /**
   * Figure (not an assertion): bytes per sample in Cassandra once every sample written by this
   * class is flushed: value bytes of the chunk tables and of the index tables over the distinct
   * samples written. Printed and appended to target/loadtest-figures.txt.
   */
  @AfterAll
  static void stop() throws Exception {
    if (server == null) {
      return;
    }
    try {
      if (written.get() > 0 && server.ingest().ingester().flushAll(60_000)) {
        long chunkBytes = 0;
        long chunkKeyBytes = 0;
        long chunks = 0;
        long indexBytes = 0;
        var session = keyspace.session();
        for (var row :
            session.execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
                keyspace.name())) {
          String t = row.getString(0);
          if (!t.startsWith("chunk_") && !t.startsWith("index_")) {
            continue;
          }
          TableStats st = TableStats.of(session, keyspace.name(), t, 10_000_000);
          if (t.startsWith("chunk_")) { // the default schema's table prefixes
            chunkBytes += st.valueBytes();
            chunkKeyBytes += st.keyBytes();
            chunks += st.partitions();
          } else if (t.startsWith("index_")) {
            indexBytes += st.valueBytes() + st.keyBytes();
          }
        }
        long n = written.get();
        String line =
            String.format(
                java.util.Locale.ROOT,
                "%s LoadtestTheseusTest: samples=%d chunks=%d samples/chunk=%.1f"
                    + " chunk_value_bytes=%d"
                    + " (%.2f B/sample) chunk_key_bytes=%d index_bytes=%d (%.2f B/sample)"
                    + " total=%.2f B/sample",
                java.time.Instant.now(), n, chunks, (double) n / Math.max(1, chunks), chunkBytes,
                (double) chunkBytes / n, chunkKeyBytes, indexBytes, (double) indexBytes / n,
                (double) (chunkBytes + chunkKeyBytes + indexBytes) / n);
        System.out.println("LOADTEST FIGURES " + line);
        // the operator's view of the same tables
        java.io.StringWriter stats = new java.io.StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new java.io.PrintWriter(stats));
        cl.setErr(new java.io.PrintWriter(stats));
        var cp = keyspace.cassandra().contactPoint();
        Path schema = Files.createTempFile("schema", ".yaml");
        Files.writeString(schema, io.theseus.schema.SchemaConfig.BUILT_IN);
        int exit =
            cl.execute("schema", "stats", "--cassandra", cp.getHostString() + ":" + cp.getPort(),
                "--keyspace", keyspace.name(), "--consistency", "ONE", "--config",
                schema.toString());
        Files.delete(schema);
        System.out.println("theseus schema stats (exit " + exit + "):\n" + stats);
        Files.writeString(
            Path.of("target", "loadtest-figures.txt"),
            line + "\n",
            StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
    } finally {
      server.close();
    }
  }

  /** Runs {@code theseus loadtest args...}; returns the exit code and captured stdout. */
  static Object[] loadtest(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.commandLine().execute(args);
      return new Object[] {exit, buf.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(old);
      System.out.print(buf.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void loadtest_realTheseus_everyAcknowledgedSampleVerified(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("report.json");
    Path html = dir.resolve("report.html");
    Object[] r =
        loadtest("loadtest", "--url", base + "/api/v1/push", "--series", "200", "--labels", "6",
            "--rate", "2000", "--duration", "8s", "--connections", "2", "--batch", "200",
            "--qps", "2", "--verify", "--verify-via", "query,read", "--verify-during", "1s",
            "--json", json.toString(),
            "--html", html.toString(), "--fail-if", "loss>0", "--fail-if", "mismatches>0",
            "--progress", "never");
    String out = (String) r[1];
    assertThat((int) r[0]).as(out).isZero();
    assertThat(out).contains("verify target via query: OK").contains("verify target via read: OK");
    JsonNode e = new ObjectMapper().readTree(json.toFile()).get("endpoints").get(0);
    long required = e.at("/verification/required").asLong();
    assertThat(required).as("acknowledged samples").isGreaterThan(5_000);
    assertThat(e.at("/verification/ok").asBoolean()).isTrue();
    assertThat(e.at("/verification/missing").asLong()).isZero();
    assertThat(e.at("/verification/found_required").asLong()).isEqualTo(required);
    assertThat(e.at("/verification_via_read/found_required").asLong()).isEqualTo(required);
    assertThat(e.at("/queries/range/count").asLong()).isPositive();
    // checked while writing too: several windows, every acknowledged sample of them found
    assertThat(e.at("/verification_during/checks").asLong()).isGreaterThanOrEqualTo(2);
    long during = e.at("/verification_during/required").asLong();
    assertThat(during).isPositive().isLessThanOrEqualTo(required);
    assertThat(e.at("/verification_during/found_required").asLong()).isEqualTo(during);
    assertThat(e.at("/verification_during/ok").asBoolean()).isTrue();
    long perCheck = 0;
    for (JsonNode row : e.at("/verification_during/per_check")) {
      assertThat(row.get("missing").asLong()).isZero();
      perCheck += row.get("required").asLong();
    }
    assertThat(perCheck).isEqualTo(during);
    assertThat(out).contains("verify target via during-run checks");
    written.addAndGet(required);
    assertThat(Files.readString(html)).contains("<svg").contains("Accepted samples/s");
  }

  @Test
  void flushedAndDroppedFromHead_verifiesExactlyFromCassandra() throws Exception {
    // Backfilled 30 days back so its time range is disjoint from the CLI test's samples (the same
    // family names).
    Workload.Builder b = new Workload.Builder();
    b.seed = 21;
    b.series = 200;
    b.labels = 5;
    b.familySize = 50;
    b.mix = new int[] {40, 40, 10, 10};
    b.intervalMs = 15_000;
    b.batchSize = 200;
    b.connections = 2;
    b.rate = 4_000;
    b.durationMs = 3_000;
    b.backfillMs = 30L * 86_400_000;
    b.verify = true;
    Target t = new Target("theseus", base + "/api/v1/push", base, null, null, Map.of(), 0);
    b.targets.add(t);
    Workload w = b.build();
    var client = Sender.client(2);
    TargetRun run =
        new TargetRun(
            w, t, Sender.http(client, t), TargetRun.t0(w, w.rate(), System.currentTimeMillis()),
            false);
    run.runFor(w.durationMs(), true);
    long acked = run.stats.ackedSamples.sum();
    assertThat(acked).isPositive();
    written.addAndGet(acked);

    var ingester = server.ingest().ingester();
    // first pass flushes every chunk, the second drops the flushed chunks from the head
    assertThat(ingester.flushAll(60_000)).isTrue();
    assertThat(ingester.flushAll(60_000)).isTrue();
    assertThat(metric(client, "theseus_ingest_active_series{tenant=\"fake\"}"))
        .as("series left in the head")
        .isZero();

    for (ReadBack rb : List.of(new RemoteReadBack(client, t), new QueryApiReadBack(client, t))) {
      Verifier.Result v = new Verifier(run).verify(rb);
      assertThat(v.errors).as(rb.describe()).isEmpty();
      assertThat(v.required).isEqualTo(acked);
      assertThat(v.foundRequired).as(rb.describe()).isEqualTo(acked);
      assertThat(v.missing).isZero();
      assertThat(v.altered).isZero();
      assertThat(v.duplicated).isZero();
      assertThat(v.unexpected).isZero();
      assertThat(v.ok()).isTrue();
    }
  }

  @Test
  void loadtest_receiverDiscardsSamples_exit1NamingMissing(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicLong writes = new AtomicLong();
    try {
      HttpServer stub =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.body()
                          .onSuccess(
                              body -> {
                                if (req.path().equals("/api/v1/push")) {
                                  writes.incrementAndGet();
                                  req.response().setStatusCode(204).end();
                                } else if (req.path().equals("/api/v1/query")) {
                                  req.response()
                                      .putHeader("Content-Type", "application/json")
                                      .end(
                                          "{\"status\":\"success\",\"data\":{\"resultType\":"
                                              + "\"matrix\",\"result\":[]}}");
                                } else {
                                  req.response().setStatusCode(404).end();
                                }
                              }))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      Path json = dir.resolve("report.json");
      Object[] r =
          loadtest("loadtest", "--url", "http://127.0.0.1:" + stub.actualPort() + "/api/v1/push",
              "--series", "200", "--rate", "2000", "--duration", "2s", "--connections", "2",
              "--batch", "200", "--verify", "--verify-during", "500ms", "--json", json.toString(),
              "--fail-if", "loss>0",
              "--progress", "never");
      String out = (String) r[1];
      assertThat((int) r[0]).as(out).isEqualTo(1);
      assertThat(writes.get()).isPositive();
      assertThat(out).contains("verify target via query: FAILED").contains("missing");
      JsonNode e = new ObjectMapper().readTree(json.toFile()).get("endpoints").get(0);
      long required = e.at("/verification/required").asLong();
      assertThat(required).isPositive();
      assertThat(e.at("/verification/missing").asLong()).isEqualTo(required);
      assertThat(e.at("/verification/first_mismatches/0/kind").asText()).contains("missing");
      // found while the write phase was still running (the checker stops when it ends)
      assertThat(e.at("/verification_during/checks").asLong()).isPositive();
      assertThat(e.at("/verification_during/missing").asLong()).isPositive();
      assertThat(e.at("/verification_during/ok").asBoolean()).isFalse();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** The value of one exposition line of the server's /metrics. */
  static double metric(java.net.http.HttpClient client, String series) throws Exception {
    String text =
        client
            .send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + series + " in /metrics");
  }

  /**
   * The query benchmark phase against the real Theseus: a 2h ordered backfill up to now, then two
   * dashboard range queries run closed loop, then POST /flush and again from Cassandra (retain
   * period 0 here). Both phases must answer every run with the same shape of data.
   */
  @Test
  void queryBench_realTheseus_headThenFlushedToCassandra(@TempDir Path dir) throws Exception {
    Path wl = dir.resolve("qb.yaml");
    Files.writeString(
        wl,
        String.join(
            "\n",
            "seed: 77",
            "series: 60",
            "labels: 7",
            "family_size: 10",
            "mix: {counter: 50, histogram: 50}",
            "interval: 60s",
            "backfill: 2h",
            "stop_at_now: true",
            "batch_size: 300",
            "connections: 1",
            "rate: 20000",
            "duration: 60s",
            "queries:",
            "  repeats: 3",
            "  flush: true",
            "  flush_wait: 300ms",
            "  exprs:",
            "    - {name: rate_1h, expr: 'sum by (l01) (rate($counter[5m]))', range: 1h, step: 60s}",
            "    - {name: hq_1h, expr: 'histogram_quantile(0.9, sum by (le) (rate($histogram[5m])))',"
                + " range: 1h, step: 60s}",
            "targets:",
            "  - {name: theseus, url: " + base + "/api/v1/push, query_url: " + base + "}",
            ""));
    Path json = dir.resolve("qb.json");
    Object[] r =
        loadtest("loadtest", "-f", wl.toString(), "--json", json.toString(), "--progress", "never");
    String out = (String) r[1];
    assertThat((int) r[0]).as(out).isZero();
    assertThat(out).contains("query_range latency (3 runs each").contains("rate_1h").contains("hq_1h");
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    JsonNode rows = root.at("/query_bench/results");
    assertThat(rows.size()).isEqualTo(4);
    Map<String, JsonNode> by = new java.util.HashMap<>();
    for (JsonNode row : rows) {
      by.put(row.get("query").asText() + "/" + row.get("phase").asText(), row);
      assertThat(row.get("count").asLong()).as(row.toString()).isEqualTo(3);
      assertThat(row.get("errors").asLong()).as(row.toString()).isZero();
      assertThat(row.get("series").asInt()).as(row.toString()).isPositive();
    }
    for (String q : List.of("rate_1h", "hq_1h")) {
      JsonNode live = by.get(q + "/live");
      JsonNode flushed = by.get(q + "/flushed");
      assertThat(flushed.get("series").asInt()).isEqualTo(live.get("series").asInt());
      assertThat(flushed.get("points").asLong()).isEqualTo(live.get("points").asLong());
      assertThat(live.get("points").asLong()).isGreaterThan(live.get("series").asLong() * 30);
    }
    assertThat(root.at("/endpoints/0/errors").asDouble()).isZero();
    written.addAndGet((long) root.at("/endpoints/0/acked").asDouble());
  }
}
