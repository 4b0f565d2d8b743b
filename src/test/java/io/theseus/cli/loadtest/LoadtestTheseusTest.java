package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theseus.cli.Main;
import io.theseus.server.TheseusConfig;
import io.theseus.server.TheseusServer;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
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

  @BeforeAll
  static void startTheseus(CassandraKeyspace ks, @TempDir Path dir) {
    var cp = ks.cassandra().contactPoint();
    TheseusConfig c =
        new TheseusConfig(
            null, null, null, Map.of("ingestion_rate", 1_000_000, "ingestion_burst_size", 2_000_000),
            null);
    c =
        c.withServer(new TheseusConfig.Server("127.0.0.1:0", dir.toString(), false, null, null, null))
            .withCassandra(
                new TheseusConfig.Cassandra(
                    List.of(cp.getHostString() + ":" + cp.getPort()), null, ks.name(), null, "ONE",
                    null, null, null, null, null, null))
            // chunks cut every 5 min of sample time (20 samples at 15 s), flushed when idle 1 s,
            // dropped from the head as soon as they are flushed
            .withIngester(
                new TheseusConfig.Ingester(
                    300_000L, 1_000L, 1_000L, 200L, 0L, null, null, null, null, null));
    server = new TheseusServer(c, null).start();
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
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
            "--qps", "2", "--verify", "--verify-via", "query,read", "--json", json.toString(),
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
        new TargetRun(w, t, Sender.http(client, t), TargetRun.t0(w, w.rate(), System.currentTimeMillis()), false);
    run.runFor(w.durationMs(), true);
    long acked = run.stats.ackedSamples.sum();
    assertThat(acked).isPositive();

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
              "--batch", "200", "--verify", "--json", json.toString(), "--fail-if", "loss>0",
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
}
