package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.schema.PeriodConfig;
import io.theseus.schema.PeriodicTableConfig;
import io.theseus.schema.SchemaConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SchemaMigrator} on real Cassandra: data written through {@link ChunkStore} with a v6 / v9
 * / v11 config (chunks crossing day and period boundaries, two tenants, two metrics), migrated v6 →
 * v11 (chunks copied to new chunk tables) and v9 → v10 (chunk tables kept); the target config's
 * read path must return exactly what the source config's returns, for matchers with and without a
 * metric name. Interrupted runs resume from the checkpoint table and end in the same rows as an
 * uninterrupted run.
 */
@ExtendWith(CassandraExtension.class)
class SchemaMigratorTest {
  static final SchemaConfig SOURCE =
      SchemaConfig.parse(
          """
          configs:
            - from: 2026-11-02
              store: cassandra
              schema: v6
              index: {prefix: i6_, period: 168h}
              chunks: {prefix: c6_, period: 168h}
            - from: 2026-11-05
              store: cassandra
              schema: v9
              index: {prefix: i9_, period: 168h}
              chunks: {prefix: c9_, period: 168h}
            - from: 2026-11-08
              store: cassandra
              schema: v11
              row_shards: 4
              index: {prefix: i11_, period: 168h}
              chunks: {prefix: c11_, period: 168h}
          """);
  static final LocalDate P6 = LocalDate.of(2026, 11, 2);
  static final LocalDate P9 = LocalDate.of(2026, 11, 5);
  static final long T0 = Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();
  static final long T_END = Instant.parse("2026-11-09T00:00:00Z").toEpochMilli();
  static final long HOUR = 3_600_000L;

  static CassandraExtension.CassandraKeyspace ks;
  static RowStore rows;
  static TableManager tables;
  static ChunkStore sourceStore;

