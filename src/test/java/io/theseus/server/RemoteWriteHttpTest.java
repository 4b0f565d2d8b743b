package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlift.compress.snappy.SnappyCompressor;
import io.theseus.ingest.Ingester;
import io.theseus.model.Matcher;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.proto.v2.WriteV2;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote-write status-code matrix (remote-write.md §1.6/§2.1, cortex-chunks.md §6) over real
 * HTTP against a real server on the test Cassandra node.
 */
@ExtendWith(CassandraExtension.class)
class RemoteWriteHttpTest {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static TheseusServer server;
  static long now;

  static TheseusConfig config(Path dir, CassandraKeyspace ks, Boolean auth, String tenantsFile,
      Long maxBody, Map<String, Object> limits, Long maxHeadBytes) {
    var c = ks.cassandra().contactPoint();
    return new TheseusConfig(
        new TheseusConfig.Server("127.0.0.1:0", dir.toString(), auth, tenantsFile, maxBody, null),
        new TheseusConfig.Cassandra(List.of(c.getHostString() + ":" + c.getPort()), null, ks.name(),
            null, "ONE", null, null, null, null, null, null),
        new TheseusConfig.Ingester(null, null, null, null, null, null, null, maxHeadBytes, null, null),
        limits, null);
  }

  @BeforeAll
  static void start(CassandraKeyspace ks, @TempDir Path dir) {
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put(
        "overrides",
        Map.of(
            "small", Map.of("max_label_names_per_series", 3, "max_label_value_length", 8,
                "reject_old_samples", true, "reject_old_samples_max_age", "1h"),
            "slow", Map.of("ingestion_rate", 1, "ingestion_burst_size", 10),
            "few", Map.of("max_series_per_user", 2, "max_series_per_metric", 1),
            "ha", Map.of("accept_ha_samples", true)));
    server = new TheseusServer(config(dir, ks, true, null, 64L * 1024, limits, null), null).start();
    now = System.currentTimeMillis();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Types.TimeSeries ts(long t, double v, String... labels) {
    Types.TimeSeries.Builder b = Types.TimeSeries.newBuilder();
    for (int i = 0; i < labels.length; i += 2) {
      b.addLabels(Types.Label.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
    }
    return b.addSamples(Types.Sample.newBuilder().setTimestamp(t).setValue(v)).build();
  }

  static byte[] snappy(byte[] raw) {
    SnappyCompressor c = new SnappyCompressor();
    byte[] out = new byte[c.maxCompressedLength(raw.length)];
    return Arrays.copyOf(out, c.compress(raw, 0, raw.length, out, 0, out.length));
  }

  static byte[] v1(Types.TimeSeries... series) {
    return snappy(Remote.WriteRequest.newBuilder().addAllTimeseries(List.of(series)).build().toByteArray());
  }

  static HttpResponse<String> post(TheseusServer s, String path, byte[] body, String... headers)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    boolean ct = false;
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
      ct |= headers[i].equals("Content-Type");
    }
    if (!ct) {
      r.header("Content-Type", "application/x-protobuf");
      r.header("Content-Encoding", "snappy");
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  static int status(String tenant, Types.TimeSeries... series) throws Exception {
    return post(server, "/api/v1/push", v1(series), "X-Scope-OrgID", tenant).statusCode();
  }

  @Test
  void push_valid_200CortexPaths_204PrometheusPath() throws Exception {
    assertThat(status("ok1", ts(now, 1, "__name__", "up", "job", "a"))).isEqualTo(200);
    assertThat(post(server, "/api/prom/push", v1(ts(now + 1, 1, "__name__", "up", "job", "a")),
        "X-Scope-OrgID", "ok1").statusCode()).isEqualTo(200);
    HttpResponse<String> w = post(server, "/api/v1/write",
        v1(ts(now + 2, 1, "__name__", "up", "job", "a")), "X-Scope-OrgID", "ok1");
    assertThat(w.statusCode()).isEqualTo(204);
    assertThat(w.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).isEmpty();
    Ingester ing = server.ingest().ingester();
    var got = ing.select("ok1", List.of(Matcher.eq("job", "a")), 0, Long.MAX_VALUE);
    assertThat(got).singleElement().satisfies(s ->
        assertThat(s.timestamps()).containsExactly(now, now + 1, now + 2));
  }

  @Test
  void push_negotiationAndTransportErrors() throws Exception {
    byte[] ok = v1(ts(now, 1, "__name__", "up"));
    HttpResponse<String> get =
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/push"))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(post(server, "/api/v1/push", ok, "X-Scope-OrgID", "t", "Content-Type",
        "application/json").statusCode()).isEqualTo(415);
    assertThat(post(server, "/api/v1/push", ok, "X-Scope-OrgID", "t", "Content-Type",
        "application/x-protobuf;proto=foo.Bar").statusCode()).isEqualTo(415);
    assertThat(post(server, "/api/v1/push", ok, "X-Scope-OrgID", "t", "Content-Type",
        "application/x-protobuf", "Content-Encoding", "gzip").statusCode()).isEqualTo(415);
    assertThat(post(server, "/api/v1/push", ok).statusCode()).isEqualTo(401);
    assertThat(post(server, "/api/v1/push", ok, "X-Scope-OrgID", "a/b").statusCode()).isEqualTo(400);
    assertThat(post(server, "/api/v1/push", new byte[70 * 1024], "X-Scope-OrgID", "t").statusCode())
        .isEqualTo(413);
    HttpResponse<String> corrupt =
        post(server, "/api/v1/push", new byte[] {10, (byte) 0xff, 1}, "X-Scope-OrgID", "t");
    assertThat(corrupt.statusCode()).isEqualTo(400);
    assertThat(corrupt.body()).contains("snappy");
    HttpResponse<String> badProto =
        post(server, "/api/v1/push", snappy(new byte[] {0x0a, 0x7f, 1}), "X-Scope-OrgID", "t");
    assertThat(badProto.statusCode()).isEqualTo(400);
    assertThat(badProto.body()).contains("protobuf");
  }

