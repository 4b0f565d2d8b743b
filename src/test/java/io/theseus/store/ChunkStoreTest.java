package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import io.theseus.model.Labels;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.SchemaConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraExtension.class)
class ChunkStoreTest {
  private static final SchemaConfig CONFIG =
      SchemaConfig.parse(
          """
          configs:
            - from: 2021-01-01
              store: cassandra
              schema: v6
              index: {prefix: i6_, period: 168h}
              chunks: {prefix: c_, period: 168h}
            - from: 2021-01-08
              store: cassandra
              schema: v11
              row_shards: 4
              index: {prefix: i11_, period: 168h}
              chunks: {prefix: c_, period: 168h}
          """);
  private static final Labels SERIES = Labels.of("__name__", "up", "job", "api", "instance", "a:1");

  private static long ms(String t) {
    return Instant.parse(t).toEpochMilli();
  }

  @Test
  void put_acrossAPeriodChange_writesChunkThenEveryPeriodsEntries(
      CassandraExtension.CassandraKeyspace ks) {
    ChunkStore store = store(ks, "", new WriteDedupeCache(1000));
    long from = ms("2021-01-07T20:00:00Z");
    long through = ms("2021-01-08T04:00:00Z");
    String key = "u1/0123456789abcdef:176d9a2e400:176dd3d0c00:cafe0001";
    ChunkStore.PutResult r =
        store.put("u1", key, new byte[] {1, 2, 3}, from, through, SERIES).toCompletableFuture().join();
    assertThat(r.chunkTable()).isEqualTo("c_2662");
    assertThat(readAll(ks, "c_2662")).containsExactly("c_2662|" + key + "|00|010203");

    Set<String> expected = new HashSet<>();
    for (SchemaConfig.PeriodRange p : CONFIG.split(from, through)) {
      p.period().indexSchema().chunkEntries("u1", p.from(), p.through(), SERIES, key)
          .forEach(e -> expected.add(str(e)));
    }
    Set<String> got = new HashSet<>();
    for (String t : new TableManager(ks.session(), ks.name(), x -> "").existingTables()) {
      if (t.startsWith("i6_") || t.startsWith("i11_")) {
        got.addAll(readAll(ks, t));
      }
    }
    assertThat(got).isEqualTo(expected);
    assertThat(got).anyMatch(s -> s.startsWith("i6_")).anyMatch(s -> s.startsWith("i11_"));
    assertThat(r.indexEntries()).isEqualTo(expected.size());
  }

  @Test
  void put_secondChunkSameBucket_writesOnlySeriesChunkEntries(
      CassandraExtension.CassandraKeyspace ks) {
    ChunkStore store = store(ks, "", new WriteDedupeCache(1000));
    long from = ms("2021-01-09T01:00:00Z");
    store.put("u2", "u2/1:a:b:1", new byte[] {9}, from, from + 3_600_000, SERIES)
        .toCompletableFuture().join();
    ChunkStore.PutResult second =
        store.put("u2", "u2/1:c:d:2", new byte[] {8}, from + 7_200_000, from + 10_800_000, SERIES)
            .toCompletableFuture().join();
    IndexSchema v11 = CONFIG.periods().get(1).indexSchema();
    assertThat(second.dedupedBuckets()).isEqualTo(1);
    assertThat(second.indexEntries())
        .isEqualTo(
            v11.seriesChunkEntries("u2", from + 7_200_000, from + 10_800_000, SERIES, "u2/1:c:d:2")
                .size());
  }

  @Test
  void put_chunkWriteFails_writesNoIndexEntries(CassandraExtension.CassandraKeyspace ks) {
    // Chunk tables get an invalid option, so the chunk write fails before any index write.
    ChunkStore store = store(ks, "no_such_option = 1", new WriteDedupeCache(10));
    long from = ms("2021-03-01T00:00:00Z");
    assertThatThrownBy(
            () ->
                store.put("u3", "u3/1:a:b:1", new byte[] {1}, from, from + 60_000, SERIES)
                    .toCompletableFuture().join())
        .hasMessageContaining("no_such_option");
    Set<String> tables = new TableManager(ks.session(), ks.name(), x -> "").existingTables();
    for (String t : tables) {
      if (t.startsWith("i11_") || t.startsWith("i6_")) {
        assertThat(readAll(ks, t)).noneMatch(s -> s.contains("u3"));
      }
    }
  }

  @Test
  void fetch_chunksOfSeveralTables_returnsEachAndSkipsMissing(
      CassandraExtension.CassandraKeyspace ks) {
    ChunkStore store = store(ks, "", new WriteDedupeCache(10));
    List<ChunkStore.ChunkRef> refs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long from = ms("2021-01-02T00:00:00Z") + i * 5L * 86_400_000;
      String key = "u4/" + i + ":a:b:c";
      store.put("u4", key, new byte[] {(byte) i}, from, from + 60_000, SERIES)
          .toCompletableFuture().join();
      refs.add(new ChunkStore.ChunkRef(key, from));
    }
    refs.add(new ChunkStore.ChunkRef("u4/missing:a:b:c", ms("2021-01-02T00:00:00Z")));
    Map<String, byte[]> got = store.fetch(refs).toCompletableFuture().join();
    assertThat(got).hasSize(6).doesNotContainKey("u4/missing:a:b:c");
    for (int i = 0; i < 6; i++) {
      assertThat(got.get("u4/" + i + ":a:b:c")).containsExactly((byte) i);
    }
  }

  private static ChunkStore store(
      CassandraExtension.CassandraKeyspace ks, String chunkOptions, WriteDedupeCache cache) {
    RowStore rows = RowStore.builder(ks.session(), ks.name()).build();
    TableManager tm =
        new TableManager(ks.session(), ks.name(), t -> t.startsWith("c_") ? chunkOptions : "");
    return new ChunkStore(CONFIG, rows, tm, cache);
  }

  private static List<String> readAll(CassandraExtension.CassandraKeyspace ks, String table) {
    List<String> out = new ArrayList<>();
    for (Row r : ks.session().execute("SELECT hash, range, value FROM " + ks.name() + "." + table)) {
      byte[] v = RowStore.bytes(r.getByteBuffer(2));
      out.add(str(new IndexEntry(table, r.getString(0), RowStore.bytes(r.getByteBuffer(1)), v)));
    }
    return out;
  }

  private static String str(IndexEntry e) {
    java.util.HexFormat h = java.util.HexFormat.of();
    return e.table() + "|" + e.hash() + "|" + h.formatHex(e.range()) + "|"
        + (e.value() == null ? "null" : h.formatHex(e.value()));
  }
}
