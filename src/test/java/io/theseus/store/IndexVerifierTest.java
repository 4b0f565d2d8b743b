package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.SchemaConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraExtension.class)
class IndexVerifierTest {
  private static final SchemaConfig CONFIG =
      SchemaConfig.parse(
          """
          configs:
            - from: 2024-01-01
              store: cassandra
              schema: v11
              row_shards: 4
              index: {prefix: index_, period: 168h}
              chunks: {prefix: chunk_, period: 168h}
          """);

  @Test
  void run_missingAndOrphanChunks_areReportedWithTheirKeys(CassandraExtension.CassandraKeyspace ks) {
    RowStore rows = RowStore.builder(ks.session(), ks.name()).build();
    TableManager tm = new TableManager(ks.session(), ks.name(), t -> "");
    long from = Instant.parse("2024-01-02T10:00:00Z").toEpochMilli();
    IndexSchema v11 = CONFIG.periods().get(0).indexSchema();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Labels l = Labels.of("__name__", "up", "job", "j" + i);
      String key = "u1/" + Long.toHexString(1000 + i) + ":" + Long.toHexString(from) + ":"
          + Long.toHexString(from + 60_000) + ":" + Integer.toHexString(i);
      keys.add(key);
      List<IndexEntry> entries = v11.chunkEntries("u1", from, from + 60_000, l, key);
      entries.forEach(e -> tm.ensure(e.table()).toCompletableFuture().join());
      rows.write(entries).toCompletableFuture().join();
      tm.ensure("chunk_2817").toCompletableFuture().join();
      rows.putChunk("chunk_2817", key, new byte[] {1, 2}).toCompletableFuture().join();
    }
    IndexVerifier v = new IndexVerifier(ks.session(), rows, CONFIG);
    IndexVerifier.Report clean = v.run(Set.of("index_2817"), Set.of("chunk_2817"), 10_000);
    assertThat(clean.ok()).as(clean.problems().toString()).isTrue();
    assertThat(clean.distinctChunks()).isEqualTo(3);
    assertThat(clean.unparsable()).isZero();

    ks.session().execute("DELETE FROM " + ks.name() + ".chunk_2817 WHERE hash = ?", keys.get(1));
    rows.putChunk("chunk_2817", "u1/ff:0:0:0", new byte[] {9}).toCompletableFuture().join();
    IndexVerifier.Report bad = v.run(Set.of("index_2817"), Set.of("chunk_2817"), 10_000);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.missingChunks()).isEqualTo(1);
    assertThat(bad.orphanChunks()).isEqualTo(1);
    assertThat(bad.problems())
        .anyMatch(p -> p.contains("missing chunk chunk_2817 " + keys.get(1)))
        .anyMatch(p -> p.contains("orphan chunk chunk_2817 u1/ff:0:0:0"));
  }

  @Test
  void chunkFrom_newAndLegacyKeys() {
    assertThat(IndexVerifier.chunkFrom("u/1a:18cc5d4a000:18cc5d58a60:cafe")).isEqualTo(0x18cc5d4a000L);
    assertThat(IndexVerifier.chunkFrom("123:1700000000000:1700000060000")).isEqualTo(1700000000000L);
    assertThat(IndexVerifier.chunkFrom("garbage")).isEqualTo(-1);
  }
}
