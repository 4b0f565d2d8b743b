package io.theseus.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.query.promql.Engine;
import io.theseus.query.promql.QueryResult;
import io.theseus.schema.SchemaConfig;
import io.theseus.store.CassandraExtension;
import io.theseus.store.ChunkStore;
import io.theseus.store.RowStore;
import io.theseus.store.TableManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The PromQL engine over Cassandra: series written through {@link ChunkStore} (two chunks per
 * series across a schema-period change v9 → v11, plus an overlapping replica chunk for some) are
 * queried through {@link StoreQueryable}; every result must equal the engine's result over the same
 * samples held in a {@link MemoryQueryable}.
 */
@ExtendWith(CassandraExtension.class)
class StoreQueryableTest {
  static final long T0 = 1_794_787_200_000L - 30 * 60_000L; // 2026-11-15T23:30Z
  static final long STEP = 15_000L;
  static final String[] JOBS = {"api", "db", "web"};

  static RowStore rows;
  static ChunkStore store;
  static final MemoryQueryable memory = new MemoryQueryable();

  @BeforeAll
  static void setUp(CassandraExtension.CassandraKeyspace ks) {
    rows = RowStore.builder(ks.session(), ks.name()).build();
    SchemaConfig cfg =
        SchemaConfig.parse(
            """
            configs:
            - from: 2026-11-01
              store: cassandra
              schema: v9
              index: {prefix: idx_, period: 168h}
              chunks: {prefix: chk_, period: 168h}
            - from: 2026-11-16
              store: cassandra
              schema: v11
              index: {prefix: idx_, period: 168h}
              chunks: {prefix: chk_, period: 168h}
            """);
    store =
        ChunkStore.builder(rows, new TableManager(ks.session(), ks.name(), t -> ""), cfg).build();
    List<CompletableFuture<Void>> puts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String name = i % 5 == 4 ? "up" : "http_requests_total";
      Labels ls = Labels.of("__name__", name, "job", JOBS[i % 3], "instance", "h" + i);
      int n = 240; // one hour at 15 s
      double v = 0;
      BigChunk a = new BigChunk();
      BigChunk b = new BigChunk();
      BigChunk replica = new BigChunk();
      for (int k = 0; k < n; k++) {
        long t = T0 + k * STEP + i * 100L;
        v += name.equals("up") ? 0 : (k * 7 + i) % 13;
        double val = name.equals("up") ? 1 : v;
        (k < n / 2 ? a : b).append(t, val);
        if (i % 4 == 0 && k >= n / 3 && k < 2 * n / 3) {
          replica.append(t, val);
        }
        memory.append(ls, t, val);
      }
      for (BigChunk c : List.of(a, b, replica)) {
        if (c.numSamples() > 0) {
          puts.add(
              store
                  .put(
                      Chunk.build(
                          "t1",
                          Fingerprint.fast(ls),
                          ls,
                          Chunk.BIGCHUNK,
                          c.encode(),
                          c.firstTimestamp(),
                          c.lastTimestamp()))
                  .toCompletableFuture());
        }
      }
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture<?>[]::new)).join();
  }

  @AfterAll
  static void tearDown() {
    rows.close();
  }

  static List<String> render(QueryResult r) {
    List<String> out = new ArrayList<>();
    for (Series s : r.series()) {
      StringBuilder b = new StringBuilder(s.labels().toString());
      for (int i = 0; i < s.size(); i++) {
        b.append(' ')
            .append(s.timestamps()[i])
            .append('=')
            .append(Long.toHexString(Double.doubleToRawLongBits(s.values()[i])));
      }
      out.add(b.toString());
    }
    return out;
  }

  @Test
  void rangeQueries_overCassandra_equalInMemory() {
    Engine cassandra = new Engine(new StoreQueryable(store, "t1"));
    Engine mem = new Engine(memory);
    long start = T0 + 10 * 60_000L;
    long end = T0 + 55 * 60_000L;
    for (String q :
        List.of(
            "sum by (job) (rate(http_requests_total[5m]))",
            "http_requests_total{job=~\"api|web\"} - 1",
            "count({job=\"db\"})",
            "max_over_time({__name__=~\"up|http_.*\", instance!~\"h1.*\"}[10m])")) {
      QueryResult got = cassandra.range(q, start, end, 60_000L);
      QueryResult want = mem.range(q, start, end, 60_000L);
      assertThat(got.series()).as(q).isNotEmpty();
      assertThat(render(got)).as(q).containsExactlyElementsOf(render(want));
    }
  }

  @Test
  void instantQuery_acrossPeriodChange_seesBothPeriods() {
    Engine cassandra = new Engine(new StoreQueryable(store, "t1"));
    QueryResult r = cassandra.instant("count_over_time(up[1h])", T0 + 60 * 60_000L);
    assertThat(render(r)).hasSize(6);
    for (Series s : r.series()) {
      assertThat(s.values()[0]).isEqualTo(240.0);
    }
  }

  @Test
  void otherTenant_seesNothing() {
    Engine other = new Engine(new StoreQueryable(store, "t2"));
    assertThat(other.instant("up", T0 + 30 * 60_000L).series()).isEmpty();
  }
}