  @Test
  void push_validationMatrix_400WithCortexMessages() throws Exception {
    assertThat(status("v", ts(now, 1, "job", "x"))).isEqualTo(400);
    assertThat(status("v", ts(now, 1, "__name__", "1bad"))).isEqualTo(400);
    assertThat(status("v", ts(now, 1, "__name__", "m", "bad-label", "x"))).isEqualTo(400);
    assertThat(status("v", ts(now, 1, "__name__", "m", "a", "x", "a", "y"))).isEqualTo(400);
    assertThat(status("v", ts(now + 11 * 60_000, 1, "__name__", "m"))).isEqualTo(400);
    assertThat(status("v", ts(now - 30 * 86_400_000L, 1, "__name__", "m_old_ok"))).isEqualTo(200);
    assertThat(status("small", ts(now - 2 * 3_600_000L, 1, "__name__", "m"))).isEqualTo(400);
    assertThat(status("small", ts(now, 1, "__name__", "m", "a", "1", "b", "2", "c", "3")))
        .isEqualTo(400);
    assertThat(status("small", ts(now, 1, "__name__", "m", "a", "123456789"))).isEqualTo(400);
    assertThat(status("small", ts(now, 1, "__name__", "m", "a", "12345678"))).isEqualTo(200);
    HttpResponse<String> missing =
        post(server, "/api/v1/push", v1(ts(now, 1, "job", "x")), "X-Scope-OrgID", "v");
    assertThat(missing.body()).contains("sample missing metric name");
  }

  @Test
  void push_partialAcceptance_validSeriesStored_400FirstError() throws Exception {
    HttpResponse<String> r = post(server, "/api/v1/push",
        v1(ts(now, 1, "__name__", "good", "i", "1"), ts(now, 1, "__name__", "bad name"),
            ts(now, 2, "__name__", "good", "i", "2"), ts(now, 1, "job", "nameless")),
        "X-Scope-OrgID", "partial");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("invalid metric name").doesNotContain("missing metric name");
    var got = server.ingest().ingester()
        .select("partial", List.of(Matcher.eq("__name__", "good")), 0, Long.MAX_VALUE);
    assertThat(got).hasSize(2);
  }

  @Test
  void push_orderingDuplicatesRateAndSeriesLimits() throws Exception {
    assertThat(status("o", ts(now, 1, "__name__", "m"))).isEqualTo(200);
    assertThat(status("o", ts(now, 1, "__name__", "m"))).isEqualTo(200);
    HttpResponse<String> nv =
        post(server, "/api/v1/push", v1(ts(now, 2, "__name__", "m")), "X-Scope-OrgID", "o");
    assertThat(nv.statusCode()).isEqualTo(400);
    assertThat(nv.body()).contains("repeated timestamp but different value");
    assertThat(status("o", ts(now - 1, 1, "__name__", "m"))).isEqualTo(400);

    Types.TimeSeries[] many = new Types.TimeSeries[11];
    for (int i = 0; i < many.length; i++) {
      many[i] = ts(now, i, "__name__", "r", "i", Integer.toString(i));
    }
    HttpResponse<String> limited = post(server, "/api/v1/push", v1(many), "X-Scope-OrgID", "slow");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.body()).contains("ingestion rate limit (1) exceeded while adding 11 samples");

