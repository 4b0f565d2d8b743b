package io.theseus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.schema.SchemaConfig;
import io.theseus.store.ChunkStore;
import io.theseus.store.RowStore;
import io.theseus.store.TableManager;
import io.theseus.store.TestCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code schema plan} and {@code schema apply} against the real single test node. */
class SchemaApplyCommandTest {
  private static final String CONFIG = Paths.get("schema", "examples", "v11.yaml").toString();
  private static final List<String> KEYSPACES = new ArrayList<>();

  private static String keyspace(String hint) {
    String ks = "apply_" + hint + "_" + ProcessHandle.current().pid();
    KEYSPACES.add(ks);
    return ks;
  }

  @AfterAll
  static void dropKeyspaces() {
    KEYSPACES.forEach(k -> TestCassandra.get().dropKeyspace(k));
  }

  private static SchemaPrintCommandTest.Run run(String ks, String sub, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("schema", sub, "--config", CONFIG, "--from", "2024-01-01", "--through",
                "2024-01-02", "--keyspace", ks, "--replication", "1", "--cassandra",
                cp()));
    args.addAll(List.of(extra));
    return SchemaPrintCommandTest.run(args.toArray(String[]::new));
  }

  private static String cp() {
    var a = TestCassandra.get().contactPoint();
    return a.getHostString() + ":" + a.getPort();
  }

  private static CqlSession session() {
    return TestCassandra.get().session();
  }

  @Test
  void apply_dryRunThenTwice_isIdempotentRecordsOneVersionAndHonoursTheLock() {
    String ks = keyspace("idem");
    SchemaPrintCommandTest.Run dry = run(ks, "apply", "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("MISSING", "CREATE KEYSPACE IF NOT EXISTS " + ks);
    assertThat(session().getMetadata().getKeyspace(ks)).isEmpty();
    assertThat(
            session()
                .execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", ks)
                .one())
        .isNull();

    SchemaPrintCommandTest.Run first = run(ks, "apply");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("as version 1");
    assertThat(tables(ks))
        .contains("index_2817", "chunk_2817", "theseus_schema_migrations", "theseus_schema_lock");

    SchemaPrintCommandTest.Run plan = run(ks, "plan");
    assertThat(plan.code()).as(plan.out() + plan.err()).isZero();
    assertThat(plan.out()).contains("up to date");

    SchemaPrintCommandTest.Run second = run(ks, "apply");
    assertThat(second.code()).isZero();
    assertThat(second.out()).contains("nothing applied");
    List<Row> versions =
        session().execute("SELECT version, checksum, applied_by FROM " + ks + ".theseus_schema_migrations").all();
    assertThat(versions).hasSize(1);
    assertThat(versions.get(0).getString("checksum")).hasSize(64);
    assertThat(versions.get(0).getString("applied_by")).contains("@");
    assertThat(session().execute("SELECT * FROM " + ks + ".theseus_schema_lock").all()).isEmpty();

    // A lock held by someone else stops a third apply before it changes anything.
    session().execute("INSERT INTO " + ks + ".theseus_schema_lock (name, owner) VALUES ('apply', 'dba@elsewhere')");
    session().execute("DROP TABLE " + ks + ".chunk_2817");
    SchemaPrintCommandTest.Run locked = run(ks, "apply");
    assertThat(locked.code()).isEqualTo(1);
    assertThat(locked.err()).contains("held by dba@elsewhere");
    assertThat(tables(ks)).doesNotContain("chunk_2817");
  }

  @Test
  void apply_changedTtl_altersTheTableAsANewVersion(@TempDir Path dir) throws IOException {
    String ks = keyspace("alter");
    assertThat(run(ks, "apply").code()).isZero();
    Path opts = dir.resolve("o.yaml");
    Files.writeString(opts, "chunk_tables: {default_time_to_live: 2592000, window: 1d}\n");
    SchemaPrintCommandTest.Run plan = run(ks, "plan", "--options", opts.toString());
    assertThat(plan.code()).isEqualTo(3);
    assertThat(plan.out())
        .contains("DIFFERENT", "chunk_2817", "default_time_to_live 0 → 2592000")
        .contains("ALTER TABLE " + ks + ".chunk_2817 WITH");
    SchemaPrintCommandTest.Run apply = run(ks, "apply", "--options", opts.toString());
    assertThat(apply.code()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("as version 2");
    int ttl =
        session()
            .execute(
                "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = 'chunk_2817'",
                ks)
            .one()
            .getInt(0);
    assertThat(ttl).isEqualTo(2592000);
  }

  @Test
  void apply_keyConflict_refusedWithoutYesAndRebuiltWithIt() {
    String ks = keyspace("key");
    session().execute("CREATE KEYSPACE " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}");
    session().execute("CREATE TABLE " + ks + ".index_2817 (hash text PRIMARY KEY, value blob)");
    SchemaPrintCommandTest.Run refused = run(ks, "apply");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("refusing unsafe changes without --yes", "index_2817");
    assertThat(columns(ks, "index_2817")).doesNotContainKey("range");
    SchemaPrintCommandTest.Run yes = run(ks, "apply", "--yes");
    assertThat(yes.code()).as(yes.err()).isZero();
    assertThat(yes.out()).contains("DROP TABLE IF EXISTS " + ks + ".index_2817");
    assertThat(columns(ks, "index_2817"))
        .isEqualTo(Map.of("hash", "partition_key", "range", "clustering", "value", "regular"));
  }

  @Test
  void tables_createAheadThenRetentionListsAndDropsWithYes() {
    String ks = keyspace("tables");
    session().execute("CREATE KEYSPACE " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}");
    String[] base = {
      "schema", "tables", "--config", CONFIG, "--keyspace", ks, "--cassandra", cp(), "--ahead", "1d"
    };
    // Table 2819 is Thu 2024-01-11 .. Thu 2024-01-18; v11 starts 2024-01-01 (in table 2817).
    SchemaPrintCommandTest.Run create = SchemaPrintCommandTest.run(with(base, "--now", "2024-01-16T12:00:00Z"));
    assertThat(create.code()).as(create.err()).isZero();
    assertThat(create.out()).contains("created " + ks + ".index_2817", "created " + ks + ".chunk_2819");
    assertThat(tables(ks)).containsExactlyInAnyOrder(
        "index_2817", "index_2818", "index_2819", "chunk_2817", "chunk_2818", "chunk_2819");
    // Half a day before 2820 starts, --ahead 1d creates it.
    SchemaPrintCommandTest.Run ahead = SchemaPrintCommandTest.run(with(base, "--now", "2024-01-17T23:30:00Z"));
    assertThat(ahead.out()).contains("created " + ks + ".index_2820").doesNotContain("2817");

    String[] old = with(base, "--now", "2024-01-30T00:00:00Z", "--retention", "14d");
    SchemaPrintCommandTest.Run listed = SchemaPrintCommandTest.run(old);
    assertThat(listed.out())
        .contains("would drop " + ks + ".chunk_2817", "would drop " + ks + ".index_2818", "nodetool clearsnapshot")
        .doesNotContain("would drop " + ks + ".index_2819");
    assertThat(tables(ks)).contains("index_2817");
    SchemaPrintCommandTest.Run dropped = SchemaPrintCommandTest.run(with(old, "--yes"));
    assertThat(dropped.out()).contains("dropped " + ks + ".index_2817");
    // Now in 2821, 14 d ago in 2819: 2817 and 2818 end before that, 2819..2821 stay.
    assertThat(tables(ks)).doesNotContain("index_2817", "chunk_2818").contains("index_2819", "index_2821");

    SchemaPrintCommandTest.Run bad = SchemaPrintCommandTest.run(with(base, "--retention", "10d"));
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--retention 10d must be a multiple");
  }

  @Test
  void stats_countsRowsPartitionsBytesAndLargestPartition() {
    String ks = keyspace("stats");
    session().execute("CREATE KEYSPACE " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}");
    for (String t : List.of("index_2817", "chunk_2817", "other_1")) {
      session().execute("CREATE TABLE " + ks + "." + t + " (hash text, range blob, value blob, PRIMARY KEY (hash, range))");
    }
    for (int i = 0; i < 5; i++) {
      session().execute("INSERT INTO " + ks + ".index_2817 (hash, range) VALUES ('big', ?)",
          java.nio.ByteBuffer.wrap(new byte[] {(byte) i, 0, 0}));
    }
    session().execute("INSERT INTO " + ks + ".index_2817 (hash, range, value) VALUES ('small', 0x01, 0x2d)");
    for (int i = 0; i < 4; i++) {
      session().execute("INSERT INTO " + ks + ".chunk_2817 (hash, range, value) VALUES (?, 0x00, ?)",
          "k" + i, java.nio.ByteBuffer.wrap(new byte[100 * (i + 1)]));
    }
    String[] base = {"schema", "stats", "--config", CONFIG, "--keyspace", ks, "--cassandra", cp()};
    SchemaPrintCommandTest.Run r = SchemaPrintCommandTest.run(base);
    assertThat(r.code()).as(r.err()).isZero();
    // chunk_2817: 4 rows, 4 chunks, 100+200+300+400 value bytes, largest = 2 + 1 + 400 bytes.
    assertThat(r.out().lines().filter(l -> l.startsWith("chunk_2817")).findFirst().orElseThrow().split("\\s+"))
        .startsWith("chunk_2817", "4", "4", "1000", "1.0", "403");
    // index_2817: 6 rows in 2 partitions, 1 value byte, largest = 5 * (3 + 3) bytes.
    assertThat(r.out().lines().filter(l -> l.startsWith("index_2817")).findFirst().orElseThrow().split("\\s+"))
        .startsWith("index_2817", "6", "2", "1", "3.0", "30");
    assertThat(r.out()).doesNotContain("other_1");
    // The zero-filled "chunks" do not decode: no samples, and a warning.
    assertThat(column(r.out(), "chunk_2817", 7)).isEqualTo("0");
    assertThat(r.out()).contains("WARNING: chunk_2817 has 4 scanned chunks that do not decode");
    SchemaPrintCommandTest.Run sampled = SchemaPrintCommandTest.run(with(base, "--sample", "2"));
    assertThat(sampled.out()).containsPattern("chunk_2817 +2\\+ ");
  }

  @Test
  void statsAndVerify_realChunks_countSamplesThenFindACorruptedBlob() throws IOException {
    String ks = keyspace("stats2");
    session().execute("CREATE KEYSPACE " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}");
    RowStore rows = RowStore.builder(session(), ks).build();
    ChunkStore store =
        ChunkStore.builder(
                rows,
                new TableManager(session(), ks, t -> ""),
                SchemaConfig.parse(Files.readString(Paths.get(CONFIG))))
            .build();
    long from = java.time.Instant.parse("2024-01-09T10:00:00Z").toEpochMilli(); // week 2818
    long blobBytes = 0;
    List<Chunk> chunks = new ArrayList<>();
    int[] sizes = {10, 20};
    for (int i = 0; i < sizes.length; i++) {
      Labels ls = Labels.of("__name__", "up", "job", "j" + i);
      BigChunk b = new BigChunk();
      for (int j = 0; j < sizes[i]; j++) {
        b.append(from + j * 15_000L, j);
      }
      Chunk c =
          Chunk.build(
              "u1", Fingerprint.fast(ls), ls, Chunk.BIGCHUNK, b.encode(), from,
              from + (sizes[i] - 1) * 15_000L);
      blobBytes += c.blob().length;
      chunks.add(c);
      store.put(c).toCompletableFuture().join();
    }
    rows.close();
    long indexRows = session().execute("SELECT hash FROM " + ks + ".index_2818").all().size();

    SchemaPrintCommandTest.Run r =
        SchemaPrintCommandTest.run(
            "schema", "stats", "--config", CONFIG, "--keyspace", ks, "--cassandra", cp());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(column(r.out(), "chunk_2818", 2)).isEqualTo("2");
    assertThat(column(r.out(), "chunk_2818", 7)).isEqualTo("30");
    assertThat(column(r.out(), "chunk_2818", 8))
        .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", blobBytes / 30.0));
    assertThat(column(r.out(), "chunk_2818", 9)).isEqualTo("-");
    assertThat(column(r.out(), "index_2818", 7)).isEqualTo("-");
    assertThat(column(r.out(), "index_2818", 9))
        .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f", indexRows / 2.0));
    assertThat(r.out()).doesNotContain("WARNING");

    String[] args = {"schema", "verify", "--config", CONFIG, "--keyspace", ks, "--cassandra", cp()};
    SchemaPrintCommandTest.Run clean = SchemaPrintCommandTest.run(args);
    assertThat(clean.code()).as(clean.out() + clean.err()).isZero();
    assertThat(clean.out()).contains("chunks decoded 2, bad 0 (OK 2)").endsWith("OK\n");

    byte[] blob = chunks.get(0).blob();
    blob[blob.length / 2] ^= 0x01;
    String key = chunks.get(0).key().toString();
    session()
        .execute(
            "UPDATE " + ks + ".chunk_2818 SET value = ? WHERE hash = ? AND range = 0x00",
            java.nio.ByteBuffer.wrap(blob), key);
    SchemaPrintCommandTest.Run bad = SchemaPrintCommandTest.run(args);
    assertThat(bad.code()).isEqualTo(4);
    assertThat(bad.out())
        .contains("chunks decoded 2, bad 1 (OK 1, BAD_CHECKSUM 1)")
        .contains("PROBLEM: bad chunk chunk_2818 " + key + ": BAD_CHECKSUM: ")
        .contains("PROBLEMS FOUND");
  }

  /** Column {@code i} (0 = table name) of the stats line of {@code table}. */
  private static String column(String out, String table, int i) {
    String line = out.lines().filter(l -> l.startsWith(table + " ")).findFirst().orElseThrow();
    return line.split("\\s+")[i];
  }

  private static String[] with(String[] a, String... more) {
    String[] out = java.util.Arrays.copyOf(a, a.length + more.length);
    System.arraycopy(more, 0, out, a.length, more.length);
    return out;
  }

  private static List<String> tables(String ks) {
    return session()
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks)
        .all()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private static Map<String, String> columns(String ks, String t) {
    Map<String, String> m = new java.util.TreeMap<>();
    for (Row r :
        session()
            .execute(
                "SELECT column_name, kind FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
                ks, t)) {
      m.put(r.getString(0), r.getString(1));
    }
    return m;
  }
}
