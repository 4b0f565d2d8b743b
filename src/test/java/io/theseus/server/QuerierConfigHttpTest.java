package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.server.ApiTestServer.W;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code querier} config section through a real server: limits set in a config file give the
 * documented Prometheus/Cortex errors over HTTP, and the index-result cache (when enabled) serves
 * frozen buckets of data flushed to Cassandra with the same answer as the uncached first read.
 */
@ExtendWith(CassandraExtension.class)
class QuerierConfigHttpTest {
  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void limitsFromConfigFile_giveDocumentedErrors(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("theseus.yaml");
    Files.writeString(
        f,
        "querier:\n  max_fetched_series_per_query: 3\n  max_samples: 50\n"
            + "  max_query_length_ms: 3600000\n");
    try (ApiTestServer s = new ApiTestServer(ks, dir, null, "lim", TheseusConfig.load(f))) {
      long t0 = (System.currentTimeMillis() / 60_000) * 60_000 - 3_600_000;
      List<W> ws = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long[] ts = new long[60];
        double[] vs = new double[60];
        for (int k = 0; k < 60; k++) {
          ts[k] = t0 + k * 15_000L;
          vs[k] = k;
        }
        ws.add(W.of(ts, vs, "__name__", "lim_total", "i", "" + i));
      }
      s.push(ApiTestServer.writeRequest(ws), null);
      long at = (t0 + 59 * 15_000L) / 1000;

      HttpResponse<String> series = s.get("/api/v1/query?query=lim_total&time=" + at, null);
      assertThat(series.statusCode()).isEqualTo(422);
      assertThat(series.body())
          .isEqualTo(
              "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"the query hit the max"
                  + " number of series limit (limit: 3 series)\"}");

      HttpResponse<String> samples =
          s.get("/api/v1/query?query=" + q("rate(lim_total{i=\"1\"}[15m])") + "&time=" + at, null);
      assertThat(samples.statusCode()).isEqualTo(422);
      assertThat(samples.body())
          .contains(
              "query processing would load too many samples into memory in query execution"
                  + " (limit: 50 samples)");

      HttpResponse<String> length =
          s.get(
              "/api/v1/query_range?query=lim_total&start="
                  + (at - 7200)
                  + "&end="
                  + at
                  + "&step=60",
              null);
      assertThat(length.statusCode()).isEqualTo(400);
      assertThat(length.body())
          .contains("the query time range exceeds the limit (query length: 7200000ms, limit: 3600000ms)");

      // Within the limits the same data answers.
      HttpResponse<String> ok =
          s.get("/api/v1/query?query=" + q("lim_total{i=\"2\"}") + "&time=" + at, null);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("\"59\"");
    }
  }

  @Test
  void indexCache_enabled_servesFrozenBucketsFromCassandra(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("theseus.yaml");
    Files.writeString(
        f,
        "querier:\n  index_cache_enabled: true\n  index_cache_max_size_bytes: 1048576\n"
            + "ingester:\n  retain_period_ms: 1\n");
    try (ApiTestServer s = new ApiTestServer(ks, dir, null, "idx", TheseusConfig.load(f))) {
      // Three days back: every index bucket of that day is frozen (older than the max chunk age
      // plus an hour plus one day); reject_old_samples is off by default, so it is accepted.
      long t0 = (System.currentTimeMillis() / 3_600_000) * 3_600_000 - 72 * 3_600_000L;
      List<W> ws = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        long[] ts = new long[40];
        double[] vs = new double[40];
        for (int k = 0; k < 40; k++) {
          ts[k] = t0 + k * 60_000L;
          vs[k] = i * 1000 + k;
        }
        ws.add(W.of(ts, vs, "__name__", "old_metric", "job", "j", "i", "" + i));
      }
      s.push(ApiTestServer.writeRequest(ws), null);
      HttpResponse<String> flushed =
          ApiTestServer.HTTP.send(
              HttpRequest.newBuilder(URI.create(s.base + "/flush"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(flushed.statusCode()).isEqualTo(204);

      String range =
          "/api/v1/query_range?query="
              + q("sum by (i) (old_metric{job=\"j\",i=~\"0|2\"})")
              + "&start="
              + t0 / 1000
              + "&end="
              + (t0 / 1000 + 39 * 60)
              + "&step=600";
      io.theseus.store.IndexCache cache = s.server.indexCache();
      assertThat(cache).isNotNull();
      String first = s.get(range, null).body();
      long missesAfterFirst = cache.misses();
      assertThat(missesAfterFirst).isPositive();
      long hitsBefore = cache.hits();
      String second = s.get(range, null).body();
      assertThat(cache.hits()).isGreaterThan(hitsBefore);
      assertThat(second).isEqualTo(first);
      long s0 = t0 / 1000;
      assertThat(first)
          .isEqualTo(
              "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                  + "{\"metric\":{\"i\":\"0\"},\"values\":[["
                  + s0 + ",\"0\"],[" + (s0 + 600) + ",\"10\"],[" + (s0 + 1200) + ",\"20\"],["
                  + (s0 + 1800) + ",\"30\"]]},"
                  + "{\"metric\":{\"i\":\"2\"},\"values\":[["
                  + s0 + ",\"2000\"],[" + (s0 + 600) + ",\"2010\"],[" + (s0 + 1200) + ",\"2020\"],["
                  + (s0 + 1800) + ",\"2030\"]]}]}}");
    }
  }
}
