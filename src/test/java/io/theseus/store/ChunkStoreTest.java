package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.SchemaConfig;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Write-dedupe, integrity checks and bad input of {@link ChunkStore} on real Cassandra. */
@ExtendWith(CassandraExtension.class)
class ChunkStoreTest {
  static final long DAY = 1_795_132_800_000L; // 2026-11-20T00:00Z
  static final SchemaConfig CFG =
      SchemaConfig.parse(
          """
          configs:
          - from: 2026-11-01
            store: cassandra
            schema: v9
            index: {prefix: idx_, period: 168h}
            chunks: {prefix: chk_, period: 168h}
          """);
  static RowStore rows;
  static TableManager tables;
  static String ks;
  static CassandraExtension.CassandraKeyspace keyspace;

  @BeforeAll
  static void setUp(CassandraExtension.CassandraKeyspace k) {
    keyspace = k;
    ks = k.name();
    rows = RowStore.builder(k.session(), ks).build();
    tables = new TableManager(k.session(), ks, t -> "");
  }

  @AfterAll
  static void tearDown() {
    rows.close();
  }

  static Chunk chunk(String tenant, Labels ls, long from, int n) {
    BigChunk b = new BigChunk();
    for (int i = 0; i < n; i++) {
      b.append(from + i * 15_000L, i);
    }
    return Chunk.build(
        tenant,
        Fingerprint.fast(ls),
        ls,
        Chunk.BIGCHUNK,
        b.encode(),
        from,
        from + (n - 1) * 15_000L);
  }

  static long writetime(IndexEntry e) {
    Row r =
        keyspace
            .session()
            .execute(
                "SELECT writetime(value) FROM "
                    + ks
                    + "."
                    + e.table()
                    + " WHERE hash = ? AND range = ?",
                e.hash(),
                ByteBuffer.wrap(e.range()))
            .one();
    assertThat(r).as("row " + e).isNotNull();
    return r.getLong(0);
  }

  @Test
  void put_secondChunkSameBucket_writesLabelEntriesOnce() {
    ChunkStore store = ChunkStore.builder(rows, tables, CFG).build();
    Labels ls = Labels.of("__name__", "dedupe_m", "job", "api");
    Chunk c1 = chunk("d1", ls, DAY + 3_600_000L, 10);
    Chunk c2 = chunk("d1", ls, DAY + 7_200_000L, 10);
    store.put(c1).toCompletableFuture().join();
    var schema = CFG.periods().get(0).indexSchema();
    IndexEntry label =
        schema.labelEntries("d1", c1.key().from(), c1.key().through(), ls).get(0).entries().get(1);
    assertThat(label.hash()).endsWith(":dedupe_m:job");
    long first = writetime(label);

    store.put(c2).toCompletableFuture().join();
    assertThat(writetime(label))
        .as("label entry not rewritten for the same bucket")
        .isEqualTo(first);
    IndexEntry c2Entry =
        schema
            .seriesChunkEntries("d1", c2.key().from(), c2.key().through(), ls, c2.key().toString())
            .get(0);
    assertThat(
            keyspace
                .session()
                .execute(
                    "SELECT range FROM "
                        + ks
                        + "."
                        + c2Entry.table()
                        + " WHERE hash = ? AND range = ?",
                    c2Entry.hash(),
                    ByteBuffer.wrap(c2Entry.range()))
                .one())
        .as("series->chunk entry of the second chunk")
        .isNotNull();

    // a store with an empty cache (another process) writes the label entries again
    ChunkStore fresh = ChunkStore.builder(rows, tables, CFG).build();
    fresh.put(c2).toCompletableFuture().join();
    assertThat(writetime(label)).isGreaterThan(first);
    assertThat(store.select("d1", DAY, DAY + 86_399_999L, List.of(Matcher.eq("job", "api"))))
        .singleElement()
        .satisfies(s -> assertThat(s.size()).isEqualTo(20));
  }

  @Test
  void query_corruptChunk_failsWithChecksumError() {
    ChunkStore store = ChunkStore.builder(rows, tables, CFG).build();
    Labels ls = Labels.of("__name__", "corrupt_m", "job", "x");
    Chunk c = chunk("c1", ls, DAY, 30);
    store.put(c).toCompletableFuture().join();
    byte[] blob = c.blob();
    blob[blob.length - 1] ^= 1;
    rows.putChunk(CFG.chunkTableFor(DAY), c.key().toString(), blob).toCompletableFuture().join();
    assertThatThrownBy(
            () -> store.select("c1", DAY, DAY + 3_600_000L, List.of(Matcher.eq("job", "x"))))
        .isInstanceOf(ChunkStoreException.class)
        .hasMessageContaining(c.key().toString())
        .hasMessageContaining("checksum");
  }