  @BeforeAll
  static void setUp(CassandraExtension.CassandraKeyspace k) {
    ks = k;
    rows = RowStore.builder(ks.session(), ks.name()).maxInFlightWrites(64).build();
    tables = new TableManager(ks.session(), ks.name(), t -> "");
    sourceStore = ChunkStore.builder(rows, tables, SOURCE).build();
    List<CompletableFuture<Void>> puts = new ArrayList<>();
    int s = 0;
    for (String user : List.of("u1", "u2")) {
      for (String name : List.of("http_requests_total", "up")) {
        for (String job : List.of("api", "db", "web")) {
          Labels ls =
              s % 2 == 0
                  ? Labels.of("__name__", name, "job", job, "zone", "z" + (s % 3))
                  : Labels.of("__name__", name, "job", job);
          // 10 h chunks every 7 h from 2026-11-02 01:00: they cross days and both period
          // boundaries; some overlap (replicas).
          for (long t = T0 + HOUR + s * 60_000L; t < T_END - 11 * HOUR; t += 7 * HOUR) {
            puts.add(sourceStore.put(chunk(user, ls, t, 41, s)).toCompletableFuture());
          }
          s++;
        }
      }
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
  }

  @AfterAll
  static void tearDown() {
    rows.close();
  }

  static Chunk chunk(String user, Labels ls, long from, int n, int seed) {
    BigChunk b = new BigChunk();
    for (int i = 0; i < n; i++) {
      b.append(from + i * 15 * 60_000L, seed * 1000 + i + from / HOUR);
    }
    long through = from + (n - 1) * 15 * 60_000L;
    return Chunk.build(user, Fingerprint.fast(ls), ls, Chunk.BIGCHUNK, b.encode(), from, through);
  }

  static PeriodConfig target(
      LocalDate from, String schema, String indexPrefix, String chunkPrefix, int shards) {
    return new PeriodConfig(
        from,
        "cassandra",
        "cassandra",
        schema,
        new PeriodicTableConfig(indexPrefix, 168 * HOUR),
        new PeriodicTableConfig(chunkPrefix, 168 * HOUR),
        shards);
  }

  static SchemaMigrator.Builder migrator(LocalDate period, PeriodConfig target) {
    return SchemaMigrator.builder(ks.session(), rows, tables, SOURCE, period, target).splits(4);
  }

  /** Every series of every query, rendered (labels and samples), for both tenants. */
  static List<String> readAll(SchemaConfig config) {
    ChunkStore store = ChunkStore.builder(rows, tables, config).chunkCacheBytes(0).build();
    List<List<Matcher>> queries =
        List.of(
            List.of(Matcher.eq("__name__", "up")),
            List.of(Matcher.eq("__name__", "http_requests_total"), Matcher.eq("job", "db")),
            List.of(Matcher.of(Matcher.Type.RE, "zone", "z.*")),
            List.of(Matcher.of(Matcher.Type.NEQ, "job", "api"), Matcher.eq("__name__", "up")));
    List<String> out = new ArrayList<>();
    for (String user : List.of("u1", "u2")) {
      for (List<Matcher> q : queries) {
        for (StoredSeries s : store.select(user, T0, T_END, q)) {
          out.add(
              user
                  + " "
                  + q
                  + " "
                  + s.labels()
                  + " "
                  + Arrays.toString(s.timestamps())
                  + " "
                  + Arrays.toString(s.values()));
        }
      }
    }
    return out;
  }

  @Test
  void run_v6ToV11WithNewChunkTables_targetReadPathReturnsTheSameSeriesAndSamples() {
    PeriodConfig t = target(P6, "v11", "m611_", "mc611_", 4);
    SchemaMigrator m = migrator(P6, t).build();
    SchemaMigrator.Result r = m.run();
    assertThat(r.ok()).as(r.problems().toString()).isTrue();
    assertThat(r.stopped()).isFalse();
    assertThat(r.chunks()).isPositive();
    assertThat(r.chunksCopied()).isPositive().isLessThanOrEqualTo(r.chunks());
    List<String> before = readAll(SOURCE);
    assertThat(before).hasSize(18); // per tenant: 3 up, 1 http db, 3 with a zone, 2 up not api
    assertThat(readAll(m.targetConfig())).containsExactlyElementsOf(before);
    SchemaMigrator.VerifyReport v = m.verify(SchemaMigrator.VerifyMode.FULL);
    assertThat(v.ok()).as(v.problems().toString()).isTrue();
    assertThat(v.sourceChunks()).isEqualTo(v.targetChunks()).isPositive();
    assertThat(v.seriesChecked()).isEqualTo(12); // 2 tenants x 2 metrics x 3 jobs
  }

  @Test
  void run_v9ToV10KeepingChunkTables_targetReadPathReturnsTheSameSeriesAndSamples() {
    PeriodConfig t = target(P9, "v10", "m910_", "c9_", 8);
    SchemaMigrator m = migrator(P9, t).build();
    SchemaMigrator.Result r = m.run();
    assertThat(r.ok()).as(r.problems().toString()).isTrue();
    assertThat(r.chunksCopied()).isZero();
    assertThat(m.plan().copiesChunks()).isFalse();
    assertThat(readAll(m.targetConfig())).containsExactlyElementsOf(readAll(SOURCE));
    SchemaMigrator.VerifyReport v = m.verify(SchemaMigrator.VerifyMode.SAMPLE);
    assertThat(v.ok()).as(v.problems().toString()).isTrue();
    assertThat(v.chunksCompared()).isEqualTo(v.sourceChunks());
  }

  @Test
  void verify_targetMissingAnEntry_reportsTheMismatchWithItsChunk() {
    PeriodConfig t = target(P9, "v11", "m911_", "c9_", 2);
    SchemaMigrator m = migrator(P9, t).build();
    assertThat(m.run().ok()).isTrue();
    // Delete one series→chunk row of the target index.
    Row victim = null;
    for (Row r :
        ks.session().execute("SELECT hash, range, value FROM " + ks.name() + ".m911_2966")) {
      if (isChunkRow(r)) {
        victim = r;
        break;
      }
    }
    assertThat(victim).isNotNull();
    ks.session()
        .execute(
            "DELETE FROM " + ks.name() + ".m911_2966 WHERE hash = ? AND range = ?",
            victim.getString(0),
            victim.getByteBuffer(1));
    SchemaMigrator.VerifyReport v = m.verify(SchemaMigrator.VerifyMode.FULL);
    assertThat(v.ok()).isFalse();
    assertThat(v.mismatches()).isPositive();
    assertThat(String.join("\n", v.problems())).contains("target index");
  }

  @Test
  void run_interruptedAfterTwoUnitsThenResumed_endsWithTheRowsOfAnUninterruptedRun() {
    // Uninterrupted reference run into its own tables.
    SchemaMigrator ref = migrator(P6, target(P6, "v11", "ref_", "c6_", 4)).build();
    assertThat(ref.run().ok()).isTrue();

    PeriodConfig t = target(P6, "v11", "res_", "c6_", 4);
    // A crash after the second unit: the listener throws once two units are checkpointed.
    SchemaMigrator crashing =
        migrator(P6, t)
            .progress(
                p -> {
                  if (p.unitsDone() == 2 && p.unit() != null) {
                    throw new IllegalStateException("injected crash after unit " + p.unit());
                  }
                })
            .build();
    assertThatThrownBy(crashing::run).hasMessageContaining("injected crash");
    Set<String> done = crashing.doneUnits();
    assertThat(done).hasSize(2);
    assertThat(
            ks.session()
                .execute(
                    "SELECT unit, status, chunks FROM "
                        + ks.name()
                        + "."
                        + SchemaMigrator.PROGRESS_TABLE
                        + " WHERE migration_id = ?",
                    crashing.migrationId())
                .all())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.getString("status")).isEqualTo("done"));

