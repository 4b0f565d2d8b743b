package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the periodic index and chunk tables: ahead of need (the sync loop of the owner calls
 * {@link #ensure} for every table of the coming periods, as Cortex's table manager does with its
 * grace period) and on demand (a write to a table not yet known creates it first, so backfilled or
 * late data never fails on {@code unconfigured table}). Drops tables for retention.
 *
 * <p>DDL: {@code CREATE TABLE IF NOT EXISTS ks.t (hash text, range blob, value blob, PRIMARY KEY
 * (hash, range))} plus {@code WITH ...} options chosen by the caller per table (compaction,
 * compression, TTL). After each DDL the driver waits for schema agreement. Creation of one table
 * is done once per process: concurrent callers share one future. Thread-safe.
 */
public final class TableManager {
  private static final Logger logger = LoggerFactory.getLogger(TableManager.class);

  private final CqlSession session;
  private final String keyspace;
  private final Function<String, String> options;
  private final ConcurrentHashMap<String, CompletionStage<Void>> known = new ConcurrentHashMap<>();

  /**
   * @param options table name → CQL table options without {@code WITH} (empty for none)
   */
  public TableManager(CqlSession session, String keyspace, Function<String, String> options) {
    this.session = session;
    this.keyspace = keyspace;
    this.options = options;
    refresh();
  }

  /** Re-reads the tables that exist from the driver's schema metadata. */
  public void refresh() {
    KeyspaceMetadata ks = session.getMetadata().getKeyspace(keyspace).orElse(null);
    if (ks == null) {
      return;
    }
    ks.getTables().keySet().forEach(id -> known.putIfAbsent(id.asInternal(), CompletableFuture.completedFuture(null)));
  }

  /** The CQL creating {@code table}. */
  public String createCql(String table) {
    String opts = options.apply(table);
    return "CREATE TABLE IF NOT EXISTS " + CqlIdentifier.fromInternal(keyspace).asCql(true) + "."
        + CqlIdentifier.fromInternal(table).asCql(true)
        + " (hash text, range blob, value blob, PRIMARY KEY (hash, range))"
        + (opts == null || opts.isBlank() ? "" : " WITH " + opts);
  }

  /** Completes when {@code table} exists (creating it if needed). */
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
        .whenComplete(
            (rs, e) -> {
              if (e != null) {
                known.remove(table, mine);
                logger.warn("creating table {} failed: {}", table, e.toString());
                mine.completeExceptionally(e);
              } else {
                if (!rs.getExecutionInfo().isSchemaInAgreement()) {
                  session.checkSchemaAgreementAsync();
                }
                logger.info("created table {}.{}", keyspace, table);
                mine.complete(null);
              }
            });
    return mine;
  }

  /** Whether {@code table} is known to exist. */
  public boolean exists(String table) {
    CompletionStage<Void> f = known.get(table);
    return f != null && f.toCompletableFuture().isDone() && !f.toCompletableFuture().isCompletedExceptionally();
  }

  /** Tables of the keyspace whose names start with one of {@code prefixes}, sorted. */
  public Set<String> tablesWithPrefix(Set<String> prefixes) {
    Set<String> out = new TreeSet<>();
    session
        .getMetadata()
        .getKeyspace(keyspace)
        .ifPresent(
            ks ->
                ks.getTables().keySet().forEach(
                    id -> {
                      String n = id.asInternal();
                      for (String p : prefixes) {
                        if (n.startsWith(p)) {
                          out.add(n);
                        }
                      }
                    }));
    return out;
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