  @Test
  void query_chunkMissingFromChunkTable_fails() {
    ChunkStore store = ChunkStore.builder(rows, tables, CFG).build();
    Labels ls = Labels.of("__name__", "missing_m", "job", "x");
    Chunk c = chunk("m1", ls, DAY, 30);
    store.put(c).toCompletableFuture().join();
    keyspace
        .session()
        .execute(
            "DELETE FROM " + ks + "." + CFG.chunkTableFor(DAY) + " WHERE hash = ?",
            c.key().toString());
    assertThatThrownBy(
            () -> store.select("m1", DAY, DAY + 3_600_000L, List.of(Matcher.eq("job", "x"))))
        .isInstanceOf(ChunkStoreException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void query_endBeforeStart_isBadQuery() {
    ChunkStore store = ChunkStore.builder(rows, tables, CFG).build();
    assertThatThrownBy(() -> store.select("t", DAY, DAY - 1, List.of(Matcher.eq("job", "x"))))
        .isInstanceOfSatisfying(ChunkStoreException.class, e -> assertThat(e.badQuery()).isTrue())
        .hasMessageContaining(String.valueOf(DAY - 1));
  }

  @Test
  void query_overChunkLimit_isBadQuery() {
    ChunkStore store = ChunkStore.builder(rows, tables, CFG).chunkLimit(2).build();
    Labels ls = Labels.of("__name__", "limit_m", "job", "x");
    for (int i = 0; i < 3; i++) {
      store.put(chunk("l1", ls, DAY + i * 3_600_000L, 5)).toCompletableFuture().join();
    }
    assertThatThrownBy(
            () -> store.select("l1", DAY, DAY + 86_399_999L, List.of(Matcher.eq("job", "x"))))
        .isInstanceOfSatisfying(ChunkStoreException.class, e -> assertThat(e.badQuery()).isTrue())
        .hasMessageContaining("limit: 2 chunks, query needs 3");
    assertThat(store.select("l1", DAY, DAY + 3_000_000L, List.of(Matcher.eq("job", "x"))))
        .singleElement()
        .satisfies(s -> assertThat(s.size()).isEqualTo(5));
  }

  @Test
  void putEncodedBlob_sharedDedupeCache_readsBack() {
    WriteDedupeCache cache = new WriteDedupeCache(100);
    ChunkStore store = new ChunkStore(CFG, rows, tables, cache);
    Labels ls = Labels.of("__name__", "blob_m", "job", "y");
    Chunk c = chunk("b1", ls, DAY + 5_000L, 12);
    store
        .put("b1", c.key().toString(), c.blob(), c.key().from(), c.key().through(), ls)
        .toCompletableFuture()
        .join();
    assertThat(cache.size()).as("label and metric-name buckets remembered").isEqualTo(2);
    List<StoredSeries> got =
        store.select("b1", DAY, DAY + 3_600_000L, List.of(Matcher.eq("job", "y")));
    assertThat(got)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.labels()).isEqualTo(ls);
              assertThat(s.timestamps()).startsWith(DAY + 5_000L).hasSize(12);
            });
  }

  @Test
  void query_rangeWithoutTables_isEmpty() {
    ChunkStore store = ChunkStore.builder(rows, tables, CFG).build();
    assertThat(
            store.select(
                "t",
                DAY + 30 * 86_400_000L,
                DAY + 31 * 86_400_000L,
                List.of(Matcher.eq("job", "x"))))
        .isEmpty();
  }

  @Test
  void put_chunkBeforeFirstPeriod_isRejected() {
    ChunkStore store = ChunkStore.builder(rows, tables, CFG).build();
    Chunk c = chunk("t", Labels.of("__name__", "old", "job", "x"), 1_000_000_000_000L, 3);
    assertThatThrownBy(() -> store.put(c).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(ChunkStoreException.class, e -> assertThat(e.badQuery()).isTrue())
        .hasMessageContaining("before the first schema period");
  }
}
