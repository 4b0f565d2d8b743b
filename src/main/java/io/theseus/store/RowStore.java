package io.theseus.store;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexQuery;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the one table shape Cortex uses for both index and chunk tables:
 *
 * <pre>
 *   CREATE TABLE t (hash text, range blob, value blob, PRIMARY KEY (hash, range))
 * </pre>
 *
 * <table>
 *   <caption>Rows</caption>
 *   <tr><th>table</th><th>hash (text)</th><th>range (blob)</th><th>value (blob)</th></tr>
 *   <tr><td>index</td><td>hash value</td><td>range value</td><td>value, or absent</td></tr>
 *   <tr><td>chunk</td><td>chunk external key</td><td>{@code 0x00}</td><td>encoded chunk</td></tr>
 * </table>
 *
 * <p>Writes are single-row INSERTs (no batches, as Cortex), prepared once per table and executed
 * asynchronously with at most {@code maxInFlightWrites} outstanding (more are queued by an {@link
 * AsyncLimiter}, never blocking a thread). A null value is left <em>unset</em>, never bound as
 * null, so the write path creates no tombstones. Timeouts and unavailability are retried with
 * exponential backoff (100 ms doubling to 10 s, half jitter) up to {@code maxRetries} times; all
 * statements are idempotent. Reads use the six query shapes of Cortex's Cassandra client (whole
 * row, range prefix {@code range >= p AND range < p||0xFF}, range start, each optionally with
 * {@code value = ? ALLOW FILTERING}), at most {@code maxInFlightReads} at once, following pages.
 *
 * <p>Thread-safe. Prepared statements are cached per (table, shape); failures are not cached,
 * except that a table found missing is remembered for {@link #MISSING_TABLE_MEMORY_NANOS}: reads
 * of it fail at once with the same error instead of asking the server again (an open-ended query
 * walks every periodic table back to the store's lookback, most of which never existed). Writes
 * always ask the server, and a statement of the table prepared successfully (or {@link
 * #forgetTable}) clears the memory, so a table created meanwhile is read as soon as it is used.
 */
public final class RowStore {
  private static final Logger logger = LoggerFactory.getLogger(RowStore.class);

  /** One row of a table: range and value bytes ({@code value} is null when absent). */
  public record StoredRow(byte[] range, byte[] value) {}

  private final CqlSession session;
  private final String keyspace;
  private final String keyspaceCql;
  private final AsyncLimiter writes;
  private final AsyncLimiter reads;
  private final int maxRetries;
  private final ConsistencyLevel consistency;
  private final ConcurrentHashMap<String, CompletionStage<PreparedStatement>> prepared =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Missing> missingTables = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.LongAdder missingTableShortcuts =
      new java.util.concurrent.atomic.LongAdder();
  private final ScheduledExecutorService retryTimer;

  /** How long a table found missing is remembered for reads: 5 s. */
  static final long MISSING_TABLE_MEMORY_NANOS = 5_000_000_000L;

  /** A table the server said does not exist: until when to believe it, and the server's error. */
  private record Missing(long untilNanos, Throwable error) {}

  /** A store with {@code maxInFlight} writes and as many reads, session consistency. */
  public RowStore(CqlSession session, String keyspace, int maxInFlight, int maxRetries) {
    this(builder(session, keyspace).maxInFlightWrites(maxInFlight).maxInFlightReads(maxInFlight)
        .maxRetries(maxRetries));
  }

  private RowStore(Builder b) {
    this.session = b.session;
    this.keyspace = b.keyspace;
    this.keyspaceCql = CqlIdentifier.fromInternal(keyspace).asCql(true);
    this.writes = new AsyncLimiter(b.maxInFlightWrites);
    this.reads = new AsyncLimiter(b.maxInFlightReads);
    this.maxRetries = b.maxRetries;
    this.consistency = b.consistency;
    this.retryTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cassandra-retry");
              t.setDaemon(true);
              return t;
            });
  }

  public static Builder builder(CqlSession session, String keyspace) {
    return new Builder(session, keyspace);
  }

  /** Builder with eager validation. */
  public static final class Builder {
    private final CqlSession session;
    private final String keyspace;
    private int maxInFlightWrites = 256;
    private int maxInFlightReads = 100;
    private int maxRetries = 5;
    private ConsistencyLevel consistency;

    private Builder(CqlSession session, String keyspace) {
      if (session == null) {
        throw new IllegalArgumentException("no Cassandra session");
      }
      if (keyspace == null || keyspace.isBlank()) {
        throw new IllegalArgumentException("no keyspace");
      }
      this.session = session;
      this.keyspace = keyspace;
    }

    public Builder maxInFlightWrites(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("max in-flight writes must be > 0, got " + n);
      }
      maxInFlightWrites = n;
      return this;
    }

    public Builder maxInFlightReads(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("max in-flight reads must be > 0, got " + n);
      }
      maxInFlightReads = n;
      return this;
    }

    public Builder maxRetries(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("max retries must be >= 0, got " + n);
      }
      maxRetries = n;
      return this;
    }

    /** Consistency of every statement (e.g. {@code LOCAL_QUORUM}); default: the session's. */
    public Builder consistency(String level) {
      try {
        consistency = DefaultConsistencyLevel.valueOf(level.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException(
            "unknown consistency level '" + level + "'; use ONE, QUORUM, LOCAL_QUORUM, ALL, ...");
      }
      return this;
    }

    public RowStore build() {
      return new RowStore(this);
    }
  }

  public String keyspace() {
    return keyspace;
  }

  public CqlSession session() {
    return session;
  }

  /**
   * Inserts one row; completes when Cassandra acknowledged it at the configured consistency. A
   * null {@code value} is left unset (no tombstone).
   */
  public CompletionStage<Void> insert(String table, String hash, byte[] range, byte[] value) {
    return writes.submit(
        () ->
            prepare(table, "insert", "INSERT INTO %s.%s (hash, range, value) VALUES (?, ?, ?)")
                .thenCompose(
                    ps -> {
                      BoundStatementBuilder b =
                          ps.boundStatementBuilder()
                              .setString(0, hash)
                              .setByteBuffer(1, ByteBuffer.wrap(range));
                      if (value != null) {
                        b = b.setByteBuffer(2, ByteBuffer.wrap(value));
                      }
                      return executeWithRetry(b.build(), 0);
                    })
                .thenApply(rs -> null));
  }

  /** Writes every entry (each to its own table); completes when all are acknowledged. */
  public CompletionStage<Void> write(List<IndexEntry> entries) {
    CompletableFuture<?>[] all = new CompletableFuture<?>[entries.size()];
    for (int i = 0; i < all.length; i++) {
      IndexEntry e = entries.get(i);
      all[i] = insert(e.table(), e.hash(), e.range(), e.value()).toCompletableFuture();
    }
    return CompletableFuture.allOf(all);
  }

  /** Runs one of Cortex's six index query shapes. */
  public CompletionStage<List<StoredRow>> query(IndexQuery q) {
    if (q.rangePrefix() != null) {
      return readPrefix(q.table(), q.hash(), q.rangePrefix(), q.valueEqual());
    }
    if (q.rangeStart() != null) {
      return readFrom(q.table(), q.hash(), q.rangeStart(), q.valueEqual());
    }
    if (q.valueEqual() != null) {
      return readRowValue(q.table(), q.hash(), q.valueEqual());
    }
    return readRow(q.table(), q.hash());
  }

  /** Reads the whole row {@code hash}. */
  public CompletionStage<List<StoredRow>> readRow(String table, String hash) {
    return query(table, "row", "SELECT range, value FROM %s.%s WHERE hash = ?", ps -> ps.bind(hash));
  }

  /** Reads the rows of {@code hash} whose range starts with {@code prefix}. */
  public CompletionStage<List<StoredRow>> readPrefix(
      String table, String hash, byte[] prefix, byte[] valueEqual) {
    byte[] upper = new byte[prefix.length + 1];
    System.arraycopy(prefix, 0, upper, 0, prefix.length);
    upper[prefix.length] = (byte) 0xFF;
    if (valueEqual == null) {
      return query(
          table,
          "prefix",
          "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ? AND range < ?",
          ps -> ps.bind(hash, ByteBuffer.wrap(prefix), ByteBuffer.wrap(upper)));
    }
    return query(
        table,
        "prefix-value",
        "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ? AND range < ?"
            + " AND value = ? ALLOW FILTERING",
        ps ->
            ps.bind(
                hash, ByteBuffer.wrap(prefix), ByteBuffer.wrap(upper), ByteBuffer.wrap(valueEqual)));
  }

  /** Reads the rows of {@code hash} whose range is at least {@code start}. */
  public CompletionStage<List<StoredRow>> readFrom(
      String table, String hash, byte[] start, byte[] valueEqual) {
    if (valueEqual == null) {
      return query(
          table,
          "start",
          "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ?",
          ps -> ps.bind(hash, ByteBuffer.wrap(start)));
    }
    return query(
        table,
        "start-value",
        "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ? AND value = ? ALLOW FILTERING",
        ps -> ps.bind(hash, ByteBuffer.wrap(start), ByteBuffer.wrap(valueEqual)));
  }

  /** Reads the rows of {@code hash} whose value equals {@code valueEqual}. */
  public CompletionStage<List<StoredRow>> readRowValue(String table, String hash, byte[] valueEqual) {
    return query(
        table,
        "row-value",
        "SELECT range, value FROM %s.%s WHERE hash = ? AND value = ? ALLOW FILTERING",
        ps -> ps.bind(hash, ByteBuffer.wrap(valueEqual)));
  }

  /**
   * Stores a chunk blob under its external key: {@code INSERT INTO t (hash, range, value) VALUES
   * (?, 0x00, ?)}.
   */
  public CompletionStage<Void> putChunk(String table, String key, byte[] blob) {
    if (blob == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("chunk " + key + " without a blob"));
    }
    return writes.submit(
        () ->
            prepare(table, "chunk-put", "INSERT INTO %s.%s (hash, range, value) VALUES (?, 0x00, ?)")
                .thenCompose(ps -> executeWithRetry(ps.bind(key, ByteBuffer.wrap(blob)), 0))
                .thenApply(rs -> null));
  }

  /** The blob of chunk {@code key} ({@code SELECT value FROM t WHERE hash = ?}), or null. */
  public CompletionStage<byte[]> getChunk(String table, String key) {
    return reads.submit(
        () ->
            prepareRead(table, "chunk-get", "SELECT value FROM %s.%s WHERE hash = ?")
                .thenCompose(ps -> executeWithRetry(ps.bind(key), 0))
                .thenApply(
                    rs -> {
                      Row r = rs.one();
                      return r == null ? null : bytes(r.getByteBuffer(0));
                    }));
  }

  /**
   * Fetches many chunks of one table in parallel (at most {@code maxInFlightReads} at once).
   * Missing keys are absent from the map.
   */
  public CompletionStage<Map<String, byte[]>> getChunks(String table, Collection<String> keys) {
    Map<String, byte[]> out = new ConcurrentHashMap<>();
    CompletableFuture<?>[] all = new CompletableFuture<?>[keys.size()];
    int i = 0;
    for (String key : keys) {
      all[i++] =
          getChunk(table, key)
              .thenAccept(
                  b -> {
                    if (b != null) {
                      out.put(key, b);
                    }
                  })
              .toCompletableFuture();
    }
    return CompletableFuture.allOf(all).thenApply(v -> new HashMap<>(out));
  }

  private CompletionStage<List<StoredRow>> query(
      String table, String shape, String cql, Function<PreparedStatement, BoundStatement> bind) {
    return reads.submit(
        () ->
            prepareRead(table, shape, cql)
                .thenCompose(ps -> executeWithRetry(bind.apply(ps), 0))
                .thenCompose(rs -> collect(rs, new ArrayList<>())));
  }

  private static CompletionStage<List<StoredRow>> collect(AsyncResultSet rs, List<StoredRow> out) {
    for (Row r : rs.currentPage()) {
      out.add(new StoredRow(bytes(r.getByteBuffer(0)), bytes(r.getByteBuffer(1))));
    }
    if (rs.hasMorePages()) {
      return rs.fetchNextPage().thenCompose(next -> collect(next, out));
    }
    return CompletableFuture.completedFuture(out);
  }

  static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private CompletionStage<PreparedStatement> prepare(String table, String shape, String cql) {
    String key = table + "/" + shape;
    CompletionStage<PreparedStatement> ps =
        prepared.computeIfAbsent(
            key,
            k ->
                session
                    .prepareAsync(
                        String.format(
                            cql, keyspaceCql, CqlIdentifier.fromInternal(table).asCql(true)))
                    .thenApply(
                        p -> {
                          missingTables.remove(table); // once per prepare, not per statement
                          return p;
                        }));
    return ps.exceptionallyCompose(
        e -> {
          // Do not cache failures (e.g. the table did not exist yet).
          prepared.remove(key, ps);
          if (isMissingTable(e)) {
            missingTables.put(table, new Missing(System.nanoTime() + MISSING_TABLE_MEMORY_NANOS, e));
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  /** {@link #prepare} for reads: fails at once for a table recently found missing. */
  private CompletionStage<PreparedStatement> prepareRead(String table, String shape, String cql) {
    Missing m = missingTables.get(table);
    if (m != null) {
      if (System.nanoTime() - m.untilNanos() < 0) {
        missingTableShortcuts.increment();
        return CompletableFuture.failedFuture(m.error());
      }
      missingTables.remove(table, m);
    }
    return prepare(table, shape, cql);
  }

  /** Reads answered "table missing" from memory instead of the server (for tests and metrics). */
  public long missingTableShortcuts() {
    return missingTableShortcuts.sum();
  }

  /** Forgets prepared statements of a dropped (or newly created) table. */
  public void forgetTable(String table) {
    prepared.keySet().removeIf(k -> k.startsWith(table + "/"));
    missingTables.remove(table);
  }

  private CompletionStage<AsyncResultSet> executeWithRetry(BoundStatement st, int attempt) {
    BoundStatement s = st.setIdempotent(true);
    if (consistency != null) {
      s = s.setConsistencyLevel(consistency);
    }
    BoundStatement statement = s;
    return session
        .executeAsync(statement)
        .exceptionallyCompose(
            e -> {
              Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              if (attempt < maxRetries && retryable(cause)) {
                long delay = backoffMillis(attempt, ThreadLocalRandom.current().nextDouble());
                logger.debug("retrying after {} ms (attempt {}): {}", delay, attempt + 1, cause.toString());
                CompletableFuture<AsyncResultSet> f = new CompletableFuture<>();
                retryTimer.schedule(
                    () ->
                        executeWithRetry(statement, attempt + 1)
                            .whenComplete(
                                (r, x) -> {
                                  if (x != null) {
                                    f.completeExceptionally(x);
                                  } else {
                                    f.complete(r);
                                  }
                                }),
                    delay,
                    TimeUnit.MILLISECONDS);
                return f;
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  /**
   * The delay before retry {@code attempt + 1}: {@code 100 ms << attempt} capped at 10 s, of
   * which the upper half is jitter ({@code jitter01} in [0, 1)).
   */
  static long backoffMillis(int attempt, double jitter01) {
    long backoff = Math.min(10_000, 100L << Math.min(attempt, 7));
    return backoff / 2 + (long) (jitter01 * (backoff / 2 + 1));
  }

  /** Timeouts and unavailability: worth retrying an idempotent statement after a pause. */
  static boolean retryable(Throwable e) {
    return e instanceof DriverTimeoutException
        || e instanceof WriteTimeoutException
        || e instanceof ReadTimeoutException
        || e instanceof UnavailableException
        || e instanceof AllNodesFailedException;
  }

  /** Whether {@code e} says the table does not exist (yet, or any more). */
  static boolean isMissingTable(Throwable e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof InvalidQueryException
          && t.getMessage() != null
          && (t.getMessage().contains("unconfigured table")
              || t.getMessage().contains("does not exist"))) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  /** Writes in flight now (for metrics). */
  public int inFlight() {
    return writes.running();
  }

  /** Writes waiting for a slot (for metrics and backpressure). */
  public int queued() {
    return writes.queued();
  }

  /** Reads in flight now (for metrics). */
  public int readsInFlight() {
    return reads.running();
  }

  /** Stops the retry timer (pending retries fail). The session belongs to the caller. */
  public void close() {
    retryTimer.shutdownNow();
  }
}
