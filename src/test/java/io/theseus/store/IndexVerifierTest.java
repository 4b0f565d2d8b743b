package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.DecodeStatus;
import io.theseus.chunk.ExternalKey;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.schema.SchemaConfig;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  static Chunk chunk(Labels ls, long from, int n) {
    BigChunk b = new BigChunk();
    for (int i = 0; i < n; i++) {
      b.append(from + i * 15_000L, i);
    }
    return Chunk.build(
        "u1", Fingerprint.fast(ls), ls, Chunk.BIGCHUNK, b.encode(), from, from + (n - 1) * 15_000L);
  }

  @Test
  void run_missingOrphanCorruptAndMiskeyedChunks_areReportedWithTheirKeysAndStatus(
      CassandraExtension.CassandraKeyspace ks) {
    RowStore rows = RowStore.builder(ks.session(), ks.name()).build();
    TableManager tm = new TableManager(ks.session(), ks.name(), t -> "");
    ChunkStore store = ChunkStore.builder(rows, tm, CONFIG).build();
    long from = Instant.parse("2024-01-02T10:00:00Z").toEpochMilli();
    List<Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Chunk c = chunk(Labels.of("__name__", "up", "job", "j" + i), from, 10);
      chunks.add(c);
      store.put(c).toCompletableFuture().join();
    }
    IndexVerifier v = new IndexVerifier(ks.session(), rows, CONFIG);
    IndexVerifier.Report clean = v.run(Set.of("index_2817"), Set.of("chunk_2817"), 10_000);
    assertThat(clean.ok()).as(clean.problems().toString()).isTrue();
    assertThat(clean.distinctChunks()).isEqualTo(4);
    assertThat(clean.unparsable()).isZero();
    assertThat(clean.decoded()).containsExactly(Map.entry(DecodeStatus.OK, 4L));

    String missingKey = chunks.get(1).key().toString();
    ks.session().execute("DELETE FROM " + ks.name() + ".chunk_2817 WHERE hash = ?", missingKey);
    // One blob corrupted in place: a byte of the sample data flipped, the CRC in its key stale.
    String corruptKey = chunks.get(2).key().toString();
    byte[] corrupt = chunks.get(2).blob();
    corrupt[corrupt.length - 3] ^= 0x55;
    ks.session()
        .execute(
            "UPDATE " + ks.name() + ".chunk_2817 SET value = ? WHERE hash = ? AND range = 0x00",
            ByteBuffer.wrap(corrupt), corruptKey);
    // A good blob stored under a key whose fingerprint is not the one in its metadata.
    ExternalKey k3 = chunks.get(3).key();
    String wrongKey =
        new ExternalKey("u1", k3.fingerprint() ^ 1, k3.from(), k3.through(), k3.checksum())
            .toString();
    ks.session()
        .execute(
            "INSERT INTO " + ks.name() + ".chunk_2817 (hash, range, value) VALUES (?, 0x00, ?)",
            wrongKey, ByteBuffer.wrap(chunks.get(3).blob()));

    IndexVerifier.Report bad = v.run(Set.of("index_2817"), Set.of("chunk_2817"), 10_000);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.missingChunks()).isEqualTo(1);
    assertThat(bad.orphanChunks()).isEqualTo(1);
    assertThat(bad.decoded())
        .containsOnly(
            Map.entry(DecodeStatus.OK, 2L),
            Map.entry(DecodeStatus.BAD_CHECKSUM, 1L),
            Map.entry(DecodeStatus.WRONG_METADATA, 1L));
    assertThat(bad.badChunks()).isEqualTo(2);
    assertThat(bad.problems())
        .hasSize(4)
        .anyMatch(p -> p.startsWith("missing chunk chunk_2817 " + missingKey + " "))
        .anyMatch(p -> p.startsWith("orphan chunk chunk_2817 " + wrongKey + " "))
        .anyMatch(p -> p.startsWith("bad chunk chunk_2817 " + corruptKey + ": BAD_CHECKSUM: "))
        .anyMatch(p -> p.startsWith("bad chunk chunk_2817 " + wrongKey + ": WRONG_METADATA: "));
    rows.close();
  }

  @Test
  void chunkFrom_newAndLegacyKeys() {
    assertThat(IndexVerifier.chunkFrom("u/1a:18cc5d4a000:18cc5d58a60:cafe")).isEqualTo(0x18cc5d4a000L);
    assertThat(IndexVerifier.chunkFrom("123:1700000000000:1700000060000")).isEqualTo(1700000000000L);
    assertThat(IndexVerifier.chunkFrom("garbage")).isEqualTo(-1);
  }
}
