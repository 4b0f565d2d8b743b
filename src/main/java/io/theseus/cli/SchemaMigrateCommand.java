package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.schema.PeriodConfig;
import io.theseus.schema.PeriodicTableConfig;
import io.theseus.schema.SchemaConfig;
import io.theseus.schema.SchemaConfigException;
import io.theseus.store.PeriodicTables;
import io.theseus.store.RowStore;
import io.theseus.store.SchemaDdl;
import io.theseus.store.SchemaMigrator;
import io.theseus.store.TableManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus schema migrate}: re-indexes one schema period into another schema version in new
 * tables with {@link SchemaMigrator}: plan (dry run), create target tables, run units under the LWT
 * lock with checkpoints, rate limit and progress, then verify. Exit codes: 0 done and verified; 2
 * bad arguments or refused; 3 stopped early (--max-units), re-run to resume; 4 problems
 * (missing/bad source chunks or a verify mismatch).
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Re-index the chunks of one schema period into another schema version (e.g. v6 -> v11,"
          + " v9 -> v10) in NEW index tables; chunk blobs are copied byte for byte only when the"
          + " target chunk table differs. The source is never changed.",
      "Resumable: each (index table, token range) unit is checkpointed in"
          + " theseus_migrations_progress; re-run with the same arguments to resume. An LWT"
          + " lock keeps two migrations apart. Needs --yes unless --dry-run.",
      "After the run, --verify sample|full checks that the target index finds exactly the"
          + " chunks the source index finds. Then point the period of the schema config at the"
          + " target (schema, index prefix, row_shards, chunks prefix)."
    })
