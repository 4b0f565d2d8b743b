package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.TraceEvent;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexQuery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraExtension.class)
class RowStoreTest {
  private static final HexFormat HEX = HexFormat.of();
  private static RowStore store;
  private static final List<IndexEntry> ROWS = new ArrayList<>();

  @BeforeAll
  static void setUp(CassandraExtension.CassandraKeyspace ks) {
    for (String t : List.of("idx", "chunk_1", "wide")) {
      ks.session()
          .execute(
              "CREATE TABLE " + ks.name() + "." + t
                  + " (hash text, range blob, value blob, PRIMARY KEY (hash, range))");
    }
    store = RowStore.builder(ks.session(), ks.name()).maxInFlightWrites(16).build();
    // Ranges drawn from a small alphabet so prefixes, starts and the 0xFF bound all collide.
    Random rnd = new Random(42);
    byte[] alphabet = {0x00, 0x01, 'a', 'b', (byte) 0xFE, (byte) 0xFF};
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < 300; i++) {
      String hash = "h" + rnd.nextInt(3);
      byte[] range = new byte[1 + rnd.nextInt(3)];
      for (int j = 0; j < range.length; j++) {
        range[j] = alphabet[rnd.nextInt(alphabet.length)];
      }
      if (!seen.add(hash + "/" + HEX.formatHex(range))) {
        continue;
      }
      byte[] value =
          switch (rnd.nextInt(3)) {
            case 0 -> null;
            case 1 -> "-".getBytes(StandardCharsets.UTF_8);
            default -> new byte[] {(byte) rnd.nextInt(2)};
          };
      ROWS.add(new IndexEntry("idx", hash, range, value));
    }
    store.write(ROWS).toCompletableFuture().join();
  }

  @Test
  void query_everyShape_matchesBruteForce() {
    List<byte[]> probes =
        List.of(
            new byte[] {}, new byte[] {'a'}, new byte[] {0x00}, new byte[] {(byte) 0xFE},
            new byte[] {'a', (byte) 0xFF}, new byte[] {0x01, 'b'});
    List<byte[]> values = Arrays.asList(null, "-".getBytes(StandardCharsets.UTF_8), new byte[] {1});
    int checked = 0;
    for (String hash : List.of("h0", "h1", "h2", "absent")) {
      for (byte[] v : values) {
        checked += check(new IndexQuery("idx", hash, null, null, v));
        for (byte[] p : probes) {
          checked += check(new IndexQuery("idx", hash, p, null, v));
          checked += check(new IndexQuery("idx", hash, null, p, v));
        }
      }
    }
    assertThat(checked).isGreaterThan(ROWS.size());
  }

  private int check(IndexQuery q) {
    Set<String> expected =
        ROWS.stream().filter(e -> matches(e, q)).map(RowStoreTest::key).collect(Collectors.toCollection(TreeSet::new));
    Set<String> got =
        store.query(q).toCompletableFuture().join().stream()
            .map(r -> key(new IndexEntry("idx", q.hash(), r.range(), r.value())))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(got).as(q.toString()).isEqualTo(expected);
    return got.size();
  }

  /** The CQL semantics of Cortex's shapes, evaluated in memory (unsigned byte order). */
  private static boolean matches(IndexEntry e, IndexQuery q) {
    if (!e.hash().equals(q.hash())) {
      return false;
    }
    if (q.rangePrefix() != null) {
      byte[] upper = Arrays.copyOf(q.rangePrefix(), q.rangePrefix().length + 1);
      upper[upper.length - 1] = (byte) 0xFF;
      if (Arrays.compareUnsigned(e.range(), q.rangePrefix()) < 0
          || Arrays.compareUnsigned(e.range(), upper) >= 0) {
        return false;
      }
    }
    if (q.rangeStart() != null && Arrays.compareUnsigned(e.range(), q.rangeStart()) < 0) {
      return false;
    }
    return q.valueEqual() == null || Arrays.equals(e.value(), q.valueEqual());
  }

  private static String key(IndexEntry e) {
    return e.hash() + "/" + HEX.formatHex(e.range()) + "=" + (e.value() == null ? "null" : HEX.formatHex(e.value()));
  }

  @Test
  void insert_nullValue_isUnsetNotATombstone(CassandraExtension.CassandraKeyspace ks) {
    store.insert("idx", "tomb", new byte[] {1}, null).toCompletableFuture().join();
    store.insert("idx", "tomb", new byte[] {2}, new byte[] {'-'}).toCompletableFuture().join();
    List<RowStore.StoredRow> rows = store.readRow("idx", "tomb").toCompletableFuture().join();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).value()).isNull();
    assertThat(rows.get(1).value()).containsExactly('-');
    assertThat(tombstoneActivity(ks, "tomb")).containsExactly("Read 2 live rows and 0 tombstone cells");
    // Control: the detector sees the tombstone a null-bound insert writes.
    ks.session()
        .execute(
            SimpleStatement.newInstance(
                "INSERT INTO " + ks.name() + ".idx (hash, range, value) VALUES ('bound', 0x01, ?)",
                (Object) null));
    assertThat(tombstoneActivity(ks, "bound")).containsExactly("Read 1 live rows and 1 tombstone cells");
  }

  private static List<String> tombstoneActivity(CassandraExtension.CassandraKeyspace ks, String hash) {
    ResultSet rs =
        ks.session()
            .execute(
                SimpleStatement.newInstance(
                        "SELECT * FROM " + ks.name() + ".idx WHERE hash = ?", hash)
                    .setTracing(true));
    return rs.getExecutionInfo().getQueryTrace().getEvents().stream()
        .map(TraceEvent::getActivity)
        .filter(a -> a != null && a.contains("live rows and"))
        .toList();
  }

  @Test
  void chunks_putThenGet_roundTripAndMissingIsAbsent() {
    Map<String, byte[]> blobs = new java.util.HashMap<>();
    for (int i = 0; i < 40; i++) {
      byte[] b = new byte[100 + i];
      new Random(i).nextBytes(b);
      blobs.put("fake/" + Integer.toHexString(i) + ":17a:17b:cafe" + i, b);
    }
    List<java.util.concurrent.CompletableFuture<Void>> puts = new ArrayList<>();
    blobs.forEach((k, v) -> puts.add(store.putChunk("chunk_1", k, v).toCompletableFuture()));
    puts.forEach(java.util.concurrent.CompletableFuture::join);
    List<String> keys = new ArrayList<>(blobs.keySet());
    keys.add("fake/missing:1:2:3");
    Map<String, byte[]> got = store.getChunks("chunk_1", keys).toCompletableFuture().join();
    assertThat(got.keySet()).isEqualTo(blobs.keySet());
    blobs.forEach((k, v) -> assertThat(got.get(k)).as(k).isEqualTo(v));
    assertThat(store.getChunk("chunk_1", "fake/missing:1:2:3").toCompletableFuture().join()).isNull();
    List<RowStore.StoredRow> raw = store.readRow("chunk_1", keys.get(0)).toCompletableFuture().join();
    assertThat(raw).singleElement().satisfies(r -> assertThat(r.range()).containsExactly(0));
  }

  @Test
  void readRow_moreThanOnePage_returnsEveryRow() {
    List<IndexEntry> wide = new ArrayList<>();
    for (int i = 0; i < 5_300; i++) {
      wide.add(new IndexEntry("wide", "w", java.nio.ByteBuffer.allocate(4).putInt(i).array(), null));
    }
    store.write(wide).toCompletableFuture().join();
    List<RowStore.StoredRow> rows = store.readRow("wide", "w").toCompletableFuture().join();
    assertThat(rows).hasSize(5_300);
    assertThat(java.nio.ByteBuffer.wrap(rows.get(5_299).range()).getInt()).isEqualTo(5_299);
  }

  @Test
  void write_missingTable_failsNamingIt() {
    assertThatThrownBy(() -> store.insert("nope_7", "h", new byte[] {0}, null).toCompletableFuture().join())
        .hasMessageContaining("nope_7");
    assertThat(RowStore.isMissingTable(
            store.insert("nope_7", "h", new byte[] {0}, null).toCompletableFuture().handle((v, e) -> e).join()))
        .isTrue();
  }

  @Test
  void builder_badConsistency_isRejectedByName(CassandraExtension.CassandraKeyspace ks) {
    assertThatThrownBy(() -> RowStore.builder(ks.session(), ks.name()).consistency("QUORUMM"))
        .hasMessageContaining("'QUORUMM'");
    assertThatThrownBy(() -> RowStore.builder(ks.session(), ks.name()).maxInFlightWrites(0))
        .hasMessageContaining("got 0");
  }

  @Test
  void backoff_doublesFrom100msToA10sCap() {
    assertThat(RowStore.backoffMillis(0, 0.0)).isEqualTo(50);
    assertThat(RowStore.backoffMillis(0, 0.999)).isBetween(50L, 100L);
    assertThat(RowStore.backoffMillis(3, 0.0)).isEqualTo(400);
    assertThat(RowStore.backoffMillis(30, 0.999)).isBetween(5_000L, 10_000L);
  }

  @Test
  void retryable_timeoutsYes_invalidQueryNo() {
    assertThat(RowStore.retryable(new DriverTimeoutException("t"))).isTrue();
    assertThat(RowStore.retryable(new IllegalArgumentException("x"))).isFalse();
  }

  @Test
  void readRow_missingTable_rememberedForReadsUntilAWriteFindsItCreated(
      CassandraExtension.CassandraKeyspace ks) {
    RowStore fresh = RowStore.builder(ks.session(), ks.name()).build();
    try {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> fresh.readRow("later", "h").toCompletableFuture().join())
            .satisfies(e -> assertThat(RowStore.isMissingTable(e)).isTrue());
      }
      // The server was asked once; the other two reads were answered from memory.
      assertThat(fresh.missingTableShortcuts()).isEqualTo(2);
      ks.session()
          .execute(
              "CREATE TABLE " + ks.name()
                  + ".later (hash text, range blob, value blob, PRIMARY KEY (hash, range))");
      // A write asks the server, finds the table and clears the memory: reads see the row at once.
      fresh.insert("later", "h", new byte[] {1}, new byte[] {2}).toCompletableFuture().join();
      assertThat(fresh.readRow("later", "h").toCompletableFuture().join())
          .extracting(r -> r.range()[0])
          .containsExactly((byte) 1);
      assertThat(fresh.missingTableShortcuts()).isEqualTo(2);
    } finally {
      fresh.close();
    }
  }
}