    // A clean stop (--max-units 1), then the rest: resumes after the done units.
    SchemaMigrator.Result stop = migrator(P6, t).maxUnits(1).build().run();
    assertThat(stop.stopped()).isTrue();
    assertThat(stop.unitsResumed()).isEqualTo(2);
    assertThat(stop.unitsRun()).isEqualTo(1);
    SchemaMigrator.Result rest = migrator(P6, t).build().run();
    assertThat(rest.stopped()).isFalse();
    assertThat(rest.unitsResumed()).isEqualTo(3);
    assertThat(rest.unitsRun()).isEqualTo(rest.unitsTotal() - 3);
    assertThat(migrator(P6, t).build().doneUnits()).hasSize(rest.unitsTotal());

    assertThat(rowsOf("res_")).isEqualTo(rowsOf("ref_")).isNotEmpty();
    assertThat(migrator(P6, t).build().verify(SchemaMigrator.VerifyMode.FULL).ok()).isTrue();
  }

  @Test
  void run_inTwoTimeSlicesThenRestart_targetReadPathReturnsTheSameAsTheSource() {
    PeriodConfig t = target(P6, "v10", "sl_", "c6_", 2);
    long cut = Instant.parse("2026-11-03T12:00:00Z").toEpochMilli();
    long end = Instant.parse("2026-11-04T23:59:59.999Z").toEpochMilli();
    SchemaMigrator a = migrator(P6, t).timeRange(null, cut).build();
    SchemaMigrator b = migrator(P6, t).timeRange(cut + 1, end).build();
    assertThat(a.migrationId()).isNotEqualTo(b.migrationId());
    SchemaMigrator.Result ra = a.run();
    SchemaMigrator.Result rb = b.run();
    assertThat(ra.ok()).isTrue();
    assertThat(rb.ok()).isTrue();
    assertThat(readAll(b.targetConfig())).containsExactlyElementsOf(readAll(SOURCE));
    assertThat(a.verify(SchemaMigrator.VerifyMode.FULL).ok()).isTrue();
    assertThat(b.verify(SchemaMigrator.VerifyMode.FULL).ok()).isTrue();
    Set<String> rowsBefore = rowsOf("sl_");
    SchemaMigrator.Result again = migrator(P6, t).timeRange(null, cut).restart(true).build().run();
    assertThat(again.unitsResumed()).isZero();
    assertThat(again.unitsRun()).isEqualTo(again.unitsTotal());
    assertThat(again.chunks()).isEqualTo(ra.chunks());
    assertThat(rowsOf("sl_")).isEqualTo(rowsBefore);
  }

  @Test
  void run_lockHeldByAnother_refusesNamingTheOwner() {
    SchemaMigrator m = migrator(P6, target(P6, "v11", "lk_", "c6_", 4)).build();
    m.ensureBookkeeping();
    ks.session()
        .execute(
            "INSERT INTO "
                + ks.name()
                + "."
                + SchemaDdl.LOCK_TABLE
                + " (name, owner, acquired_at) VALUES ('migrate', 'dba@elsewhere',"
                + " toTimestamp(now())) USING TTL 60");
    try {
      assertThatThrownBy(m::run)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dba@elsewhere");
      assertThat(tables.existingTables()).noneMatch(n -> n.startsWith("lk_"));
    } finally {
      ks.session()
          .execute(
              "DELETE FROM " + ks.name() + "." + SchemaDdl.LOCK_TABLE + " WHERE name = 'migrate'");
    }
  }

  @Test
  void build_badArguments_nameTheBadValue() {
    assertThatThrownBy(
            () ->
                migrator(
                        LocalDate.of(2026, 11, 3),
                        target(LocalDate.of(2026, 11, 3), "v11", "x_", "c6_", 4))
                    .build())
        .hasMessageContaining("2026-11-03")
        .hasMessageContaining("2026-11-02, 2026-11-05, 2026-11-08");
    assertThatThrownBy(() -> migrator(P6, target(P6, "v6", "i6_", "c6_", 0)).build())
        .hasMessageContaining("same version");
    assertThatThrownBy(() -> migrator(P6, target(P6, "v11", "i6_", "c6_", 4)).build())
        .hasMessageContaining("target index table i6_2965")
        .hasMessageContaining("index table of period 2026-11-02");
    assertThatThrownBy(() -> migrator(P6, target(P6, "v11", "n_", "i6_", 4)).build())
        .hasMessageContaining("target chunk table i6_2965");
    LocalDate last = LocalDate.of(2026, 11, 8);
    assertThatThrownBy(() -> migrator(last, target(last, "v10", "n_", "c11_", 4)).build())
        .hasMessageContaining("last period");
    assertThatThrownBy(
            () ->
                migrator(P6, target(P6, "v11", "n_", "c6_", 4))
                    .timeRange(Instant.parse("2026-11-06T00:00:00Z").toEpochMilli(), null)
                    .build())
        .hasMessageContaining("--from-time 2026-11-06T00:00:00Z lies outside");
    assertThatThrownBy(() -> migrator(P6, target(P9, "v11", "n_", "c6_", 4)).build())
        .hasMessageContaining("2026-11-05");
    assertThatThrownBy(() -> migrator(P6, target(P6, "v11", "n_", "c6_", 4)).rate(-1))
        .hasMessageContaining("--rate");
  }

  @Test
  void units_coverTheRingWithoutGaps() {
    List<SchemaMigrator.Unit> us = SchemaMigrator.units("t", 5);
    assertThat(us.get(0).start()).isEqualTo(Long.MIN_VALUE);
    assertThat(us.get(4).end()).isEqualTo(Long.MAX_VALUE);
    for (int i = 1; i < us.size(); i++) {
      assertThat(us.get(i).start()).isEqualTo(us.get(i - 1).end());
      assertThat(us.get(i).end()).isGreaterThan(us.get(i).start());
    }
    assertThat(us.get(3).name()).isEqualTo("t:3/5");
  }

  static boolean isChunkRow(Row r) {
    try {
      return io.theseus.schema.RangeValues.parse(
                  RowStore.bytes(r.getByteBuffer(1)), RowStore.bytes(r.getByteBuffer(2)))
              .chunkId()
          != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** (table suffix, hash, range hex, value hex) of every row of the tables with {@code prefix}. */
  static Set<String> rowsOf(String prefix) {
    Set<String> out = new TreeSet<>();
    TreeMap<String, String> ts = new TreeMap<>();
    for (String t : tables.existingTables()) {
      if (t.startsWith(prefix)) {
        ts.put(t, t.substring(prefix.length()));
      }
    }
    int n = 0;
    for (var e : ts.entrySet()) {
      for (Row r :
          ks.session().execute("SELECT hash, range, value FROM " + ks.name() + "." + e.getKey())) {
        n++;
        out.add(
            e.getValue()
                + " "
                + r.getString(0)
                + " "
                + java.util.HexFormat.of().formatHex(RowStore.bytes(r.getByteBuffer(1)))
                + " "
                + (r.isNull(2)
                    ? "-"
                    : java.util.HexFormat.of().formatHex(RowStore.bytes(r.getByteBuffer(2)))));
      }
    }
    assertThat(out).hasSize(n); // No two rows render the same.
    return out;
  }
}