final class SchemaMigrateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin CassandraClientMixin client;

  @Option(
      names = {"--config", "-c"},
      required = true,
      paramLabel = "FILE",
      description = "The current (source) schema config.")
  Path config;

  @Option(
      names = "--options",
      paramLabel = "FILE",
      description = "DDL options YAML (keyspace, table options) as for schema print/apply.")
  Path options;

  @Option(names = "--keyspace", paramLabel = "NAME", description = "Keyspace (default theseus).")
  String keyspace;

  @Option(
      names = "--from-period",
      required = true,
      paramLabel = "DATE",
      description = "The 'from' day of the source period in the schema config (YYYY-MM-DD).")
  String fromPeriod;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "VERSION",
      description = "Target schema version, v1..v11 (e.g. v11).")
  String to;

  @Option(
      names = "--target-config",
      paramLabel = "FILE",
      description =
          "The schema config to switch to afterwards; its period starting on --from-period is the"
              + " target (instead of the --target-* flags).")
  Path targetConfig;

  @Option(
      names = "--target-index-prefix",
      paramLabel = "PREFIX",
      description =
          "Target index table prefix (default: the source's + the version, e.g. index_v11_).")
  String targetIndexPrefix;

  @Option(
      names = "--target-index-period",
      paramLabel = "DURATION",
      description = "Target index table period (default: the source's).")
  String targetIndexPeriod;

  @Option(
      names = "--target-chunk-prefix",
      paramLabel = "PREFIX",
      description = "Target chunk table prefix (default: the source's: chunks stay, none copied).")
  String targetChunkPrefix;

  @Option(
      names = "--target-chunk-period",
      paramLabel = "DURATION",
      description = "Target chunk table period (default: the source's).")
  String targetChunkPeriod;

  @Option(
      names = "--target-row-shards",
      paramLabel = "N",
      description = "Row shards of a v10/v11 target (default: the source's, else 16).")
  Integer targetRowShards;

  @Option(
      names = "--from-time",
      paramLabel = "TIME",
      description = "Only chunks ending at or after this time (RFC 3339 or Unix seconds).")
  String fromTime;

  @Option(
      names = "--to-time",
      paramLabel = "TIME",
      description = "Only chunks starting at or before this time (RFC 3339 or Unix seconds).")
  String toTime;

  @Option(
      names = "--rate",
      paramLabel = "N",
      description = "At most N chunks per second (default 0: unlimited).")
  double rate;

  @Option(
      names = "--splits",
      paramLabel = "N",
      description = "Token ranges (units) per source index table (default 16).")
  int splits = 16;

  @Option(names = "--dry-run", description = "Print the plan (tables, units, estimated chunks).")
  boolean dryRun;

  @Option(names = "--yes", description = "Really write (create target tables, index entries).")
  boolean yes;

  @Option(
      names = "--resume",
      description =
          "Require an earlier run's checkpoints and continue it (default: continue if any).")
  boolean resume;

  @Option(names = "--restart", description = "Forget this migration's checkpoints; start over.")
  boolean restart;

  @Option(
      names = "--verify",
      paramLabel = "MODE",
      description = "After the run: none, sample (default) or full.")
  String verify = "sample";

  @Option(
      names = "--verify-sample",
      paramLabel = "N",
      description = "Series checked by --verify sample (default 1000).")
  int verifySample = 1000;

  @Option(
      names = "--max-units",
      paramLabel = "N",
      description =
          "Stop after N units (run a migration in slices); exit code 3, re-run to resume.")
  int maxUnits;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    SchemaMigrator.VerifyMode mode = verifyMode(verify);
    if (resume && restart) {
      throw new IllegalArgumentException("--resume and --restart exclude each other");
    }
    SchemaConfig source = SchemaConfig.load(config);
    LocalDate period = parseDay(fromPeriod);
    PeriodConfig target = target(source, period);
    SchemaConfig targetCfg = targetConfig == null ? null : SchemaConfig.load(targetConfig);
    Long fromMs = fromTime == null ? null : CliTimes.parseMillis("--from-time", fromTime);
    Long toMs = toTime == null ? null : CliTimes.parseMillis("--to-time", toTime);
    SchemaDdlMixin m = new SchemaDdlMixin();
    m.config = config;
    m.options = options;
    m.keyspace = keyspace;
    SchemaDdl.Options o = m.ddlOptions();
    try (CqlSession s = client.open()) {
      if (s.execute(
                  "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                  o.keyspace())
              .one()
          == null) {
        throw new IllegalArgumentException(
            "keyspace " + o.keyspace() + " does not exist (--keyspace)");
      }
      RowStore rows = RowStore.builder(s, o.keyspace()).consistency(client.consistency).build();
      try {
        TableManager tm =
            new TableManager(s, o.keyspace(), name -> tableOptions(name, o, source, target));
        SchemaMigrator.Builder b =
            SchemaMigrator.builder(s, rows, tm, source, period, target)
                .timeRange(fromMs, toMs)
                .splits(splits)
                .rate(rate)
                .maxUnits(maxUnits)
                .verifySample(verifySample)
                .restart(restart)
                .targetConfig(targetCfg);
        Progress bar = new Progress(out, System.console() != null);
        b.progress(bar::update);
        SchemaMigrator mig = b.build();
        SchemaMigrator.Plan plan = mig.plan();
        printPlan(out, plan, o.keyspace());
        if (resume && plan.doneUnits().isEmpty()) {
          throw new IllegalArgumentException(
              "--resume: migration "
                  + plan.migrationId()
                  + " has no checkpoints; run without"
                  + " --resume to start it");
        }
        if (dryRun) {
          out.printf(
              Locale.ROOT,
              "estimated chunks: %d (first units' index rows, scaled to all %d)%n",
              mig.estimateChunks(plan),
              plan.units().size());
          out.println("-- dry run: nothing was written");
          out.flush();
          return 0;
        }
        if (!yes) {
          throw new IllegalArgumentException(
              "refusing to migrate without --yes (it creates "
                  + plan.targetTables().size()
                  + " tables and writes index entries); run with --dry-run to see the plan");
        }
        if (restart) {
          out.println("restart: forgetting the checkpoints of " + plan.migrationId());
        }
        SchemaMigrator.Result r = mig.run();
        bar.finish();
        out.printf(
            Locale.ROOT,
            "migrated %d chunks (%d copied), %d index entries in %d units (%d resumed as done)%n",
            r.chunks(),
            r.chunksCopied(),
            r.entries(),
            r.unitsRun(),
            r.unitsResumed());
        if (r.skippedRows() + r.missingChunks() + r.badChunks() > 0) {
          out.printf(
              Locale.ROOT,
              "skipped: %d unparsable index rows, %d missing chunks, %d undecodable chunks%n",
              r.skippedRows(),
              r.missingChunks(),
              r.badChunks());
        }
        r.problems().forEach(p -> out.println("PROBLEM: " + p));
        if (r.stopped()) {
          out.printf(
              "stopped after --max-units %d; %d of %d units done; re-run the same command to"
                  + " resume%n",
              maxUnits, r.unitsRun() + r.unitsResumed(), r.unitsTotal());
          out.flush();
          return 3;
        }
        SchemaMigrator.VerifyReport v = mig.verify(mode);
        if (mode != SchemaMigrator.VerifyMode.NONE) {
          out.printf(
              Locale.ROOT,
              "verify (%s): source index %d chunks, target index %d chunks; %d series checked,"
                  + " %d chunks compared, %d mismatches%n",
              mode.name().toLowerCase(Locale.ROOT),
              v.sourceChunks(),
              v.targetChunks(),
              v.seriesChecked(),
              v.chunksCompared(),
              v.mismatches());
          v.problems().forEach(p -> out.println("MISMATCH: " + p));
        }
        boolean ok = r.ok() && v.ok();
        out.println(ok ? "OK" : "PROBLEMS FOUND");
        if (ok) {
          out.println(
              "next: set the period from "
                  + period
                  + " in the schema config to schema "
                  + target.schema()
                  + ", index prefix "
                  + target.index().prefix()
                  + (target.rowShards() > 0 ? ", row_shards " + target.rowShards() : "")
                  + ", chunks prefix "
                  + target.chunks().prefix()
                  + ", and roll the readers; the source tables stay until you drop them");
        }
        out.flush();
        return ok ? 0 : 4;
      } finally {
        rows.close();
      }
    }
  }

  static SchemaMigrator.VerifyMode verifyMode(String text) {
    return switch (text) {
      case "none" -> SchemaMigrator.VerifyMode.NONE;
      case "sample" -> SchemaMigrator.VerifyMode.SAMPLE;
      case "full" -> SchemaMigrator.VerifyMode.FULL;
      default ->
          throw new IllegalArgumentException(
              "--verify '" + text + "' must be none, sample or full");
    };
  }

  private static LocalDate parseDay(String text) {
    try {
      if (!text.matches("\\d{4}-\\d{2}-\\d{2}")) {
        throw new DateTimeParseException("", text, 0);
      }
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--from-period '" + text + "' is not a date YYYY-MM-DD");
    }
  }

  /** The target period: from --target-config, or the source period with the --target-* flags. */
  private PeriodConfig target(SchemaConfig source, LocalDate period) {
    if (!PeriodConfig.VERSIONS.contains(to)) {
      throw new IllegalArgumentException("--to '" + to + "' is not a schema version v1..v11");
    }
    if (targetConfig != null) {
      if (targetIndexPrefix != null
          || targetChunkPrefix != null
          || targetRowShards != null
          || targetIndexPeriod != null
          || targetChunkPeriod != null) {
        throw new IllegalArgumentException(
            "--target-config excludes the --target-index-*/--target-chunk-*/--target-row-shards"
                + " flags");
      }
      SchemaConfig t = SchemaConfig.load(targetConfig);
      for (PeriodConfig p : t.periods()) {
        if (p.from().equals(period)) {
          if (!p.schema().equals(to)) {
            throw new IllegalArgumentException(
                "--to "
                    + to
                    + " but the period from "
                    + period
                    + " of --target-config "
                    + targetConfig
                    + " has schema "
                    + p.schema());
          }
          return p;
        }
      }
      throw new IllegalArgumentException(
          "--target-config " + targetConfig + " has no period starting on " + period);
    }
    PeriodConfig src = null;
    for (PeriodConfig p : source.periods()) {
      if (p.from().equals(period)) {
        src = p;
      }
    }
    if (src == null) {
      List<String> have = new java.util.ArrayList<>();
      source.periods().forEach(p -> have.add(p.from().toString()));
      throw new IllegalArgumentException(
          "--from-period "
              + period
              + ": no schema period starts on that day (periods: "
              + String.join(", ", have)
              + ")");
    }
    String ip = targetIndexPrefix != null ? targetIndexPrefix : src.index().prefix() + to + "_";
    long ipm =
        targetIndexPeriod != null
            ? duration("--target-index-period", targetIndexPeriod)
            : src.index().periodMs();
    String cp = targetChunkPrefix != null ? targetChunkPrefix : src.chunks().prefix();
    long cpm =
        targetChunkPeriod != null
            ? duration("--target-chunk-period", targetChunkPeriod)
            : src.chunks().periodMs();
    int v = Integer.parseInt(to.substring(1));
    int shards =
        targetRowShards != null
            ? targetRowShards
            : v >= 10 ? (src.rowShards() > 0 ? src.rowShards() : 16) : 0;
    try {
      return new PeriodConfig(
          period,
          src.store(),
          src.objectStore(),
          to,
          new PeriodicTableConfig(ip, ipm),
          new PeriodicTableConfig(cp, cpm),
          shards);
    } catch (SchemaConfigException e) {
      throw new IllegalArgumentException("target period: " + e.getMessage());
    }
  }

  private static long duration(String flag, String text) {
    try {
      return SchemaConfig.parseDurationMillis(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + " '" + text + "': " + e.getMessage());
    }
  }

  /** The options `schema print` gives a table of the target config (else none). */
  private static String tableOptions(
      String name, SchemaDdl.Options o, SchemaConfig source, PeriodConfig target) {
    List<PeriodConfig> ps = new java.util.ArrayList<>(source.periods());
    for (int i = 0; i < ps.size(); i++) {
      if (target != null && ps.get(i).from().equals(target.from())) {
        ps.set(i, target);
      }
    }
    for (PeriodicTables.Series ser : SchemaDdl.series(SchemaConfig.of(ps))) {
      if (!ser.prefix().isEmpty()
          && name.startsWith(ser.prefix())
          && (ser.period().isZero()
              ? name.equals(ser.prefix())
              : name.substring(ser.prefix().length()).matches("\\d+"))) {
        return SchemaDdl.optionsCql(
                ser.kind() == PeriodicTables.Kind.INDEX ? o.index() : o.chunks(), ser)
            .replace("\n  ", " ");
      }
    }
    return "";
  }

  static void printPlan(PrintWriter out, SchemaMigrator.Plan p, String keyspace) {
    out.println("migration " + p.migrationId() + " in keyspace " + keyspace);
    out.println("  source: " + describe(p.source()));
    out.println("  target: " + describe(p.target()));
    out.println(
        "  range:  " + Instant.ofEpochMilli(p.from()) + " .. " + Instant.ofEpochMilli(p.through()));
    out.println(
        "  source index tables: "
            + String.join(" ", p.sourceIndexTables())
            + (p.missingSourceIndexTables().isEmpty()
                ? ""
                : " (absent, nothing to read: "
                    + String.join(" ", p.missingSourceIndexTables())
                    + ")"));
    out.println("  target tables (created if missing): " + String.join(" ", p.targetTables()));
    out.println(
        "  chunk blobs: "
            + (p.copiesChunks()
                ? "copied byte for byte to the target chunk tables"
                : "stay in the source chunk tables (same chunk tables)"));
    out.printf(
        Locale.ROOT,
        "  units: %d (%d tables x %d token ranges), %d already done%n",
        p.units().size(),
        p.sourceIndexTables().size(),
        p.units().isEmpty() ? 0 : p.units().get(0).splits(),
        p.doneUnits().size());
  }

  private static String describe(PeriodConfig p) {
    return p.schema()
        + " from "
        + p.from()
        + ", index "
        + p.index().prefix()
        + " every "
        + period(p.index().periodMs())
        + ", chunks "
        + p.chunks().prefix()
        + " every "
        + period(p.chunks().periodMs())
        + (p.rowShards() > 0 ? ", row_shards " + p.rowShards() : "");
  }

  private static String period(long ms) {
    if (ms == 0) {
      return "0 (one table)";
    }
    return ms % 3_600_000L == 0 ? ms / 3_600_000L + "h" : ms / 1000 + "s";
  }

  /** A progress bar on a terminal, a plain line every 10 s (and per 5% of units) otherwise. */
  static final class Progress {
    private final PrintWriter out;
    private final boolean tty;
    private long lastLineNanos = System.nanoTime();
    private int lastPercent = -1;
    private boolean drawn;

    Progress(PrintWriter out, boolean tty) {
      this.out = out;
      this.tty = tty;
    }

    void update(SchemaMigrator.Progress p) {
      int pct = p.unitsTotal() == 0 ? 100 : (int) (100L * p.unitsDone() / p.unitsTotal());
      double secs = p.elapsedNanos() / 1e9;
      double cps = secs <= 0 ? 0 : p.chunks() / secs;
      String eta = "?";
      if (p.unitsDone() > 0 && secs > 0) {
        double per = secs / Math.max(1, p.unitsDone());
        eta = formatDuration(Duration.ofSeconds((long) (per * (p.unitsTotal() - p.unitsDone()))));
      }
      if (tty) {
        int w = 30;
        int fill = pct * w / 100;
        out.printf(
            Locale.ROOT,
            "\r[%s%s] %3d%% %d/%d units, %d chunks, %.0f chunks/s, ETA %s  ",
            "#".repeat(fill),
            ".".repeat(w - fill),
            pct,
            p.unitsDone(),
            p.unitsTotal(),
            p.chunks(),
            cps,
            eta);
        out.flush();
        drawn = true;
        return;
      }
      long now = System.nanoTime();
      if (now - lastLineNanos >= 10_000_000_000L || pct / 5 != lastPercent / 5) {
        out.printf(
            Locale.ROOT,
            "progress: %d%% (%d/%d units), %d chunks, %d entries, %.0f chunks/s,"
                + " ETA %s, last unit %s%n",
            pct,
            p.unitsDone(),
            p.unitsTotal(),
            p.chunks(),
            p.entries(),
            cps,
            eta,
            p.unit());
        out.flush();
        lastLineNanos = now;
        lastPercent = pct;
      }
    }

    void finish() {
      if (tty && drawn) {
        out.println();
      }
    }

    static String formatDuration(Duration d) {
      long s = d.toSeconds();
      return s >= 3600
          ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
          : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
  }
}
