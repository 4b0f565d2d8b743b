package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.query.StoreQueryable;
import io.theseus.schema.SchemaConfig;
import io.theseus.server.ApiTestServer.W;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import io.theseus.store.ChunkStore;
import io.theseus.store.RowStore;
import io.theseus.store.TableManager;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's merged view over this instance's head and Cassandra: a series whose older samples are
 * only in stored chunks and whose newer samples are only in the head, with an overlap held by both,
 * reads back as one series with every timestamp exactly once.
 */
@ExtendWith(CassandraExtension.class)
class QueryApiStoreTest {
  @Test
  void query_headPlusCassandra_mergedAndDeduplicated(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    long t0 = (System.currentTimeMillis() / 60_000) * 60_000 - 20 * 60_000;
    Labels ls = Labels.of("__name__", "merged_total", "job", "m");
    BigChunk stored = new BigChunk();
    for (int k = 0; k <= 40; k++) { // t0 .. t0+10m in Cassandra
      stored.append(t0 + k * 15_000L, k);
    }
    long[] ts = new long[41];
    double[] vs = new double[41];
    for (int k = 20; k <= 60; k++) { // t0+5m .. t0+15m in the head (overlap t0+5m .. t0+10m)
      ts[k - 20] = t0 + k * 15_000L;
      vs[k - 20] = k;
    }
    RowStore rows = RowStore.builder(ks.session(), ks.name()).build();
    try (ApiTestServer srv = new ApiTestServer(ks, dir, null, null)) {
      SchemaConfig cfg =
          SchemaConfig.parse(
              """
              configs:
              - from: 2026-01-01
                store: cassandra
                schema: v11
                index: {prefix: qidx_, period: 168h}
                chunks: {prefix: qchk_, period: 168h}
              """);
      ChunkStore store =
          ChunkStore.builder(rows, new TableManager(ks.session(), ks.name(), t -> ""), cfg).build();
      store
          .put(
              Chunk.build(
                  "fake",
                  Fingerprint.fast(ls),
                  ls,
                  Chunk.BIGCHUNK,
                  stored.encode(),
                  stored.firstTimestamp(),
                  stored.lastTimestamp()))
          .toCompletableFuture()
          .join();
      srv.push(
          ApiTestServer.writeRequest(List.of(W.of(ts, vs, "__name__", "merged_total", "job", "m"))),
          null);
      String q =
          "/api/v1/query?query="
              + URLEncoder.encode("count_over_time(merged_total[20m])", StandardCharsets.UTF_8)
              + "&time="
              + (t0 + 15 * 60_000) / 1000;
      // head alone: 41 samples
      assertThat(srv.get(q, null).body()).contains(",\"41\"]");
      srv.server.queryApi().setStore(t -> new StoreQueryable(store, t));
      // head + Cassandra: t0 .. t0+15m every 15 s = 61 distinct samples (not 82)
      assertThat(srv.get(q, null).body()).contains(",\"61\"]");
      String sum =
          "/api/v1/query?query="
              + URLEncoder.encode("sum_over_time(merged_total[20m])", StandardCharsets.UTF_8)
              + "&time="
              + (t0 + 15 * 60_000) / 1000;
      assertThat(srv.get(sum, null).body()).contains(",\"1830\"]"); // 0 + 1 + ... + 60
    } finally {
      rows.close();
    }
  }
}
