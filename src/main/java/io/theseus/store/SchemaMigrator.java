package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.ChunkDecodeResult;
import io.theseus.chunk.ExternalKey;
import io.theseus.model.Labels;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexQuery;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.MetricNameIndex;
import io.theseus.schema.PeriodConfig;
import io.theseus.schema.RangeValues;
import io.theseus.schema.SchemaConfig;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code theseus schema migrate}: re-indexes the chunks of one schema period into another schema
 * version (e.g. v6 → v11, v9 → v10) in NEW index tables, leaving the source untouched.
 *
 * <p><b>Discovery.</b> The source is its <i>index</i>, not its chunk tables: the set migrated is
 * exactly the set the source read path can find (orphan chunks stay behind; chunks that started in
 * the previous period but reach into this one are included). Every version v1–v11 writes the chunk
 * ID into some row of the bucket's index table (v1–v8 chunk rows, v9+ {@code B:S} series→chunk
 * rows), so a full scan of the period's index tables finds every chunk whatever the version; rows
 * without a chunk (v7 {@code '6'}, v8/v9+ series rows, v11 label names, Theseus metric names, chunk
 * rows of a table shared with the chunks) are skipped. Chunks whose [from, through] misses the
 * migrated range are ignored (a shared table may hold other periods' buckets).
 *
 * <p><b>Units.</b> Each source index table is scanned in {@code splits} Murmur3 token ranges
 * ({@code token(hash) > a AND token(hash) <= b}); one (table, token range) is the unit of work and
 * of checkpointing. A unit reads its index rows, fetches each distinct chunk from the source chunk
 * table of its start (as the read path does), decodes it (CRC-32C and metadata against the key),
 * copies the blob byte for byte to the target chunk table when that table differs (only chunks
 * starting in the period; the copy is acknowledged before any index entry), then writes the target
 * version's index entries for the part of [from, through] inside the period, exactly as {@link
 * ChunkWriter} would: v1–v8 chunk entries; v9+ label entries once per series per bucket plus
 * series→chunk entries; plus the Theseus {@link MetricNameIndex} rows. After a unit, a row of
 * {@value #PROGRESS_TABLE} records it done with its counts. Index writes are idempotent, so a unit
 * redone after a crash writes the same cells again: no duplicates.
 *
 * <p><b>Safety.</b> Target tables are created first (CREATE IF NOT EXISTS, caller's options);
 * nothing is dropped or overwritten except by identical cells. A lightweight-transaction lock (row
 * {@value #LOCK_NAME} of {@link SchemaDdl#LOCK_TABLE}, TTL 10 min, renewed after every unit) keeps
 * two migrations of a keyspace apart. The source period must be closed (a later period exists) or
 * the range bounded, so the set of units and the migration ID are stable across runs.
 *
 * <p>Not thread-safe: one {@link #run} at a time per instance (the I/O inside is asynchronous and
 * bounded by the {@link RowStore}).
 */
public final class SchemaMigrator {
  private static final Logger logger = LoggerFactory.getLogger(SchemaMigrator.class);

  /** The checkpoint table: one row per finished (or started) unit of a migration. */
  public static final String PROGRESS_TABLE = "theseus_migrations_progress";

  /** The lock row name in {@link SchemaDdl#LOCK_TABLE}. */
  public static final String LOCK_NAME = "migrate";

  private static final int LOCK_TTL_SECONDS = 600;
  private static final int BATCH = 256;
  private static final int MAX_PROBLEMS = 20;

  /** Verification after the run. */
  public enum VerifyMode {
    NONE,
    SAMPLE,
    FULL
  }

  /** One unit of work: token range {@code (start, end]} of one source index table. */
  public record Unit(String table, int split, int splits, long start, long end) {
    /** e.g. {@code index_2608:03/16}. */
    public String name() {
      int w = Integer.toString(splits - 1).length();
      return table + ":" + String.format("%0" + w + "d", split) + "/" + splits;
    }
  }

  /** What a run would do (the dry run prints this). */
  public record Plan(
      String migrationId,
      PeriodConfig source,
      PeriodConfig target,
      long from,
      long through,
      List<String> sourceIndexTables,
      List<String> missingSourceIndexTables,
      List<String> targetTables,
      List<Unit> units,
      Set<String> doneUnits,
      boolean copiesChunks) {}

  /** Progress after a batch or unit. */
  public record Progress(
      int unitsDone, int unitsTotal, long chunks, long entries, long elapsedNanos, String unit) {}

  /** The outcome of a run. */
  public record Result(
      String migrationId,
      int unitsTotal,
      int unitsRun,
      int unitsResumed,
      long chunks,
      long chunksCopied,
      long entries,
      long missingChunks,
      long badChunks,
      long skippedRows,
      boolean stopped,
      List<String> problems) {
    public boolean ok() {
      return missingChunks == 0 && badChunks == 0;
    }
  }

  /** The outcome of {@link #verify}. */
  public record VerifyReport(
      VerifyMode mode,
      long sourceChunks,
      long targetChunks,
      long seriesChecked,
      long chunksCompared,
      long mismatches,
      List<String> problems) {
    public boolean ok() {
      return mismatches == 0 && sourceChunks == targetChunks;
    }
  }

  private final CqlSession session;
  private final RowStore rows;
  private final TableManager tables;
  private final SchemaConfig sourceConfig;
  private final SchemaConfig targetConfig;
  private final PeriodConfig source;
  private final PeriodConfig target;
  private final long periodStart;
  private final long periodEnd; // inclusive
  private final long from;
  private final long through;
  private final int splits;
  private final double rate;
  private final int maxUnits;
  private final boolean metricNames;
  private final int verifySample;
  private final Consumer<Progress> progress;
  private final String ks;
  private final String id;
  private final IndexSchema targetSchema;
  private final boolean restart;

  private SchemaMigrator(Builder b) {
    this.session = b.session;
    this.rows = b.rows;
    this.tables = b.tables;
    this.sourceConfig = b.sourceConfig;
    this.source = b.source;
    this.target = b.target;
    this.targetConfig = b.targetConfig;
    this.periodStart = b.periodStart;
    this.periodEnd = b.periodEnd;
    this.from = b.from;
    this.through = b.through;
    this.splits = b.splits;
    this.rate = b.rate;
    this.maxUnits = b.maxUnits;
    this.metricNames = b.metricNames;
    this.verifySample = b.verifySample;
    this.progress = b.progress;
    this.ks = CqlIdentifier.fromInternal(rows.keyspace()).asCql(true);
    this.id = migrationId();
    this.targetSchema = target.indexSchema();
    this.restart = b.restart;
  }

  /**
   * A migrator of the period of {@code sourceConfig} starting on {@code fromPeriod} into {@code
   * target} (a period with the same {@code from}).
   */
  public static Builder builder(
      CqlSession session,
      RowStore rows,
      TableManager tables,
      SchemaConfig sourceConfig,
      LocalDate fromPeriod,
      PeriodConfig target) {
    return new Builder(session, rows, tables, sourceConfig, fromPeriod, target);
  }

  /** Builder; {@link #build} validates everything and names the bad value. */
  public static final class Builder {
    private final CqlSession session;
    private final RowStore rows;
    private final TableManager tables;
    private final SchemaConfig sourceConfig;
    private final LocalDate fromPeriod;
    private final PeriodConfig targetIn;
    private PeriodConfig source;
    private PeriodConfig target;
    private SchemaConfig targetConfig;
    private Long timeFrom;
    private Long timeThrough;
    private long periodStart;
    private long periodEnd;
    private long from;
    private long through;
    private int splits = 16;
    private double rate;
    private int maxUnits;
    private boolean metricNames = true;
    private int verifySample = 1000;
    private boolean restart;
    private Consumer<Progress> progress = p -> {};
    private SchemaConfig targetConfigIn;

    private Builder(
        CqlSession session,
        RowStore rows,
        TableManager tables,
        SchemaConfig sourceConfig,
        LocalDate fromPeriod,
        PeriodConfig target) {
      if (session == null || rows == null || tables == null || sourceConfig == null) {
        throw new IllegalArgumentException("migration needs a session, row store, tables, config");
      }
      if (fromPeriod == null || target == null) {
        throw new IllegalArgumentException("migration needs --from-period and a target period");
      }
      this.session = session;
      this.rows = rows;
      this.tables = tables;
      this.sourceConfig = sourceConfig;
      this.fromPeriod = fromPeriod;
      this.targetIn = target;
    }

    /** Only chunks overlapping [from, through] (ms, inclusive); default the whole period. */
    public Builder timeRange(Long fromMs, Long throughMs) {
      if (fromMs != null && throughMs != null && throughMs < fromMs) {
        throw new IllegalArgumentException(
            "--to-time "
                + Instant.ofEpochMilli(throughMs)
                + " is before --from-time "
                + Instant.ofEpochMilli(fromMs));
      }
      timeFrom = fromMs;
      timeThrough = throughMs;
      return this;
    }

    /** Token ranges per source index table (units). Default 16. */
    public Builder splits(int n) {
      if (n < 1 || n > 4096) {
        throw new IllegalArgumentException("--splits must be in 1..4096, got " + n);
      }
      splits = n;
      return this;
    }

    /** Chunks per second (0: unlimited, the default). */
    public Builder rate(double chunksPerSecond) {
      if (!(chunksPerSecond >= 0) || Double.isInfinite(chunksPerSecond)) {
        throw new IllegalArgumentException("--rate must be >= 0 chunks/s, got " + chunksPerSecond);
      }
      rate = chunksPerSecond;
      return this;
    }

    /** Stop after this many units run in this invocation (0: no limit). */
    public Builder maxUnits(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("--max-units must be >= 0, got " + n);
      }
      maxUnits = n;
      return this;
    }

    /** Whether to write Theseus metric-names rows (as the normal write path). Default true. */
    public Builder metricNamesIndex(boolean on) {
      metricNames = on;
      return this;
    }

    /** Forget this migration's checkpoints (under the lock) and start over. Default false. */
    public Builder restart(boolean on) {
      restart = on;
      return this;
    }

    /** Series checked by a {@link VerifyMode#SAMPLE} verify. Default 1000. */
    public Builder verifySample(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("--verify-sample must be >= 1, got " + n);
      }
      verifySample = n;
      return this;
    }

    /** Called after every batch and unit (on the caller's thread). */
    public Builder progress(Consumer<Progress> listener) {
      progress = listener == null ? p -> {} : listener;
      return this;
    }

    /**
     * The full target config the DBA will switch to; its periods other than the migrated one must
     * start on the same days as the source's.
     */
    public Builder targetConfig(SchemaConfig c) {
      targetConfigIn = c;
      return this;
    }

    public SchemaMigrator build() {
      List<PeriodConfig> ps = sourceConfig.periods();
      int idx = -1;
      for (int i = 0; i < ps.size(); i++) {
        if (ps.get(i).from().equals(fromPeriod)) {
          idx = i;
        }
      }
      if (idx < 0) {
        StringBuilder have = new StringBuilder();
        ps.forEach(p -> have.append(have.length() == 0 ? "" : ", ").append(p.from()));
        throw new IllegalArgumentException(
            "--from-period "
                + fromPeriod
                + ": no schema period starts on that day (periods: "
                + have
                + ")");
      }
      source = ps.get(idx);
      target = targetIn;
      if (!target.from().equals(source.from())) {
        throw new IllegalArgumentException(
            "target period starts on "
                + target.from()
                + ", not on the source period's "
                + source.from()
                + " (a migration re-indexes one period onto the same days)");
      }
      if (!"cassandra".equals(source.store()) || !"cassandra".equals(target.store())) {
        throw new IllegalArgumentException(
            "only cassandra index stores can be migrated (source store '"
                + source.store()
                + "', target store '"
                + target.store()
                + "')");
      }
      if (!"cassandra".equals(target.objectStore()) || !"cassandra".equals(source.objectStore())) {
        throw new IllegalArgumentException(
            "only cassandra chunk stores can be migrated (source object_store '"
                + source.objectStore()
                + "', target '"
                + target.objectStore()
                + "')");
      }
      if (target.schema().equals(source.schema())
          && target.index().equals(source.index())
          && target.rowShards() == source.rowShards()) {
        throw new IllegalArgumentException(
            "--to "
                + target.schema()
                + ": the target is the source period itself (same version "
                + "and same index tables "
                + source.index().prefix()
                + "); nothing to migrate");
      }
      periodStart = source.fromMs();
      periodEnd = idx + 1 < ps.size() ? ps.get(idx + 1).fromMs() - 1 : Long.MAX_VALUE;
      if (periodEnd == Long.MAX_VALUE && timeThrough == null) {
        throw new IllegalArgumentException(
            "--from-period "
                + fromPeriod
                + " is the last period of the config, still written"
                + " to; add the next period to the config first (migrate closed periods), or"
                + " bound the range with --to-time");
      }
      from = timeFrom == null ? periodStart : timeFrom;
      through = timeThrough == null ? periodEnd : timeThrough;
      if (from < periodStart || from > periodEnd) {
        throw new IllegalArgumentException(
            "--from-time "
                + Instant.ofEpochMilli(from)
                + " lies outside the period "
                + source.from()
                + " .. "
                + end(periodEnd));
      }
      if (through < periodStart || through > periodEnd) {
        throw new IllegalArgumentException(
            "--to-time "
                + Instant.ofEpochMilli(through)
                + " lies outside the period "
                + source.from()
                + " .. "
                + end(periodEnd));
      }
      // The config after the migration: the source with the period replaced.
      List<PeriodConfig> tps = new ArrayList<>(ps);
      tps.set(idx, target);
      targetConfig = SchemaConfig.of(tps);
      if (targetConfigIn != null) {
        List<PeriodConfig> given = targetConfigIn.periods();
        boolean same = given.size() == ps.size();
        for (int i = 0; same && i < ps.size(); i++) {
          same = given.get(i).from().equals(ps.get(i).from());
        }
        if (!same) {
          throw new IllegalArgumentException(
              "--target-config periods start on "
                  + froms(given)
                  + " but the source config's on "
                  + froms(ps)
                  + "; the target period must not overlap another period");
        }
        targetConfig = targetConfigIn;
      }
      checkNewTables();
      return new SchemaMigrator(this);
    }

    private static String end(long ms) {
      return ms == Long.MAX_VALUE ? "(open)" : Instant.ofEpochMilli(ms).toString();
    }

    private static String froms(List<PeriodConfig> ps) {
      List<String> out = new ArrayList<>();
      ps.forEach(p -> out.add(p.from().toString()));
      return out.toString();
    }

    /** Target index tables must be new; target chunk tables new or the source's chunk tables. */
    private void checkNewTables() {
      Instant a = Instant.ofEpochMilli(from);
      Instant b = Instant.ofEpochMilli(through);
      Set<String> targetIndex = names(target.index(), a, b);
      Set<String> targetChunks = names(target.chunks(), a, b);
      Set<String> sourceChunks = names(source.chunks(), a, b);
      Map<String, String> used = new TreeMap<>();
      List<PeriodConfig> all = sourceConfig.periods();
      for (int i = 0; i < all.size(); i++) {
        PeriodConfig p = all.get(i);
        Instant pa = Instant.ofEpochMilli(p.fromMs());
        Instant pe =
            i + 1 < all.size() ? Instant.ofEpochMilli(all.get(i + 1).fromMs() - 1) : Instant.MAX;
        Instant lo = pa.isAfter(a) ? pa : a;
        Instant hi = pe.isBefore(b) ? pe : b;
        if (hi.isBefore(lo)) {
          continue;
        }
        names(p.index(), lo, hi).forEach(t -> used.put(t, "index table of period " + p.from()));
        names(p.chunks(), lo, hi).forEach(t -> used.put(t, "chunk table of period " + p.from()));
      }
      for (String t : targetIndex) {
        if (used.containsKey(t)) {
          throw new IllegalArgumentException(
              "target index table "
                  + t
                  + " (prefix '"
                  + target.index().prefix()
                  + "') is already"
                  + " the "
                  + used.get(t)
                  + "; migrate into new tables: choose another"
                  + " --target-index-prefix");
        }
        if (targetChunks.contains(t)) {
          throw new IllegalArgumentException(
              "target index and chunk tables must differ, both include " + t);
        }
      }
      for (String t : targetChunks) {
        if (used.containsKey(t) && !sourceChunks.contains(t)) {
          throw new IllegalArgumentException(
              "target chunk table "
                  + t
                  + " (prefix '"
                  + target.chunks().prefix()
                  + "') is already"
                  + " the "
                  + used.get(t)
                  + "; use the source period's chunk prefix '"
                  + source.chunks().prefix()
                  + "' or a new one");
        }
      }
    }

    private static Set<String> names(
        io.theseus.schema.PeriodicTableConfig c, Instant a, Instant b) {
      Set<String> out = new TreeSet<>();
      if (c.prefix().isEmpty()) {
        return out;
      }
      if (c.periodMs() == 0) {
        out.add(c.prefix());
        return out;
      }
      long p = c.periodMs();
      long endMs = Math.min(b.toEpochMilli(), a.toEpochMilli() + 3660L * 86_400_000L);
      for (long t = c.periodStart(a.toEpochMilli()); t <= endMs; t += p) {
        out.add(c.tableFor(t));
      }
      return out;
    }
  }

  public String migrationId() {
    if (id != null) {
      return id;
    }
    String desc =
        String.join(
            "|",
            rows.keyspace(),
            describe(source),
            describe(target),
            Long.toString(from),
            Long.toString(through),
            Integer.toString(splits),
            Boolean.toString(metricNames));
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(desc.getBytes(StandardCharsets.UTF_8));
      return source.from()
          + "_"
          + source.schema()
          + "_to_"
          + target.schema()
          + "_"
          + HexFormat.of().formatHex(h, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(PeriodConfig p) {
    return p.schema()
        + ","
        + p.index().prefix()
        + ","
        + p.index().periodMs()
        + ","
        + p.chunks().prefix()
        + ","
        + p.chunks().periodMs()
        + ","
        + p.rowShards();
  }

  /** The config to switch to after the migration (source with the period replaced). */
  public SchemaConfig targetConfig() {
    return targetConfig;
  }

  public SchemaConfig sourceConfig() {
    return sourceConfig;
  }

  public PeriodConfig source() {
    return source;
  }

  public PeriodConfig target() {
    return target;
  }

  // ------------------------------------------------------------------ plan

  /** The plan: reads {@code system_schema} and the checkpoint table only (writes nothing). */
  public Plan plan() {
    Set<String> existing = tables.existingTables();
    List<String> srcTables = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String t :
        Builder.names(
            source.index(),
            Instant.ofEpochMilli(bucketFloor(from)),
            Instant.ofEpochMilli(through))) {
      (existing.contains(t) ? srcTables : missing).add(t);
    }
    List<Unit> units = new ArrayList<>();
    for (String t : srcTables) {
      units.addAll(units(t, splits));
    }
    Set<String> done = existing.contains(PROGRESS_TABLE) ? doneUnits() : Set.of();
    return new Plan(
        id,
        source,
        target,
        from,
        through,
        srcTables,
        missing,
        new ArrayList<>(targetTables()),
        units,
        done,
        copiesChunks());
  }

  private long bucketFloor(long ms) {
    long size = source.version() == 1 ? 3_600_000L : 86_400_000L;
    return Math.floorDiv(ms, size) * size;
  }

  /** Whether any chunk of the range gets copied (target chunk table differs). */
  private boolean copiesChunks() {
    Instant a = Instant.ofEpochMilli(from);
    Instant b = Instant.ofEpochMilli(through);
    return !Builder.names(target.chunks(), a, b).equals(Builder.names(source.chunks(), a, b));
  }

  /** The tables the migration writes: target index tables, and chunk tables when copying. */
  Set<String> targetTables() {
    Set<String> out = new TreeSet<>();
    Instant a = Instant.ofEpochMilli(bucketFloor(from));
    Instant b = Instant.ofEpochMilli(through);
    out.addAll(Builder.names(target.index(), a, b));
    if (copiesChunks()) {
      out.addAll(
          Builder.names(target.chunks(), Instant.ofEpochMilli(Math.max(from, periodStart)), b));
    }
    return out;
  }

  /** {@code n} token ranges covering the Murmur3 ring: (MIN, t1], (t1, t2], ..., (tn-1, MAX]. */
  static List<Unit> units(String table, int n) {
    List<Unit> out = new ArrayList<>(n);
    BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
    BigInteger span = BigInteger.valueOf(Long.MAX_VALUE).subtract(min);
    long prev = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long end =
          i == n - 1
              ? Long.MAX_VALUE
              : min.add(span.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(n)))
                  .longValueExact();
      out.add(new Unit(table, i, n, prev, end));
      prev = end;
    }
    return out;
  }

  /** Creates the checkpoint table if needed (the keyspace must exist). */
  void ensureBookkeeping() {
    session.execute(
        SimpleStatement.newInstance(
                "CREATE TABLE IF NOT EXISTS "
                    + ks
                    + "."
                    + SchemaDdl.LOCK_TABLE
                    + " (name text PRIMARY KEY, owner text, acquired_at timestamp)")
            .setTimeout(Duration.ofSeconds(60)));
    session.execute(
        SimpleStatement.newInstance(
                "CREATE TABLE IF NOT EXISTS "
                    + ks
                    + "."
                    + PROGRESS_TABLE
                    + " (migration_id text, unit text, status text, chunks bigint, index_entries"
                    + " bigint, copied bigint, updated_at timestamp, PRIMARY KEY (migration_id,"
                    + " unit))")
            .setTimeout(Duration.ofSeconds(60)));
    session.checkSchemaAgreement();
  }

  /** The units of this migration recorded as done. */
  public Set<String> doneUnits() {
    Set<String> out = new TreeSet<>();
    for (Row r :
        session.execute(
            SimpleStatement.newInstance(
                "SELECT unit, status FROM " + ks + "." + PROGRESS_TABLE + " WHERE migration_id = ?",
                id))) {
      if ("done".equals(r.getString(1))) {
        out.add(r.getString(0));
      }
    }
    return out;
  }

  /** Forgets the checkpoints of this migration (for {@code --restart}). */
  public void clearCheckpoints() {
    ensureBookkeeping();
    session.execute(
        SimpleStatement.newInstance(
            "DELETE FROM " + ks + "." + PROGRESS_TABLE + " WHERE migration_id = ?", id));
  }

  // ------------------------------------------------------------------ run

  /**
   * Runs (or resumes) the migration under the LWT lock.
   *
   * @throws IllegalStateException when another migration holds the lock
   */
  public Result run() {
    ensureBookkeeping();
    String owner = whoAmI();
    lock(owner);
    try {
      if (restart) {
        clearCheckpoints();
      }
      Plan plan = plan();
      for (String t : plan.targetTables()) {
        tables.ensure(t).toCompletableFuture().join();
      }
      Stats st = new Stats();
      long t0 = System.nanoTime();
      Pacer pacer = new Pacer(rate);
      Set<String> dedupe = new HashSet<>();
      int done = 0;
      int run = 0;
      int resumed = 0;
      boolean stopped = false;
      for (Unit u : plan.units()) {
        if (plan.doneUnits().contains(u.name())) {
          done++;
          resumed++;
          continue;
        }
        if (maxUnits > 0 && run == maxUnits) {
          stopped = true;
          break;
        }
        checkpoint(u, "running", 0, 0, 0);
        long c0 = st.chunks;
        long e0 = st.entries;
        long k0 = st.copied;
        st.owner = owner;
        runUnit(u, st, pacer, dedupe, done, plan.units().size(), t0);
        checkpoint(u, "done", st.chunks - c0, st.entries - e0, st.copied - k0);
        renew(owner);
        st.renewedNanos = System.nanoTime();
        done++;
        run++;
        progress.accept(
            new Progress(
                done,
                plan.units().size(),
                st.chunks,
                st.entries,
                System.nanoTime() - t0,
                u.name()));
      }
      return new Result(
          id,
          plan.units().size(),
          run,
          resumed,
          st.chunks,
          st.copied,
          st.entries,
          st.missing,
          st.bad,
          st.skipped,
          stopped,
          st.problems);
    } finally {
      unlock(owner);
    }
  }

  private static final class Stats {
    long chunks;
    long copied;
    long entries;
    long missing;
    long bad;
    long skipped;
    final List<String> problems = new ArrayList<>();
    final Set<String> migrated = new HashSet<>();
    String owner;
    long renewedNanos = System.nanoTime();

    void problem(String p) {
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(p);
      }
    }
  }

  private void runUnit(
      Unit u, Stats st, Pacer pacer, Set<String> dedupe, int done, int total, long t0) {
    Set<String> ids = scanChunkIds(u, st);
    // A chunk spanning several buckets is named in several partitions (units): once per run.
    ids.removeAll(st.migrated);
    if (st.migrated.size() > 500_000) {
      st.migrated.clear();
    }
    st.migrated.addAll(ids);
    List<String> batch = new ArrayList<>(BATCH);
    for (String cid : ids) {
      batch.add(cid);
      if (batch.size() == BATCH) {
        migrateBatch(batch, st, pacer, dedupe);
        batch.clear();
        if (System.nanoTime() - st.renewedNanos > 60_000_000_000L) {
          renew(st.owner); // A long unit must not outlive the lock's TTL.
          st.renewedNanos = System.nanoTime();
        }
        progress.accept(
            new Progress(done, total, st.chunks, st.entries, System.nanoTime() - t0, u.name()));
      }
    }
    if (!batch.isEmpty()) {
      migrateBatch(batch, st, pacer, dedupe);
    }
  }

  /** The distinct chunk IDs overlapping [from, through] named by the index rows of a unit. */
  private Set<String> scanChunkIds(Unit u, Stats st) {
    return scanChunkIds(u, st, source.version());
  }

  /**
   * Whether a row of a schema {@code version} index is the one row per chunk per bucket that
   * discovery reads: v1–v3 rows live in the {@code B:M} partition anyway (3 components, or version
   * {@code '1'} for v3); from v4 on only the metric row ({@code '2'}, {@code '3'}; v9+ the {@code
   * B:S} series→chunk row), not the label rows, so each chunk is found in one partition per bucket
   * rather than once per label. Unparsable rows return true (and are then reported).
   */
  static boolean discoveryRow(byte[] range, int version) {
    List<byte[]> c;
    try {
      c = io.theseus.schema.Keys.decodeRangeKey(range);
    } catch (IllegalArgumentException e) {
      return true;
    }
    if (c.size() == 3) {
      return version <= 2;
    }
    if (c.size() < 4 || c.get(3).length != 1) {
      return true;
    }
    byte v = c.get(3)[0];
    if (v == '2' || v == '3') {
      return true;
    }
    if (v == '1' || v == 0x01) {
      return version <= 3;
    }
    return v != '4' && v != '5' && v != '7' && v != '8';
  }

  private Set<String> scanChunkIds(Unit u, Stats st, int version) {
    Set<String> ids = new LinkedHashSet<>();
    for (Row r : scan(u)) {
      byte[] range = RowStore.bytes(r.getByteBuffer(1));
      if (range == null || (range.length == 1 && range[0] == 0)) {
        continue; // A chunk row in a table shared by index and chunks.
      }
      String cid;
      try {
        if (IndexVerifier.pointsAtNoChunk(range) || !discoveryRow(range, version)) {
          continue;
        }
        cid = RangeValues.parse(range, RowStore.bytes(r.getByteBuffer(2))).chunkId();
      } catch (IllegalArgumentException e) {
        st.skipped++;
        st.problem(
            "unparsable index row "
                + u.table()
                + " hash="
                + r.getString(0)
                + ": "
                + e.getMessage());
        continue;
      }
      if (cid == null || ids.contains(cid)) {
        continue;
      }
      ExternalKey k;
      try {
        k = ExternalKey.parse(cid);
      } catch (IllegalArgumentException e) {
        st.skipped++;
        st.problem(
            "index row "
                + u.table()
                + " hash="
                + r.getString(0)
                + " names a bad chunk"
                + " key: "
                + e.getMessage());
        continue;
      }
      if (k.through() >= from && k.from() <= through) {
        ids.add(cid);
      }
    }
    return ids;
  }

  private Iterable<Row> scan(Unit u) {
    return session.execute(
        SimpleStatement.newInstance(
                "SELECT hash, range, value FROM "
                    + ks
                    + "."
                    + CqlIdentifier.fromInternal(u.table()).asCql(true)
                    + " WHERE token(hash) > ? AND token(hash) <= ?",
                u.start(),
                u.end())
            .setPageSize(1000)
            .setTimeout(Duration.ofSeconds(60)));
  }

  private void migrateBatch(List<String> batch, Stats st, Pacer pacer, Set<String> dedupe) {
    pacer.acquire(batch.size());
    Map<String, List<String>> byTable = new LinkedHashMap<>();
    for (String cid : batch) {
      byTable
          .computeIfAbsent(sourceChunkTable(ExternalKey.parse(cid).from()), t -> new ArrayList<>())
          .add(cid);
    }
    List<CompletableFuture<Void>> copies = new ArrayList<>();
    List<IndexEntry> entries = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : byTable.entrySet()) {
      Map<String, byte[]> blobs =
          rows.getChunks(e.getKey(), e.getValue()).toCompletableFuture().join();
      for (String cid : e.getValue()) {
        byte[] blob = blobs.get(cid);
        if (blob == null) {
          st.missing++;
          st.problem(
              "missing chunk "
                  + e.getKey()
                  + " "
                  + cid
                  + " (the source index points at"
                  + " it; not migrated)");
          continue;
        }
        ChunkDecodeResult d = Chunk.decode(cid, blob);
        if (!d.ok()) {
          st.bad++;
          st.problem(
              "bad chunk "
                  + e.getKey()
                  + " "
                  + cid
                  + ": "
                  + d.status()
                  + ": "
                  + d.error()
                  + " (not migrated)");
          continue;
        }
        ExternalKey k = d.chunk().key();
        String targetTable = targetChunkTable(k.from());
        if (targetTable != null && !targetTable.equals(e.getKey())) {
          copies.add(
              tables
                  .ensure(targetTable)
                  .thenCompose(v -> rows.putChunk(targetTable, cid, blob))
                  .toCompletableFuture());
          st.copied++;
        }
        entries.addAll(
            targetEntries(k.userId(), k.from(), k.through(), d.chunk().metric(), cid, dedupe));
        st.chunks++;
      }
    }
    // Chunks first, then the index: an index entry never points at a missing chunk.
    CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).join();
    // Entries of a chunk reaching outside --from-time/--to-time may land in tables beyond the
    // plan's; create those on demand as the write path does (a no-op once known).
    Set<String> entryTables = new TreeSet<>();
    entries.forEach(x -> entryTables.add(x.table()));
    for (String t : entryTables) {
      tables.ensure(t).toCompletableFuture().join();
    }
    rows.write(entries).toCompletableFuture().join();
    st.entries += entries.size();
    if (dedupe.size() > 1_000_000) {
      dedupe.clear();
    }
  }

  /** Where the source read path looks for a chunk starting at {@code ms}. */
  private String sourceChunkTable(long ms) {
    return ChunkWriter.chunkTableFor(sourceConfig, ms);
  }

  /** The target chunk table for a chunk starting at {@code ms}; null if it starts before. */
  private String targetChunkTable(long ms) {
    if (ms < periodStart || ms > periodEnd) {
      return null;
    }
    return target.chunks().tableFor(ms);
  }

  /** The entries the normal write path writes for the chunk's part in this period. */
  List<IndexEntry> targetEntries(
      String user, long cFrom, long cThrough, Labels metric, String cid, Set<String> dedupe) {
    long pf = Math.max(cFrom, periodStart);
    long pt = Math.min(cThrough, periodEnd);
    IndexSchema s = targetSchema;
    List<IndexEntry> out = new ArrayList<>();
    if (s.indexesSeries()) {
      for (IndexSchema.BucketEntries b : s.labelEntries(user, pf, pt, metric)) {
        if (dedupe.add(b.cacheKey())) {
          out.addAll(b.entries());
        }
      }
      out.addAll(s.seriesChunkEntries(user, pf, pt, metric, cid));
    } else {
      out.addAll(s.chunkEntries(user, pf, pt, metric, cid));
    }
    if (metricNames) {
      for (IndexSchema.BucketEntries b :
          MetricNameIndex.entries(s, user, pf, pt, metric.metricName())) {
        if (dedupe.add(b.cacheKey())) {
          out.addAll(b.entries());
        }
      }
    }
    return out;
  }

  private void checkpoint(Unit u, String status, long chunks, long entries, long copied) {
    session.execute(
        SimpleStatement.newInstance(
            "INSERT INTO "
                + ks
                + "."
                + PROGRESS_TABLE
                + " (migration_id, unit, status, chunks, index_entries, copied, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)",
            id,
            u.name(),
            status,
            chunks,
            entries,
            copied,
            Instant.now()));
  }

  // ------------------------------------------------------------------ lock

  private void lock(String owner) {
    Row r =
        session
            .execute(
                SimpleStatement.newInstance(
                    "INSERT INTO "
                        + ks
                        + "."
                        + SchemaDdl.LOCK_TABLE
                        + " (name, owner, acquired_at) VALUES (?, ?, ?) IF NOT EXISTS USING TTL "
                        + LOCK_TTL_SECONDS,
                    LOCK_NAME,
                    owner,
                    Instant.now()))
            .one();
    if (r == null || !r.getBoolean("[applied]")) {
      throw new IllegalStateException(
          "migration lock of "
              + rows.keyspace()
              + " is held by "
              + (r == null ? "?" : r.getString("owner"))
              + " since "
              + (r == null ? "?" : r.getInstant("acquired_at"))
              + "; wait for it, or delete the"
              + " row '"
              + LOCK_NAME
              + "' of "
              + rows.keyspace()
              + "."
              + SchemaDdl.LOCK_TABLE
              + " if its owner died (it expires "
              + LOCK_TTL_SECONDS / 60
              + " minutes after the"
              + " last unit)");
    }
  }

  /** Extends the lock's TTL; fails when the lock was lost (expired and taken by another). */
  private void renew(String owner) {
    boolean applied =
        session
            .execute(
                SimpleStatement.newInstance(
                    "UPDATE "
                        + ks
                        + "."
                        + SchemaDdl.LOCK_TABLE
                        + " USING TTL "
                        + LOCK_TTL_SECONDS
                        + " SET owner = ?, acquired_at = ? WHERE name = ? IF owner = ?",
                    owner,
                    Instant.now(),
                    LOCK_NAME,
                    owner))
            .wasApplied();
    if (!applied) {
      throw new IllegalStateException(
          "lost the migration lock of "
              + rows.keyspace()
              + " (expired and taken by another?);"
              + " stopping; re-run to resume from the checkpoints");
    }
  }

  private void unlock(String owner) {
    try {
      session.execute(
          SimpleStatement.newInstance(
              "DELETE FROM " + ks + "." + SchemaDdl.LOCK_TABLE + " WHERE name = ? IF owner = ?",
              LOCK_NAME,
              owner));
    } catch (RuntimeException e) {
      logger.warn("could not release the migration lock: {}", e.toString());
    }
  }

  /** A lock owner unique to this run: {@code user@host/pid/nanos}. */
  private static String whoAmI() {
    return SchemaPlanner.whoAmI() + "/" + Long.toHexString(System.nanoTime());
  }

  // ------------------------------------------------------------------ verify

  /**
   * Checks that the target index finds exactly the chunks the source index finds. Re-scans the
   * source index units for the chunk IDs in the range; then, per series (all with {@link
   * VerifyMode#FULL}, the first {@code verifySample} in key order with {@link VerifyMode#SAMPLE}),
   * looks its chunks up through the source and the target index the way the read path does (the
   * metric-name rows, each {@code label="value"} row, intersected; v9+ then the series→chunk rows)
   * and compares the sets; copied chunks must be byte-identical. {@code targetChunks} counts the
   * distinct chunk IDs found in the target index tables in the range (a full scan).
   */
  public VerifyReport verify(VerifyMode mode) {
    if (mode == VerifyMode.NONE) {
      return new VerifyReport(mode, 0, 0, 0, 0, 0, List.of());
    }
    Stats st = new Stats();
    Plan plan = plan();
    Set<String> sourceIds = new TreeSet<>();
    for (Unit u : plan.units()) {
      sourceIds.addAll(scanChunkIds(u, st));
    }
    Set<String> targetIds = new TreeSet<>();
    Set<String> existing = tables.existingTables();
    for (String t :
        Builder.names(
            target.index(),
            Instant.ofEpochMilli(bucketFloor(from)),
            Instant.ofEpochMilli(through))) {
      if (existing.contains(t)) {
        for (Unit u : units(t, 1)) {
          targetIds.addAll(scanChunkIds(u, st, target.version()));
        }
      }
    }
    List<String> problems = new ArrayList<>();
    long mismatches = 0;
    for (String c : sourceIds) {
      if (!targetIds.contains(c)) {
        mismatches++;
        addProblem(problems, "chunk " + c + " is in the source index but not in the target's");
      }
    }
    for (String c : targetIds) {
      if (!sourceIds.contains(c)) {
        mismatches++;
        addProblem(problems, "chunk " + c + " is in the target index but not in the source's");
      }
    }
    // Per series: group chunk IDs by user/fingerprint, decode one chunk of each for its labels.
    Map<String, List<String>> bySeries = new TreeMap<>();
    for (String c : sourceIds) {
      bySeries.computeIfAbsent(TableStats.seriesOf(c), x -> new ArrayList<>()).add(c);
    }
    long series = 0;
    long compared = 0;
    for (Map.Entry<String, List<String>> e : bySeries.entrySet()) {
      if (mode == VerifyMode.SAMPLE && series == verifySample) {
        break;
      }
      series++;
      String first = e.getValue().get(0);
      ExternalKey k = ExternalKey.parse(first);
      String table = sourceChunkTable(k.from());
      byte[] blob = rows.getChunk(table, first).toCompletableFuture().join();
      ChunkDecodeResult d = blob == null ? null : Chunk.decode(first, blob);
      if (d == null || !d.ok()) {
        mismatches++;
        addProblem(
            problems,
            "chunk "
                + first
                + " of series "
                + e.getKey()
                + (d == null ? " is missing from " + table : " does not decode: " + d.status()));
        continue;
      }
      Labels metric = d.chunk().metric();
      Set<String> want = new TreeSet<>(e.getValue());
      Set<String> src = lookup(source.indexSchema(), k.userId(), metric, e.getKey());
      Set<String> tgt = lookup(target.indexSchema(), k.userId(), metric, e.getKey());
      compared += want.size();
      if (!src.equals(want) || !tgt.equals(src)) {
        mismatches++;
        addProblem(
            problems,
            "series "
                + metric
                + " ("
                + e.getKey()
                + "): source index finds "
                + src.size()
                + " chunks, target index "
                + tgt.size()
                + ", scan "
                + want.size()
                + diff(src, tgt));
      }
      if (copiesChunks()) {
        for (String c : e.getValue()) {
          ExternalKey ck = ExternalKey.parse(c);
          String tt = targetChunkTable(ck.from());
          String stt = sourceChunkTable(ck.from());
          if (tt == null || tt.equals(stt)) {
            continue;
          }
          byte[] a = rows.getChunk(stt, c).toCompletableFuture().join();
          byte[] b = rows.getChunk(tt, c).toCompletableFuture().join();
          if (b == null || !Arrays.equals(a, b)) {
            mismatches++;
            addProblem(
                problems,
                "chunk " + c + " in " + tt + (b == null ? " is missing" : " differs from " + stt));
          }
        }
      }
    }
    st.problems.forEach(p -> addProblem(problems, p));
    return new VerifyReport(
        mode, sourceIds.size(), targetIds.size(), series, compared, mismatches, problems);
  }

  private static String diff(Set<String> a, Set<String> b) {
    Set<String> onlyA = new TreeSet<>(a);
    onlyA.removeAll(b);
    Set<String> onlyB = new TreeSet<>(b);
    onlyB.removeAll(a);
    return (onlyA.isEmpty() ? "" : "; only in source: " + first(onlyA))
        + (onlyB.isEmpty() ? "" : "; only in target: " + first(onlyB));
  }

  private static String first(Set<String> s) {
    return s.iterator().next() + (s.size() > 1 ? " (+" + (s.size() - 1) + ")" : "");
  }

  private static void addProblem(List<String> problems, String p) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(p);
    }
  }

  /**
   * The chunks of series {@code seriesKey} (user/fingerprint) with labels {@code metric} in [from,
   * through] as schema {@code s} finds them: metric-name rows ∩ each label's value rows (v9+: then
   * the series→chunk rows), keeping chunks of this series overlapping the range.
   */
  Set<String> lookup(IndexSchema s, String user, Labels metric, String seriesKey) {
    long pf = Math.max(from, periodStart);
    long pt = Math.min(through, periodEnd);
    String name = metric.metricName();
    Set<String> ids = ids(s, run(s.metricNameQueries(user, pf, pt, name)), null);
    for (int i = 0; i < metric.size() && !ids.isEmpty(); i++) {
      if (metric.name(i).equals(Labels.METRIC_NAME)) {
        continue;
      }
      String v = metric.value(i);
      ids.retainAll(ids(s, run(s.labelValueQueries(user, pf, pt, name, metric.name(i), v)), v));
    }
    Set<String> chunks = new TreeSet<>();
    if (s.indexesSeries()) {
      List<IndexQuery> qs = new ArrayList<>();
      for (String sid : ids) {
        qs.addAll(s.seriesChunkQueries(user, pf, pt, sid));
      }
      ids = ids(s, run(qs), null);
    }
    for (String c : ids) {
      ExternalKey k;
      try {
        k = ExternalKey.parse(c);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (TableStats.seriesOf(c).equals(seriesKey) && k.through() >= from && k.from() <= through) {
        chunks.add(c);
      }
    }
    return chunks;
  }

  private List<RowStore.StoredRow> run(List<IndexQuery> qs) {
    List<CompletableFuture<List<RowStore.StoredRow>>> fs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (IndexQuery q : qs) {
      String key =
          q.table()
              + "\n"
              + q.hash()
              + "\n"
              + Arrays.toString(q.rangePrefix())
              + "\n"
              + Arrays.toString(q.rangeStart())
              + "\n"
              + Arrays.toString(q.valueEqual());
      if (seen.add(key)) {
        fs.add(
            rows.query(q)
                .exceptionally(
                    e -> {
                      if (RowStore.isMissingTable(e)) {
                        return List.of();
                      }
                      throw new java.util.concurrent.CompletionException(e);
                    })
                .toCompletableFuture());
      }
    }
    List<RowStore.StoredRow> out = new ArrayList<>();
    fs.forEach(f -> out.addAll(f.join()));
    return out;
  }

  /** Chunk IDs (v1–v8) or series IDs (v9+) of rows, those with label value {@code value} if set. */
  private static Set<String> ids(IndexSchema s, List<RowStore.StoredRow> rs, String value) {
    Set<String> out = new HashSet<>();
    for (RowStore.StoredRow r : rs) {
      RangeValues.Parsed p;
      try {
        if (IndexVerifier.pointsAtNoChunk(r.range())) {
          continue;
        }
        p = RangeValues.parse(r.range(), r.value());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (value != null && !value.equals(p.labelValue())) {
        continue;
      }
      String id = s.indexesSeries() && p.chunkId() == null ? p.seriesId() : p.chunkId();
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ estimate

  /**
   * Estimated chunks to migrate: scans units in order until at least 1000 distinct chunks were
   * found (or all units), then scales by units / units scanned. Exact for small periods. A chunk
   * spanning several day buckets can be found in several units and is counted once per unit.
   */
  public long estimateChunks(Plan plan) {
    Stats st = new Stats();
    long n = 0;
    int scanned = 0;
    for (Unit u : plan.units()) {
      if (n >= 1000) {
        break;
      }
      n += scanChunkIds(u, st).size();
      scanned++;
    }
    return scanned == 0 ? 0 : Math.round((double) n * plan.units().size() / scanned);
  }

  // ------------------------------------------------------------------ rate

  /** A blocking token bucket: {@code rate} tokens per second, burst of one second. */
  static final class Pacer {
    private final double rate;
    private long nextNanos;

    Pacer(double rate) {
      this.rate = rate;
      this.nextNanos = System.nanoTime();
    }

    /** Waits until {@code n} tokens are available (no wait when the rate is 0: unlimited). */
    void acquire(int n) {
      if (rate <= 0) {
        return;
      }
      long now = System.nanoTime();
      long burst = 1_000_000_000L;
      nextNanos = Math.max(nextNanos, now - burst) + (long) (n * 1e9 / rate);
      long wait = nextNanos - now - burst;
      while (wait > 0) {
        LockSupport.parkNanos(wait);
        wait = nextNanos - System.nanoTime() - burst;
      }
    }
  }

  /** Counts of the rows of a table in a unit (for tests): distinct chunk IDs it names. */
  Set<String> chunkIdsOf(Unit u) {
    return scanChunkIds(u, new Stats());
  }
}
