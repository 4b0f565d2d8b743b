package io.theseus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.schema.SchemaConfig;
import io.theseus.store.CassandraExtension;
import io.theseus.store.ChunkStore;
import io.theseus.store.RowStore;
import io.theseus.store.SchemaMigrator;
import io.theseus.store.TableManager;
import io.theseus.store.TestCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code theseus schema migrate} and {@code schema stats --top} end to end on the real test node:
 * argument errors name the value, the dry run and a refused run write nothing, a run stopped by
 * {@code --max-units} resumes, and the verify passes.
 */
@ExtendWith(CassandraExtension.class)
class SchemaMigrateCommandTest {
  static final String CONFIG =
      """
      configs:
        - from: 2026-11-02
          store: cassandra
          schema: v6
          index: {prefix: index_, period: 168h}
          chunks: {prefix: chunk_, period: 168h}
        - from: 2026-11-05
          store: cassandra
          schema: v11
          row_shards: 4
          index: {prefix: index11_, period: 168h}
          chunks: {prefix: chunk11_, period: 168h}
      """;
  static final long HOUR = 3_600_000L;

  @TempDir static Path dir;
  static Path config;
  static CassandraExtension.CassandraKeyspace ks;
  static RowStore rows;

  @BeforeAll
  static void setUp(CassandraExtension.CassandraKeyspace k) throws IOException {
    ks = k;
    config = dir.resolve("schema.yaml");
    Files.writeString(config, CONFIG);
    rows = RowStore.builder(ks.session(), ks.name()).build();
    TableManager tm = new TableManager(ks.session(), ks.name(), t -> "");
    ChunkStore store = ChunkStore.builder(rows, tm, SchemaConfig.parse(CONFIG)).build();
    long t0 = Instant.parse("2026-11-02T03:00:00Z").toEpochMilli();
    List<CompletableFuture<Void>> puts = new ArrayList<>();
    for (String job : List.of("api", "db", "web", "cache")) {
      Labels ls = Labels.of("__name__", "up", "instance", job + ":9100", "job", job);
      for (long t = t0; t < t0 + 80 * HOUR; t += 6 * HOUR) {
        BigChunk b = new BigChunk();
        for (int i = 0; i < 24; i++) {
          b.append(t + i * 15 * 60_000L, 1);
        }
        Chunk c =
            Chunk.build(
                "tenant-a",
                Fingerprint.fast(ls),
                ls,
                Chunk.BIGCHUNK,
                b.encode(),
                t,
                t + 23 * 15 * 60_000L);
        puts.add(store.put(c).toCompletableFuture());
      }
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
  }

  @AfterAll
  static void tearDown() {
    rows.close();
  }

  static SchemaPrintCommandTest.Run migrate(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "schema",
                "migrate",
                "--config",
                config.toString(),
                "--keyspace",
                ks.name(),
                "--cassandra",
                cp(),
                "--consistency",
                "ONE"));
    args.addAll(List.of(extra));
    SchemaPrintCommandTest.Run r = SchemaPrintCommandTest.run(args.toArray(String[]::new));
    System.out.println("$ theseus " + String.join(" ", args) + "\n" + r.out() + r.err());
    return r;
  }

  static String cp() {
    var a = TestCassandra.get().contactPoint();
    return a.getHostString() + ":" + a.getPort();
  }

  static Set<String> tables() {
    Set<String> out = new TreeSet<>();
    ks.session()
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks.name())
        .forEach(r -> out.add(r.getString(0)));
    return out;
  }

  @Test
  void migrate_badArguments_exitTwoNamingTheValue() {
    SchemaPrintCommandTest.Run r = migrate("--from-period", "2026-11-03", "--to", "v11", "--yes");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("2026-11-03", "2026-11-02, 2026-11-05");
    r = migrate("--from-period", "2026-11-02", "--to", "v12", "--yes");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'v12'");
    r = migrate("--from-period", "2026-11-02", "--to", "v6", "--target-index-prefix", "index_");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("same version");
    r =
        migrate(
            "--from-period",
            "2026-11-02",
            "--to",
            "v11",
            "--target-index-prefix",
            "chunk_",
            "--dry-run");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("target index table chunk_2965", "chunk table of period 2026-11-02");
    r = migrate("--from-period", "2026-11-02", "--to", "v11", "--verify", "most", "--dry-run");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--verify 'most'");
    r = migrate("--from-period", "2026-11-02", "--to", "v11", "--rate", "-5", "--dry-run");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--rate");
    r = migrate("--from-period", "yesterday", "--to", "v11", "--dry-run");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'yesterday'");
  }

  @Test
  void migrate_targetConfigNotMatchingTheSource_exitTwoNamingTheDays() throws IOException {
    Path shifted = dir.resolve("shifted.yaml");
    Files.writeString(
        shifted,
        CONFIG
            .replace("2026-11-05", "2026-11-04")
            .replace("prefix: index_,", "prefix: ix11_,")
            .replace("schema: v6", "schema: v11\n    row_shards: 4"));
    SchemaPrintCommandTest.Run r =
        migrate(
            "--from-period",
            "2026-11-02",
            "--to",
            "v11",
            "--target-config",
            shifted.toString(),
            "--dry-run");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("[2026-11-02, 2026-11-04]", "[2026-11-02, 2026-11-05]");
    r =
        migrate(
            "--from-period",
            "2026-11-02",
            "--to",
            "v10",
            "--target-config",
            shifted.toString(),
            "--dry-run");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--to v10", "has schema v11");
  }

  @Test
  void progress_onATerminal_drawsABarWithPercentRateAndEta() {
    java.io.StringWriter w = new java.io.StringWriter();
    SchemaMigrateCommand.Progress p =
        new SchemaMigrateCommand.Progress(new java.io.PrintWriter(w), true);
    p.update(new SchemaMigrator.Progress(5, 10, 300, 900, 3_000_000_000L, "t:4/10"));
    p.finish();
    assertThat(w.toString())
        .startsWith(
            "\r[###############...............]  50% 5/10 units, 300 chunks, 100 chunks/s,"
                + " ETA 0m03s")
        .endsWith(System.lineSeparator());
  }

  @Test
  void migrate_dryRunAndRunWithoutYes_writeNothing() {
    Set<String> before = tables();
    SchemaPrintCommandTest.Run dry =
        migrate(
            "--from-period",
            "2026-11-02",
            "--to",
            "v11",
            "--target-index-prefix",
            "dry_",
            "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out())
        .contains(
            "source: v6 from 2026-11-02",
            "target: v11 from 2026-11-02",
            "dry_2965",
            "units: 16 (1 tables x 16 token ranges), 0 already done",
            "estimated chunks:",
            "dry run: nothing was written");
    // 48 chunks; those crossing midnight are named in two day partitions (maybe two units).
    long estimate =
        Long.parseLong(
            dry.out()
                .lines()
                .filter(l -> l.startsWith("estimated chunks: "))
                .findFirst()
                .orElseThrow()
                .split(" ")[2]);
    assertThat(estimate).isBetween(48L, 60L);
    SchemaPrintCommandTest.Run no =
        migrate("--from-period", "2026-11-02", "--to", "v11", "--target-index-prefix", "dry_");
    assertThat(no.code()).isEqualTo(2);
    assertThat(no.err()).contains("refusing to migrate without --yes");
    assertThat(tables()).isEqualTo(before);
  }

  @Test
  void migrate_stoppedByMaxUnitsThenRerun_resumesAndVerifies() {
    SchemaPrintCommandTest.Run first =
        migrate(
            "--from-period",
            "2026-11-02",
            "--to",
            "v11",
            "--target-chunk-prefix",
            "chunk_v11_",
            "--splits",
            "4",
            "--max-units",
            "1",
            "--yes");
    assertThat(first.code()).as(first.err()).isEqualTo(3);
    assertThat(first.out()).contains("stopped after --max-units 1; 1 of 4 units done");
    SchemaPrintCommandTest.Run second =
        migrate(
            "--from-period",
            "2026-11-02",
            "--to",
            "v11",
            "--target-chunk-prefix",
            "chunk_v11_",
            "--splits",
            "4",
            "--verify",
            "full",
            "--resume",
            "--yes");
    assertThat(second.code()).as(second.out() + second.err()).isZero();
    assertThat(second.out())
        .contains(
            "units: 4 (1 tables x 4 token ranges), 1 already done",
            "(1 resumed as done)",
            "verify (full)",
            "0 mismatches",
            "OK");
    assertThat(tables())
        .contains("index_v11_2965", "chunk_v11_2965", SchemaMigrator.PROGRESS_TABLE);
    // A third run finds everything done and verifies again.
    SchemaPrintCommandTest.Run third =
        migrate(
            "--from-period",
            "2026-11-02",
            "--to",
            "v11",
            "--target-chunk-prefix",
            "chunk_v11_",
            "--splits",
            "4",
            "--yes");
    assertThat(third.code()).isZero();
    assertThat(third.out()).contains("in 0 units (4 resumed as done)", "OK");
  }

  @Test
  void stats_top_listsTheLargestPartitionsReadably() {
    SchemaPrintCommandTest.Run r =
        SchemaPrintCommandTest.run(
            "schema",
            "stats",
            "--config",
            config.toString(),
            "--keyspace",
            ks.name(),
            "--cassandra",
            cp(),
            "--consistency",
            "ONE",
            "--top",
            "3");
    System.out.println(r.out() + r.err());
    assertThat(r.code()).as(r.err()).isZero();
    String list = r.out().substring(r.out().indexOf("largest partitions (top 3"));
    List<String> lines = list.lines().skip(2).filter(l -> !l.isBlank()).toList();
    assertThat(lines).hasSize(3);
    // The largest partitions are v6 metric rows of a day, keyed tenant-a:d<day>:up.
    assertThat(lines.get(0)).contains("index_2965", "tenant-a:d2076", "(2026-11-0");
    long prev = Long.MAX_VALUE;
    for (String l : lines) {
      long bytes = Long.parseLong(l.trim().split("\\s+")[1]);
      assertThat(bytes).isLessThanOrEqualTo(prev);
      prev = bytes;
    }
  }
}
