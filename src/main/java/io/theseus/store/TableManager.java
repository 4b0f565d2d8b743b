package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the periodic index and chunk tables: ahead of need ({@link #sync}, which the owner calls
 * periodically, computes the expected tables with {@link PeriodicTables#expected} and creates the
 * missing ones, as Cortex's table manager with its grace period) and on demand ({@link #ensure}
 * before a write to a table not yet known, so backfilled or late data never fails on {@code
 * unconfigured table}). With retention on, {@link #sync} drops the tables wholly older than the
 * retention ({@link PeriodicTables#dropCandidates}).
 *
 * <p>DDL: {@code CREATE TABLE IF NOT EXISTS ks.t (hash text, range blob, value blob, PRIMARY KEY
 * (hash, range))} plus {@code WITH ...} options chosen by the caller per table (compaction,
 * compression, TTL). Each DDL completes only after schema agreement (or a logged warning when the
 * cluster does not agree within the driver's agreement timeout). Creation of one table happens
 * once per process: concurrent callers share one future. Thread-safe.
 */
public final class TableManager {
  private static final Logger logger = LoggerFactory.getLogger(TableManager.class);

  private final CqlSession session;
  private final String keyspace;
  private final Function<String, String> options;
  private final ConcurrentHashMap<String, CompletionStage<Void>> known = new ConcurrentHashMap<>();

  /** What one {@link #sync} did: tables created, and tables dropped (or only listed). */
  public record SyncResult(List<String> created, List<String> dropCandidates, boolean dropped) {}

  /**
   * @param options table name → CQL table options without {@code WITH} (empty for none)
   */
  public TableManager(CqlSession session, String keyspace, Function<String, String> options) {
    this.session = session;
    this.keyspace = keyspace;
    this.options = options;
    refresh();
  }

  /** Re-reads the tables that exist from {@code system_schema}. */
  public void refresh() {
    for (String t : existingTables()) {
      known.putIfAbsent(t, CompletableFuture.completedFuture(null));
    }
  }

  /** The tables of the keyspace now, read from {@code system_schema.tables}, sorted. */
  public Set<String> existingTables() {
    Set<String> out = new TreeSet<>();
    for (Row r :
        session.execute(
            SimpleStatement.newInstance(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace))) {
      out.add(r.getString(0));
    }
    return out;
  }

  /** The CQL creating {@code table}. */
  public String createCql(String table) {
    String opts = options.apply(table);
    return "CREATE TABLE IF NOT EXISTS " + CqlIdentifier.fromInternal(keyspace).asCql(true) + "."
        + CqlIdentifier.fromInternal(table).asCql(true)
        + " (hash text, range blob, value blob, PRIMARY KEY (hash, range))"
        + (opts == null || opts.isBlank() ? "" : " WITH " + opts);
  }

  /** Completes when {@code table} exists (creating it if needed) and the schema agrees. */
  public CompletionStage<Void> ensure(String table) {
    CompletionStage<Void> f = known.get(table);
    if (f != null) {
      return f;
    }
    CompletableFuture<Void> mine = new CompletableFuture<>();
    f = known.putIfAbsent(table, mine);
    if (f != null) {
      return f;
    }
    String cql = createCql(table);
    session
        .executeAsync(cql)
        .thenCompose(
            rs ->
                rs.getExecutionInfo().isSchemaInAgreement()
                    ? CompletableFuture.completedFuture(true)
                    : session.checkSchemaAgreementAsync())
        .whenComplete(
            (agreed, e) -> {
              if (e != null) {
                known.remove(table, mine);
                logger.warn("creating table {}.{} failed: {}", keyspace, table, e.toString());
                mine.completeExceptionally(e);
              } else {
                if (!agreed) {
                  logger.warn("created table {}.{} but the schema is not in agreement", keyspace, table);
                } else {
                  logger.info("created table {}.{}", keyspace, table);
                }
                mine.complete(null);
              }
            });
    return mine;
  }

  /** Whether {@code table} is known to exist. */
  public boolean exists(String table) {
    CompletionStage<Void> f = known.get(table);
    return f != null
        && f.toCompletableFuture().isDone()
        && !f.toCompletableFuture().isCompletedExceptionally();
  }

  /** Tables of the keyspace whose names start with one of {@code prefixes}, sorted. */
  public Set<String> tablesWithPrefix(Set<String> prefixes) {
    Set<String> out = new TreeSet<>();
    for (String n : existingTables()) {
      for (String p : prefixes) {
        if (n.startsWith(p)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /**
   * One table-manager pass: creates every expected table that is missing and, with a positive
   * {@code retention}, finds the tables wholly older than it, dropping them only when {@code
   * deleteOld}.
   */
  public SyncResult sync(
      List<PeriodicTables.Series> series,
      Instant now,
      Duration grace,
      Duration retention,
      boolean deleteOld) {
    Map<String, PeriodicTables.Series> expected =
        PeriodicTables.expected(series, now, grace, retention);
    Set<String> existing = existingTables();
    List<String> created = new ArrayList<>();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (String t : expected.keySet()) {
      if (!existing.contains(t)) {
        created.add(t);
        known.remove(t);
        pending.add(ensure(t).toCompletableFuture());
      }
    }
    pending.forEach(CompletableFuture::join);
    List<String> drop = PeriodicTables.dropCandidates(series, existing, now, grace, retention);
    if (deleteOld) {
      drop.forEach(this::drop);
    }
    return new SyncResult(created, drop, deleteOld && !drop.isEmpty());
  }

  /**
   * Drops {@code table}. Cassandra snapshots it first when {@code auto_snapshot} is on (the
   * default), so disk space returns only after {@code nodetool clearsnapshot}.
   */
  public void drop(String table) {
    session.execute(
        "DROP TABLE IF EXISTS " + CqlIdentifier.fromInternal(keyspace).asCql(true) + "."
            + CqlIdentifier.fromInternal(table).asCql(true));
    known.remove(table);
    logger.info("dropped table {}.{}", keyspace, table);
  }
}