    assertThat(status("few", ts(now, 1, "__name__", "a"))).isEqualTo(200);
    assertThat(status("few", ts(now, 1, "__name__", "a", "x", "y"))).isEqualTo(400);
    assertThat(status("few", ts(now, 1, "__name__", "b"))).isEqualTo(200);
    HttpResponse<String> user =
        post(server, "/api/v1/push", v1(ts(now, 1, "__name__", "c")), "X-Scope-OrgID", "few");
    assertThat(user.statusCode()).isEqualTo(400);
    assertThat(user.body()).contains("per-user series limit of 2");
  }

  @Test
  void push_nativeHistogram_400NamingSeries_exemplarsAccepted() throws Exception {
    Types.TimeSeries h = Types.TimeSeries.newBuilder()
        .addLabels(Types.Label.newBuilder().setName("__name__").setValue("hist"))
        .addHistograms(Types.Histogram.newBuilder().setTimestamp(now).setCountInt(1)).build();
    HttpResponse<String> r = post(server, "/api/v1/push", v1(h), "X-Scope-OrgID", "h");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("hist{}").contains("native histogram");
    Types.TimeSeries ex = ts(now, 1, "__name__", "withex").toBuilder()
        .addExemplars(Types.Exemplar.newBuilder().setTimestamp(now).setValue(1)).build();
    assertThat(status("h", ex)).isEqualTo(200);
  }

  @Test
  void push_v2_204WithWrittenHeaders_andMetadata() throws Exception {
    byte[] body = snappy(WriteV2.Request.newBuilder()
        .addAllSymbols(List.of("", "__name__", "reqs", "job", "api", "Requests.", "1"))
        .addTimeseries(WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2, 3, 4))
            .addSamples(WriteV2.Sample.newBuilder().setTimestamp(now).setValue(1))
            .addSamples(WriteV2.Sample.newBuilder().setTimestamp(now + 1).setValue(2))
            .addExemplars(WriteV2.Exemplar.newBuilder().setTimestamp(now).setValue(1))
            .setMetadata(WriteV2.Metadata.newBuilder()
                .setType(WriteV2.Metadata.MetricType.METRIC_TYPE_COUNTER).setHelpRef(5)))
        .build().toByteArray());
    HttpResponse<String> r = post(server, "/api/v1/write", body, "X-Scope-OrgID", "v2",
        "Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request",
        "Content-Encoding", "snappy");
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("2");
    assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Exemplars-Written")).hasValue("1");
    assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Histograms-Written")).hasValue("0");
    assertThat(server.ingest().ingester().metadata("v2").get("reqs").type()).isEqualTo("counter");
    HttpResponse<String> bad = post(server, "/api/v1/write",
        snappy(WriteV2.Request.newBuilder().addSymbols("x").build().toByteArray()),
        "X-Scope-OrgID", "v2", "Content-Type",
        "application/x-protobuf;proto=io.prometheus.write.v2.Request");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("0");
  }

  @Test
  void push_haPair_electedAccepted_otherReplica202_replicaLabelRemoved() throws Exception {
    assertThat(status("ha", ts(now, 1, "__name__", "m", "cluster", "c", "__replica__", "a")))
        .isEqualTo(200);
    HttpResponse<String> other = post(server, "/api/v1/push",
        v1(ts(now, 2, "__name__", "m", "cluster", "c", "__replica__", "b")), "X-Scope-OrgID", "ha");
    assertThat(other.statusCode()).isEqualTo(202);
    assertThat(other.body()).contains("replica=b, elected=a");
    assertThat(status("ha", ts(now + 1, 1, "__name__", "m", "cluster", "c", "__replica__", "a")))
        .isEqualTo(200);
    var got = server.ingest().ingester()
        .select("ha", List.of(Matcher.eq("__name__", "m")), 0, Long.MAX_VALUE);
    assertThat(got).singleElement().satisfies(s -> {
      assertThat(s.labels().has("__replica__")).isFalse();
      assertThat(s.labels().get("cluster")).isEqualTo("c");
      assertThat(s.timestamps()).containsExactly(now, now + 1);
    });
    // Tenants without accept_ha_samples keep the label and are not deduplicated.
    assertThat(status("noha", ts(now, 1, "__name__", "m", "cluster", "c", "__replica__", "b")))
        .isEqualTo(200);
  }

  @Test
  void metrics_exposeIngestCounters() throws Exception {
    status("metrics", ts(now, 1, "__name__", "m"));
    status("metrics", ts(now, 1, "job", "nameless"));
    String m = ServeEmbeddedTest.get(server.port(), "/metrics").body();
    assertThat(m).contains("theseus_ingest_samples_accepted_total{tenant=\"metrics\"} 1.0")
        .contains("theseus_ingest_samples_rejected_total{reason=\"missing_metric_name\",tenant=\"metrics\"} 1.0")
        .contains("theseus_wal_fsync_duration_seconds")
        .contains("theseus_ingest_request_duration_seconds");
  }

  static double metric(String name) throws Exception {
    for (String line : ServeEmbeddedTest.get(server.port(), "/metrics").body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1));
      }
    }
    throw new AssertionError("no " + name + " on /metrics");
  }

  @Test
  void metrics_chunkCacheCountsRepeatedStoreQueries(CassandraKeyspace ks) throws Exception {
    // a chunk that only Cassandra holds (written by another store on the same keyspace)
    io.theseus.store.RowStore rows = io.theseus.store.RowStore.builder(ks.session(), ks.name()).build();
    try {
      io.theseus.store.ChunkStore other =
          io.theseus.store.ChunkStore.builder(
                  rows,
                  new io.theseus.store.TableManager(ks.session(), ks.name(), t -> ""),
                  io.theseus.schema.SchemaConfig.builtIn())
              .build();
      io.theseus.model.Labels ls = io.theseus.model.Labels.of("__name__", "cache_probe_m");
      long from = now - 7_200_000L;
      io.theseus.chunk.BigChunk b = new io.theseus.chunk.BigChunk();
      for (int i = 0; i < 10; i++) {
        b.append(from + i * 15_000L, i);
      }
      other
          .put(
              io.theseus.chunk.Chunk.build(
                  "cachem",
                  io.theseus.chunk.Fingerprint.fast(ls),
                  ls,
                  io.theseus.chunk.Chunk.BIGCHUNK,
                  b.encode(),
                  from,
                  from + 9 * 15_000L))
          .toCompletableFuture()
          .join();
    } finally {
      rows.close();
    }
    String q =
        "/api/v1/query_range?query=cache_probe_m&start="
            + (now - 7_300_000L) / 1000
            + "&end="
            + (now - 7_000_000L) / 1000
            + "&step=15";
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + q))
            .timeout(Duration.ofSeconds(20))
            .header("X-Scope-OrgID", "cachem")
            .GET()
            .build();
    HttpResponse<String> first = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.body()).contains("cache_probe_m");
    double hits = metric("theseus_chunk_cache_hits");
    double misses = metric("theseus_chunk_cache_misses");
    HttpResponse<String> second = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(metric("theseus_chunk_cache_hits")).isGreaterThanOrEqualTo(hits + 1);
    assertThat(metric("theseus_chunk_cache_misses")).isEqualTo(misses);
  }

  @Test
  void tokens_and_authDisabled_and_backpressure(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    Path tokens = dir.resolve("tenants.yaml");
    Files.writeString(tokens, "s3cret: team-a\n");
    try (TheseusServer s = new TheseusServer(
        config(dir.resolve("a"), ks, true, tokens.toString(), null, null, null), null).start()) {
      byte[] b = v1(ts(now, 1, "__name__", "m"));
      assertThat(post(s, "/api/v1/push", b).statusCode()).isEqualTo(401);
      assertThat(post(s, "/api/v1/push", b, "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
      assertThat(post(s, "/api/v1/push", b, "Authorization", "Bearer s3cret", "X-Scope-OrgID",
          "team-b").statusCode()).isEqualTo(403);
      assertThat(s.ingest().ingester().activeSeries("team-a")).isEqualTo(1);
    }
    try (TheseusServer s = new TheseusServer(
        config(dir.resolve("b"), ks, false, null, null, null, 1L), null).start()) {
      assertThat(post(s, "/api/v1/push", v1(ts(now, 1, "__name__", "m")), "X-Scope-OrgID", "x")
          .statusCode()).isEqualTo(200);
      assertThat(s.ingest().ingester().activeSeries("fake")).isEqualTo(1);
      HttpResponse<String> full = post(s, "/api/v1/push", v1(ts(now + 1, 1, "__name__", "m")));
      assertThat(full.statusCode()).isEqualTo(503);
      assertThat(full.headers().firstValue("Retry-After")).isPresent();
      assertThat(full.body()).contains("head memory");
    }
  }
}
